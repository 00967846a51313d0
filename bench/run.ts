/**
 * npm run bench: throughput of the CPU paths, each next to a peer measured in
 * the same run, as medians of several repetitions. No timing here is a test:
 * the figures are printed for people to read and compare.
 *
 * Peers: for the difference kernel's CPU twin, a plain double-precision loop
 * over the same data (what a straightforward implementation costs) and a
 * Float32Array copy of the same bytes (memory bandwidth, the floor).
 */
import { differenceCpu, LUMA_WEIGHTS_RGB } from '../src/core/difference.ts';
import { beforeGrid } from '../src/core/demo/georeference.ts';
import { buildDemoScene, DEFAULT_DEMO_PARAMS, renderDemoDate } from '../src/core/demo/scene.ts';
import { Random } from '../src/core/random.ts';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function timeMs(repetitions: number, run: () => void): number {
  run(); // warm-up: JIT and caches
  const times: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    const started = performance.now();
    run();
    times.push(performance.now() - started);
  }
  return median(times);
}

function naiveDifference(before: Float32Array, after: Float32Array, n: number): Float64Array {
  const out = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    const dr = (after[i] ?? 0) - (before[i] ?? 0);
    const dg = (after[n + i] ?? 0) - (before[n + i] ?? 0);
    const db = (after[2 * n + i] ?? 0) - (before[2 * n + i] ?? 0);
    out[i] = 0.299 * dr + 0.587 * dg + 0.114 * db;
    out[n + i] = Math.max(Math.abs(dr), Math.abs(dg), Math.abs(db));
    out[2 * n + i] = Math.sqrt(dr * dr + dg * dg + db * db);
  }
  return out;
}

const rows: string[][] = [
  ['case', 'median ms', 'Mpx/s', 'peer', 'peer median ms', 'ratio (ours/peer time)'],
];

for (const megapixels of [1, 4, 16]) {
  const n = megapixels * 1024 * 1024;
  const random = new Random(megapixels);
  const before = new Float32Array(3 * n).map(() => random.int(0, 255));
  const after = new Float32Array(3 * n).map(() => random.int(0, 255));
  const repetitions = megapixels >= 16 ? 3 : 5;
  const ours = timeMs(repetitions, () => {
    differenceCpu({ before, after, pixelCount: n, bandCount: 3, weights: LUMA_WEIGHTS_RGB });
  });
  const naive = timeMs(repetitions, () => {
    naiveDifference(before, after, n);
  });
  const copy = new Float32Array(3 * n);
  const bandwidth = timeMs(repetitions, () => {
    copy.set(before);
    copy.set(after);
  });
  const mpxPerS = (megapixels / ours) * 1000;
  rows.push([
    `difference CPU twin, ${megapixels} Mpx RGB`,
    ours.toFixed(1),
    mpxPerS.toFixed(1),
    'plain f64 loop',
    naive.toFixed(1),
    (ours / naive).toFixed(2),
  ]);
  rows.push([
    '',
    '',
    '',
    'copy of the inputs',
    bandwidth.toFixed(1),
    (ours / bandwidth).toFixed(2),
  ]);
}

{
  const params = { ...DEFAULT_DEMO_PARAMS, widthPx: 512, heightPx: 512 };
  const scene = buildDemoScene(params);
  const grid = beforeGrid(scene);
  const ms = timeMs(3, () => {
    renderDemoDate(scene, {
      date: 0,
      width: grid.width,
      height: grid.height,
      pixelToScene: grid.pixelToScene,
    });
  });
  rows.push([
    'demo scene render, 0.26 Mpx, 4 samples/px',
    ms.toFixed(1),
    ((0.262144 / ms) * 1000).toFixed(2),
    '—',
    '—',
    '—',
  ]);
}

const widths =
  rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
for (const row of rows)
  console.log(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  '));
console.log(`node ${process.version}, ${process.arch}; medians of 3–5 runs after a warm-up`);
