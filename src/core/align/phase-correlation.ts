/**
 * Fine alignment: the residual translation between two images already on the
 * same grid, by phase correlation (Kuglin & Hines 1975, "The phase correlation
 * image alignment method"), refined to sub-pixel precision with the
 * matrix-multiply upsampled DFT of Guizar-Sicairos, Thurman & Fienup 2008
 * ("Efficient subpixel image registration algorithms", Opt. Lett. 33(2)).
 *
 * Two dates of a port are not one image shifted: containers move, ships come
 * and go, shadows turn with the sun and water never looks the same twice. So
 * the shift is measured twice: once over the whole common area (robust for
 * the integer part), then on a grid of tiles, pre-shifted by that integer
 * part; tiles without a distinct peak (water, changed ground) are dropped and
 * the median of the rest is the answer — block matching with a robust
 * estimate, as in sub-pixel correlators such as COSI-Corr (Leprince et al.
 * 2007, IEEE TGRS 45(6)).
 *
 * Sign convention (used by every function here and by withResidualShift):
 * the shift (dxPx, dyPx) is the displacement of the moving image's content
 * relative to the reference — a feature at (x, y) in `reference` is at
 * (x + dxPx, y + dyPx) in `moving`, i.e. moving(x, y) ≈ reference(x − dxPx,
 * y − dyPx); x grows to the right (east on a north-up grid), y downwards
 * (south). To align moving onto reference, sample moving at (x + dxPx,
 * y + dyPx) — move it by (−dxPx, −dyPx).
 */
import { fft2d, nextPowerOfTwo } from './fft.ts';

export interface ShiftEstimate {
  /** Displacement of moving relative to reference along x (columns), pixels. */
  readonly dxPx: number;
  /** Displacement along y (rows, downwards), pixels. */
  readonly dyPx: number;
  /**
   * Confidence of the whole-area correlation: height of its peak over the
   * highest value away from the peak (within the search radius). About 1
   * means no distinct peak; 0 means featureless images. Two real dates of a
   * changing scene give about 1.5–3, a pure shift tens.
   */
  readonly peakRatio: number;
  /** Tiles whose own peak was distinct enough to vote, and tiles tried. */
  readonly tilesUsed: number;
  readonly tilesTried: number;
  /**
   * Spread of the voting tiles: 1.4826 · median absolute deviation / √n per
   * axis, pixels (a robust standard error); NaN when the whole-area estimate
   * was used.
   */
  readonly uncertaintyPx: readonly [number, number];
}

export interface ShiftOptions {
  /** 1 where both images hold data; other pixels are ignored. */
  readonly valid?: Uint8Array;
  /** Largest shift searched for along each axis, pixels (default 32). */
  readonly maxShiftPx?: number;
  /** The area correlated is at most this many pixels a side, centred (default 1024). */
  readonly maxSizePx?: number;
  /** Upsampling factor of the sub-pixel refinement: precision 1/factor px before the parabolic fit (default 20). */
  readonly upsampleFactor?: number;
  /**
   * Gaussian weight exp(−f²/(2σ²)) on the whitened cross-power spectrum, σ in
   * cycles per pixel (default 0.15; Infinity for plain phase correlation).
   * Whitening gives noise, aliasing and JPEG blocks at high frequencies as
   * much weight as structure; a symmetric real weight damps them without
   * moving the peak of a pure translation.
   */
  readonly spectralSigmaCyclesPerPx?: number;
  /**
   * ε of the whitening P/(|P| + ε), as a fraction of the mean |P| (default
   * 0.1; 0 for classic phase correlation).
   */
  readonly whiteningFloor?: number;
  /** Tile side for the robust estimate, pixels (default 64; 0 turns tiles off). */
  readonly tileSizePx?: number;
  /** A tile votes when its peak ratio is at least this (default 2). */
  readonly minTilePeakRatio?: number;
  /** At most this many tiles are correlated (default 400): an evenly spread subset beyond that. */
  readonly maxTiles?: number;
}

/**
 * Weighted sum of bands, e.g. luminance from R, G, B (Rec. 601 weights by
 * default; extra bands without a weight are ignored). Pixels where any
 * weighted band equals `nodata` come out NaN, which resampleBilinear treats
 * as invalid.
 */
export function toLuminance(
  bands: readonly ArrayLike<number>[],
  weights: readonly number[] = [0.299, 0.587, 0.114],
  nodata: number | null = null,
): Float32Array {
  const first = bands[0];
  if (first === undefined) throw new Error('toLuminance needs at least one band');
  const n = first.length;
  const out = new Float32Array(n);
  const count = Math.min(bands.length, weights.length);
  if (count === 0) throw new Error('toLuminance needs at least one weight');
  for (let b = 0; b < count; b++) {
    const band = bands[b];
    const w = weights[b] ?? 0;
    if (band === undefined || band.length !== n) throw new Error('Bands differ in length');
    for (let i = 0; i < n; i++) {
      const value = band[i] ?? 0;
      out[i] = nodata !== null && value === nodata ? Number.NaN : (out[i] ?? 0) + w * value;
    }
  }
  return out;
}

/** Pearson correlation of two images over the pixels where `valid` is 1 (all by default). */
export function normalizedCrossCorrelation(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  valid?: Uint8Array,
): number {
  let n = 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < a.length; i++) {
    if (valid !== undefined && valid[i] !== 1) continue;
    sa += a[i] ?? 0;
    sb += b[i] ?? 0;
    n++;
  }
  if (n === 0) return Number.NaN;
  const ma = sa / n;
  const mb = sb / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    if (valid !== undefined && valid[i] !== 1) continue;
    const da = (a[i] ?? 0) - ma;
    const db = (b[i] ?? 0) - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Bounding box [x0, y0, x1, y1) of valid pixels, or of the whole image. */
function validBox(
  width: number,
  height: number,
  valid: Uint8Array | undefined,
): [number, number, number, number] {
  if (valid === undefined) return [0, 0, width, height];
  let x0 = width;
  let y0 = height;
  let x1 = 0;
  let y1 = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (valid[y * width + x] !== 1) continue;
      if (x < x0) x0 = x;
      if (x >= x1) x1 = x + 1;
      if (y < y0) y0 = y;
      y1 = y + 1;
    }
  }
  return x0 < x1 ? [x0, y0, x1, y1] : [0, 0, 0, 0];
}

/** Hann window of length n at sample i (zero just outside both ends). */
function hann(i: number, n: number): number {
  return 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / n);
}

/** A w × h region of an image: origin (x0, y0) in the image. */
interface Region {
  readonly x0: number;
  readonly y0: number;
  readonly w: number;
  readonly h: number;
}

/**
 * The region, mean removed over valid pixels, invalid (or non-finite) pixels at zero,
 * Hann-windowed, zero-padded into a paddedW × paddedH array. The window
 * tapers the borders so that the FFT's periodic wrap adds no false edges.
 */
function prepare(
  image: ArrayLike<number>,
  width: number,
  valid: Uint8Array | undefined,
  region: Region,
  paddedW: number,
  paddedH: number,
): Float64Array {
  const { x0, y0, w, h } = region;
  let sum = 0;
  let count = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y0 + y) * width + x0 + x;
      const value = image[i] ?? Number.NaN;
      if ((valid !== undefined && valid[i] !== 1) || !Number.isFinite(value)) continue;
      sum += value;
      count++;
    }
  }
  const mean = count > 0 ? sum / count : 0;
  const out = new Float64Array(paddedW * paddedH);
  for (let y = 0; y < h; y++) {
    const wy = hann(y, h);
    for (let x = 0; x < w; x++) {
      const i = (y0 + y) * width + x0 + x;
      const value = image[i] ?? Number.NaN;
      if ((valid !== undefined && valid[i] !== 1) || !Number.isFinite(value)) continue;
      out[y * paddedW + x] = (value - mean) * wy * hann(x, w);
    }
  }
  return out;
}

/** Signed frequency of FFT bin k of n (cycles per sample × n). */
function signedBin(k: number, n: number): number {
  return k < n / 2 ? k : k - n;
}

/**
 * Real part of the inverse DFT of `spectrum` (paddedW × paddedH, natural bin
 * order) at the points (cx + (p − half)/factor, cy + (q − half)/factor),
 * p, q = 0 … size − 1: the matrix-multiply DFT of Guizar-Sicairos et al. 2008,
 * costing paddedW·paddedH·size instead of an FFT of the upsampled size.
 */
function upsampledCorrelation(
  re: Float64Array,
  im: Float64Array,
  paddedW: number,
  paddedH: number,
  cx: number,
  cy: number,
  factor: number,
  size: number,
): Float64Array {
  const half = (size - 1) / 2;
  // Kernels e^{+2πi k x / N} for the sample positions along each axis.
  const kernel = (n: number, centre: number): [Float64Array, Float64Array] => {
    const kr = new Float64Array(n * size);
    const ki = new Float64Array(n * size);
    for (let k = 0; k < n; k++) {
      const f = signedBin(k, n) / n;
      for (let p = 0; p < size; p++) {
        const angle = 2 * Math.PI * f * (centre + (p - half) / factor);
        kr[k * size + p] = Math.cos(angle);
        ki[k * size + p] = Math.sin(angle);
      }
    }
    return [kr, ki];
  };
  const [exr, exi] = kernel(paddedW, cx);
  const [eyr, eyi] = kernel(paddedH, cy);
  // Along x: T(ky, p) = Σ_kx S(ky, kx) e^{2πi kx x_p / W}.
  const tr = new Float64Array(paddedH * size);
  const ti = new Float64Array(paddedH * size);
  for (let ky = 0; ky < paddedH; ky++) {
    const row = ky * size;
    for (let kx = 0; kx < paddedW; kx++) {
      const sr = re[ky * paddedW + kx] ?? 0;
      const si = im[ky * paddedW + kx] ?? 0;
      if (sr === 0 && si === 0) continue;
      const k = kx * size;
      for (let p = 0; p < size; p++) {
        const er = exr[k + p] ?? 0;
        const ei = exi[k + p] ?? 0;
        tr[row + p] = (tr[row + p] ?? 0) + sr * er - si * ei;
        ti[row + p] = (ti[row + p] ?? 0) + sr * ei + si * er;
      }
    }
  }
  // Along y, real part only: c(q, p) = Re Σ_ky T(ky, p) e^{2πi ky y_q / H}.
  const out = new Float64Array(size * size);
  for (let ky = 0; ky < paddedH; ky++) {
    const row = ky * size;
    for (let q = 0; q < size; q++) {
      const er = eyr[row + q] ?? 0;
      const ei = eyi[row + q] ?? 0;
      for (let p = 0; p < size; p++) {
        out[q * size + p] =
          (out[q * size + p] ?? 0) + (tr[row + p] ?? 0) * er - (ti[row + p] ?? 0) * ei;
      }
    }
  }
  return out;
}

/** Vertex offset of the parabola through (−1, a), (0, b), (1, c), clamped to ±0.5. */
function parabolicOffset(a: number, b: number, c: number): number {
  const denominator = a - 2 * b + c;
  if (denominator >= 0) return 0;
  return Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denominator));
}

interface Correlation {
  readonly dxPx: number;
  readonly dyPx: number;
  readonly peakRatio: number;
}

interface CorrelationSettings {
  readonly radiusPx: number;
  readonly factor: number;
  readonly sigma: number;
  readonly whiteningFloor: number;
}

/**
 * Phase correlation of refRegion of `reference` against movRegion (same size)
 * of `moving`: the displacement of the moving region's content, searched
 * within ±radiusPx.
 */
function correlate(
  reference: ArrayLike<number>,
  moving: ArrayLike<number>,
  width: number,
  valid: Uint8Array | undefined,
  refRegion: Region,
  movRegion: Region,
  settings: CorrelationSettings,
): Correlation {
  const paddedW = nextPowerOfTwo(refRegion.w);
  const paddedH = nextPowerOfTwo(refRegion.h);
  const n = paddedW * paddedH;
  const refRe = prepare(reference, width, valid, refRegion, paddedW, paddedH);
  const movRe = prepare(moving, width, valid, movRegion, paddedW, paddedH);
  const refIm = new Float64Array(n);
  const movIm = new Float64Array(n);
  fft2d(refRe, refIm, paddedW, paddedH);
  fft2d(movRe, movIm, paddedW, paddedH);

  // Whitened cross-power spectrum P/(|P| + ε), P = M·conj(R): its inverse
  // peaks at +d. Pure whitening (ε = 0) lifts bins that hold only leakage and
  // noise to full weight; ε, a fraction of the mean |P|, leaves them small.
  const { sigma } = settings;
  const pRe = new Float64Array(n);
  const pIm = new Float64Array(n);
  let magnitudeSum = 0;
  for (let i = 0; i < n; i++) {
    const ar = movRe[i] ?? 0;
    const ai = movIm[i] ?? 0;
    const br = refRe[i] ?? 0;
    const bi = refIm[i] ?? 0;
    const pr = ar * br + ai * bi;
    const pi = ai * br - ar * bi;
    pRe[i] = pr;
    pIm[i] = pi;
    magnitudeSum += Math.hypot(pr, pi);
  }
  const epsilon = settings.whiteningFloor * (magnitudeSum / n) + Number.MIN_VALUE;
  const sRe = new Float64Array(n);
  const sIm = new Float64Array(n);
  const twoSigma2 = 2 * sigma * sigma;
  for (let ky = 0; ky < paddedH; ky++) {
    const fy = signedBin(ky, paddedH) / paddedH;
    for (let kx = 0; kx < paddedW; kx++) {
      const i = ky * paddedW + kx;
      const pr = pRe[i] ?? 0;
      const pi = pIm[i] ?? 0;
      const fx = signedBin(kx, paddedW) / paddedW;
      const weight = Number.isFinite(sigma) ? Math.exp(-(fx * fx + fy * fy) / twoSigma2) : 1;
      const scale = weight / (Math.hypot(pr, pi) + epsilon);
      sRe[i] = pr * scale;
      sIm[i] = pi * scale;
    }
  }

  // Integer peak within the search radius (the surface wraps around).
  const surfaceRe = Float64Array.from(sRe);
  const surfaceIm = new Float64Array(n);
  for (let i = 0; i < n; i++) surfaceIm[i] = sIm[i] ?? 0;
  fft2d(surfaceRe, surfaceIm, paddedW, paddedH, true);
  const radiusX = Math.max(0, Math.min(Math.floor(settings.radiusPx), paddedW / 2 - 1));
  const radiusY = Math.max(0, Math.min(Math.floor(settings.radiusPx), paddedH / 2 - 1));
  const at = (dx: number, dy: number): number =>
    surfaceRe[
      (((dy % paddedH) + paddedH) % paddedH) * paddedW + (((dx % paddedW) + paddedW) % paddedW)
    ] ?? 0;
  let peak = Number.NEGATIVE_INFINITY;
  let peakX = 0;
  let peakY = 0;
  for (let dy = -radiusY; dy <= radiusY; dy++) {
    for (let dx = -radiusX; dx <= radiusX; dx++) {
      const value = at(dx, dy);
      if (value > peak) {
        peak = value;
        peakX = dx;
        peakY = dy;
      }
    }
  }
  // Confidence: the peak against the best value away from it (the spectral
  // weight widens the peak, so "away" grows with 1/σ), looked for within the
  // search radius but at least a few peak widths around.
  const exclusionPx = Number.isFinite(sigma) ? Math.max(2, Math.ceil(0.4 / sigma)) : 2;
  const rivalX = Math.min(Math.max(radiusX, 4 * exclusionPx), paddedW / 2 - 1);
  const rivalY = Math.min(Math.max(radiusY, 4 * exclusionPx), paddedH / 2 - 1);
  let secondPeak = 0;
  for (let dy = -rivalY; dy <= rivalY; dy++) {
    const nearY = Math.abs(dy - peakY) <= exclusionPx;
    for (let dx = -rivalX; dx <= rivalX; dx++) {
      if (nearY && Math.abs(dx - peakX) <= exclusionPx) continue;
      secondPeak = Math.max(secondPeak, at(dx, dy));
    }
  }
  // A flat surface (featureless images) has no peak at all: no shift, no confidence.
  if (!(peak > 0)) return { dxPx: 0, dyPx: 0, peakRatio: 0 };
  const peakRatio = secondPeak > 0 ? peak / secondPeak : Number.POSITIVE_INFINITY;

  // Sub-pixel: upsampled DFT over ±0.75 px around the integer peak, then a
  // 3-point parabola through the best upsampled sample and its neighbours.
  const { factor } = settings;
  if (factor <= 1) return { dxPx: peakX, dyPx: peakY, peakRatio };
  const size = 2 * Math.ceil(0.75 * factor) + 1;
  const fine = upsampledCorrelation(sRe, sIm, paddedW, paddedH, peakX, peakY, factor, size);
  let best = 0;
  for (let i = 1; i < fine.length; i++) if ((fine[i] ?? 0) > (fine[best] ?? 0)) best = i;
  const p = best % size;
  const q = Math.floor(best / size);
  const value = (pp: number, qq: number): number => fine[qq * size + pp] ?? 0;
  const centre = value(p, q);
  const subX =
    p > 0 && p < size - 1 ? parabolicOffset(value(p - 1, q), centre, value(p + 1, q)) : 0;
  const subY =
    q > 0 && q < size - 1 ? parabolicOffset(value(p, q - 1), centre, value(p, q + 1)) : 0;
  const half = (size - 1) / 2;
  return {
    dxPx: peakX + (p - half + subX) / factor,
    dyPx: peakY + (q - half + subY) / factor,
    peakRatio,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
}

/** True when every pixel of the region is valid. */
function allValid(valid: Uint8Array | undefined, width: number, region: Region): boolean {
  if (valid === undefined) return true;
  for (let y = region.y0; y < region.y0 + region.h; y++) {
    for (let x = region.x0; x < region.x0 + region.w; x++) {
      if (valid[y * width + x] !== 1) return false;
    }
  }
  return true;
}

/**
 * Tiles that must vote for an estimate to stand, and the largest standard
 * error of their median, pixels (half the demo pair's width gives 5 tiles at ±0.55 px).
 */
const MIN_AGREEING_TILES = 3;
const MAX_TILE_SPREAD_PX = 1;
/** Peak ratio the whole-area correlation needs where fewer tiles fit than must agree. */
const MIN_WHOLE_AREA_PEAK_RATIO = 2;

/**
 * Why an estimate should not be applied, or null when it can be. Two dates of
 * one scene give tens of agreeing tiles (15–52 on the demo and NAIP pairs,
 * spread under 0.2 px); unrelated or featureless images give none, and their
 * whole-area peak (ratio about 1) lands anywhere within the search radius.
 */
export function unreliableShiftReason(estimate: ShiftEstimate): string | null {
  const ratio = estimate.peakRatio.toFixed(2);
  // Where fewer tiles fit than must agree (an area under 128 px), the whole-area peak decides.
  if (estimate.tilesTried < MIN_AGREEING_TILES) {
    return estimate.peakRatio >= MIN_WHOLE_AREA_PEAK_RATIO
      ? null
      : `no distinct correlation peak (peak ratio ${ratio})`;
  }
  if (estimate.tilesUsed < MIN_AGREEING_TILES) {
    return `${estimate.tilesUsed} of ${estimate.tilesTried} tiles found a distinct peak (peak ratio ${ratio})`;
  }
  const spreadPx = Math.max(...estimate.uncertaintyPx);
  return spreadPx <= MAX_TILE_SPREAD_PX
    ? null
    : `the tiles disagree (±${spreadPx.toFixed(2)} px over ${estimate.tilesUsed} tiles)`;
}

/**
 * The shift to apply for an estimate, scaled by `pxScale` (to other pixels):
 * the estimate, or none (0, 0) with the reason when it is not reliable. The
 * CLI and the app's series apply estimates through this one rule.
 */
export function shiftToApply(
  estimate: ShiftEstimate,
  pxScale = 1,
): { readonly shiftPx: [number, number]; readonly unreliable: string | null } {
  const unreliable = unreliableShiftReason(estimate);
  return unreliable === null
    ? { shiftPx: [estimate.dxPx * pxScale, estimate.dyPx * pxScale], unreliable }
    : { shiftPx: [0, 0], unreliable };
}

/**
 * The displacement of `moving` relative to `reference` (see the module
 * comment for the sign), both width × height row-major on the same grid.
 */
export function estimateShift(
  reference: ArrayLike<number>,
  moving: ArrayLike<number>,
  width: number,
  height: number,
  options: ShiftOptions = {},
): ShiftEstimate {
  if (reference.length !== width * height || moving.length !== width * height) {
    throw new Error(`estimateShift: both images must hold ${width}×${height} values`);
  }
  const { valid } = options;
  const maxShiftPx = options.maxShiftPx ?? 32;
  const maxSizePx = options.maxSizePx ?? 1024;
  const factor = Math.max(1, Math.round(options.upsampleFactor ?? 20));
  const sigma = options.spectralSigmaCyclesPerPx ?? 0.15;
  const tileSizePx = options.tileSizePx ?? 64;
  const minTilePeakRatio = options.minTilePeakRatio ?? 2;
  const maxTiles = options.maxTiles ?? 400;
  const whiteningFloor = options.whiteningFloor ?? 0.1;

  const [bx0, by0, bx1, by1] = validBox(width, height, valid);
  const w = Math.min(bx1 - bx0, maxSizePx);
  const h = Math.min(by1 - by0, maxSizePx);
  if (w < 8 || h < 8) {
    throw new Error(`estimateShift: the common area (${w}×${h} px) is too small to correlate`);
  }
  const area: Region = {
    x0: bx0 + Math.floor((bx1 - bx0 - w) / 2),
    y0: by0 + Math.floor((by1 - by0 - h) / 2),
    w,
    h,
  };
  const global = correlate(reference, moving, width, valid, area, area, {
    radiusPx: maxShiftPx,
    factor,
    sigma,
    whiteningFloor,
  });
  const fallback: ShiftEstimate = {
    ...global,
    tilesUsed: 0,
    tilesTried: 0,
    uncertaintyPx: [Number.NaN, Number.NaN],
  };
  if (tileSizePx <= 0 || tileSizePx > Math.min(w, h)) return fallback;

  // Tiles of the reference; the moving tile is offset by the integer part of
  // the whole-area shift, so each tile measures a residual under a pixel and
  // the common Hann window's pull towards zero shift stays negligible.
  const ix = Math.round(global.dxPx);
  const iy = Math.round(global.dyPx);
  const fits = (start: number, length: number, offset: number, lo: number, hi: number): boolean =>
    start + offset >= lo && start + offset + length <= hi;
  const positions = (lo: number, length: number, offset: number, hi: number): number[] => {
    const list: number[] = [];
    for (let start = lo; start + tileSizePx <= lo + length; start += tileSizePx / 2) {
      if (fits(start, tileSizePx, offset, lo, hi)) list.push(start);
    }
    return list;
  };
  let xs = positions(area.x0, area.w, ix, area.x0 + area.w);
  let ys = positions(area.y0, area.h, iy, area.y0 + area.h);
  // Too many tiles: keep an evenly spread subset along each axis.
  const keep = Math.sqrt(maxTiles / Math.max(1, xs.length * ys.length));
  if (keep < 1) {
    const thin = (list: number[]): number[] => {
      const n = Math.max(1, Math.floor(list.length * keep));
      return Array.from(
        { length: n },
        (_, k) => list[Math.floor(((k + 0.5) * list.length) / n)] ?? 0,
      );
    };
    xs = thin(xs);
    ys = thin(ys);
  }
  const votesX: number[] = [];
  const votesY: number[] = [];
  let tilesTried = 0;
  for (const ty of ys) {
    for (const tx of xs) {
      const refTile: Region = { x0: tx, y0: ty, w: tileSizePx, h: tileSizePx };
      const movTile: Region = { x0: tx + ix, y0: ty + iy, w: tileSizePx, h: tileSizePx };
      if (!allValid(valid, width, refTile) || !allValid(valid, width, movTile)) continue;
      tilesTried++;
      // Tiles carry no valid mask: every pixel of both is valid here.
      const tile = correlate(reference, moving, width, undefined, refTile, movTile, {
        radiusPx: 2,
        factor,
        sigma,
        whiteningFloor,
      });
      if (tile.peakRatio < minTilePeakRatio) continue;
      votesX.push(ix + tile.dxPx);
      votesY.push(iy + tile.dyPx);
    }
  }
  if (votesX.length < MIN_AGREEING_TILES)
    return { ...fallback, tilesUsed: votesX.length, tilesTried };
  const dxPx = median(votesX);
  const dyPx = median(votesY);
  const spread = (votes: number[], centre: number): number =>
    (1.4826 * median(votes.map((v) => Math.abs(v - centre)))) / Math.sqrt(votes.length);
  return {
    dxPx,
    dyPx,
    peakRatio: global.peakRatio,
    tilesUsed: votesX.length,
    tilesTried,
    uncertaintyPx: [spread(votesX, dxPx), spread(votesY, dyPx)],
  };
}
