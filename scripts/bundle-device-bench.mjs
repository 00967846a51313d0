// Bundles the Dawn benchmarks (bench/gpu-dawn.ts, bench/pipeline-dawn.ts,
// bench/bandwidth-dawn.ts)
// into one ES module each (WGSL inlined, `webgpu` left external) for a
// machine that has a GPU but no node_modules: see scripts/device-bench.sh.
//
//   node scripts/bundle-device-bench.mjs [OUTDIR]   (default .device)
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const outDir = process.argv[2] ?? '.device';

await build({
  entryPoints: ['bench/gpu-dawn.ts', 'bench/pipeline-dawn.ts', 'bench/bandwidth-dawn.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outdir: outDir,
  outExtension: { '.js': '.mjs' },
  external: ['webgpu'],
  logLevel: 'warning',
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
