import { defineConfig } from "vite";

// Built into dist/ and shipped inside @byor/node-server, which serves it at / under a strict CSP
// (default-src 'self'; no inline scripts, no eval): so no inline script or style, no data: URLs.
export default defineConfig({
  base: "./",
  build: {
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: true,
    // The protocol validators (ahead-of-time ajv code, no eval) are most of it: about 1.3 MB, 95 KB gzipped.
    chunkSizeWarningLimit: 1600,
  },
  server: {
    // `pnpm dev` against a running `byor serve`: the page's origin must then be in its allowedOrigins.
    port: 5173,
  },
});
