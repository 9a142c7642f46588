import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The staff web app: source in web/, built into dist/web, which Fastify serves at /. */
export default defineConfig({
  root: 'web',
  plugins: [react()],
  build: { outDir: '../dist/web', emptyOutDir: true, sourcemap: false },
  server: { proxy: { '/api': 'http://localhost:3000', '/webhooks': 'http://localhost:3000', '/docs': 'http://localhost:3000' } },
});
