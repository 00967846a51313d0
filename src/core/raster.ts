/**
 * Raster descriptions shared by every layer. Pure data: no DOM, no GPU, no Node.
 */

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
  readonly tiled: boolean;
  readonly overviewCount: number;
  readonly nodata: number | null;
  readonly geoTransform: GeoTransform | null;
  readonly epsg: number | null;
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
