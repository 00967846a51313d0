// Bundles bench/gpu-dawn.ts into one ES module (WGSL inlined, `webgpu` left
// external) for a machine that has a GPU but no node_modules.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

await build({
  entryPoints: ['bench/gpu-dawn.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: process.argv[2] ?? '.device/gpu-dawn.mjs',
  external: ['webgpu'],
  plugins: [
    {
      name: 'wgsl-raw',
      setup(b) {
        b.onResolve({ filter: /\.wgsl\?raw$/ }, (args) => ({
          path: resolve(args.resolveDir, args.path.replace(/\?raw$/, '')),
          namespace: 'wgsl',
        }));
        b.onLoad({ filter: /.*/, namespace: 'wgsl' }, (args) => ({
          contents: readFileSync(args.path, 'utf8'),
          loader: 'text',
        }));
      },
    },
  ],
});
