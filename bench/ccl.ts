/**
 * npm run bench (third part): connected-component labelling + per-component
 * statistics of the CPU twin, next to OpenCV's connectedComponentsWithStats on
 * the same mask bytes in the same run. Medians of several runs after a
 * warm-up; nothing here is a test.
 *
 * Peers (8-connectivity, CV_32S labels, area + bounding box + centroid):
 *   - native OpenCV through Python's cv2 (bench/opencv_ccl.py, Debian
 *     python3-opencv), on one thread (cv2.setNumThreads(1)) and on its
 *     default thread count; the mask goes through a temporary file and only
 *     the call itself is timed — which includes OpenCV allocating its outputs
 *     (the W×H int32 label image, N×5 int32 stats, N×2 float64 centroids), as
 *     the Python binding returns fresh arrays on every call;
 *   - opencv.js (@techstark/opencv-js, OpenCV's own wasm build) in this Node
 *     process, the browser peer; the mask is copied into a cv.Mat untimed, and
 *     its output Mats are reused between calls (allocated once, untimed).
 * Ours, headline: labelIdsWithStatsCpu — one W×H Int32 image of dense ids
 * (1..N in raster order of each component's first pixel) plus area, bounds,
 * Σx and Σy per component: the same output as OpenCV's (centroid = Σ / area),
 * allocated fresh on every call like native OpenCV's. For reference:
 * labelComponentsWithStatsCpu (also the canonical smallest-pixel label image,
 * the GPU shaders' contract: a second W×H Int32 image), labelComponentsCpu
 * alone, and labelComponentsCpu + componentStatsCpu (the full statistics
 * record: change sums, kind counts, boundary pixels, which OpenCV does not
 * compute).
 * Checks, untimed: component counts agree across all of them; our two
 * variants give identical ids and statistics; native OpenCV's label image
 * equals our ids up to a renumbering (one-to-one) and its stats and centroids
 * equal ours under that renumbering. Any mismatch is printed loudly.
 *
 * `npx tsx bench/ccl.ts --64` adds 64 Mpx (8192²) masks: several minutes and
 * a few GB of memory, hence not in `npm run bench`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  labelComponentsCpu,
  labelComponentsWithStatsCpu,
  labelIdsWithStatsCpu,
  type IdStatsResult,
} from '../src/core/ccl.ts';
import { componentStatsCpu } from '../src/core/component-stats.ts';
import { Random } from '../src/core/random.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPETITIONS = 7;
const SIDES = process.argv.includes('--64') ? [1024, 2048, 4096, 8192] : [1024, 2048, 4096];

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Median wall time of `repetitions` calls after one warm-up, in ms; keeps the last result. */
function timeMs<T>(repetitions: number, run: () => T): { ms: number; result: T } {
  let result = run(); // warm-up: JIT and caches
  const times: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    const started = performance.now();
    result = run();
    times.push(performance.now() - started);
  }
  return { ms: median(times), result };
}

/** Axis-aligned container-like blocks (8–60 × 4–24 px) until `coverFraction` is foreground. */
function blobMask(width: number, height: number, coverFraction: number, seed: number): Uint8Array {
  const random = new Random(seed);
  const mask = new Uint8Array(width * height);
  const target = coverFraction * width * height;
  let covered = 0;
  while (covered < target) {
    const horizontal = random.next() < 0.5;
    const long = random.int(8, 60);
    const short = random.int(4, 24);
    const blockWidthPx = horizontal ? long : short;
    const blockHeightPx = horizontal ? short : long;
    const left = random.int(0, width - 1);
    const top = random.int(0, height - 1);
    for (let y = top; y < Math.min(height, top + blockHeightPx); y++) {
      for (let x = left; x < Math.min(width, left + blockWidthPx); x++) {
        const i = y * width + x;
        if (mask[i] === 0) {
          mask[i] = 1;
          covered++;
        }
      }
    }
  }
  return mask;
}

function noiseMask(width: number, height: number, density: number, seed: number): Uint8Array {
  const random = new Random(seed);
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) mask[i] = random.next() < density ? 1 : 0;
  return mask;
}

// --- native OpenCV through Python ---------------------------------------------

interface NativeResult {
  readonly opencv: string;
  readonly defaultThreads: number;
  readonly oneThreadMs: number[];
  readonly oneThreadCount: number;
  readonly allThreadsMs: number[];
  readonly allThreadsCount: number;
}

function isNativeResult(value: unknown): value is NativeResult {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['opencv'] === 'string' &&
    typeof v['defaultThreads'] === 'number' &&
    Array.isArray(v['oneThreadMs']) &&
    typeof v['oneThreadCount'] === 'number' &&
    Array.isArray(v['allThreadsMs']) &&
    typeof v['allThreadsCount'] === 'number'
  );
}

/** The first interpreter that imports cv2: $QW_PYTHON, python3 on PATH, Debian's /usr/bin/python3. */
function findPythonWithOpenCv(): string | undefined {
  const candidates = [process.env['QW_PYTHON'], 'python3', '/usr/bin/python3'];
  for (const candidate of candidates) {
    if (candidate === undefined) continue;
    const probe = spawnSync(candidate, ['-c', 'import cv2, numpy'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

/** Raw little-endian file contents as a typed array (copied: aligned, owned). */
function readInt32File(path: string): Int32Array {
  const bytes = readFileSync(path);
  return new Int32Array(new Uint8Array(bytes).buffer);
}
function readFloat64File(path: string): Float64Array {
  const bytes = readFileSync(path);
  return new Float64Array(new Uint8Array(bytes).buffer);
}

/**
 * OpenCV's one-thread outputs against ours: its label image must equal our
 * ids up to a one-to-one renumbering, and its stats and centroids must equal
 * ours under that renumbering. Returns 'identical', 'renumbered' or the
 * first difference.
 */
function compareWithOpenCv(
  ours: IdStatsResult,
  cvLabels: Int32Array,
  cvStats: Int32Array,
  cvCentroids: Float64Array,
  width: number,
): string {
  const n = ours.count;
  if (cvLabels.length !== ours.ids.length) return `label image of ${cvLabels.length} pixels`;
  if (cvStats.length !== (n + 1) * 5 || cvCentroids.length !== (n + 1) * 2) {
    return `stats for ${cvStats.length / 5 - 1} components, ours ${n}`;
  }
  const ourIdOfCv = new Int32Array(n + 1).fill(-1);
  const cvOfOurId = new Int32Array(n + 1).fill(-1);
  let identical = true;
  for (let i = 0; i < cvLabels.length; i++) {
    const theirs = cvLabels[i] ?? -1;
    const id = ours.ids[i] ?? -1;
    if (theirs !== id) identical = false;
    if (theirs < 0 || theirs > n || (theirs === 0) !== (id === 0)) {
      return `pixel (${i % width}, ${Math.floor(i / width)}): OpenCV ${theirs}, ours ${id}`;
    }
    if (ourIdOfCv[theirs] === -1 && cvOfOurId[id] === -1) {
      ourIdOfCv[theirs] = id;
      cvOfOurId[id] = theirs;
    } else if (ourIdOfCv[theirs] !== id || cvOfOurId[id] !== theirs) {
      return `pixel (${i % width}, ${Math.floor(i / width)}): OpenCV ${theirs} is not one of ours`;
    }
  }
  for (let label = 1; label <= n; label++) {
    const c = (ourIdOfCv[label] ?? 0) - 1;
    if (c < 0) return `OpenCV component ${label} has no pixel`;
    const area = ours.pixelCount[c] ?? 0;
    const minX = ours.minX[c] ?? 0;
    const minY = ours.minY[c] ?? 0;
    const expected = [
      minX,
      minY,
      (ours.maxX[c] ?? 0) - minX + 1,
      (ours.maxY[c] ?? 0) - minY + 1,
      area,
      (ours.sumX[c] ?? 0) / area,
      (ours.sumY[c] ?? 0) / area,
    ];
    const got = [
      ...cvStats.subarray(label * 5, label * 5 + 5),
      ...cvCentroids.subarray(label * 2, label * 2 + 2),
    ];
    if (expected.some((value, k) => value !== got[k])) {
      return `component ${label}: OpenCV [${got.join(', ')}], ours [${expected.join(', ')}]`;
    }
  }
  return identical ? 'identical' : 'renumbered';
}

function runNative(
  python: string,
  mask: Uint8Array,
  width: number,
  height: number,
  ours: IdStatsResult,
): NativeResult & { agreement: string } {
  const prefix = join(tmpdir(), `quaywatch-ccl-${process.pid}-${width}x${height}`);
  const path = `${prefix}.bin`;
  writeFileSync(path, mask);
  try {
    const result = spawnSync(
      python,
      [
        join(HERE, 'opencv_ccl.py'),
        path,
        String(width),
        String(height),
        String(REPETITIONS),
        prefix,
      ],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    if (result.status !== 0) throw new Error(`opencv_ccl.py failed: ${result.stderr}`);
    const parsed: unknown = JSON.parse(result.stdout);
    if (!isNativeResult(parsed)) throw new Error(`opencv_ccl.py printed ${result.stdout}`);
    const agreement = compareWithOpenCv(
      ours,
      readInt32File(`${prefix}.labels`),
      readInt32File(`${prefix}.stats`),
      readFloat64File(`${prefix}.centroids`),
      width,
    );
    return { ...parsed, agreement };
  } finally {
    for (const suffix of ['.bin', '.labels', '.stats', '.centroids']) {
      rmSync(`${prefix}${suffix}`, { force: true });
    }
  }
}

// --- opencv.js (wasm) ----------------------------------------------------------

/** The few members of opencv.js this bench uses. */
interface CvMat {
  readonly data: Uint8Array;
  delete(): void;
}
interface OpenCvJs {
  readonly Mat: new (...args: number[]) => CvMat;
  readonly CV_8UC1: number;
  readonly CV_32S: number;
  connectedComponentsWithStats(
    image: CvMat,
    labels: CvMat,
    stats: CvMat,
    centroids: CvMat,
    connectivity: number,
    labelType: number,
  ): number;
  onRuntimeInitialized?: () => void;
}

function isOpenCvJs(value: unknown): value is OpenCvJs {
  return (
    typeof value === 'object' &&
    value !== null &&
    'connectedComponentsWithStats' in value &&
    'Mat' in value
  );
}

async function loadOpenCvJs(): Promise<{ cv: OpenCvJs; loadMs: number } | string> {
  const started = performance.now();
  let loaded: unknown;
  try {
    loaded = createRequire(import.meta.url)('@techstark/opencv-js');
  } catch (error) {
    return `opencv.js not installed (npm install; devDependency @techstark/opencv-js): ${String(error)}`;
  }
  if (loaded instanceof Promise) loaded = await (loaded as Promise<unknown>);
  if (typeof loaded !== 'object' || loaded === null) return 'opencv.js did not load';
  // The Emscripten module object is ready once onRuntimeInitialized fires.
  if (!('Mat' in loaded)) {
    const module = loaded as { onRuntimeInitialized?: () => void };
    await new Promise<void>((resolve) => {
      module.onRuntimeInitialized = resolve;
    });
  }
  if (!isOpenCvJs(loaded)) return 'opencv.js loaded without connectedComponentsWithStats';
  return { cv: loaded, loadMs: performance.now() - started };
}

function runOpenCvJs(
  cv: OpenCvJs,
  mask: Uint8Array,
  width: number,
  height: number,
): { ms: number; count: number } {
  const image = new cv.Mat(height, width, cv.CV_8UC1);
  const labels = new cv.Mat();
  const stats = new cv.Mat();
  const centroids = new cv.Mat();
  try {
    image.data.set(mask);
    const { ms, result } = timeMs(REPETITIONS, () =>
      cv.connectedComponentsWithStats(image, labels, stats, centroids, 8, cv.CV_32S),
    );
    return { ms, count: result - 1 };
  } finally {
    for (const mat of [image, labels, stats, centroids]) mat.delete();
  }
}

// --- the run -------------------------------------------------------------------

const python = findPythonWithOpenCv();
if (python === undefined) {
  console.log(
    'SKIPPED native OpenCV: no Python with cv2 (apt-get install python3-opencv, or set QW_PYTHON)',
  );
}
const openCvJs = await loadOpenCvJs();
if (typeof openCvJs === 'string') console.log(`SKIPPED opencv.js: ${openCvJs}`);
else console.log(`opencv.js loaded in ${openCvJs.loadMs.toFixed(0)} ms`);

// JIT warm-up of our paths on a small mask, so that no figure below includes
// V8 compiling the hot loops (one warm-up call per case is not enough when the
// optimising compiler's background thread competes for the CPU).
{
  const warmMask = noiseMask(512, 512, 0.5, 1);
  for (let i = 0; i < 20; i++) {
    labelIdsWithStatsCpu(warmMask, 512, 512);
    labelComponentsWithStatsCpu(warmMask, 512, 512);
    labelComponentsCpu(warmMask, 512, 512);
  }
}

/** Exact equality of two typed arrays of the same kind. */
function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const rows: string[][] = [
  [
    'mask',
    'components',
    'ours ms',
    'CV 1-thr ms',
    'ours/CV 1-thr',
    'CV all-thr ms',
    'ours/CV all-thr',
    'opencv.js ms',
    'ours/opencv.js',
    'ref +labels ms',
    'ref/CV 1-thr',
    'ref labels only ms',
    'ref + componentStatsCpu ms',
  ],
];
const headline: string[] = [];
let mismatches = 0;
let nativeVersion = '';
let nativeThreads = 0;

for (const side of SIDES) {
  const megapixels = (side * side) / (1024 * 1024);
  const masks: readonly [string, Uint8Array][] = [
    ['blocks 40 %', blobMask(side, side, 0.4, side)],
    ['noise 50 %', noiseMask(side, side, 0.5, side + 1)],
  ];
  const sizeRatios: string[] = [];
  for (const [name, mask] of masks) {
    const label = `${megapixels} Mpx ${name}`;
    const idsOnly = timeMs(REPETITIONS, () => labelIdsWithStatsCpu(mask, side, side));
    const withLabels = timeMs(REPETITIONS, () => labelComponentsWithStatsCpu(mask, side, side));
    const labelsOnly = timeMs(REPETITIONS, () => labelComponentsCpu(mask, side, side));
    // componentStatsCpu's other inputs, all zero (no change, kinds or ROIs), made untimed.
    const change = new Float32Array(side * side);
    const kinds = new Uint32Array(side * side);
    const roiIds = new Uint16Array(side * side);
    const full = timeMs(REPETITIONS, () => {
      const { ids, count } = labelComponentsCpu(mask, side, side);
      return componentStatsCpu({
        widthPx: side,
        heightPx: side,
        labels: new Uint32Array(ids.buffer, ids.byteOffset, ids.length),
        change,
        kinds,
        roiIds,
        componentCount: count,
        roiCount: 0,
      }).componentCount;
    });
    const ours = idsOnly.ms;
    const result = idsOnly.result;
    const count = result.count;
    const reference = withLabels.result;
    const sameAsReference =
      sameValues(result.ids, reference.ids) &&
      sameValues(result.pixelCount, reference.pixelCount) &&
      sameValues(result.minX, reference.minX) &&
      sameValues(result.minY, reference.minY) &&
      sameValues(result.maxX, reference.maxX) &&
      sameValues(result.maxY, reference.maxY) &&
      sameValues(result.sumX, reference.sumX) &&
      sameValues(result.sumY, reference.sumY);
    if (!sameAsReference) {
      mismatches++;
      console.log(
        `!!! ${label}: labelIdsWithStatsCpu differs from labelComponentsWithStatsCpu !!!`,
      );
    }
    const counts: [string, number][] = [
      ['ours (labels + ids + stats)', reference.count],
      ['ours (labels only)', labelsOnly.result.count],
      ['ours + componentStatsCpu', full.result],
    ];
    const row = [label, String(count), ours.toFixed(1)];
    let oneThreadMs = Number.NaN;
    if (python !== undefined) {
      const native = runNative(python, mask, side, side, result);
      nativeVersion = native.opencv;
      nativeThreads = native.defaultThreads;
      oneThreadMs = median(native.oneThreadMs);
      const all = median(native.allThreadsMs);
      counts.push(['OpenCV 1 thread', native.oneThreadCount]);
      counts.push(['OpenCV all threads', native.allThreadsCount]);
      row.push(
        oneThreadMs.toFixed(1),
        (ours / oneThreadMs).toFixed(2),
        all.toFixed(1),
        (ours / all).toFixed(2),
      );
      sizeRatios.push(`${name} ${(ours / oneThreadMs).toFixed(2)}×`);
      if (native.agreement !== 'identical' && native.agreement !== 'renumbered') {
        mismatches++;
        console.log(`!!! ${label}: OpenCV's output differs from ours: ${native.agreement} !!!`);
      } else {
        console.log(
          `${label}: OpenCV's labels, stats and centroids equal ours` +
            (native.agreement === 'identical' ? '' : ' up to the numbering of components'),
        );
      }
    } else {
      row.push('—', '—', '—', '—');
    }
    if (typeof openCvJs !== 'string') {
      const wasm = runOpenCvJs(openCvJs.cv, mask, side, side);
      counts.push(['opencv.js', wasm.count]);
      row.push(wasm.ms.toFixed(1), (ours / wasm.ms).toFixed(2));
    } else {
      row.push('—', '—');
    }
    row.push(
      withLabels.ms.toFixed(1),
      python === undefined ? '—' : (withLabels.ms / oneThreadMs).toFixed(2),
      labelsOnly.ms.toFixed(1),
      full.ms.toFixed(1),
    );
    rows.push(row);
    for (const [who, theirs] of counts) {
      if (theirs !== count) {
        mismatches++;
        console.log(
          `!!! COMPONENT COUNT MISMATCH on ${label}: ours ${count}, ${who} ${theirs} !!!`,
        );
      }
    }
  }
  if (sizeRatios.length > 0) headline.push(`${megapixels} Mpx: ${sizeRatios.join(', ')}`);
}

const widths =
  rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
for (const row of rows)
  console.log(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  '));
console.log(
  `node ${process.version}; ours = labelIdsWithStatsCpu (one Int32 image of dense ids + area, bounds, Σx, Σy; ` +
    `what OpenCV returns), single thread, output allocated on every call; ` +
    `ref = labelComponentsWithStatsCpu (also the canonical smallest-pixel labels: a second Int32 image); ` +
    `OpenCV ${nativeVersion || '(native skipped)'} connectedComponentsWithStats, ` +
    `8-connected, CV_32S, outputs allocated on every call, ${nativeThreads || '?'} threads by default; ` +
    `opencv.js = @techstark/opencv-js (wasm, one thread, output Mats reused); ` +
    `medians of ${REPETITIONS} runs after a warm-up; ratio = our time / peer time (below 1: ours faster)`,
);
if (headline.length > 0) {
  console.log(`ours (ids + stats) / OpenCV 1 thread, per size: ${headline.join('; ')}`);
}
console.log(
  mismatches === 0
    ? 'component counts agree across ours, native OpenCV and opencv.js; our two variants give identical ids and stats'
    : `!!! ${mismatches} MISMATCH(ES) — see above !!!`,
);
