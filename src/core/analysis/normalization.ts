/**
 * Relative radiometric normalization of the after image to the before image,
 * per band: after' = gain · after + offset, so that an overall change of
 * light, haze or sensor offset is not change.
 *
 * Pass 1 matches the normalizeLowPct and normalizeHighPct percentiles of each
 * band over the overlap (robust to the few percent of the scene that really
 * changed). Pass 2 refits on pseudo-invariant pixels — the invariantPct of the
 * overlap whose pass-1 residual is smallest — with the reduced-major-axis line
 * (gain = σ_before / σ_after, offset from the means), which treats both dates
 * as noisy; the idea of fitting on no-change pixels follows Schott, Salvaggio
 * & Volchok 1988 (pseudo-invariant features) and Canty & Nielsen's IR-MAD
 * normalization (2008), here with a fixed two passes instead of iterating.
 *
 * This file is the CPU twin of src/gpu/normalization.ts, step by step:
 * 1. range: min and max of the finite valid values per band (`rangeOf`);
 * 2. per-band QUANTILE_BINS histograms of the finite valid values, binned in
 *    f32 (`maskedQuantileHistogram`), and quantiles from the counts
 *    (`quantilesOf`) → pass-1 gain and offset (`matchQuantiles`);
 * 3. residual per valid pixel: max over bands of |gain·after + offset − before|
 *    (NaN differences ignored; 0 if every band's is NaN);
 * 4. range and histogram of the residuals, cut = f32(invariantPct quantile);
 *    a pixel is invariant when valid and residual ≤ cut;
 * 5. sums over the invariant pixels of (a − shiftA), (a − shiftA)², (b − shiftB),
 *    (b − shiftB)² and their count, shifted by the pass-1 quantile midpoints so
 *    the variances do not cancel catastrophically in the GPU's f32 partials;
 *    pass-2 gain and offset from the sums (`fitFromSums`), falling back to pass 1
 *    when fewer than MIN_INVARIANT_PIXELS are invariant or a variance is not > 0.
 * Steps 1, 2 and 4's binning are exact twins (equal counts); the residuals and
 * sums are f64 here and f32 (sums: f32 per workgroup, f64 across) on the GPU.
 */
import {
  maskedQuantileHistogram,
  quantileBinning,
  quantilesOf,
  rangeOf,
  type ValueRange,
} from './quantiles.ts';

export interface BandNormalization {
  readonly gain: number;
  readonly offset: number;
}

export interface NormalizationOptions {
  readonly normalizeLowPct: number;
  readonly normalizeHighPct: number;
  readonly invariantPct: number;
}

/** Pass 2 needs at least this many invariant pixels; otherwise pass 1 stands. */
export const MIN_INVARIANT_PIXELS = 16;

/** Everything the two implementations compute on the way, for tests and diagnostics. */
export interface NormalizationEstimate {
  readonly normalization: BandNormalization[];
  /** Pass-1 (quantile matching) gain and offset per band. */
  readonly firstPass: BandNormalization[];
  /** Low and high quantiles per band: before then after. */
  readonly beforeQuantilesDn: (readonly [number, number])[];
  readonly afterQuantilesDn: (readonly [number, number])[];
  /** The f32 residual cut in DN (NaN when pass 2 did not run or had no residuals). */
  readonly residualCutDn: number;
  /** Pixels counted by pass 2 (0 when it did not run). */
  readonly invariantPixels: number;
}

/** Sums over the invariant pixels of one band, shifted: a = after − shiftAfter, b = before − shiftBefore. */
export interface ShiftedSums {
  readonly count: number;
  readonly sumA: number;
  readonly sumAA: number;
  readonly sumB: number;
  readonly sumBB: number;
}

/** Pass 1: the line through the (low, high) quantile pairs; identity slope if after is flat. */
export function matchQuantiles(
  beforeQuantilesDn: readonly [number, number],
  afterQuantilesDn: readonly [number, number],
): BandNormalization {
  const [b0, b1] = beforeQuantilesDn;
  const [a0, a1] = afterQuantilesDn;
  const gain = a1 > a0 ? (b1 - b0) / (a1 - a0) : 1;
  return { gain, offset: b0 - gain * a0 };
}

/** Low and high quantiles of a QUANTILE_BINS histogram; (0, 1) for an empty one. */
export function lowHighQuantiles(
  counts: ArrayLike<number>,
  range: ValueRange,
  options: NormalizationOptions,
): readonly [number, number] {
  const [lo = Number.NaN, hi = Number.NaN] = quantilesOf(counts, range, [
    options.normalizeLowPct / 100,
    options.normalizeHighPct / 100,
  ]);
  return [Number.isNaN(lo) ? 0 : lo, Number.isNaN(hi) ? 1 : hi];
}

/** The residual cut in f32 (as the GPU compares): the invariantPct quantile of the residuals. */
export function residualCut(
  counts: ArrayLike<number>,
  range: ValueRange,
  options: NormalizationOptions,
): number {
  const [cut = Number.NaN] = quantilesOf(counts, range, [options.invariantPct / 100]);
  return Math.fround(cut);
}

/** The f32 shift of one band's sums: the midpoint of its pass-1 quantiles. */
export function sumShift(quantilesDn: readonly [number, number]): number {
  return Math.fround((quantilesDn[0] + quantilesDn[1]) / 2);
}

/** Pass 2, reduced major axis from shifted sums: gain = σ_b / σ_a, offset from the means. */
export function fitFromSums(
  sums: ShiftedSums,
  shiftAfter: number,
  shiftBefore: number,
  fallback: BandNormalization,
): BandNormalization {
  const { count } = sums;
  if (!(count >= MIN_INVARIANT_PIXELS)) return fallback;
  const da = sums.sumA / count;
  const db = sums.sumB / count;
  const va = sums.sumAA / count - da * da;
  const vb = sums.sumBB / count - db * db;
  if (!(va > 0) || !(vb > 0)) return fallback;
  const gain = Math.sqrt(vb / va);
  return { gain, offset: shiftBefore + db - gain * (shiftAfter + da) };
}

/** Fitted gains outside this range are not trusted (see guardNormalization). */
export const NORMALIZATION_GAIN_RANGE = [0.2, 5] as const;

export interface GuardedNormalization {
  readonly normalization: BandNormalization[];
  /** Why the fit was not applied, for the analyst; null when it was. */
  readonly warning: string | null;
}

/**
 * The fit, or identity where a band's gain lies outside
 * NORMALIZATION_GAIN_RANGE (or is not finite). Both passes assume most of the
 * window is the same material at both dates; a pier that fills or empties over
 * most of a window holding little else breaks that (a deck going from 6 % to
 * 66 % covered fitted a gain of 0.07 and turned +625 TEU into −70), and a
 * flat band divides by almost nothing. Real pairs of different seasons and
 * sensors fit 0.28 to 2.05 (the LEVIR-CD and DSIFN-CD pairs of ../shared/data),
 * so the range is wide; outside it the after image is compared as it is, and
 * the analyst is told. Both pipelines apply it.
 */
export function guardNormalization(
  normalization: readonly BandNormalization[],
): GuardedNormalization {
  const [low, high] = NORMALIZATION_GAIN_RANGE;
  const bad = normalization.findIndex(
    ({ gain, offset }) => !(gain >= low && gain <= high) || !Number.isFinite(offset),
  );
  if (bad < 0) return { normalization: [...normalization], warning: null };
  const gain = normalization[bad]?.gain ?? Number.NaN;
  return {
    normalization: normalization.map(() => ({ gain: 1, offset: 0 })),
    warning: `The light of the two dates was not matched: band ${bad + 1} fitted a gain of ${gain.toPrecision(3)}, outside ${low}–${high} (a pier that filled or emptied over most of the area read, with little else in it, pulls the fit), so the after image is compared as it is and an overall change of light would count as change; adding a pier elsewhere, or water and quay around it, gives the fit more to go on`,
  };
}

export function estimateNormalization(
  before: readonly Float32Array[],
  after: readonly Float32Array[],
  valid: Uint8Array,
  options: NormalizationOptions,
): BandNormalization[] {
  return estimateNormalizationDetailed(before, after, valid, options).normalization;
}

/** Quantiles of the finite valid values of one band (steps 1 and 2). */
function bandQuantiles(
  values: Float32Array,
  valid: Uint8Array,
  options: NormalizationOptions,
): readonly [number, number] {
  const binning = quantileBinning(rangeOf(values, valid));
  return lowHighQuantiles(maskedQuantileHistogram(values, binning, valid), binning, options);
}

export function estimateNormalizationDetailed(
  before: readonly Float32Array[],
  after: readonly Float32Array[],
  valid: Uint8Array,
  options: NormalizationOptions,
): NormalizationEstimate {
  const afterBands = before.map((b, band) => {
    const a = after[band];
    if (a === undefined) throw new Error(`The after image lacks band ${band + 1}`);
    if (a.length !== valid.length || b.length !== valid.length) {
      throw new Error(`Band ${band + 1} does not have ${valid.length} pixels`);
    }
    return a;
  });
  const beforeQuantilesDn = before.map((b) => bandQuantiles(b, valid, options));
  const afterQuantilesDn = afterBands.map((a) => bandQuantiles(a, valid, options));
  const firstPass = beforeQuantilesDn.map((bq, band) =>
    matchQuantiles(bq, afterQuantilesDn[band] ?? bq),
  );
  const firstOnly: NormalizationEstimate = {
    normalization: firstPass,
    firstPass,
    beforeQuantilesDn,
    afterQuantilesDn,
    residualCutDn: Number.NaN,
    invariantPixels: 0,
  };
  if (options.invariantPct <= 0) return firstOnly;

  // Step 3: the largest per-band difference after pass 1 (f64, stored f32).
  const n = valid.length;
  const residual = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (valid[i] === 0) continue; // stays 0, never read
    let worst = 0;
    for (let band = 0; band < before.length; band++) {
      const norm = firstPass[band] ?? { gain: 1, offset: 0 };
      const d = Math.abs(
        norm.gain * (afterBands[band]?.[i] ?? 0) + norm.offset - (before[band]?.[i] ?? 0),
      );
      if (d > worst) worst = d;
    }
    residual[i] = worst;
  }
  // Step 4: the cut; no finite residual (no valid pixel) leaves pass 1 standing.
  const residualBinning = quantileBinning(rangeOf(residual, valid));
  const cut = residualCut(
    maskedQuantileHistogram(residual, residualBinning, valid),
    residualBinning,
    options,
  );
  if (Number.isNaN(cut)) return firstOnly;

  // Step 5: shifted sums over the invariant pixels (valid, residual ≤ cut).
  let invariantPixels = 0;
  const normalization = before.map((b, band): BandNormalization => {
    const a = afterBands[band] ?? b;
    const shiftAfter = sumShift(afterQuantilesDn[band] ?? [0, 1]);
    const shiftBefore = sumShift(beforeQuantilesDn[band] ?? [0, 1]);
    let count = 0;
    let sumA = 0;
    let sumB = 0;
    let sumAA = 0;
    let sumBB = 0;
    for (let i = 0; i < n; i++) {
      if (valid[i] === 0 || !((residual[i] ?? Number.NaN) <= cut)) continue;
      const x = (a[i] ?? 0) - shiftAfter;
      const y = (b[i] ?? 0) - shiftBefore;
      count++;
      sumA += x;
      sumB += y;
      sumAA += x * x;
      sumBB += y * y;
    }
    invariantPixels = count;
    const fallback = firstPass[band] ?? { gain: 1, offset: 0 };
    return fitFromSums({ count, sumA, sumAA, sumB, sumBB }, shiftAfter, shiftBefore, fallback);
  });
  return { ...firstOnly, normalization, residualCutDn: cut, invariantPixels };
}

/**
 * after' = gain · after + offset per band, in f64 rounded once to f32 (the
 * GPU's f32 multiply-add agrees within 2⁻²²·(|gain·after| + |offset|)).
 * Invalid pixels are transformed too; callers mask them.
 */
export function applyNormalization(
  after: readonly Float32Array[],
  normalization: readonly BandNormalization[],
): Float32Array[] {
  return after.map((band, b) => {
    const { gain, offset } = normalization[b] ?? { gain: 1, offset: 0 };
    const out = new Float32Array(band.length);
    for (let i = 0; i < band.length; i++) out[i] = gain * (band[i] ?? 0) + offset;
    return out;
  });
}
