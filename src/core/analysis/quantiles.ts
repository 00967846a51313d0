/**
 * Quantiles from histograms: the GPU computes a histogram with atomics in one
 * pass and a prefix sum gives any quantile, so no sort is needed.
 *
 * Semantics: QUANTILE_BINS bins over [minValue, maxValue] (a value v falls in
 * bin floor((v − min) · bins / (max − min)), clamped to the last bin); the
 * q-quantile is found by walking the cumulative counts to the bin holding the
 * ⌈q · n⌉-th value and interpolating linearly inside that bin. Precision is a
 * bin width, (max − min) / 4096: 0.06 DN for 8-bit imagery.
 *
 * Two binnings share the walk: `histogramOf` bins in f64 (occupancy uses it);
 * `quantileBinning` + `maskedQuantileHistogram` bin in f32 exactly as
 * shaders/normalization-reduce.wgsl does (min, max and the bin scale rounded to
 * f32, bin = floor(f32(f32(v − min) · binScale))), so GPU and CPU counts are
 * equal and give equal quantiles (the radiometric normalization uses these).
 */
import { NORMALIZATION_HISTOGRAM_BINS } from '../kernel-layout.ts';

export const QUANTILE_BINS = NORMALIZATION_HISTOGRAM_BINS;

export interface ValueRange {
  readonly minValue: number;
  readonly maxValue: number;
}

/** Smallest and largest finite value where `mask` is nonzero (all pixels without a mask). */
export function rangeOf(values: ArrayLike<number>, mask?: ArrayLike<number>): ValueRange {
  let minValue = Infinity;
  let maxValue = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (mask !== undefined && mask[i] === 0) continue;
    const v = values[i] ?? Number.NaN;
    if (!Number.isFinite(v)) continue;
    if (v < minValue) minValue = v;
    if (v > maxValue) maxValue = v;
  }
  return rangeFromExtremes(minValue, maxValue);
}

/**
 * The range from the extremes of the finite values (min > max when there were
 * none, e.g. +∞ and −∞): [0, 1] for no values, [v, v + 1] for a constant image
 * (it still needs a bin width). Shared by `rangeOf` and the GPU min/max reduction.
 */
export function rangeFromExtremes(minValue: number, maxValue: number): ValueRange {
  if (!(minValue <= maxValue)) return { minValue: 0, maxValue: 1 };
  return { minValue, maxValue: maxValue > minValue ? maxValue : minValue + 1 };
}

/** The f32 numbers both the CPU twin and the GPU bin with (see the file comment). */
export interface QuantileBinning extends ValueRange {
  /** Bins per DN: f32(QUANTILE_BINS / (maxValue − minValue)), both ends already f32. */
  readonly binScale: number;
}

export function quantileBinning(range: ValueRange): QuantileBinning {
  const minValue = Math.fround(range.minValue);
  let maxValue = Math.fround(range.maxValue);
  // [v, v + 1] may round to one f32 for |v| ≥ 2²⁴: take the next f32 up instead.
  if (!(maxValue > minValue)) maxValue = nextF32Up(minValue);
  const binScale = Math.fround(QUANTILE_BINS / (maxValue - minValue));
  if (!Number.isFinite(minValue) || !Number.isFinite(maxValue) || !(binScale > 0)) {
    throw new Error(
      `Quantile range must be finite f32 numbers with minValue < maxValue (got ${range.minValue} … ${range.maxValue})`,
    );
  }
  return { minValue, maxValue, binScale: Number.isFinite(binScale) ? binScale : 3.4e38 };
}

function nextF32Up(value: number): number {
  const bits = new Float32Array([value]);
  const u32 = new Uint32Array(bits.buffer);
  const word = u32[0] ?? 0;
  if (value === 0) u32[0] = 1;
  else u32[0] = value > 0 ? word + 1 : word - 1;
  return bits[0] ?? value;
}

/** Bin of `value` under `binning`, or −1 for NaN and ±∞ (which never count). */
export function quantileBin(value: number, binning: QuantileBinning): number {
  if (!Number.isFinite(value)) return -1;
  if (value <= binning.minValue) return 0;
  if (value >= binning.maxValue) return QUANTILE_BINS - 1;
  const f = Math.fround;
  return Math.min(QUANTILE_BINS - 1, Math.floor(f(f(value - binning.minValue) * binning.binScale)));
}

/**
 * QUANTILE_BINS counts of the finite `values` where `mask` is nonzero (all
 * pixels without a mask), binned by `quantileBin`: the CPU twin of
 * bandHistogram in shaders/normalization-reduce.wgsl (equal counts).
 */
export function maskedQuantileHistogram(
  values: ArrayLike<number>,
  binning: QuantileBinning,
  mask?: ArrayLike<number>,
): Uint32Array {
  const counts = new Uint32Array(QUANTILE_BINS);
  for (let i = 0; i < values.length; i++) {
    if (mask !== undefined && mask[i] === 0) continue;
    const bin = quantileBin(values[i] ?? Number.NaN, binning);
    if (bin >= 0) counts[bin] = (counts[bin] ?? 0) + 1;
  }
  return counts;
}

/** Bins per DN of `histogramOf` over `range` (f64). */
export function histogramScale(range: ValueRange): number {
  return QUANTILE_BINS / (range.maxValue - range.minValue);
}

/**
 * `histogramOf`'s bin of a finite value (f64 arithmetic, clamped to the bins);
 * `scale` is histogramScale(range). It never decreases as `value` grows, which
 * is what lets the GPU reproduce it from a table of bin edges (surface.ts).
 */
export function histogramBin(value: number, minValue: number, scale: number): number {
  return Math.min(QUANTILE_BINS - 1, Math.max(0, Math.floor((value - minValue) * scale)));
}

/** Counts of QUANTILE_BINS bins, for the pixels where `include(i)` holds. */
export function histogramOf(
  values: ArrayLike<number>,
  range: ValueRange,
  include: (i: number) => boolean,
): Float64Array {
  const counts = new Float64Array(QUANTILE_BINS);
  const scale = histogramScale(range);
  for (let i = 0; i < values.length; i++) {
    if (!include(i)) continue;
    const v = values[i] ?? Number.NaN;
    if (!Number.isFinite(v)) continue;
    const bin = histogramBin(v, range.minValue, scale);
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  return counts;
}

/** The q-quantiles (q in [0, 1]) of a histogram; NaN for an empty one. */
export function quantilesOf(
  counts: ArrayLike<number>,
  range: ValueRange,
  qs: readonly number[],
): number[] {
  let total = 0;
  for (let bin = 0; bin < counts.length; bin++) total += counts[bin] ?? 0;
  const width = (range.maxValue - range.minValue) / counts.length;
  return qs.map((q) => {
    if (total === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * total));
    let below = 0;
    for (let bin = 0; bin < counts.length; bin++) {
      const c = counts[bin] ?? 0;
      if (below + c >= rank) {
        const inside = c > 0 ? (rank - below - 0.5) / c : 0.5;
        return range.minValue + (bin + Math.min(1, Math.max(0, inside))) * width;
      }
      below += c;
    }
    return range.maxValue;
  });
}
