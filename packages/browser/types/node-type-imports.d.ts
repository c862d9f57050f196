/**
 * tillwatch/redact/portable re-exports the `Redactor` *types* from the server's redactor.ts, so the
 * type checker loads that file, which imports two Node modules for its (server-only) walker. These
 * declarations cover exactly what it uses, so browser code is checked without Node's global types
 * (no accidental `Buffer` or `process`). Nothing here exists at run time in the bundle: the import
 * is type-only (`import type`), and test/portable-redact.test.ts checks the run-time import graph.
 */
declare module 'node:events' {
  export class EventEmitter {}
}
declare module 'node:util' {
  export const types: { isNativeError(v: unknown): v is Error };
}
