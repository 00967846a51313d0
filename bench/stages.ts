/**
 * Per-stage CPU-twin timings at 1, 4 and 16 Mpx (64 with QW_BENCH_MPX=1,4,16,64):
 * blur, histogram + Otsu, threshold, opening, labelling + statistics, and the
 * whole CPU analysis on a tiled demo-like scene. Medians of runs, Node, one
 * thread. GPU timings of the same stages: bench/gpu-dawn.ts (needs a GPU).
 */
import { blurCpu } from '../src/core/blur.ts';
import { labelComponentsWithStatsCpu } from '../src/core/ccl.ts';
import { histogramCpu, otsuThreshold } from '../src/core/histogram.ts';
import { morphologyCpu } from '../src/core/morphology.ts';
import { valueNoise } from '../src/core/random.ts';
import { thresholdCpu } from '../src/core/threshold.ts';

const SIZES_MPX = (process.env['QW_BENCH_MPX'] ?? '1,4,16').split(',').map(Number);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function time(runs: number, run: () => void): number {
  run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    run();
    times.push(performance.now() - started);
  }
  return median(times);
}

const rows: string[][] = [['size', 'stage', 'median ms', 'Mpx/s']];
for (const megapixels of SIZES_MPX) {
  const side = Math.round(Math.sqrt(megapixels * 1024 * 1024));
  const pixels = side * side;
  const score = new Float32Array(pixels);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      score[y * side + x] = 100 * valueNoise(x / 23, y / 17, 7) + 20 * valueNoise(x / 3, y / 3, 11);
    }
  }
  const runs = megapixels >= 16 ? 3 : 5;
  const label = `${megapixels} Mpx`;
  let blurred: Float32Array = new Float32Array(0);
  let mask: Uint8Array = new Uint8Array(0);
  let opened: Uint8Array = new Uint8Array(0);
  const stages: [string, () => void][] = [
    ['blur r=2 (gaussian)', () => (blurred = blurCpu(score, side, side, { blurRadiusPx: 2 }))],
    [
      'histogram 256 + Otsu',
      () => {
        const range = { minValue: 0, maxValue: 120 };
        otsuThreshold(histogramCpu(blurred, range), range);
      },
    ],
    ['threshold', () => (mask = thresholdCpu(blurred, 62))],
    [
      'opening r=2 (disc)',
      () => (opened = morphologyCpu(mask, side, side, { operation: 'open', radiusPx: 2 })),
    ],
    ['labelling + stats', () => labelComponentsWithStatsCpu(opened, side, side)],
  ];
  let total = 0;
  for (const [name, run] of stages) {
    const ms = time(runs, run);
    total += ms;
    rows.push([label, name, ms.toFixed(1), (megapixels / (ms / 1000)).toFixed(1)]);
  }
  rows.push([label, 'sum of stages', total.toFixed(1), (megapixels / (total / 1000)).toFixed(1)]);
}
const widths = rows[0]?.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length))) ?? [];
for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  '));
console.log(`node ${process.version}; CPU twins, one thread; medians`);
