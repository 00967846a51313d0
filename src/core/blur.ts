/**
 * CPU twin of shaders/blur.wgsl: separable smoothing of a single-band f32
 * image, one horizontal then one vertical pass.
 *
 * Semantics (the shader follows them exactly):
 * - Kernel of 2·r + 1 taps, r = `blurRadiusPx` (0 = identity, at most
 *   BLUR_MAX_RADIUS_PX). Weights come from `blurWeights` and are rounded to
 *   f32 once; the GPU wrapper uploads this very array.
 * - Edges replicate: a tap outside the image reads the nearest edge pixel
 *   (clamped index), so a constant image stays constant.
 * - Each pass sums taps in order k = 0 … 2r (offset k − r), rounding every
 *   product and every partial sum to f32 (Math.fround); the intermediate image
 *   is stored as f32. NaN propagates to every pixel whose taps reach it.
 *
 * Tolerance GPU vs CPU: the GPU may fuse multiply and add, so results agree
 * within 2⁻²⁰ · (2r + 1) · max(1, max |input|) per pixel (BLUR_TOLERANCE).
 */
import { BLUR_MAX_RADIUS_PX } from './kernel-layout.ts';

export type BlurKernel = 'box' | 'gaussian';

export interface BlurOptions {
  readonly blurRadiusPx: number;
  /** 'gaussian' (default) or 'box'. */
  readonly kernel?: BlurKernel;
  /** Explicit 2r + 1 weights instead of `kernel` (e.g. varianceMatchWeights). */
  readonly weights?: Float32Array;
}

/** Largest variance the 3-tap kernel of varianceMatchWeights can add, px². */
export const MAX_MATCH_VARIANCE_PX2 = 0.5;

/**
 * The 3 taps [a, 1 − 2a, a], a = v / 2: the smallest symmetric kernel that
 * adds variance v px² (0 ≤ v ≤ MAX_MATCH_VARIANCE_PX2; larger v is clamped).
 * Used with blurRadiusPx 1 to soften the sharper date by a measured amount.
 */
export function varianceMatchWeights(variancePx2: number): Float32Array {
  const v = Math.min(Math.max(variancePx2, 0), MAX_MATCH_VARIANCE_PX2);
  return Float32Array.from([v / 2, 1 - v, v / 2]);
}

/** The weights `options` asks for, checked against the radius. */
export function weightsOf(options: BlurOptions): Float32Array {
  const weights =
    options.weights ?? blurWeights(options.blurRadiusPx, options.kernel ?? 'gaussian');
  if (weights.length !== 2 * options.blurRadiusPx + 1) {
    throw new Error(
      `A blur of radius ${options.blurRadiusPx} px needs ${2 * options.blurRadiusPx + 1} weights (got ${weights.length})`,
    );
  }
  return weights;
}

/**
 * Gaussian σ for a kernel of radius r, following OpenCV's getGaussianKernel
 * rule for ksize = 2r + 1: σ = 0.3·((ksize − 1)/2 − 1) + 0.8 = 0.3·(r − 1) + 0.8.
 */
export function gaussianSigmaPx(blurRadiusPx: number): number {
  return 0.3 * (blurRadiusPx - 1) + 0.8;
}

export function validateBlur(widthPx: number, heightPx: number, blurRadiusPx: number): void {
  if (!Number.isInteger(widthPx) || !Number.isInteger(heightPx) || widthPx < 1 || heightPx < 1) {
    throw new Error(`Blur needs a positive integer size (got ${widthPx} × ${heightPx})`);
  }
  if (!Number.isInteger(blurRadiusPx) || blurRadiusPx < 0 || blurRadiusPx > BLUR_MAX_RADIUS_PX) {
    throw new Error(
      `blurRadiusPx must be an integer from 0 to ${BLUR_MAX_RADIUS_PX} (got ${blurRadiusPx})`,
    );
  }
}

/** The 2r + 1 normalized f32 weights, tap k at offset k − r. */
export function blurWeights(blurRadiusPx: number, kernel: BlurKernel = 'gaussian'): Float32Array {
  validateBlur(1, 1, blurRadiusPx);
  const r = blurRadiusPx;
  const raw = new Float64Array(2 * r + 1);
  const sigma = gaussianSigmaPx(r);
  for (let k = 0; k <= 2 * r; k++) {
    const d = k - r;
    raw[k] = kernel === 'box' ? 1 : Math.exp(-(d * d) / (2 * sigma * sigma));
  }
  const sum = raw.reduce((a, b) => a + b, 0);
  return Float32Array.from(raw, (w) => w / sum);
}

/** Checks the image length and the radius; throws a specific message. */
export function validateBlurInput(
  image: Float32Array,
  widthPx: number,
  heightPx: number,
  blurRadiusPx: number,
): void {
  validateBlur(widthPx, heightPx, blurRadiusPx);
  if (image.length !== widthPx * heightPx) {
    throw new Error(`Blur input holds ${image.length} values, expected ${widthPx * heightPx}`);
  }
}

/** Smooths `image` (row-major, widthPx × heightPx); returns a new array. */
export function blurCpu(
  image: Float32Array,
  widthPx: number,
  heightPx: number,
  options: BlurOptions,
): Float32Array {
  const { blurRadiusPx: r } = options;
  validateBlurInput(image, widthPx, heightPx, r);
  const weights = weightsOf(options);
  const f = Math.fround;
  const taps = 2 * r + 1;
  const rows = new Float32Array(image.length);
  for (let y = 0; y < heightPx; y++) {
    const row = y * widthPx;
    for (let x = 0; x < widthPx; x++) {
      let acc = 0;
      for (let k = 0; k < taps; k++) {
        const xs = Math.min(Math.max(x + k - r, 0), widthPx - 1);
        acc = f(acc + f((weights[k] ?? 0) * (image[row + xs] ?? 0)));
      }
      rows[row + x] = acc;
    }
  }
  const out = new Float32Array(image.length);
  for (let y = 0; y < heightPx; y++) {
    for (let x = 0; x < widthPx; x++) {
      let acc = 0;
      for (let k = 0; k < taps; k++) {
        const ys = Math.min(Math.max(y + k - r, 0), heightPx - 1);
        acc = f(acc + f((weights[k] ?? 0) * (rows[ys * widthPx + x] ?? 0)));
      }
      out[y * widthPx + x] = acc;
    }
  }
  return out;
}

/** Largest allowed |gpu − cpu| for a blur of an image whose largest |value| is `maxAbsInput`. */
export function blurTolerance(blurRadiusPx: number, maxAbsInput: number): number {
  return 2 ** -20 * (2 * blurRadiusPx + 1) * Math.max(1, maxAbsInput);
}
