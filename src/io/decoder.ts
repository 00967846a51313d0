/**
 * Opening rasters with geotiff.js and describing them as RasterInfo. Runs in
 * the io worker in the browser and directly in Node (CLI, tests).
 */
import { fromArrayBuffer, fromBlob, type GeoTIFF, type GeoTIFFImage } from 'geotiff';
import type {
  BandArray,
  GeoTransform,
  RasterInfo,
  RasterWindow,
  SampleFormat,
} from '../core/raster.ts';

export type RasterSource =
  | { readonly kind: 'url'; readonly url: string; readonly name?: string }
  | { readonly kind: 'blob'; readonly blob: Blob; readonly name: string }
  | { readonly kind: 'buffer'; readonly buffer: ArrayBuffer; readonly name: string };

export interface OpenRaster {
  readonly tiff: GeoTIFF;
  readonly image: GeoTIFFImage;
  readonly info: RasterInfo;
}

const COMPRESSION_NAMES: Record<number, string> = {
  1: 'none',
  2: 'ccitt-rle',
  3: 'ccitt-fax3',
  4: 'ccitt-fax4',
  5: 'lzw',
  6: 'ojpeg',
  7: 'jpeg',
  8: 'deflate',
  32773: 'packbits',
  32946: 'deflate',
  34676: 'sgilog',
  34887: 'lerc',
  50000: 'zstd',
  50001: 'webp',
};

const PHOTOMETRIC_NAMES: Record<number, string> = {
  0: 'miniswhite',
  1: 'minisblack',
  2: 'rgb',
  3: 'palette',
  4: 'mask',
  5: 'separated',
  6: 'ycbcr',
  8: 'cielab',
};

function sampleFormatOf(code: number): SampleFormat {
  return code === 2 ? 'int' : code === 3 ? 'float' : 'uint';
}

function nameOf(source: RasterSource): string {
  if (source.kind !== 'url') return source.name;
  return source.name ?? decodeURIComponent(source.url.split('/').pop() ?? source.url);
}

function numberTag(image: GeoTIFFImage, name: string): number | undefined {
  const value: unknown = image.fileDirectory.getValue(name as never);
  if (typeof value === 'number') return value;
  if (Array.isArray(value) && typeof value[0] === 'number') return value[0];
  return undefined;
}

function stringTag(image: GeoTIFFImage, name: string): string | undefined {
  const value: unknown = image.fileDirectory.getValue(name as never);
  return typeof value === 'string' ? value.replace(/\0+$/, '') : undefined;
}

function epsgOf(geoKeys: Record<string, unknown> | null): number | null {
  if (geoKeys === null) return null;
  for (const key of ['ProjectedCSTypeGeoKey', 'GeographicTypeGeoKey']) {
    const code = geoKeys[key];
    if (typeof code === 'number' && code > 0 && code !== 32767) return code;
  }
  return null;
}

function geoTransformOf(image: GeoTIFFImage): GeoTransform | null {
  try {
    const [originX = 0, originY = 0] = image.getOrigin();
    const [resX = 0, resY = 0] = image.getResolution();
    if (resX === 0 || resY === 0) return null;
    return {
      originX,
      pixelWidth: resX,
      rowRotation: 0,
      originY,
      columnRotation: 0,
      pixelHeight: resY,
    };
  } catch {
    return null; // no tie point / scale / transformation tags
  }
}

/** GSD in metres; for lon/lat grids, degrees are converted at the image's centre latitude. */
function gsdMOf(
  t: GeoTransform | null,
  geoKeys: Record<string, unknown> | null,
  height: number,
): number | null {
  if (t === null) return null;
  const isGeographic = geoKeys?.['GTModelTypeGeoKey'] === 2;
  const dx = Math.hypot(t.pixelWidth, t.columnRotation);
  const dy = Math.hypot(t.pixelHeight, t.rowRotation);
  if (!isGeographic) return (dx + dy) / 2;
  const centreLatRad = ((t.originY + (t.pixelHeight * height) / 2) * Math.PI) / 180;
  // Metres per degree on the WGS 84 ellipsoid, series to the first order in cos(2φ).
  const mPerDegLat = 111132.954 - 559.822 * Math.cos(2 * centreLatRad);
  const mPerDegLon = 111412.84 * Math.cos(centreLatRad);
  return (dx * mPerDegLon + dy * mPerDegLat) / 2;
}

/** TIFF DateTime "YYYY:MM:DD HH:MM:SS" → ISO 8601 without zone. */
function isoDateTime(value: string | undefined): string | null {
  const match = value?.match(/^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/);
  if (match === null || match === undefined) return null;
  const [, y, mo, d, h, mi, s] = match;
  return `${y}-${mo}-${d}T${h}:${mi}:${s}`;
}

export function describeImage(
  image: GeoTIFFImage,
  imageCount: number,
  name: string,
  sizeBytes: number,
): RasterInfo {
  const width = image.getWidth();
  const height = image.getHeight();
  const bitsPerSample = image.getBitsPerSample(0);
  const sampleFormat = sampleFormatOf(image.getSampleFormat(0));
  const compressionCode = numberTag(image, 'Compression') ?? 1;
  const photometricCode = numberTag(image, 'PhotometricInterpretation');
  const geoKeys = image.getGeoKeys() as Record<string, unknown> | null;
  const geoTransform = geoTransformOf(image);
  return {
    name,
    sizeBytes,
    width,
    height,
    bands: image.getSamplesPerPixel(),
    bitsPerSample,
    sampleFormat,
    dtype: `${sampleFormat}${bitsPerSample}`,
    compression: COMPRESSION_NAMES[compressionCode] ?? `tiff-${compressionCode}`,
    photometric:
      photometricCode === undefined
        ? 'unknown'
        : (PHOTOMETRIC_NAMES[photometricCode] ?? `tiff-${photometricCode}`),
    tiled: image.isTiled,
    overviewCount: Math.max(0, imageCount - 1),
    nodata: image.getGDALNoData(),
    geoTransform,
    epsg: epsgOf(geoKeys),
    gsdM: gsdMOf(geoTransform, geoKeys, height),
    acquired: isoDateTime(stringTag(image, 'DateTime')),
  };
}

export async function openRaster(source: RasterSource, signal?: AbortSignal): Promise<OpenRaster> {
  let tiff: GeoTIFF;
  let sizeBytes: number;
  if (source.kind === 'url') {
    const response = await fetch(source.url, signal === undefined ? {} : { signal });
    if (!response.ok) throw new Error(`Could not fetch ${source.url}: HTTP ${response.status}`);
    const buffer = await response.arrayBuffer();
    sizeBytes = buffer.byteLength;
    tiff = await fromArrayBuffer(buffer, signal);
  } else if (source.kind === 'blob') {
    sizeBytes = source.blob.size;
    tiff = await fromBlob(source.blob, signal);
  } else {
    sizeBytes = source.buffer.byteLength;
    tiff = await fromArrayBuffer(source.buffer, signal);
  }
  const image = await tiff.getImage(0);
  const imageCount = await tiff.getImageCount();
  return { tiff, image, info: describeImage(image, imageCount, nameOf(source), sizeBytes) };
}

export interface ReadOptions {
  /** [left, top, right, bottom] in full-resolution pixels; the whole image by default. */
  readonly window?: readonly [number, number, number, number];
  /** Output size; geotiff.js resamples (nearest) when it differs from the window. */
  readonly outWidth?: number;
  readonly outHeight?: number;
  readonly signal?: AbortSignal;
}

/** Reads a window as band-planar arrays; JPEG-compressed YCbCr is converted to RGB. */
export async function readWindow(
  raster: OpenRaster,
  options: ReadOptions = {},
): Promise<RasterWindow> {
  const { image, info } = raster;
  const window = options.window ?? [0, 0, info.width, info.height];
  const width = options.outWidth ?? window[2] - window[0];
  const height = options.outHeight ?? window[3] - window[1];
  const common = {
    window: [...window],
    width,
    height,
    interleave: false as const,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  const raw =
    info.photometric === 'ycbcr' ? await image.readRGB(common) : await image.readRasters(common);
  const bands = Array.from<BandArray>(raw as ArrayLike<BandArray>);
  return { width, height, bands };
}
