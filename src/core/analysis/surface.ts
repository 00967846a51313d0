/**
 * Surface colour per ROI (stage 4) in the steps the GPU takes, with exactly
 * the values of surfaceColours (occupancy.ts): CPU twin of
 * shaders/surface-histogram.wgsl.
 *
 * surfaceColours takes, per ROI and band, the median of histogramOf's counts
 * (QUANTILE_BINS bins over rangeOf(band, valid), binned in f64) through
 * quantilesOf. The steps here:
 *  1. the band's range: min and max of its finite valid values (on the GPU the
 *     bandRange reduction of normalization-reduce.wgsl, read back as extremes;
 *     rangeFromExtremes turns them into rangeOf's range);
 *  2. surfaceBinEdges (CPU, QUANTILE_BINS numbers per band): edge k is the
 *     order key (f32OrderKey) of the smallest f32 whose histogramBin is ≥ k.
 *     histogramBin never decreases as the value grows, so a value's bin is the
 *     number of edges 1 … QUANTILE_BINS − 1 at or below its key: integer
 *     comparisons, no f64 arithmetic on the GPU, and the same bin;
 *  3. surfaceHistogramsCpu: per ROI and band, counts of the finite values of
 *     pixels in the domain (domainRoi ≥ 0: inside the ROI and valid), binned
 *     by the edges — the kernel's twin;
 *  4. surfaceMediansFromHistograms: quantilesOf(counts, range, [0.5]) per ROI
 *     and band, the code surfaceColours runs on the same counts.
 * The counts are integers and equal histogramOf's, so the medians are equal
 * bit for bit (tests/unit/surface.test.ts checks against surfaceColours).
 */
import type { Rgb } from './occupancy.ts';
import {
  histogramBin,
  histogramScale,
  quantilesOf,
  QUANTILE_BINS,
  type ValueRange,
} from './quantiles.ts';

/** Key of an f32 with no value: above every finite key, so an edge that is never reached. */
export const NO_EDGE_KEY = 0xffffffff;
/** Order keys of the most negative and most positive finite f32. */
const LOWEST_FINITE_KEY = 0x00800000;
const HIGHEST_FINITE_KEY = 0xff7fffff;

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/**
 * Unsigned order key of an f32 (the value is rounded to f32 first): unsigned
 * order of keys is numeric order, −0 just below +0. The shaders' orderKey.
 */
export function f32OrderKey(value: number): number {
  scratchF32[0] = value;
  const bits = scratchU32[0] ?? 0;
  return (bits & 0x80000000) !== 0 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
}

/** The f32 whose order key is `key`. */
export function f32FromOrderKey(key: number): number {
  scratchU32[0] = (key & 0x80000000) !== 0 ? key & 0x7fffffff : ~key >>> 0;
  return scratchF32[0] ?? Number.NaN;
}

/**
 * QUANTILE_BINS order keys per band: [0] is unused (0), [k] the key of the
 * smallest finite f32 v with histogramBin(v) ≥ k, or NO_EDGE_KEY when no finite
 * f32 reaches bin k. Nondecreasing in k.
 */
export function surfaceBinEdges(range: ValueRange): Uint32Array {
  const { minValue } = range;
  const scale = histogramScale(range);
  const edges = new Uint32Array(QUANTILE_BINS);
  const reaches = (key: number, k: number): boolean =>
    histogramBin(f32FromOrderKey(key), minValue, scale) >= k;
  const highestReaches = (k: number): boolean => reaches(HIGHEST_FINITE_KEY, k);
  for (let k = 1; k < QUANTILE_BINS; k++) {
    if (!highestReaches(k)) {
      edges.fill(NO_EDGE_KEY, k);
      break;
    }
    // Start next to the real-number edge and walk a few f32 steps; a binary
    // search over all finite keys settles anything the walk does not.
    const guess = f32OrderKey(minValue + k / scale);
    let key = Math.min(Math.max(guess, LOWEST_FINITE_KEY), HIGHEST_FINITE_KEY);
    let found = -1;
    if (reaches(key, k)) {
      for (let step = 0; step < 64; step++) {
        if (key === LOWEST_FINITE_KEY || !reaches(key - 1, k)) {
          found = key;
          break;
        }
        key--;
      }
    } else {
      for (let step = 0; step < 64 && key < HIGHEST_FINITE_KEY; step++) {
        key++;
        if (reaches(key, k)) {
          found = key;
          break;
        }
      }
    }
    if (found < 0) {
      // Smallest key in [LOWEST_FINITE_KEY, HIGHEST_FINITE_KEY] that reaches k.
      let lo = LOWEST_FINITE_KEY;
      let hi = HIGHEST_FINITE_KEY;
      while (lo < hi) {
        const mid = lo + Math.floor((hi - lo) / 2);
        if (reaches(mid, k)) hi = mid;
        else lo = mid + 1;
      }
      found = lo;
    }
    edges[k] = found;
  }
  return edges;
}

/** The bin of a finite f32 by its edges (the kernel's binary search, log2(QUANTILE_BINS) steps). */
export function binByEdges(edges: Uint32Array, offset: number, value: number): number {
  const key = f32OrderKey(value);
  let bin = 0;
  for (let step = QUANTILE_BINS >> 1; step > 0; step >>= 1) {
    if ((edges[offset + bin + step] ?? NO_EDGE_KEY) <= key) bin += step;
  }
  return bin;
}

/**
 * CPU twin of surface-histogram.wgsl: counts[(roi · 3 + band) · QUANTILE_BINS
 * + bin] over pixels with 0 ≤ domainRoi < roiCount and a finite value; `edges`
 * holds 3 · QUANTILE_BINS keys (surfaceBinEdges of each band, in order).
 */
export function surfaceHistogramsCpu(
  bands: readonly Float32Array[],
  domainRoi: Int32Array,
  edges: Uint32Array,
  roiCount: number,
): Uint32Array {
  if (bands.length < 3) throw new Error('Surface histograms need three bands (R, G, B)');
  if (edges.length !== 3 * QUANTILE_BINS) {
    throw new Error(`Surface histograms need ${3 * QUANTILE_BINS} edges (got ${edges.length})`);
  }
  const counts = new Uint32Array(roiCount * 3 * QUANTILE_BINS);
  for (let b = 0; b < 3; b++) {
    const band = bands[b];
    if (band === undefined || band.length !== domainRoi.length) {
      throw new Error(`Band ${b + 1} must hold ${domainRoi.length} values`);
    }
    for (let i = 0; i < band.length; i++) {
      const roi = domainRoi[i] ?? -1;
      const v = band[i] ?? Number.NaN;
      if (roi < 0 || roi >= roiCount || !Number.isFinite(v)) continue;
      const at = (roi * 3 + b) * QUANTILE_BINS + binByEdges(edges, b * QUANTILE_BINS, v);
      counts[at] = (counts[at] ?? 0) + 1;
    }
  }
  return counts;
}

/** Per ROI, the per-band median of `counts` (surfaceHistogramsCpu's layout) over `ranges` (R, G, B). */
export function surfaceMediansFromHistograms(
  counts: Uint32Array,
  ranges: readonly ValueRange[],
  roiCount: number,
): Rgb[] {
  const out: Rgb[] = [];
  for (let roi = 0; roi < roiCount; roi++) {
    const median = (b: number): number => {
      const range = ranges[b];
      if (range === undefined) return Number.NaN;
      const at = (roi * 3 + b) * QUANTILE_BINS;
      return quantilesOf(counts.subarray(at, at + QUANTILE_BINS), range, [0.5])[0] ?? Number.NaN;
    };
    out.push([median(0), median(1), median(2)]);
  }
  return out;
}

/** The three bands' edges in one array, as surfaceHistogramsCpu and the kernel take them. */
export function surfaceEdgeTable(ranges: readonly ValueRange[]): Uint32Array {
  const table = new Uint32Array(3 * QUANTILE_BINS);
  for (let b = 0; b < 3; b++) {
    const range = ranges[b];
    if (range === undefined) throw new Error('Surface edges need three ranges (R, G, B)');
    table.set(surfaceBinEdges(range), b * QUANTILE_BINS);
  }
  return table;
}
