/** Writes every generated reference doc. Run: npm run docs */
import { writeFileSync } from 'node:fs';
import { renderConfigDoc, renderErrorsDoc } from '../packages/cli/src/docs/reference-docs.ts';
import { renderMetricsDoc } from '../packages/cli/src/docs/render-metrics-doc.ts';
import { generateBundle } from '../packages/cli/src/generate.ts';

const root = new URL('../', import.meta.url);
writeFileSync(new URL('docs/errors.md', root), renderErrorsDoc());
writeFileSync(new URL('docs/config.md', root), renderConfigDoc());
writeFileSync(new URL('docs/metrics.md', root), renderMetricsDoc());
// The alert catalogue with runbooks, rendered from the store's deploy config (the same file as deploy/docs/alerts.md).
const bundle = await generateBundle(new URL('deploy/tillwatch.config.ts', root).pathname);
writeFileSync(new URL('docs/alerts.md', root), bundle.get('docs/alerts.md') as string);
console.log('wrote docs/errors.md, docs/config.md, docs/metrics.md, docs/alerts.md');
