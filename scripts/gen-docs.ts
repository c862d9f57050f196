/** Writes every generated reference doc. Run: npm run docs */
import { writeFileSync } from 'node:fs';
import { renderConfigDoc, renderErrorsDoc } from '../packages/tillwatch/src/docs/reference-docs.ts';
import { renderMetricsDoc } from '../packages/tillwatch/src/spec/render-metrics-doc.ts';

const root = new URL('../', import.meta.url);
writeFileSync(new URL('docs/errors.md', root), renderErrorsDoc());
writeFileSync(new URL('docs/config.md', root), renderConfigDoc());
writeFileSync(new URL('docs/metrics.md', root), renderMetricsDoc());
console.log('wrote docs/errors.md, docs/config.md, docs/metrics.md');
