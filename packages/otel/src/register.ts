/**
 * `node --import @tillwatch/otel/register app.ts`: turns on tracing's module patching (pg and ioredis,
 * which publish no diagnostics channels) before the application's modules load. node:http, fetch, Fastify
 * and Express are not patched: requests are traced at tillwatch's adapters and outgoing calls from Node's
 * diagnostics channels, so the hook costs a request nothing.
 *
 * Why a flag at all: an ES module's imports are bound before any of its code runs, so by the time
 * `createTillwatch()` executes, `import pg from 'pg'` has already handed the application an
 * unpatched module. OpenTelemetry patches ES modules through a loader hook (import-in-the-middle),
 * and a loader hook must be registered before the modules it sees are imported, which is what
 * `--import` is for (Node.js docs, "Customization hooks"). Modules loaded with `require()` after
 * `createTillwatch()` do not need it.
 *
 * The hook is registered for the instrumented modules only (import-in-the-middle's
 * `createAddHookMessageChannel`), so every other module, the application's own TypeScript included,
 * loads untouched. Nothing here starts exporting: spans flow once `createTillwatch()` with tracing
 * on registers the provider, configured by the application's options and environment as usual.
 *
 * Safe to import without tracing configured: patched modules without a provider cost a no-op span
 * check per call.
 */
import { register } from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { enableInstrumentations } from './trace/instrumentations.ts';

const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
enableInstrumentations();
// The instrumentations have told the loader thread which modules to hook; wait until it has them,
// or the application's first imports could race past the hook.
await waitForAllMessagesAcknowledged();
