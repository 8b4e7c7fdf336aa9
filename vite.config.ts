import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer is served from file:// by Electron and from the loopback web host, so every asset
// path is relative and nothing is fetched from a CDN.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
  },
  worker: { format: 'es' },
});
