/**
 * Quantiles from histograms: the GPU computes a histogram with atomics in one
 * pass and a prefix sum gives any quantile, so no sort is needed.
 *
 * Semantics: QUANTILE_BINS bins over [minValue, maxValue] (a value v falls in
 * bin floor((v − min) · bins / (max − min)), clamped to the last bin); the
 * q-quantile is found by walking the cumulative counts to the bin holding the
 * ⌈q · n⌉-th value and interpolating linearly inside that bin. Precision is a
 * bin width, (max − min) / 4096: 0.06 DN for 8-bit imagery.
 */

export const QUANTILE_BINS = 4096;

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
  if (minValue > maxValue) return { minValue: 0, maxValue: 1 };
  // A constant image still needs a bin width.
  return { minValue, maxValue: maxValue > minValue ? maxValue : minValue + 1 };
}

/** Counts of QUANTILE_BINS bins, for the pixels where `include(i)` holds. */
export function histogramOf(
  values: ArrayLike<number>,
  range: ValueRange,
  include: (i: number) => boolean,
): Float64Array {
  const counts = new Float64Array(QUANTILE_BINS);
  const scale = QUANTILE_BINS / (range.maxValue - range.minValue);
  for (let i = 0; i < values.length; i++) {
    if (!include(i)) continue;
    const v = values[i] ?? Number.NaN;
    if (!Number.isFinite(v)) continue;
    const bin = Math.min(QUANTILE_BINS - 1, Math.max(0, Math.floor((v - range.minValue) * scale)));
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  return counts;
}

/** The q-quantiles (q in [0, 1]) of a histogram; NaN for an empty one. */
export function quantilesOf(
  counts: Float64Array,
  range: ValueRange,
  qs: readonly number[],
): number[] {
  let total = 0;
  for (const c of counts) total += c;
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
