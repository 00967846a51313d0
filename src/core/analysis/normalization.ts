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
 * Kernels: per-band histograms (quantiles), one per-pixel residual, one
 * histogram of residuals, one reduction of sums over the selected pixels.
 */
import { histogramOf, quantilesOf, rangeOf } from './quantiles.ts';

export interface BandNormalization {
  readonly gain: number;
  readonly offset: number;
}

export interface NormalizationOptions {
  readonly normalizeLowPct: number;
  readonly normalizeHighPct: number;
  readonly invariantPct: number;
}

export function estimateNormalization(
  before: readonly Float32Array[],
  after: readonly Float32Array[],
  valid: Uint8Array,
  options: NormalizationOptions,
): BandNormalization[] {
  const lo = options.normalizeLowPct / 100;
  const hi = options.normalizeHighPct / 100;
  const isValid = (i: number): boolean => valid[i] !== 0;
  const first = before.map((b, band): BandNormalization => {
    const a = after[band];
    if (a === undefined) throw new Error(`The after image lacks band ${band + 1}`);
    const rb = rangeOf(b, valid);
    const ra = rangeOf(a, valid);
    const [b0 = 0, b1 = 1] = quantilesOf(histogramOf(b, rb, isValid), rb, [lo, hi]);
    const [a0 = 0, a1 = 1] = quantilesOf(histogramOf(a, ra, isValid), ra, [lo, hi]);
    const gain = a1 > a0 ? (b1 - b0) / (a1 - a0) : 1;
    return { gain, offset: b0 - gain * a0 };
  });
  if (options.invariantPct <= 0) return first;

  // Residual of each pixel after pass 1: the largest per-band difference.
  const n = valid.length;
  const residual = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let worst = 0;
    first.forEach((norm, band) => {
      const d = Math.abs(
        norm.gain * (after[band]?.[i] ?? 0) + norm.offset - (before[band]?.[i] ?? 0),
      );
      if (d > worst) worst = d;
    });
    residual[i] = worst;
  }
  const rr = rangeOf(residual, valid);
  const [cut = Infinity] = quantilesOf(histogramOf(residual, rr, isValid), rr, [
    options.invariantPct / 100,
  ]);
  return before.map((b, band): BandNormalization => {
    const a = after[band] ?? b;
    let count = 0;
    let sa = 0;
    let sb = 0;
    let saa = 0;
    let sbb = 0;
    for (let i = 0; i < n; i++) {
      if (valid[i] === 0 || (residual[i] ?? Infinity) > cut) continue;
      const x = a[i] ?? 0;
      const y = b[i] ?? 0;
      count++;
      sa += x;
      sb += y;
      saa += x * x;
      sbb += y * y;
    }
    const fallback = first[band] ?? { gain: 1, offset: 0 };
    if (count < 16) return fallback;
    const ma = sa / count;
    const mb = sb / count;
    const va = saa / count - ma * ma;
    const vb = sbb / count - mb * mb;
    if (!(va > 0) || !(vb > 0)) return fallback;
    const gain = Math.sqrt(vb / va);
    return { gain, offset: mb - gain * ma };
  });
}

/** after' = gain · after + offset per band; invalid pixels stay as they were. */
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
