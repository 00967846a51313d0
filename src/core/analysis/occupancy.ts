/**
 * Occupancy and change, per pixel, from RGB bands already normalized and
 * smoothed.
 *
 * Surface colour: per ROI and date, the per-band median of the ROI's pixels —
 * the bare deck of a pier, as long as less than half of it is covered.
 *
 * Shadow test (`shadowOf(x, lit)`): x looks like `lit` in the shade. Shadows
 * keep a fraction of the light (luminance ratio in [shadowMinLumRatio,
 * shadowMaxLumRatio]) and darken all bands alike except for the blue cast of
 * skylight, which is what separates them from dark objects of other hues. The
 * ratio test is in the spirit of the invariant-colour shadow detectors that
 * compare hue and intensity (Tsai 2006, IEEE TGRS 44(6), "A comparative study
 * on shadow compensation of color aerial images in invariant color models"),
 * here against the known lit colour rather than a global threshold:
 *   ratios r_b = (x_b + 1) / (lit_b + 1), m = their mean,
 *   shadow ⇔ lumRatio in range ∧ |r_b − m| ≤ tol for every band
 *           ∧ −tol/2 ≤ r_blue − r_red ≤ 2·tol.
 *
 * Occupancy score per date: max(surfaceDistance, texture scaled so that
 * textureThresholdDn scores thresholdDn), or 0 when the pixel is the surface
 * in shadow (shadowHandling 'colour').
 *
 * Change (misregistration-tolerant): for after pixel p,
 *   changeAfter(p) = min over q with |q − p|² ≤ r² of d(after(p), before(q)),
 * and changeBefore(p) the same with the dates swapped, where
 *   d(x, y) = 0 when x is y in shadow or y is x in shadow (only darkening or
 *   lightening by a shadow), else ‖x − y‖₂. Pixels outside the image are not
 * candidates. A neighbourhood kernel of radius r per pixel.
 */
import { blurCpu } from '../blur.ts';
import type { AnalysisParams } from './params.ts';
import { histogramOf, quantilesOf, rangeOf } from './quantiles.ts';

export type Rgb = readonly [number, number, number];

/** Rec. 601 luma weights, as toLuminance uses. */
const LUMA: Rgb = [0.299, 0.587, 0.114];

export type ShadowParams = Pick<
  AnalysisParams,
  'shadowMinLumRatio' | 'shadowMaxLumRatio' | 'shadowChromaTolerance'
>;

/** Does x look like `lit` in a shadow? */
export function shadowOf(
  x0: number,
  x1: number,
  x2: number,
  l0: number,
  l1: number,
  l2: number,
  p: ShadowParams,
): boolean {
  const lx = LUMA[0] * x0 + LUMA[1] * x1 + LUMA[2] * x2;
  const ll = LUMA[0] * l0 + LUMA[1] * l1 + LUMA[2] * l2;
  if (!(ll > 1)) return false;
  const lum = lx / ll;
  if (lum < p.shadowMinLumRatio || lum > p.shadowMaxLumRatio) return false;
  const r0 = (x0 + 1) / (l0 + 1);
  const r1 = (x1 + 1) / (l1 + 1);
  const r2 = (x2 + 1) / (l2 + 1);
  const m = (r0 + r1 + r2) / 3;
  const tol = p.shadowChromaTolerance;
  if (Math.abs(r0 - m) > tol || Math.abs(r1 - m) > tol || Math.abs(r2 - m) > tol) return false;
  const blueCast = r2 - r0;
  return blueCast >= -tol / 2 && blueCast <= 2 * tol;
}

/**
 * Distance of x from the surface colour s, split into brightness and hue:
 * x = L·s + c with L = lum(x) / lum(s); the hue part is ‖c‖₂ = ‖x − L·s‖₂, the
 * brightness part |lum(x) − lum(s)|·√3 (so that a uniform change of d DN in
 * every band scores d·√3 like an RGB distance would). Bare concrete varies
 * far more in brightness (stains, wear, wetness) than in hue, so the
 * brightness part is weighted by brightnessWeight ≤ 1:
 *   distance = max(‖c‖₂, brightnessWeight · √3 · |lum(x) − lum(s)|).
 */
export function surfaceDistance(
  x0: number,
  x1: number,
  x2: number,
  s: Rgb,
  brightnessWeight: number,
): number {
  const ls = LUMA[0] * s[0] + LUMA[1] * s[1] + LUMA[2] * s[2];
  const lx = LUMA[0] * x0 + LUMA[1] * x1 + LUMA[2] * x2;
  const L = ls > 0 ? lx / ls : 1;
  const hue = Math.hypot(x0 - L * s[0], x1 - L * s[1], x2 - L * s[2]);
  return Math.max(hue, brightnessWeight * SQRT3 * Math.abs(lx - ls));
}

const SQRT3 = Math.sqrt(3);

/** Per-ROI per-band median (surface colour); NaN for an ROI without valid pixels. */
export function surfaceColours(
  bands: readonly Float32Array[],
  roiIndex: Int32Array,
  valid: Uint8Array,
  roiCount: number,
): Rgb[] {
  const out: Rgb[] = [];
  for (let roi = 0; roi < roiCount; roi++) {
    const include = (i: number): boolean => roiIndex[i] === roi && valid[i] !== 0;
    const medians = [0, 1, 2].map((b) => {
      const band = bands[b] ?? bands[0];
      if (band === undefined) return Number.NaN;
      const range = rangeOf(band, valid);
      return quantilesOf(histogramOf(band, range, include), range, [0.5])[0] ?? Number.NaN;
    });
    out.push([medians[0] ?? Number.NaN, medians[1] ?? Number.NaN, medians[2] ?? Number.NaN]);
  }
  return out;
}

/**
 * Texture: the local mean absolute high-pass of luminance,
 *   texture = boxMean_r(|lum − gauss_r(lum)|), r = textureRadiusPx,
 * on the unsmoothed bands. Bare concrete and its stains are smooth; a block
 * of containers, even grey ones that match the deck's colour, shows the rims
 * and gaps of its containers every 2.6 m across and 6.1 m along. Kernels:
 * one per-pixel map, a Gaussian blur, a box blur (blur.ts).
 */
export function textureOf(
  bands: readonly Float32Array[],
  widthPx: number,
  heightPx: number,
  radiusPx: number,
): Float32Array {
  const [b0, b1, b2] = bands;
  if (b0 === undefined || b1 === undefined || b2 === undefined) {
    throw new Error('Texture needs three bands (R, G, B)');
  }
  const n = widthPx * heightPx;
  const lum = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    lum[i] = LUMA[0] * (b0[i] ?? 0) + LUMA[1] * (b1[i] ?? 0) + LUMA[2] * (b2[i] ?? 0);
  }
  const low = blurCpu(lum, widthPx, heightPx, { blurRadiusPx: radiusPx });
  const high = new Float32Array(n);
  for (let i = 0; i < n; i++) high[i] = Math.abs((lum[i] ?? 0) - (low[i] ?? 0));
  return blurCpu(high, widthPx, heightPx, { blurRadiusPx: radiusPx, kernel: 'box' });
}

/** Occupancy distance per pixel of `domain` (ROI index ≥ 0 and valid); 0 elsewhere. */
export function occupancyDistance(
  bands: readonly Float32Array[],
  roiIndex: Int32Array,
  valid: Uint8Array,
  surfaces: readonly Rgb[],
  texture: Float32Array | null,
  params: Pick<
    AnalysisParams,
    'shadowHandling' | 'brightnessWeight' | 'thresholdDn' | 'textureThresholdDn'
  > &
    ShadowParams,
): { distance: Float32Array; shadow: Uint8Array } {
  const n = roiIndex.length;
  const distance = new Float32Array(n);
  const shadow = new Uint8Array(n);
  const [b0, b1, b2] = bands;
  if (b0 === undefined || b1 === undefined || b2 === undefined) {
    throw new Error('Occupancy needs three bands (R, G, B)');
  }
  for (let i = 0; i < n; i++) {
    const roi = roiIndex[i] ?? -1;
    if (roi < 0 || valid[i] === 0) continue;
    const s = surfaces[roi];
    if (s === undefined) continue;
    const x0 = b0[i] ?? 0;
    const x1 = b1[i] ?? 0;
    const x2 = b2[i] ?? 0;
    if (params.shadowHandling === 'colour' && shadowOf(x0, x1, x2, s[0], s[1], s[2], params)) {
      shadow[i] = 1;
      continue;
    }
    const colour = surfaceDistance(x0, x1, x2, s, params.brightnessWeight);
    // Texture is scaled so that textureThresholdDn of it scores thresholdDn.
    const textured =
      texture === null || params.textureThresholdDn <= 0
        ? 0
        : ((texture[i] ?? 0) * params.thresholdDn) / params.textureThresholdDn;
    distance[i] = Math.max(colour, textured);
  }
  return { distance, shadow };
}

/**
 * Best-match change of `moving` against `reference` within a disc of
 * `matchRadiusPx`, for pixels of the domain; 0 elsewhere.
 */
export function bestMatchChange(
  moving: readonly Float32Array[],
  reference: readonly Float32Array[],
  widthPx: number,
  heightPx: number,
  domain: Uint8Array,
  params: Pick<AnalysisParams, 'matchRadiusPx' | 'shadowHandling'> & ShadowParams,
): Float32Array {
  const [m0, m1, m2] = moving;
  const [f0, f1, f2] = reference;
  if (
    m0 === undefined ||
    m1 === undefined ||
    m2 === undefined ||
    f0 === undefined ||
    f1 === undefined ||
    f2 === undefined
  ) {
    throw new Error('Change needs three bands (R, G, B) at both dates');
  }
  const r = params.matchRadiusPx;
  const offsets: [number, number][] = [];
  for (let dy = -r; dy <= r; dy++) {
    for (let dx = -r; dx <= r; dx++) if (dx * dx + dy * dy <= r * r) offsets.push([dx, dy]);
  }
  const shadows = params.shadowHandling === 'colour';
  const out = new Float32Array(widthPx * heightPx);
  for (let y = 0; y < heightPx; y++) {
    for (let x = 0; x < widthPx; x++) {
      const i = y * widthPx + x;
      if (domain[i] === 0) continue;
      const x0 = m0[i] ?? 0;
      const x1 = m1[i] ?? 0;
      const x2 = m2[i] ?? 0;
      let best = Infinity;
      for (const [dx, dy] of offsets) {
        const qx = x + dx;
        const qy = y + dy;
        if (qx < 0 || qy < 0 || qx >= widthPx || qy >= heightPx) continue;
        const q = qy * widthPx + qx;
        const y0 = f0[q] ?? 0;
        const y1 = f1[q] ?? 0;
        const y2 = f2[q] ?? 0;
        let d = Math.hypot(x0 - y0, x1 - y1, x2 - y2);
        if (
          shadows &&
          d < best &&
          (shadowOf(x0, x1, x2, y0, y1, y2, params) || shadowOf(y0, y1, y2, x0, x1, x2, params))
        ) {
          d = 0;
        }
        if (d < best) best = d;
      }
      out[i] = best;
    }
  }
  return out;
}
