/**
 * How much blur resampling adds: the after image, read onto the before grid,
 * is softer than the before image for two reasons — its own pixels may be
 * larger than the target's (a 0.6 m image onto a 0.5 m grid), and bilinear
 * interpolation at a fractional position f averages two source pixels with
 * weights (1 − f, f), a kernel of variance f·(1 − f) source px². Change and
 * occupancy tests that compare a sharp date with a softened one see more
 * edge halo on the sharp one, which shows up as a bias in after − before.
 *
 * Model (per axis, in target px², with s = source px per target px):
 *   after  = (1/s)² / 12 + E[f·(1 − f)] / s²   (source pixel box + interpolation)
 *   before = 1 / 12                            (its own pixel box)
 *   excess = after − before
 * Positive: the after image is the softer one; negative: the before image is.
 * Pixel boxes as variance w²/12 and the bilinear kernel's variance are the
 * usual second-moment accounting of a point-spread function (e.g. Schowengerdt,
 * "Remote Sensing: Models and Methods for Image Processing", ch. 3 and 7).
 */
import type { PixelMapping } from './grid-mapping.ts';

/** Samples per axis of the lattice the expectation is taken over. */
const LATTICE_STEPS = 48;

/**
 * Mean excess blur variance (px², per axis [x, y]) of an image resampled
 * bilinearly through `mapping` (target pixel corner-origin → source pixel
 * corner-origin) onto a target of targetWidth × targetHeight. Lattice points
 * that map to NaN are skipped; [0, 0] when none maps.
 */
export function resamplingBlurExcessPx2(
  mapping: PixelMapping,
  targetWidth: number,
  targetHeight: number,
): [number, number] {
  let sumX = 0;
  let sumY = 0;
  let samples = 0;
  const frac = (v: number): number => v - Math.floor(v);
  for (let j = 0; j < LATTICE_STEPS; j++) {
    for (let i = 0; i < LATTICE_STEPS; i++) {
      // Target pixel centres spread over the image (irrational-ish offsets so a
      // regular grid mapping does not alias with the lattice).
      const col = Math.floor(((i + 0.37) / LATTICE_STEPS) * targetWidth) + 0.5;
      const row = Math.floor(((j + 0.61) / LATTICE_STEPS) * targetHeight) + 0.5;
      const [u, v] = mapping.map(col, row);
      const [uRight, vRight] = mapping.map(col + 1, row);
      const [uDown, vDown] = mapping.map(col, row + 1);
      if (![u, v, uRight, vRight, uDown, vDown].every(Number.isFinite)) continue;
      // Source px per target px along each target axis (length of the Jacobian's columns).
      const scaleX = Math.hypot(uRight - u, vRight - v);
      const scaleY = Math.hypot(uDown - u, vDown - v);
      if (!(scaleX > 0 && scaleY > 0)) continue;
      // Bilinear weights come from the position relative to source pixel centres.
      const fu = frac(u - 0.5);
      const fv = frac(v - 0.5);
      // Per axis as if the grids were axis-aligned (port images are, within a few degrees).
      sumX += (1 / (scaleX * scaleX)) * (1 / 12 + fu * (1 - fu)) - 1 / 12;
      sumY += (1 / (scaleY * scaleY)) * (1 / 12 + fv * (1 - fv)) - 1 / 12;
      samples++;
    }
  }
  return samples === 0 ? [0, 0] : [sumX / samples, sumY / samples];
}

/** The one number the analysis takes (AnalysisInput.afterBlurExcessPx2): the mean of the axes. */
export function meanBlurExcessPx2(excessPx2: readonly [number, number]): number {
  return (excessPx2[0] + excessPx2[1]) / 2;
}
