/**
 * CPU twin of shaders/difference.wgsl: per-pixel change between two
 * co-registered images. Every step is rounded to f32 (Math.fround) in the
 * shader's order so results match the GPU up to fused multiply-add.
 *
 * Inputs are band-planar: band b of pixel i at `b·pixelCount + i`.
 * Output has three planes of `pixelCount` values each:
 *   0  signed luminance change Σ w_b·(after_b − before_b)  (positive = brighter)
 *   1  max over bands of |after_b − before_b|
 *   2  change-vector magnitude √Σ (after_b − before_b)²
 */
import { DIFFERENCE_MAX_BANDS } from './kernel-layout.ts';

export const DIFFERENCE_PLANES = 3;

/** Rec. 601 luma weights for R, G, B. */
export const LUMA_WEIGHTS_RGB: readonly number[] = [0.299, 0.587, 0.114];

export interface DifferenceInput {
  readonly before: Float32Array;
  readonly after: Float32Array;
  readonly pixelCount: number;
  readonly bandCount: number;
  /** One weight per band for the luminance plane. */
  readonly weights: readonly number[];
}

/** Checks the shapes both implementations rely on; throws a specific message. */
export function validateDifferenceInput(input: DifferenceInput): void {
  const { before, after, pixelCount, bandCount, weights } = input;
  if (!Number.isInteger(pixelCount) || pixelCount < 1) {
    throw new Error(`Difference needs at least one pixel (got ${pixelCount})`);
  }
  if (!Number.isInteger(bandCount) || bandCount < 1 || bandCount > DIFFERENCE_MAX_BANDS) {
    throw new Error(`Difference takes 1 to ${DIFFERENCE_MAX_BANDS} bands (got ${bandCount})`);
  }
  const expected = pixelCount * bandCount;
  if (before.length !== expected || after.length !== expected) {
    throw new Error(
      `Difference inputs must hold ${expected} samples (before ${before.length}, after ${after.length})`,
    );
  }
  if (weights.length !== bandCount) {
    throw new Error(
      `Difference needs one luminance weight per band (${bandCount}), got ${weights.length}`,
    );
  }
}

export function differenceCpu(input: DifferenceInput): Float32Array {
  validateDifferenceInput(input);
  const { before, after, pixelCount: n, bandCount, weights } = input;
  const w = weights.map((x) => Math.fround(x));
  const out = new Float32Array(n * DIFFERENCE_PLANES);
  const f = Math.fround;
  for (let i = 0; i < n; i++) {
    let luma = 0;
    let maxAbs = 0;
    let sumSq = 0;
    for (let b = 0; b < bandCount; b++) {
      const d = f((after[b * n + i] ?? 0) - (before[b * n + i] ?? 0));
      luma = f(luma + f((w[b] ?? 0) * d));
      maxAbs = Math.max(maxAbs, Math.abs(d));
      sumSq = f(sumSq + f(d * d));
    }
    out[i] = luma;
    out[n + i] = maxAbs;
    out[2 * n + i] = Math.sqrt(sumSq);
  }
  return out;
}
