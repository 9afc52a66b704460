// vite.config.ts - builds the web UI into web/dist, which `tinhso serve` serves (web.root).
// JSX is compiled by esbuild for Preact; no plugin needed. `npm run dev` proxies the API to a
// local `tinhso serve` (TS_DEV_API, default http://127.0.0.1:8080).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    manifest: true,
  },
  server: {
    proxy: { '/api': process.env.TS_DEV_API || 'http://127.0.0.1:8080' },
  },
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/unit/**/*.test.tsx'],
    environment: 'node',
  },
});
