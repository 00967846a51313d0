/**
 * CPU twin of shaders/histogram.wgsl, and Otsu's threshold from its counts.
 *
 * Binning (the shader follows it exactly; counts must be equal):
 * - HISTOGRAM_BINS = 256 bins over [minValue, maxValue], both rounded to f32,
 *   binScale = f32(256 / (maxValue − minValue)) computed once by `histogramBinning`.
 * - NaN never counts; nor does a pixel whose validity mask is 0.
 * - value ≤ minValue → bin 0; value ≥ maxValue → bin 255 (values are clamped);
 *   otherwise bin = min(255, floor(f32(f32(value − minValue) · binScale))).
 *
 * Otsu (1979), "A threshold selection method from gray-level histograms",
 * IEEE Trans. SMC 9(1): choose the bin k that maximizes the between-class
 * variance of C0 = bins 0…k and C1 = bins k+1…255. The maximization is done in
 * exact integer arithmetic (BigInt), so equal counts give the same k on any
 * machine; ties go to the smallest k.
 */
import { HISTOGRAM_BINS } from './kernel-layout.ts';

export interface HistogramRange {
  readonly minValue: number;
  readonly maxValue: number;
}

/** The f32 numbers both implementations bin with. */
export interface HistogramBinning {
  readonly minValue: number;
  readonly maxValue: number;
  /** Bins per DN: f32(HISTOGRAM_BINS / (maxValue − minValue)). */
  readonly binScale: number;
}

export function histogramBinning(range: HistogramRange): HistogramBinning {
  const minValue = Math.fround(range.minValue);
  const maxValue = Math.fround(range.maxValue);
  const binScale = Math.fround(HISTOGRAM_BINS / (maxValue - minValue));
  if (
    !Number.isFinite(minValue) ||
    !Number.isFinite(maxValue) ||
    !(maxValue > minValue) ||
    !Number.isFinite(binScale) ||
    !(binScale > 0)
  ) {
    throw new Error(
      `Histogram range must be finite f32 numbers with minValue < maxValue (got ${range.minValue} … ${range.maxValue})`,
    );
  }
  return { minValue, maxValue, binScale };
}

/** Bin of one value under `binning`, or −1 for NaN (which never counts). */
export function histogramBin(value: number, binning: HistogramBinning): number {
  if (Number.isNaN(value)) return -1;
  if (value <= binning.minValue) return 0;
  if (value >= binning.maxValue) return HISTOGRAM_BINS - 1;
  const f = Math.fround;
  return Math.min(
    HISTOGRAM_BINS - 1,
    Math.floor(f(f(value - binning.minValue) * binning.binScale)),
  );
}

export function validateHistogramInput(values: Float32Array, validMask?: Uint8Array): void {
  if (values.length < 1) throw new Error('Histogram needs at least one pixel');
  if (validMask !== undefined && validMask.length !== values.length) {
    throw new Error(
      `Histogram validity mask holds ${validMask.length} values, expected ${values.length}`,
    );
  }
}

/** 256 counts of `values` over `range`; pixels with validMask 0 are left out. */
export function histogramCpu(
  values: Float32Array,
  range: HistogramRange,
  validMask?: Uint8Array,
): Uint32Array {
  validateHistogramInput(values, validMask);
  const binning = histogramBinning(range);
  const counts = new Uint32Array(HISTOGRAM_BINS);
  for (let i = 0; i < values.length; i++) {
    if (validMask !== undefined && validMask[i] === 0) continue;
    const bin = histogramBin(values[i] ?? Number.NaN, binning);
    if (bin >= 0) counts[bin] = (counts[bin] ?? 0) + 1;
  }
  return counts;
}

export interface OtsuResult {
  /** Last bin of the background class C0. */
  readonly thresholdBin: number;
  /**
   * Upper edge of `thresholdBin` in DN, in f64:
   * minValue + (thresholdBin + 1) · (maxValue − minValue) / 256. Use with
   * `value > thresholdDn`; it agrees with the bin split except for values within
   * f32 rounding of that edge.
   */
  readonly thresholdDn: number;
  /** σ_B² at the chosen bin, in bin² units; 0 when no split exists. */
  readonly betweenClassVariance: number;
}

/**
 * Otsu's threshold from 256 counts. When no split has pixels on both sides
 * (empty histogram or a single occupied bin), the threshold is the upper edge
 * of the highest occupied bin (bin 255 if none), so nothing is foreground.
 */
export function otsuThreshold(counts: ArrayLike<number>, range: HistogramRange): OtsuResult {
  if (counts.length !== HISTOGRAM_BINS) {
    throw new Error(`Otsu needs ${HISTOGRAM_BINS} counts (got ${counts.length})`);
  }
  const binning = histogramBinning(range);
  let total = 0n;
  let totalSum = 0n;
  let highest = HISTOGRAM_BINS - 1;
  let seen = false;
  for (let i = 0; i < HISTOGRAM_BINS; i++) {
    const c = counts[i] ?? 0;
    if (!Number.isInteger(c) || c < 0) throw new Error(`Otsu count ${i} is not a count (${c})`);
    total += BigInt(c);
    totalSum += BigInt(c) * BigInt(i);
  }
  for (let i = HISTOGRAM_BINS - 1; i >= 0 && !seen; i--) {
    if ((counts[i] ?? 0) > 0) {
      highest = i;
      seen = true;
    }
  }
  // σ_B²(k) = (s0·n1 − s1·n0)² / (n0·n1·N²); compare num/den exactly (N² is common).
  let bestBin = -1;
  let bestNum = 0n;
  let bestDen = 1n;
  let n0 = 0n;
  let s0 = 0n;
  for (let k = 0; k < HISTOGRAM_BINS - 1; k++) {
    const c = BigInt(counts[k] ?? 0);
    n0 += c;
    s0 += c * BigInt(k);
    const n1 = total - n0;
    if (n0 === 0n || n1 === 0n) continue;
    const diff = s0 * n1 - (totalSum - s0) * n0;
    const num = diff * diff;
    const den = n0 * n1;
    if (bestBin < 0 || num * bestDen > bestNum * den) {
      bestBin = k;
      bestNum = num;
      bestDen = den;
    }
  }
  const thresholdBin = bestBin >= 0 ? bestBin : highest;
  const binWidthDn = (binning.maxValue - binning.minValue) / HISTOGRAM_BINS;
  const betweenClassVariance =
    bestBin >= 0 ? Number(bestNum) / (Number(bestDen) * Number(total) * Number(total)) : 0;
  return {
    thresholdBin,
    thresholdDn: binning.minValue + (thresholdBin + 1) * binWidthDn,
    betweenClassVariance,
  };
}
