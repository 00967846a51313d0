/**
 * Occupancy and change, per pixel, from RGB bands already normalized and
 * smoothed. CPU twins of shaders/occupancy.wgsl, shaders/texture.wgsl and
 * shaders/change.wgsl (shadow test and luminance in shaders/shadow-test.wgsl).
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
 * Change (misregistration-tolerant): for after pixel p, the best match among
 * the before pixels q with |q − p|² ≤ r² (pixels outside the image are not
 * candidates), and changeBefore(p) the same with the dates swapped, where
 *   d(x, y) = 0 when x is y in shadow or y is x in shadow (only darkening or
 *   lightening by a shadow), else ‖x − y‖₂.
 * Precisely, the candidates are visited in raster order of their offsets (dy
 * outer, dx inner, both from −r to r) with a running best (initially +∞), and
 * a pair is tested for shadow only when its plain distance is below the
 * running best: best ← d < best ? (shadow ? 0 : d) : best. This is min_q d(x,
 * y) except that a shadow pair farther than an earlier match is not taken;
 * the GPU twin visits the same order. A neighbourhood kernel of radius r.
 *
 * Arithmetic (f32, as the shaders compute): every input is an f32 value
 * (parameters and surface colours are rounded with Math.fround, as the
 * uniforms and storage tables hold them) and every operation is rounded to
 * f32 in the order written in the shaders: luminance ((w_R·R + w_G·G) + w_B·B),
 * the ratio mean ((r_R + r_G) + r_B) / 3, norms √((a² + b²) + c²). The GPU may
 * fuse a multiply and an add and its division and square root are within a
 * few ULP, so in general the twins agree within a stated tolerance (tests/gpu/
 * occupancy.test.ts; on SwiftShader they agree bit for bit), and boolean
 * decisions (shadow, threshold) can differ only where a value lies within
 * such a rounding of a boundary.
 */
import { blurCpu } from '../blur.ts';
import type { AnalysisParams } from './params.ts';
import { histogramBin, histogramScale, QUANTILE_BINS, rangeOf } from './quantiles.ts';
import { surfaceMediansFromHistograms } from './surface.ts';

export type Rgb = readonly [number, number, number];

const f32 = Math.fround;

/** Rec. 601 luma weights, as toLuminance uses; the shaders get them as f32 (LUMA_F32). */
const LUMA: Rgb = [0.299, 0.587, 0.114];
export const LUMA_F32: Rgb = [f32(LUMA[0]), f32(LUMA[1]), f32(LUMA[2])];
const [W0, W1, W2] = LUMA_F32;
/** √3 as f32; the shaders hold the same constant. */
const SQRT3_F32 = f32(Math.sqrt(3));

/** Luminance in f32: (w_R·R + w_G·G) + w_B·B, each step rounded. */
export function luminanceF32(x0: number, x1: number, x2: number): number {
  return f32(f32(f32(W0 * x0) + f32(W1 * x1)) + f32(W2 * x2));
}

export type ShadowParams = Pick<
  AnalysisParams,
  'shadowMinLumRatio' | 'shadowMaxLumRatio' | 'shadowChromaTolerance'
>;

/** Shadow parameters as the shaders hold them (f32), with tol/2 and 2·tol precomputed exactly. */
interface ShadowF32 {
  readonly minLum: number;
  readonly maxLum: number;
  readonly tol: number;
  readonly halfTol: number;
  readonly twiceTol: number;
}

function shadowF32(p: ShadowParams): ShadowF32 {
  const tol = f32(p.shadowChromaTolerance);
  return {
    minLum: f32(p.shadowMinLumRatio),
    maxLum: f32(p.shadowMaxLumRatio),
    tol,
    // Halving and doubling an f32 are exact (away from the subnormal range).
    halfTol: f32(tol / 2),
    twiceTol: f32(2 * tol),
  };
}

/** Shadow test on f32 values with f32 parameters; the shader's shadowOf, step for step. */
function shadowOfF32(
  x0: number,
  x1: number,
  x2: number,
  l0: number,
  l1: number,
  l2: number,
  p: ShadowF32,
): boolean {
  const ll = luminanceF32(l0, l1, l2);
  if (!(ll > 1)) return false;
  const lum = f32(luminanceF32(x0, x1, x2) / ll);
  if (lum < p.minLum || lum > p.maxLum) return false;
  const r0 = f32(f32(x0 + 1) / f32(l0 + 1));
  const r1 = f32(f32(x1 + 1) / f32(l1 + 1));
  const r2 = f32(f32(x2 + 1) / f32(l2 + 1));
  const m = f32(f32(f32(r0 + r1) + r2) / 3);
  const tol = p.tol;
  if (Math.abs(f32(r0 - m)) > tol || Math.abs(f32(r1 - m)) > tol || Math.abs(f32(r2 - m)) > tol) {
    return false;
  }
  const blueCast = f32(r2 - r0);
  return blueCast >= -p.halfTol && blueCast <= p.twiceTol;
}

/** Does x look like `lit` in a shadow? (Values and parameters are taken as f32.) */
export function shadowOf(
  x0: number,
  x1: number,
  x2: number,
  l0: number,
  l1: number,
  l2: number,
  p: ShadowParams,
): boolean {
  return shadowOfF32(f32(x0), f32(x1), f32(x2), f32(l0), f32(l1), f32(l2), shadowF32(p));
}

/** √((a² + b²) + c²) in f32. */
function norm3F32(a: number, b: number, c: number): number {
  return f32(Math.sqrt(f32(f32(f32(a * a) + f32(b * b)) + f32(c * c))));
}

/** surfaceDistance on f32 values; `brightnessScale` = f32(f32(brightnessWeight) · √3). */
function surfaceDistanceF32(
  x0: number,
  x1: number,
  x2: number,
  s0: number,
  s1: number,
  s2: number,
  brightnessScale: number,
): number {
  const ls = luminanceF32(s0, s1, s2);
  const lx = luminanceF32(x0, x1, x2);
  const L = ls > 0 ? f32(lx / ls) : 1;
  const hue = norm3F32(f32(x0 - f32(L * s0)), f32(x1 - f32(L * s1)), f32(x2 - f32(L * s2)));
  return Math.max(hue, f32(brightnessScale * Math.abs(f32(lx - ls))));
}

function brightnessScaleF32(brightnessWeight: number): number {
  return f32(f32(brightnessWeight) * SQRT3_F32);
}

/**
 * Distance of x from the surface colour s, split into brightness and hue:
 * x = L·s + c with L = lum(x) / lum(s); the hue part is ‖c‖₂ = ‖x − L·s‖₂, the
 * brightness part |lum(x) − lum(s)|·√3 (so that a uniform change of d DN in
 * every band scores d·√3 like an RGB distance would). Bare concrete varies
 * far more in brightness (stains, wear, wetness) than in hue, so the
 * brightness part is weighted by brightnessWeight ≤ 1:
 *   distance = max(‖c‖₂, brightnessWeight · √3 · |lum(x) − lum(s)|).
 * (Values and the weight are taken as f32.)
 */
export function surfaceDistance(
  x0: number,
  x1: number,
  x2: number,
  s: Rgb,
  brightnessWeight: number,
): number {
  return surfaceDistanceF32(
    f32(x0),
    f32(x1),
    f32(x2),
    f32(s[0]),
    f32(s[1]),
    f32(s[2]),
    brightnessScaleF32(brightnessWeight),
  );
}

/** Per-ROI per-band median (surface colour); NaN for an ROI without valid pixels. */
export function surfaceColours(
  bands: readonly Float32Array[],
  roiIndex: Int32Array,
  valid: Uint8Array,
  roiCount: number,
): Rgb[] {
  // One pass per band bins every pixel into its ROI's histogram (the range is
  // the band's, the same for every ROI): the counts histogramOf would give per
  // ROI, at a cost independent of the number of ROIs. Laid out as
  // surfaceHistogramsCpu lays them out, so the medians step is shared.
  const ranges = [0, 1, 2].map((b) => rangeOf(bands[b] ?? bands[0] ?? [], valid));
  const counts = new Uint32Array(roiCount * 3 * QUANTILE_BINS);
  ranges.forEach((range, b) => {
    const band = bands[b] ?? bands[0];
    if (band === undefined) return;
    const scale = histogramScale(range);
    for (let i = 0; i < band.length; i++) {
      const roi = roiIndex[i] ?? -1;
      if (roi < 0 || roi >= roiCount || valid[i] === 0) continue;
      const v = band[i] ?? Number.NaN;
      if (!Number.isFinite(v)) continue;
      const at = (roi * 3 + b) * QUANTILE_BINS + histogramBin(v, range.minValue, scale);
      counts[at] = (counts[at] ?? 0) + 1;
    }
  });
  return surfaceMediansFromHistograms(counts, ranges, roiCount);
}

function threeBands(
  bands: readonly Float32Array[],
  what: string,
): [Float32Array, Float32Array, Float32Array] {
  const [b0, b1, b2] = bands;
  if (b0 === undefined || b1 === undefined || b2 === undefined) {
    throw new Error(`${what} needs three bands (R, G, B)`);
  }
  return [b0, b1, b2];
}

/** Luminance per pixel in f32 (CPU twin of texture.wgsl `luminance`). */
export function luminanceOf(bands: readonly Float32Array[]): Float32Array {
  const [b0, b1, b2] = threeBands(bands, 'Luminance');
  const lum = new Float32Array(b0.length);
  for (let i = 0; i < lum.length; i++) {
    lum[i] = luminanceF32(b0[i] ?? 0, b1[i] ?? 0, b2[i] ?? 0);
  }
  return lum;
}

/** |a − b| per pixel in f32 (CPU twin of texture.wgsl `absDifference`). */
export function absDifferenceOf(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.abs(f32((a[i] ?? 0) - (b[i] ?? 0)));
  return out;
}

/**
 * Texture: the local mean absolute high-pass of luminance,
 *   texture = boxMean_r(|lum − gauss_r(lum)|), r = textureRadiusPx,
 * on the unsmoothed bands. Bare concrete and its stains are smooth; a block
 * of containers, even grey ones that match the deck's colour, shows the rims
 * and gaps of its containers every 2.6 m across and 6.1 m along. Kernels:
 * one per-pixel map, a Gaussian blur, a per-pixel |difference|, a box blur
 * (blur.ts); on the GPU texture.wgsl and blur.wgsl in that order.
 */
export function textureOf(
  bands: readonly Float32Array[],
  widthPx: number,
  heightPx: number,
  radiusPx: number,
): Float32Array {
  threeBands(bands, 'Texture');
  const lum = luminanceOf(bands);
  if (lum.length !== widthPx * heightPx) {
    throw new Error(`Texture bands hold ${lum.length} values, expected ${widthPx * heightPx}`);
  }
  const low = blurCpu(lum, widthPx, heightPx, { blurRadiusPx: radiusPx });
  const high = absDifferenceOf(lum, low);
  return blurCpu(high, widthPx, heightPx, { blurRadiusPx: radiusPx, kernel: 'box' });
}

export type OccupancyParams = Pick<
  AnalysisParams,
  'shadowHandling' | 'brightnessWeight' | 'thresholdDn' | 'textureThresholdDn'
> &
  ShadowParams;

/**
 * Occupancy distance per pixel of `domain` (ROI index ≥ 0, below
 * surfaces.length, and valid); 0 elsewhere. Per pixel, in f32:
 *   shadow   = shadowHandling 'colour' ∧ shadowOf(x, surface)   → distance 0
 *   colour   = surfaceDistance(x, surface)
 *   textured = texture·thresholdDn / textureThresholdDn (0 without texture or
 *              with textureThresholdDn ≤ 0)
 *   distance = max(colour, textured).
 */
export function occupancyDistance(
  bands: readonly Float32Array[],
  roiIndex: Int32Array,
  valid: Uint8Array,
  surfaces: readonly Rgb[],
  texture: Float32Array | null,
  params: OccupancyParams,
): { distance: Float32Array; shadow: Uint8Array } {
  const n = roiIndex.length;
  const distance = new Float32Array(n);
  const shadow = new Uint8Array(n);
  const [b0, b1, b2] = threeBands(bands, 'Occupancy');
  // As the uniform and the surface table hold them.
  const shadows = params.shadowHandling === 'colour';
  const shadowP = shadowF32(params);
  const brightnessScale = brightnessScaleF32(params.brightnessWeight);
  const thresholdDn = f32(params.thresholdDn);
  const textureThresholdDn = f32(params.textureThresholdDn);
  const useTexture = texture !== null && textureThresholdDn > 0;
  const table = surfaces.map((s): Rgb => [f32(s[0]), f32(s[1]), f32(s[2])]);
  for (let i = 0; i < n; i++) {
    const roi = roiIndex[i] ?? -1;
    if (roi < 0 || valid[i] === 0) continue;
    const s = table[roi];
    if (s === undefined) continue;
    const x0 = b0[i] ?? 0;
    const x1 = b1[i] ?? 0;
    const x2 = b2[i] ?? 0;
    if (shadows && shadowOfF32(x0, x1, x2, s[0], s[1], s[2], shadowP)) {
      shadow[i] = 1;
      continue;
    }
    const colour = surfaceDistanceF32(x0, x1, x2, s[0], s[1], s[2], brightnessScale);
    // Texture is scaled so that textureThresholdDn of it scores thresholdDn.
    const textured = useTexture
      ? f32(f32((texture[i] ?? 0) * thresholdDn) / textureThresholdDn)
      : 0;
    distance[i] = Math.max(colour, textured);
  }
  return { distance, shadow };
}

/** Offsets (dx, dy) of the disc of radius r in the order the shader visits them. */
function discOffsets(radiusPx: number): [number, number][] {
  const r = radiusPx;
  const offsets: [number, number][] = [];
  for (let dy = -r; dy <= r; dy++) {
    for (let dx = -r; dx <= r; dx++) if (dx * dx + dy * dy <= r * r) offsets.push([dx, dy]);
  }
  return offsets;
}

/**
 * Best-match change of `moving` against `reference` within a disc of
 * `matchRadiusPx`, for pixels of the domain; 0 elsewhere (semantics in the
 * header). A pixel whose every candidate distance is NaN gets +∞.
 */
export function bestMatchChange(
  moving: readonly Float32Array[],
  reference: readonly Float32Array[],
  widthPx: number,
  heightPx: number,
  domain: Uint8Array,
  params: Pick<AnalysisParams, 'matchRadiusPx' | 'shadowHandling'> & ShadowParams,
): Float32Array {
  if (moving.length < 3 || reference.length < 3) {
    throw new Error('Change needs three bands (R, G, B) at both dates');
  }
  const [m0, m1, m2] = threeBands(moving, 'Change');
  const [f0, f1, f2] = threeBands(reference, 'Change');
  const offsets = discOffsets(params.matchRadiusPx);
  const shadows = params.shadowHandling === 'colour';
  const shadowP = shadowF32(params);
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
        let d = norm3F32(f32(x0 - y0), f32(x1 - y1), f32(x2 - y2));
        if (
          shadows &&
          d < best &&
          (shadowOfF32(x0, x1, x2, y0, y1, y2, shadowP) ||
            shadowOfF32(y0, y1, y2, x0, x1, x2, shadowP))
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
