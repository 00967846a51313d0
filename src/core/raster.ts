/**
 * Raster descriptions shared by every layer. Pure data: no DOM, no GPU, no Node.
 */
import type { Crs } from './crs.ts';

/** GDAL-order affine geotransform: x = originX + col·pixelWidth + row·rowRotation, etc. */
export interface GeoTransform {
  readonly originX: number;
  readonly pixelWidth: number;
  readonly rowRotation: number;
  readonly originY: number;
  readonly columnRotation: number;
  /** Negative for north-up images. */
  readonly pixelHeight: number;
}

export type SampleFormat = 'uint' | 'int' | 'float';

/** Typed array kinds a decoded band can arrive in; 16-bit stays 16-bit. */
export type BandArray =
  Uint8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

export interface OverviewSize {
  readonly width: number;
  readonly height: number;
}

/**
 * How invalid pixels are marked: not at all, an alpha band, a TIFF mask
 * (internal IFD or external .msk), or a nodata value.
 */
export type MaskKind = 'none' | 'alpha' | 'internal-mask' | 'external-mask' | 'nodata';

/** What the io layer tells about a raster before any pixel is read. */
export interface RasterInfo {
  readonly name: string;
  readonly sizeBytes: number;
  readonly width: number;
  readonly height: number;
  readonly bands: number;
  readonly bitsPerSample: number;
  readonly sampleFormat: SampleFormat;
  /** e.g. `uint8`, `uint16`, `float32`. */
  readonly dtype: string;
  /** e.g. `none`, `lzw`, `deflate`, `jpeg`. */
  readonly compression: string;
  /** TIFF PhotometricInterpretation as a word: `rgb`, `ycbcr`, `minisblack`, `palette`, ... */
  readonly photometric: string;
  /**
   * The bands the file declares red, green and blue (GDAL_METADATA colour
   * interpretation, e.g. Planet's blue-green-red), when it declares all three;
   * null otherwise, and then the first three bands are taken as R, G, B.
   */
  readonly rgbBands: readonly [number, number, number] | null;
  /** `pixel` (RGBRGB…) or `band` (planar). */
  readonly interleave: 'pixel' | 'band';
  readonly tiled: boolean;
  /** Tile size, or null for stripped files. */
  readonly tileWidth: number | null;
  readonly tileHeight: number | null;
  readonly bigTiff: boolean;
  readonly littleEndian: boolean;
  /** Reduced-resolution images, largest first (internal IFDs or an external .ovr). */
  readonly overviews: readonly OverviewSize[];
  readonly nodata: number | null;
  readonly mask: MaskKind;
  /** `geotransform`: affine from tie point + scale or ModelTransformation; `gcps`: control points only. */
  readonly georeference: 'geotransform' | 'gcps' | 'none';
  readonly geoTransform: GeoTransform | null;
  readonly crs: Crs | null;
  /** Ground sample distance in metres (mean of x and y), null without georeference. */
  readonly gsdM: number | null;
  /** ISO 8601 date-time from the TIFF DateTime tag, when present. */
  readonly acquired: string | null;
}

/** A window of decoded pixels, band-planar: band b of pixel i at `bands[b][i]`. */
export interface RasterWindow {
  readonly width: number;
  readonly height: number;
  readonly bands: readonly BandArray[];
}

/** 8-bit RGBA pixels for display, row-major, 4 bytes per pixel. */
export interface Rgba8Image {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8ClampedArray;
}

/** Pixel (col,row) corner → map coordinates. */
export function pixelToMap(t: GeoTransform, col: number, row: number): [number, number] {
  return [
    t.originX + col * t.pixelWidth + row * t.rowRotation,
    t.originY + col * t.columnRotation + row * t.pixelHeight,
  ];
}

/** Map coordinates → fractional pixel (col,row); throws on a singular transform. */
export function mapToPixel(t: GeoTransform, x: number, y: number): [number, number] {
  const det = t.pixelWidth * t.pixelHeight - t.rowRotation * t.columnRotation;
  if (det === 0) throw new Error('Geotransform is singular (zero pixel size)');
  const dx = x - t.originX;
  const dy = y - t.originY;
  return [
    (dx * t.pixelHeight - dy * t.rowRotation) / det,
    (dy * t.pixelWidth - dx * t.columnRotation) / det,
  ];
}

/**
 * The band index that reads an image's TIFF mask (internal, or a .msk
 * sidecar) as one more band: 0 where the image holds no data.
 */
export const MASK_BAND = -1;

/**
 * The band that says where an image holds data (0: no data), or null: its
 * alpha band, or MASK_BAND for a TIFF mask.
 */
export function maskBandOf(info: Pick<RasterInfo, 'mask' | 'bands'>): number | null {
  if (info.mask === 'internal-mask' || info.mask === 'external-mask') return MASK_BAND;
  return info.mask === 'alpha' && info.bands >= 2 ? info.bands - 1 : null;
}

/**
 * 1 where a pixel holds data: no band is NaN or equal to `nodata` (the rule
 * resampleBilinear applies to its sources), and `alpha` (an alpha band or a
 * mask), when given, is not 0.
 */
export function dataMaskOf(
  bands: readonly ArrayLike<number>[],
  nodata: number | null,
  alpha?: ArrayLike<number>,
): Uint8Array {
  const n = bands[0]?.length ?? alpha?.length ?? 0;
  const valid = new Uint8Array(n).fill(1);
  const checkNodata = nodata !== null && !Number.isNaN(nodata);
  for (const band of bands) {
    for (let i = 0; i < n; i++) {
      const v = band[i] ?? Number.NaN;
      if (Number.isNaN(v) || (checkNodata && v === nodata)) valid[i] = 0;
    }
  }
  if (alpha !== undefined) for (let i = 0; i < n; i++) if (alpha[i] === 0) valid[i] = 0;
  return valid;
}
