/**
 * Resampling a source band onto a target grid through a PixelMapping
 * (grid-mapping.ts): bilinear for image bands, nearest for masks. The CPU
 * reference; pixel positions are corner-origin (integer + 0.5 = centre).
 *
 * A target pixel is valid when its centre maps into the source extent
 * [0, width) × [0, height) — the same rule as overlap() — and, for bilinear,
 * no source pixel with a non-zero weight is nodata or NaN. In the outer half
 * pixel of the source, where a bilinear neighbour is missing, the edge pixel
 * is repeated.
 */
import type { BandArray } from '../raster.ts';
import type { PixelMapping } from './grid-mapping.ts';

export interface Resampled<T extends Float32Array | Uint8Array> {
  /** Target-grid values, row-major outWidth × outHeight; 0 where invalid. */
  readonly data: T;
  /** 1 where data holds a value, 0 outside the source or on nodata. */
  readonly valid: Uint8Array;
}

function checkSizes(length: number, srcWidth: number, srcHeight: number): void {
  if (length !== srcWidth * srcHeight) {
    throw new Error(`Band has ${length} samples, expected ${srcWidth}×${srcHeight}`);
  }
}

/**
 * Bilinear resampling of `band` (srcWidth × srcHeight) onto the target pixels
 * [originPx[0], originPx[0] + outWidth) × [originPx[1], originPx[1] + outHeight).
 * `nodata` (or NaN in float bands) marks invalid source pixels.
 */
export function resampleBilinear(
  band: BandArray,
  srcWidth: number,
  srcHeight: number,
  mapping: PixelMapping,
  outWidth: number,
  outHeight: number,
  nodata: number | null = null,
  originPx: readonly [number, number] = [0, 0],
): Resampled<Float32Array> {
  checkSizes(band.length, srcWidth, srcHeight);
  const data = new Float32Array(outWidth * outHeight);
  const valid = new Uint8Array(outWidth * outHeight);
  const srcCol = new Float64Array(outWidth);
  const srcRow = new Float64Array(outWidth);
  const [ox, oy] = originPx;
  const lastCol = srcWidth - 1;
  const lastRow = srcHeight - 1;
  const checkNodata = nodata !== null && !Number.isNaN(nodata);
  const nodataValue = nodata ?? 0;
  for (let y = 0; y < outHeight; y++) {
    mapping.mapRow(ox + 0.5, oy + y + 0.5, outWidth, srcCol, srcRow);
    const rowStart = y * outWidth;
    for (let x = 0; x < outWidth; x++) {
      const u = srcCol[x] ?? Number.NaN;
      const v = srcRow[x] ?? Number.NaN;
      // Written so that NaN positions fail too.
      if (!(u >= 0 && u < srcWidth && v >= 0 && v < srcHeight)) continue;
      // Centre-origin sample coordinates: source pixel i has its centre at i.
      const s = u - 0.5;
      const t = v - 0.5;
      const i = Math.floor(s);
      const j = Math.floor(t);
      const fx = s - i;
      const fy = t - j;
      const i0 = i < 0 ? 0 : i;
      const i1 = i + 1 > lastCol ? lastCol : i + 1;
      const j0 = j < 0 ? 0 : j;
      const j1 = j + 1 > lastRow ? lastRow : j + 1;
      const w00 = (1 - fx) * (1 - fy);
      const w10 = fx * (1 - fy);
      const w01 = (1 - fx) * fy;
      const w11 = fx * fy;
      const a = band[j0 * srcWidth + i0] ?? Number.NaN;
      const b = band[j0 * srcWidth + i1] ?? Number.NaN;
      const c = band[j1 * srcWidth + i0] ?? Number.NaN;
      const d = band[j1 * srcWidth + i1] ?? Number.NaN;
      // A source pixel with zero weight does not contribute, nodata or not.
      if (
        (w00 !== 0 && (Number.isNaN(a) || (checkNodata && a === nodataValue))) ||
        (w10 !== 0 && (Number.isNaN(b) || (checkNodata && b === nodataValue))) ||
        (w01 !== 0 && (Number.isNaN(c) || (checkNodata && c === nodataValue))) ||
        (w11 !== 0 && (Number.isNaN(d) || (checkNodata && d === nodataValue)))
      ) {
        continue;
      }
      let value = 0;
      if (w00 !== 0) value += w00 * a;
      if (w10 !== 0) value += w10 * b;
      if (w01 !== 0) value += w01 * c;
      if (w11 !== 0) value += w11 * d;
      data[rowStart + x] = value;
      valid[rowStart + x] = 1;
    }
  }
  return { data, valid };
}

/**
 * Nearest-neighbour resampling of a mask (or class map) onto the same target
 * window as resampleBilinear: the source pixel containing the mapped centre.
 */
export function resampleNearest(
  mask: Uint8Array,
  srcWidth: number,
  srcHeight: number,
  mapping: PixelMapping,
  outWidth: number,
  outHeight: number,
  originPx: readonly [number, number] = [0, 0],
): Resampled<Uint8Array> {
  checkSizes(mask.length, srcWidth, srcHeight);
  const data = new Uint8Array(outWidth * outHeight);
  const valid = new Uint8Array(outWidth * outHeight);
  const srcCol = new Float64Array(outWidth);
  const srcRow = new Float64Array(outWidth);
  const [ox, oy] = originPx;
  for (let y = 0; y < outHeight; y++) {
    mapping.mapRow(ox + 0.5, oy + y + 0.5, outWidth, srcCol, srcRow);
    const rowStart = y * outWidth;
    for (let x = 0; x < outWidth; x++) {
      const u = srcCol[x] ?? Number.NaN;
      const v = srcRow[x] ?? Number.NaN;
      if (!(u >= 0 && u < srcWidth && v >= 0 && v < srcHeight)) continue;
      data[rowStart + x] = mask[Math.floor(v) * srcWidth + Math.floor(u)] ?? 0;
      valid[rowStart + x] = 1;
    }
  }
  return { data, valid };
}
