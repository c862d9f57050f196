/**
 * The cashier page's build: React, served by the store under /pos/ (apps/store/src/http/pos-static.ts).
 * `npm run build:pos` at the repo root writes apps/store/pos/dist. Source maps are emitted so a
 * release's maps can be uploaded to Sentry; the store does not serve the .map files.
 */
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

export default defineConfig({
  base: '/pos/',
  plugins: [react()],
  // Workspace packages resolve to their TypeScript sources (their `tillwatch-source` export), as in Node.
  resolve: { conditions: ['tillwatch-source', ...defaultClientConditions] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: 'hidden',
    target: 'es2022',
    reportCompressedSize: false,
  },
  logLevel: 'warn',
});
