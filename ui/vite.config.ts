import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [svelte()],
  // Relative asset URLs: Tauri loads dist/ from its own protocol, not from a server root.
  base: './',
  resolve: {
    alias: { $lib: '/src/lib' },
  },
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // WebKitGTK (Tauri on Linux) and WebView2 both run modern JS.
    target: 'es2022',
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    // The real core for *.core.test.ts: `coupondesk serve` on a seeded temporary
    // database, and the platform simulator (scripts/coreServer.mjs finds the binaries).
    globalSetup: ['src/test/globalSetup.ts'],
    // Core calls do real work (imports of 200,000 rows, sync runs) on a shared machine.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
