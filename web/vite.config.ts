import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = fileURLToPath(new URL('.', import.meta.url));

// Built into dist/web, which `kabuguard serve` serves at `/` (and which ships in the npm package).
export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    // `npm run dev:web` during development: the API of a local `kabuguard serve` on :8080.
    proxy: { '/v1': 'http://127.0.0.1:8080' },
  },
});
