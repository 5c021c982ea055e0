/**
 * Builds the console into dist/console/, served by `nara serve` under /console/. Nothing in the
 * output points outside Nara (no CDN, no web font): the console has to work on an air-gapped network.
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = decodeURIComponent(new URL('.', import.meta.url).pathname);

export default defineConfig({
  root,
  base: '/console/',
  plugins: [react()],
  // Only the JS the browser loads; no public/ folder to copy.
  publicDir: false,
  build: {
    outDir: '../dist/console',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // Small assets inlined as data: URLs stay inside the bundle; none is fetched from elsewhere.
    assetsInlineLimit: 4096,
    // Pages are lazy chunks; the first load is the shell only (budget: 300 KB compressed, aim 120 KB).
    chunkSizeWarningLimit: 400,
  },
  server: {
    // `npx vite --config console/vite.config.ts` during development: the API is Nara's, on :8080.
    proxy: { '/admin': 'http://127.0.0.1:8080', '/audit': 'http://127.0.0.1:8080', '/v1': 'http://127.0.0.1:8080' },
  },
});
