/** Writes the generated reference docs. Run: npm run docs */
import { writeFileSync } from 'node:fs';
import { renderConfigDoc, renderErrorsDoc } from '../packages/tillwatch/src/docs/reference-docs.ts';

const root = new URL('../', import.meta.url);
writeFileSync(new URL('docs/errors.md', root), renderErrorsDoc());
writeFileSync(new URL('docs/config.md', root), renderConfigDoc());
console.log('wrote docs/errors.md, docs/config.md');
