/**
 * Opening rasters with geotiff.js and describing them as RasterInfo. Runs in
 * the io worker in the browser and directly in Node (CLI, tests).
 */
import { fromArrayBuffer, fromUrl, GeoTIFF, MultiGeoTIFF, type GeoTIFFImage } from 'geotiff';
import { decodePixelImage, sniffPixelFormat } from './pixel-image.ts';
import { readTagsEagerly } from './geotiff-fixes.ts';
import { registerSafeDecoders } from './safe-decoders.ts';
import {
  assertReadableSource,
  bodyUpTo,
  explainDecodeError,
  TiffRefusal,
} from './tiff-preflight.ts';
import { crsFromEpsg, type Crs } from '../core/crs.ts';
import { groundPixelAt } from '../core/view-geo.ts';
import type {
  BandArray,
  GeoTransform,
  OverviewSize,
  RasterInfo,
  RasterWindow,
  SampleFormat,
} from '../core/raster.ts';
import { MASK_BAND } from '../core/raster.ts';

/** Sidecar files dropped with a TIFF: GDAL's external overviews (.ovr) and mask (.msk). */
export interface Sidecars {
  readonly overviews?: Blob;
  readonly mask?: Blob;
}

export type RasterSource =
  /**
   * Read through HTTP range requests (cloud-optimized GeoTIFFs read only what
   * they need). Its sidecars, as GDAL looks for them: `overviewUrl` and
   * `maskUrl` when given, none when null, and when left out the URL's path
   * with `.ovr` and `.msk` appended, if the server has a TIFF there.
   */
  | {
      readonly kind: 'url';
      readonly url: string;
      readonly name?: string;
      readonly overviewUrl?: string | null;
      readonly maskUrl?: string | null;
    }
  | {
      readonly kind: 'blob';
      readonly blob: Blob;
      readonly name: string;
      readonly sidecars?: Sidecars;
    }
  | { readonly kind: 'buffer'; readonly buffer: ArrayBuffer; readonly name: string };

/** An open TIFF: pixels are read on demand, window by window. */
export interface TiffRaster {
  readonly tiff: GeoTIFF | MultiGeoTIFF;
  readonly image: GeoTIFFImage;
  readonly info: RasterInfo;
  /** GDAL's .msk sidecar, when one came with the file. */
  readonly maskTiff?: GeoTIFF;
}

/** A PNG or JPEG: decoded whole on open (they carry no tiles or overviews). */
export interface PixelRaster {
  readonly pixels: RasterWindow;
  readonly info: RasterInfo;
}

export type OpenRaster = TiffRaster | PixelRaster;

function isPixelRaster(raster: OpenRaster): raster is PixelRaster {
  return 'pixels' in raster;
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

/** A string tag; loaded (not just peeked) since deferred tags throw on getValue. */
async function stringTag(image: GeoTIFFImage, name: string): Promise<string | undefined> {
  if (!image.fileDirectory.hasTag(name as never)) return undefined;
  const value: unknown = await image.fileDirectory.loadValue(name as never);
  return typeof value === 'string' ? value.replace(/\0+$/, '') : undefined;
}

function epsgOf(geoKeys: Record<string, unknown> | null): number | null {
  if (geoKeys === null) return null;
  const code = (key: string): number | null => {
    const value = geoKeys[key];
    return typeof value === 'number' && value > 0 && value !== 32767 ? value : null;
  };
  // A user-defined projection (GDAL: ProjectedCSTypeGeoKey 32767) still names
  // its geographic base, which is not the CRS of the grid's metres.
  if (geoKeys['GTModelTypeGeoKey'] === 1) return code('ProjectedCSTypeGeoKey');
  return code('ProjectedCSTypeGeoKey') ?? code('GeographicTypeGeoKey');
}

function crsOf(geoKeys: Record<string, unknown> | null): Crs | null {
  if (geoKeys === null) return null;
  const epsg = epsgOf(geoKeys);
  if (epsg !== null) return crsFromEpsg(epsg);
  const citation = geoKeys['GTCitationGeoKey'] ?? geoKeys['GeogCitationGeoKey'];
  const modelType = geoKeys['GTModelTypeGeoKey'];
  if (modelType === undefined && citation === undefined) return null;
  return {
    epsg: null,
    proj4: null,
    geographic: modelType === 2,
    name: typeof citation === 'string' ? citation : 'user-defined',
  };
}

async function numbersTag(image: GeoTIFFImage, name: string): Promise<number[] | undefined> {
  if (!image.fileDirectory.hasTag(name as never)) return undefined;
  const value: unknown = await image.fileDirectory.loadValue(name as never);
  if (value === undefined || value === null) return undefined;
  return Array.from(value as ArrayLike<number>, Number);
}

/**
 * The affine geotransform from ModelTransformation, or from one tie point and
 * ModelPixelScale (GeoTIFF 1.1 §7); PixelIsPoint rasters are shifted half a
 * pixel as GDAL does. Several tie points without a scale are GCPs: no transform.
 */
async function georeferenceOf(
  image: GeoTIFFImage,
  geoKeys: Record<string, unknown> | null,
): Promise<{ kind: RasterInfo['georeference']; transform: GeoTransform | null }> {
  const matrix = await numbersTag(image, 'ModelTransformation');
  const tiepoints = await numbersTag(image, 'ModelTiepoint');
  const scale = await numbersTag(image, 'ModelPixelScale');
  let transform: GeoTransform | null = null;
  if (matrix !== undefined && matrix.length >= 16) {
    const [a = 0, b = 0, , d = 0, e = 0, f = 0, , h = 0] = matrix;
    transform = {
      originX: d,
      pixelWidth: a,
      rowRotation: b,
      originY: h,
      columnRotation: e,
      pixelHeight: f,
    };
  } else if (
    tiepoints !== undefined &&
    tiepoints.length >= 6 &&
    scale !== undefined &&
    scale.length >= 2
  ) {
    const [i = 0, j = 0, , x = 0, y = 0] = tiepoints;
    const [sx = 0, sy = 0] = scale;
    transform = {
      originX: x - i * sx,
      pixelWidth: sx,
      rowRotation: 0,
      originY: y + j * sy,
      columnRotation: 0,
      pixelHeight: -sy,
    };
  } else if (tiepoints !== undefined && tiepoints.length >= 12) {
    return { kind: 'gcps', transform: null };
  }
  if (transform === null || transform.pixelWidth === 0 || transform.pixelHeight === 0) {
    return { kind: 'none', transform: null };
  }
  if (geoKeys?.['GTRasterTypeGeoKey'] === 2) {
    const t = transform;
    transform = {
      ...t,
      originX: t.originX - 0.5 * (t.pixelWidth + t.rowRotation),
      originY: t.originY - 0.5 * (t.columnRotation + t.pixelHeight),
    };
  }
  return { kind: 'geotransform', transform };
}

/** Metres per CRS unit for projected systems: metres, or feet per GeoKeys. */
function linearUnitM(geoKeys: Record<string, unknown> | null): number {
  const unit = geoKeys?.['ProjLinearUnitsGeoKey'];
  if (unit === 9002) return 0.3048;
  if (unit === 9003) return 1200 / 3937;
  return 1;
}

/**
 * GSD in metres on the ground at the image's centre (mean of the pixel's two
 * sides): through proj4 where the CRS is known (degrees, Web Mercator's
 * metres), else map units times the GeoKeys' linear unit.
 */
function gsdMOf(
  t: GeoTransform | null,
  crs: Crs | null,
  geoKeys: Record<string, unknown> | null,
  width: number,
  height: number,
): number | null {
  if (t === null) return null;
  if (crs?.proj4 != null) {
    const ground = groundPixelAt({ geoTransform: t, proj4: crs.proj4 }, width / 2, height / 2);
    if (ground !== null) return (ground.widthM + ground.heightM) / 2;
  }
  if (crs?.geographic === true) return null;
  const dx = Math.hypot(t.pixelWidth, t.columnRotation);
  const dy = Math.hypot(t.pixelHeight, t.rowRotation);
  return ((dx + dy) / 2) * linearUnitM(geoKeys);
}

/**
 * The GDAL_NODATA tag's value as the samples hold it, so that `sample ===
 * nodata` finds it: GDAL writes the text of a double ("-3.39999999999999996e+38"
 * for float32's lowest), which a float32 sample equals only after rounding to
 * float32; integer samples take the nearest integer, and a value outside the
 * sample type's range marks nothing (null). "nan", "inf" and "-inf" are read
 * as GDAL writes them, in any case. The text is parsed here rather than by
 * geotiff.js's getGDALNoData, which drops the last character whether or not
 * it is the closing NUL ("-9999" written without one became -999).
 */
export function nodataOfTag(
  text: string | undefined,
  sampleFormat: SampleFormat,
  bitsPerSample: number,
): number | null {
  const trimmed = text?.trim().toLowerCase();
  if (trimmed === undefined || trimmed === '') return null;
  const named: Record<string, number> = {
    nan: Number.NaN,
    inf: Infinity,
    '+inf': Infinity,
    '-inf': -Infinity,
  };
  const value = named[trimmed] ?? Number(trimmed);
  if (Number.isNaN(value)) return trimmed === 'nan' ? Number.NaN : null;
  if (sampleFormat === 'float') return bitsPerSample === 32 ? Math.fround(value) : value;
  const rounded = Math.round(value);
  const [lowest, highest] =
    sampleFormat === 'int'
      ? [-(2 ** (bitsPerSample - 1)), 2 ** (bitsPerSample - 1) - 1]
      : [0, 2 ** bitsPerSample - 1];
  return rounded >= lowest && rounded <= highest ? rounded : null;
}

/**
 * The bands GDAL_METADATA declares red, green and blue (items with
 * role="colorinterp", one per sample), when it declares all three; GDAL writes
 * them where the order is not the photometric one (Planet's and many
 * multispectral products' blue-green-red, WorldView's eight bands).
 */
export function declaredRgbBands(
  metadata: string | undefined,
): readonly [number, number, number] | null {
  if (metadata === undefined) return null;
  const bandOf = new Map<string, number>();
  for (const [, attributes = '', text = ''] of metadata.matchAll(
    /<Item\b([^>]*)>([^<]*)<\/Item>/g,
  )) {
    const attribute = (name: string): string | undefined =>
      new RegExp(`\\b${name}="([^"]*)"`).exec(attributes)?.[1];
    const sample = Number(attribute('sample'));
    if (attribute('role') !== 'colorinterp' || !Number.isInteger(sample) || sample < 0) continue;
    const colour = text.trim().toLowerCase();
    if (!bandOf.has(colour)) bandOf.set(colour, sample);
  }
  const [red, green, blue] = ['red', 'green', 'blue'].map((colour) => bandOf.get(colour));
  return red === undefined || green === undefined || blue === undefined ? null : [red, green, blue];
}

/** TIFF DateTime "YYYY:MM:DD HH:MM:SS" → ISO 8601 without zone. */
function isoDateTime(value: string | undefined): string | null {
  const match = value?.match(/^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/);
  if (match === null || match === undefined) return null;
  const [, y, mo, d, h, mi, s] = match;
  return `${y}-${mo}-${d}T${h}:${mi}:${s}`;
}

function mainFile(tiff: GeoTIFF | MultiGeoTIFF): GeoTIFF {
  return tiff instanceof MultiGeoTIFF ? tiff.mainFile : tiff;
}

/** The file itself and its .ovr, if any. */
function tiffFiles(tiff: GeoTIFF | MultiGeoTIFF): GeoTIFF[] {
  return tiff instanceof MultiGeoTIFF ? [tiff.mainFile, ...tiff.overviewFiles] : [tiff];
}

/** NewSubfileType bits (TIFF 6.0): 1 reduced resolution, 4 transparency mask. */
function subfileType(image: GeoTIFFImage): number {
  return numberTag(image, 'NewSubfileType') ?? 0;
}

/**
 * Whether image `index` of `tiff` (counted over the file and its .ovr) is an
 * overview of image 0: smaller and not a mask, and, inside the file itself,
 * marked reduced-resolution, since a smaller page without the mark is another
 * picture (a multi-page TIFF); GDAL's .ovr files do not always set the mark.
 */
async function isOverview(
  tiff: GeoTIFF | MultiGeoTIFF,
  index: number,
  image: GeoTIFFImage,
  main: GeoTIFFImage,
): Promise<boolean> {
  const type = subfileType(image);
  if ((type & 4) !== 0 || image.getWidth() >= main.getWidth()) return false;
  return (type & 1) !== 0 || index >= (await mainFile(tiff).getImageCount());
}

export async function describeRaster(
  tiff: GeoTIFF | MultiGeoTIFF,
  name: string,
  sizeBytes: number,
): Promise<RasterInfo> {
  const image = await tiff.getImage(0);
  const imageCount = await tiff.getImageCount();
  const overviews: OverviewSize[] = [];
  let internalMask = false;
  for (let i = 1; i < imageCount; i++) {
    const other = await tiff.getImage(i);
    if ((subfileType(other) & 4) !== 0) internalMask = true;
    else if (await isOverview(tiff, i, other, image)) {
      overviews.push({ width: other.getWidth(), height: other.getHeight() });
    }
  }
  const width = image.getWidth();
  const height = image.getHeight();
  const bitsPerSample = image.getBitsPerSample(0);
  const sampleFormat = sampleFormatOf(image.getSampleFormat(0));
  const compressionCode = numberTag(image, 'Compression') ?? 1;
  const photometricCode = numberTag(image, 'PhotometricInterpretation');
  const geoKeys = image.getGeoKeys() as Record<string, unknown> | null;
  const crs = crsOf(geoKeys);
  const { kind, transform } = await georeferenceOf(image, geoKeys);
  const extraSamples = await numbersTag(image, 'ExtraSamples');
  const storedNodata = nodataOfTag(
    await stringTag(image, 'GDAL_NODATA'),
    sampleFormat,
    bitsPerSample,
  );
  // MinIsWhite samples are read turned round (readWindow), their nodata value with them.
  const nodata =
    photometricCode === 0 && sampleFormat === 'uint' && storedNodata !== null
      ? 2 ** bitsPerSample - 1 - storedNodata
      : storedNodata;
  // An alpha sample is used as the mask only as the last band (maskBandOf): one
  // before other extra samples (RGB + alpha + NIR) is left unread, not misread.
  const hasAlpha = extraSamples?.at(-1) === 1 || extraSamples?.at(-1) === 2;
  const declared = declaredRgbBands(await stringTag(image, 'GDAL_METADATA'));
  const rgbBands =
    declared?.every((b) => b < image.getSamplesPerPixel()) === true ? declared : null;
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
    rgbBands,
    interleave: numberTag(image, 'PlanarConfiguration') === 2 ? 'band' : 'pixel',
    tiled: image.isTiled,
    tileWidth: image.isTiled ? image.getTileWidth() : null,
    tileHeight: image.isTiled ? image.getTileHeight() : null,
    bigTiff: mainFile(tiff).bigTiff,
    littleEndian: mainFile(tiff).littleEndian,
    overviews,
    nodata,
    // As GDAL: an internal mask first, then alpha. A declared alpha next to a
    // nodata value is a data band (NAIP declares its near-infrared band as
    // alpha): NIR is never taken for a mask.
    mask: internalMask
      ? 'internal-mask'
      : hasAlpha && nodata === null
        ? 'alpha'
        : nodata !== null
          ? 'nodata'
          : 'none',
    georeference: kind,
    geoTransform: transform,
    crs,
    gsdM: gsdMOf(transform, crs, geoKeys, width, height),
    acquired: isoDateTime(await stringTag(image, 'DateTime')),
  };
}

/**
 * A geotiff.js source over a Blob/File via `blob.slice().arrayBuffer()`, which
 * browsers and Node both have (geotiff.js's own uses FileReader, browser-only).
 * Only the slices asked for are read: a 2 GB file costs its header up front.
 */
function blobSource(blob: Blob): Parameters<typeof GeoTIFF.fromSource>[0] {
  const readSlice = async (offset: number, length: number): Promise<ArrayBuffer> =>
    blob.slice(offset, Math.min(blob.size, offset + length)).arrayBuffer();
  // geotiff.js does not export BaseSource; it only calls fetch, fetchSlice, fileSize and close.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
  return {
    fetch: (slices: { offset: number; length: number }[]) =>
      Promise.all(slices.map((slice) => readSlice(slice.offset, slice.length))),
    fetchSlice: async (slice: { offset: number; length: number }) => ({
      ...slice,
      data: await readSlice(slice.offset, slice.length),
    }),
    get fileSize() {
      return blob.size;
    },
    close: () => Promise.resolve(),
  };
}

/**
 * A TIFF by URL: range requests, so only the header, IFDs and the tiles a read
 * needs cross the network; or, where the preflight found the server ignoring
 * ranges and kept the whole file (`wholeFiles`), that file. geotiff.js took
 * such a server's whole-file answer for the range it asked and read garbage
 * ("Invalid field type: 0").
 */
async function openUrlTiff(
  url: string,
  wholeFiles: ReadonlyMap<string, Uint8Array>,
  signal?: AbortSignal,
): Promise<{ tiff: GeoTIFF; sizeBytes: number }> {
  const whole = wholeFiles.get(url);
  if (whole !== undefined) {
    // wholeFileOf's array spans its own buffer.
    return {
      tiff: await fromArrayBuffer(whole.buffer as ArrayBuffer, signal),
      sizeBytes: whole.byteLength,
    };
  }
  const tiff = await fromUrl(url, { allowFullFile: true }, signal);
  return { tiff, sizeBytes: (tiff.source as { fileSize?: number | null }).fileSize ?? 0 };
}

/** Opens the TIFF itself (and its .ovr and .msk sidecars, if any) without reading pixels. */
async function openTiff(
  source: RasterSource,
  wholeFiles: ReadonlyMap<string, Uint8Array>,
  signal?: AbortSignal,
): Promise<{ tiff: GeoTIFF | MultiGeoTIFF; sizeBytes: number; maskTiff?: GeoTIFF }> {
  if (source.kind === 'url') {
    const open = (url: string) => openUrlTiff(url, wholeFiles, signal);
    const { tiff: main, sizeBytes } = await open(source.url);
    const { overviewUrl, maskUrl } = source;
    const tiff =
      overviewUrl == null ? main : new MultiGeoTIFF(main, [(await open(overviewUrl)).tiff]);
    return {
      tiff,
      sizeBytes,
      ...(maskUrl == null ? {} : { maskTiff: (await open(maskUrl)).tiff }),
    };
  }
  if (source.kind === 'blob') {
    const main = await GeoTIFF.fromSource(blobSource(source.blob), undefined, signal);
    const ovr = source.sidecars?.overviews;
    const msk = source.sidecars?.mask;
    const tiff =
      ovr === undefined
        ? main
        : new MultiGeoTIFF(main, [await GeoTIFF.fromSource(blobSource(ovr), undefined, signal)]);
    return {
      tiff,
      sizeBytes: source.blob.size,
      ...(msk === undefined
        ? {}
        : { maskTiff: await GeoTIFF.fromSource(blobSource(msk), undefined, signal) }),
    };
  }
  return {
    tiff: await fromArrayBuffer(source.buffer, signal),
    sizeBytes: source.buffer.byteLength,
  };
}

/** The first bytes of a source, to tell PNG and JPEG from TIFF. */
async function head(source: RasterSource): Promise<Uint8Array> {
  if (source.kind === 'buffer')
    return new Uint8Array(source.buffer, 0, Math.min(8, source.buffer.byteLength));
  if (source.kind === 'blob') return new Uint8Array(await source.blob.slice(0, 8).arrayBuffer());
  return new Uint8Array(0); // URLs are read as TIFF: range requests need it.
}

async function openPixelImage(source: RasterSource): Promise<PixelRaster> {
  const bytes =
    source.kind === 'buffer'
      ? new Uint8Array(source.buffer)
      : source.kind === 'blob'
        ? new Uint8Array(await source.blob.arrayBuffer())
        : new Uint8Array(0);
  const { info, window } = decodePixelImage(bytes, nameOf(source));
  return { pixels: window, info };
}

type UrlSource = Extract<RasterSource, { kind: 'url' }>;

/**
 * `url` with `suffix` appended to its path (a query, such as a signed URL's,
 * stays at the end), when the server answers there with a TIFF; else null.
 * Only the first bytes are asked for. A server that answers every path with
 * its web page (a single-page app's fallback) has no sidecar there.
 */
export async function sidecarUrl(
  url: string,
  suffix: '.ovr' | '.msk',
  signal?: AbortSignal,
): Promise<string | null> {
  let candidate: URL;
  try {
    // Relative URLs resolve as fetch resolves them (the page's or the worker's location).
    candidate = new URL(url, (globalThis as { location?: { href: string } }).location?.href);
  } catch {
    return null;
  }
  // blob: and data: URLs have no path beside them (appending would name the image itself).
  if (candidate.protocol !== 'http:' && candidate.protocol !== 'https:') return null;
  candidate.pathname += suffix;
  try {
    const response = await fetch(candidate.href, {
      headers: { Range: 'bytes=0-3' },
      ...(signal === undefined ? {} : { signal }),
    });
    // Overviews only save reading: from a server without ranges (200) they would cost
    // the whole .ovr. A mask is needed whatever it costs.
    const usable = response.status === 206 || (response.ok && suffix === '.msk');
    if (!usable) {
      await response.body?.cancel();
      return null;
    }
    return isTiffMagic((await bodyUpTo(response, 4)).bytes) ? candidate.href : null;
  } catch (error) {
    if (signal?.aborted === true) throw error;
    return null; // Unreachable or refused (CORS): no sidecar, as GDAL when the probe fails.
  }
}

/** II*\0, MM\0*, or BigTIFF's II+\0 and MM\0+. */
function isTiffMagic(bytes: Uint8Array): boolean {
  const [a, b, c, d] = bytes;
  if (a === 0x49 && b === 0x49) return (c === 42 || c === 43) && d === 0;
  if (a === 0x4d && b === 0x4d) return c === 0 && (d === 42 || d === 43);
  return false;
}

/**
 * The source with its sidecars settled: a URL source's given sidecar URLs
 * kept, missing ones probed (sidecarUrl); other sources as they are. A source
 * reopened later (a worker replaced, a read retried) should be the settled
 * one, so that it reads the same files without asking the server again.
 */
export async function settleSidecars(
  source: RasterSource,
  signal?: AbortSignal,
): Promise<RasterSource> {
  return source.kind === 'url' ? withUrlSidecars(source, signal) : source;
}

async function withUrlSidecars(source: UrlSource, signal?: AbortSignal): Promise<UrlSource> {
  const [overviewUrl, maskUrl] = await Promise.all([
    source.overviewUrl !== undefined ? source.overviewUrl : sidecarUrl(source.url, '.ovr', signal),
    source.maskUrl !== undefined ? source.maskUrl : sidecarUrl(source.url, '.msk', signal),
  ]);
  return { ...source, overviewUrl, maskUrl };
}

/** A .msk covers its image pixel for pixel (its first image); any other size is refused at open, not at a read. */
async function assertMaskFits(maskTiff: GeoTIFF, image: GeoTIFFImage): Promise<void> {
  const mask = await maskTiff.getImage(0);
  const [w, h] = [mask.getWidth(), mask.getHeight()];
  if (w === image.getWidth() && h === image.getHeight()) return;
  throw new TiffRefusal(
    'unsupported-layout',
    `its mask (.msk) beside it is ${w} × ${h} px, the image ${image.getWidth()} × ${image.getHeight()} px; remove or replace that file`,
  );
}

/**
 * Opens a raster. TIFFs are preflighted first (header, directories, block
 * arrays vs. file size, compression, declared size): a refused file throws a
 * TiffRefusal with a specific message before geotiff.js allocates anything,
 * and geotiff.js errors are rethrown in the same words (explainDecodeError).
 */
export async function openRaster(given: RasterSource, signal?: AbortSignal): Promise<OpenRaster> {
  if (sniffPixelFormat(await head(given)) !== null) return openPixelImage(given);
  registerSafeDecoders();
  const source = await settleSidecars(given, signal);
  const wholeFiles = await assertReadableSource(source, signal);
  try {
    const { tiff, sizeBytes, maskTiff } = await openTiff(source, wholeFiles, signal);
    const files = tiffFiles(tiff);
    readTagsEagerly(maskTiff === undefined ? files : [...files, maskTiff], source.kind === 'url');
    const image = await tiff.getImage(0);
    if (maskTiff !== undefined) await assertMaskFits(maskTiff, image);
    const info = await describeRaster(tiff, nameOf(source), sizeBytes);
    // As GDAL: an internal mask wins over a .msk, a .msk over an alpha band.
    if (maskTiff === undefined || info.mask === 'internal-mask') return { tiff, image, info };
    return { tiff, image, info: { ...info, mask: 'external-mask' }, maskTiff };
  } catch (error) {
    throw explainDecodeError(error);
  }
}

export interface ReadOptions {
  /** [left, top, right, bottom] in full-resolution pixels; the whole image by default. */
  readonly window?: readonly [number, number, number, number];
  /**
   * 0 reads the full-resolution image, k reads overview k (info.overviews[k − 1]);
   * the window stays in full-resolution pixels and is scaled to the level.
   */
  readonly level?: number;
  /** Output size; geotiff.js resamples (nearest) when it differs from the window at that level. */
  readonly outWidth?: number;
  readonly outHeight?: number;
  /** Zero-based bands to read; all by default. */
  readonly bands?: readonly number[];
  /** The window in the level's own pixels; overrides `window` (used to read in exact strips). */
  readonly levelWindow?: readonly [number, number, number, number];
  /** Checked before the read and between strips (never handed to geotiff.js, see readWindow). */
  readonly signal?: AbortSignal;
  /**
   * For display reads: at a reduced level whose nearest mask image is over
   * twice its size per axis (a .msk without overviews, as gdaladdo leaves
   * it), MASK_BAND reads as all data instead of decoding that mask.
   */
  readonly skipCostlyMask?: boolean;
}

/** The GeoTIFFImage of a level: 0 full resolution, k the k-th reduced-resolution IFD. */
async function imageAtLevel(raster: TiffRaster, level: number): Promise<GeoTIFFImage> {
  if (level === 0) return raster.image;
  const wanted = raster.info.overviews[level - 1];
  if (wanted === undefined) {
    throw new Error(
      `${raster.info.name} has no overview level ${level} (it has ${raster.info.overviews.length})`,
    );
  }
  const count = await raster.tiff.getImageCount();
  for (let i = 1; i < count; i++) {
    const image = await raster.tiff.getImage(i);
    if (
      image.getWidth() === wanted.width &&
      image.getHeight() === wanted.height &&
      (await isOverview(raster.tiff, i, image, raster.image))
    ) {
      return image;
    }
  }
  throw new Error(`${raster.info.name}: overview ${wanted.width}×${wanted.height} not found`);
}

/**
 * The coarsest level whose size still has at least `minWidth` × `minHeight`
 * pixels over the whole image (0 when no overview is that large).
 */
export function levelFor(info: RasterInfo, minWidth: number, minHeight: number): number {
  let level = 0;
  info.overviews.forEach((overview, index) => {
    if (overview.width >= minWidth && overview.height >= minHeight) level = index + 1;
  });
  return level;
}

/**
 * Window [x0, y0, x1, y1) of a band (`stride` pixels a row) scaled to
 * width × height by the nearest pixel to each output pixel's centre: output
 * x takes column x0 + ⌊(x + ½)·(x1 − x0)/width⌋. Centred, unlike geotiff.js's
 * own resampling (⌊x·rel⌉, up to half an output pixel up and left), so what
 * is read lies where the grid of the output says (the display's before image
 * against its aligned after, and the shift estimated between them).
 */
export function nearestCentred(
  source: BandArray,
  stride: number,
  rows: number,
  [x0, y0, x1, y1]: readonly [number, number, number, number],
  width: number,
  height: number,
): BandArray {
  const Ctor = source.constructor as new (length: number) => BandArray;
  const out = new Ctor(width * height);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(rows - 1, y0 + Math.floor(((y + 0.5) * (y1 - y0)) / height));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(stride - 1, x0 + Math.floor(((x + 0.5) * (x1 - x0)) / width));
      out[y * width + x] = source[sy * stride + sx] ?? 0;
    }
  }
  return out;
}

/** A whole band of inWidth × inHeight at width × height (nearestCentred; itself when the sizes agree). */
function scaledTo(
  band: BandArray,
  inWidth: number,
  inHeight: number,
  width: number,
  height: number,
): BandArray {
  return width === inWidth && height === inHeight
    ? band
    : nearestCentred(band, inWidth, inHeight, [0, 0, inWidth, inHeight], width, height);
}

/** A window of an in-memory image, nearest-neighbour scaled to the output size. */
function cropPixels(pixels: RasterWindow, options: ReadOptions): RasterWindow {
  // One level only: the level window is the window.
  const window = options.levelWindow ?? options.window ?? [0, 0, pixels.width, pixels.height];
  const width = options.outWidth ?? window[2] - window[0];
  const height = options.outHeight ?? window[3] - window[1];
  const chosen = options.bands ?? pixels.bands.map((_, b) => b);
  const bands = chosen.map((b) => {
    const source = pixels.bands[b];
    if (source === undefined) throw new Error(`Band ${b + 1} does not exist`);
    return nearestCentred(source, pixels.width, pixels.height, window, width, height);
  });
  return { width, height, bands };
}

/**
 * The TIFF colour map of a palette image as 8-bit RGB triplets (TIFF stores
 * 16-bit R…, G…, B… runs), or null when the image has none.
 */
export async function readColorMap(raster: OpenRaster): Promise<Uint8Array | null> {
  if (isPixelRaster(raster) || raster.info.photometric !== 'palette') return null;
  const map: unknown = await raster.image.fileDirectory.loadValue('ColorMap');
  if (map === undefined || map === null) return null;
  const values = Array.from(map as ArrayLike<number>);
  const entries = Math.floor(values.length / 3);
  const rgb = new Uint8Array(entries * 3);
  for (let i = 0; i < entries; i++) {
    for (let c = 0; c < 3; c++) rgb[i * 3 + c] = (values[c * entries + i] ?? 0) >> 8;
  }
  return rgb;
}

/** Palette indices → three 8-bit bands through a colour map from readColorMap. */
export function expandPalette(indices: BandArray, colorMap: Uint8Array): Uint8Array[] {
  const entries = colorMap.length / 3;
  return [0, 1, 2].map((c) => {
    const band = new Uint8Array(indices.length);
    for (let i = 0; i < indices.length; i++) {
      const index = indices[i] ?? 0;
      band[i] = index < entries ? (colorMap[index * 3 + c] ?? 0) : 0;
    }
    return band;
  });
}

/** Size of a level: the full image (0) or overview k. */
export function levelSize(info: RasterInfo, level: number): { width: number; height: number } {
  return level === 0
    ? { width: info.width, height: info.height }
    : (info.overviews[level - 1] ?? info);
}

/** A full-resolution window in the pixels of a level: outward-rounded, never empty. */
export function levelWindowOf(
  info: RasterInfo,
  level: number,
  full: readonly [number, number, number, number],
): [number, number, number, number] {
  const size = levelSize(info, level);
  const sx = size.width / info.width;
  const sy = size.height / info.height;
  const x0 = Math.floor(full[0] * sx);
  const y0 = Math.floor(full[1] * sy);
  return [
    x0,
    y0,
    Math.max(x0 + 1, Math.ceil(full[2] * sx)),
    Math.max(y0 + 1, Math.ceil(full[3] * sy)),
  ];
}

/** Reads a window as band-planar arrays; JPEG-compressed YCbCr is converted to RGB. */
export async function readWindow(
  raster: OpenRaster,
  options: ReadOptions = {},
): Promise<RasterWindow> {
  try {
    return await readWindowUnexplained(raster, options);
  } catch (error) {
    // geotiff.js's own messages ("Unknown compression…") become ones an analyst can act on.
    throw explainDecodeError(error);
  }
}

async function readWindowUnexplained(
  raster: OpenRaster,
  options: ReadOptions,
): Promise<RasterWindow> {
  if (isPixelRaster(raster)) return cropPixels(raster.pixels, options);
  const { info } = raster;
  const level = options.level ?? 0;
  const image = await imageAtLevel(raster, level);
  const window = [
    ...(options.levelWindow ??
      levelWindowOf(info, level, options.window ?? [0, 0, info.width, info.height])),
  ];
  const width = options.outWidth ?? (window[2] ?? 0) - (window[0] ?? 0);
  const height = options.outHeight ?? (window[3] ?? 0) - (window[1] ?? 0);
  // The AbortSignal is not handed to geotiff.js: aborting its block fetches leaves its
  // BlockedSource inconsistent (geotiffjs/geotiff.js#218, #224), and a later read of the same
  // file then decodes wrong bytes ("SOI not found"; tests/gpu/raster-client.test.ts). Reads
  // are cancelled between strips instead (readWindowInStrips), and before they start here.
  if (options.signal?.aborted === true) throw new CancelledError(`Reading ${info.name}`);
  // Read at the level's own resolution and scaled here (nearestCentred), not by geotiff.js.
  const [wx0 = 0, wy0 = 0, wx1 = 0, wy1 = 0] = window;
  const common = { window, interleave: false as const };
  const scaled = (band: BandArray): BandArray =>
    scaledTo(band, wx1 - wx0, wy1 - wy0, width, height);
  const wanted = options.bands;
  // MASK_BAND reads the TIFF mask; the other bands come from the image.
  const samples = wanted?.filter((b) => b !== MASK_BAND);
  let read: BandArray[];
  if (samples !== undefined && samples.length === 0) {
    read = [];
  } else if (info.photometric === 'ycbcr') {
    const rgb = Array.from<BandArray>((await image.readRGB(common)) as ArrayLike<BandArray>);
    read = (
      samples === undefined ? rgb : samples.map((b) => rgb[b] ?? rgb[0] ?? new Uint8Array(0))
    ).map(scaled);
  } else {
    const raw = await image.readRasters(samples === undefined ? common : { ...common, samples });
    read = Array.from<BandArray>(raw as ArrayLike<BandArray>).map(scaled);
    if (info.photometric === 'miniswhite' && info.sampleFormat === 'uint') {
      // 0 is white here: turned round, so that brighter is larger as in every other image
      // (a gain fitted between a MinIsWhite and a MinIsBlack date cannot be negative).
      const white = 2 ** info.bitsPerSample - 1;
      read = read.map((band) => band.map((value) => white - value));
    }
  }
  if (wanted === undefined || samples?.length === wanted.length)
    return { width, height, bands: read };
  const mask = await readMask(
    raster,
    level,
    window,
    width,
    height,
    options.skipCostlyMask === true,
  );
  let next = 0;
  const bands = wanted.map((b) => (b === MASK_BAND ? mask : (read[next++] ?? mask)));
  return { width, height, bands };
}

/**
 * A window of the TIFF mask (0: no data), at `level` and the output size,
 * from the coarsest mask image still at least as large as that level (its
 * mask IFD of that size where the file has one), resampled (nearest).
 */
async function readMask(
  raster: TiffRaster,
  level: number,
  levelWindow: readonly number[],
  width: number,
  height: number,
  skipCostly: boolean,
): Promise<BandArray> {
  const { info } = raster;
  const size = levelSize(info, level);
  let best: GeoTIFFImage | undefined;
  for (const image of await maskImages(raster)) {
    const large = image.getWidth() >= size.width && image.getHeight() >= size.height;
    if (large && (best === undefined || image.getWidth() < best.getWidth())) best = image;
  }
  if (best === undefined) throw new Error(`${info.name}: its TIFF mask was not found`);
  // Decoding a mask many times the level's size would cost far more than the
  // display read it serves (ReadOptions.skipCostlyMask).
  if (skipCostly && best.getWidth() > 2 * size.width) return new Uint8Array(width * height).fill(1);
  const [x0 = 0, y0 = 0, x1 = 0, y1 = 0] = levelWindow;
  const sx = best.getWidth() / size.width;
  const sy = best.getHeight() / size.height;
  const window = [
    Math.floor(x0 * sx),
    Math.floor(y0 * sy),
    Math.min(best.getWidth(), Math.ceil(x1 * sx)),
    Math.min(best.getHeight(), Math.ceil(y1 * sy)),
  ];
  const raw = await best.readRasters({ window, samples: [0], interleave: false });
  const band = (raw as ArrayLike<BandArray>)[0];
  if (band === undefined) throw new Error(`${info.name}: its TIFF mask could not be read`);
  const [mx0 = 0, my0 = 0, mx1 = 0, my1 = 0] = window;
  return scaledTo(band, mx1 - mx0, my1 - my0, width, height);
}

/** maskImages per raster: found once, not again for every strip of every read. */
const maskImagesOf = new WeakMap<TiffRaster, Promise<GeoTIFFImage[]>>();

/** The mask images of a raster: every image of its .msk, or its files' IFDs marked as masks. */
function maskImages(raster: TiffRaster): Promise<GeoTIFFImage[]> {
  let found = maskImagesOf.get(raster);
  if (found === undefined) {
    found = findMaskImages(raster);
    maskImagesOf.set(raster, found);
  }
  return found;
}

async function findMaskImages(raster: TiffRaster): Promise<GeoTIFFImage[]> {
  const { tiff, maskTiff } = raster;
  const masks: GeoTIFFImage[] = [];
  for (const file of maskTiff === undefined ? tiffFiles(tiff) : [maskTiff]) {
    const count = await file.getImageCount();
    for (let i = 0; i < count; i++) {
      const image = await file.getImage(i);
      // In the image's own files masks carry NewSubfileType bit 4; a .msk holds nothing else.
      if (maskTiff !== undefined || (subfileType(image) & 4) !== 0) masks.push(image);
    }
  }
  return masks;
}

/** Raised when a read is cancelled through its AbortSignal. */
export class CancelledError extends Error {
  constructor(what: string) {
    super(`${what} was cancelled`);
    this.name = 'CancelledError';
  }
}

/** The most rows a strip of a read spans for a stripped TIFF: its memory and its progress steps. */
const MAX_STRIP_READ_ROWS = 2048;

/**
 * Rows a strip of a read should span at `level`: the tile height; for a
 * stripped TIFF at full resolution its RowsPerStrip, from 256 (strips are
 * often a row or a few) up to 2048 rows (geotiff.js decodes a whole strip
 * for any row of it, so reads split finer than a tall strip decode it again
 * each time, while one read of a whole one-strip image would hold it all at
 * once and report no progress); 256 when unknown.
 */
export function blockRowsOf(raster: OpenRaster, level: number): number {
  if (raster.info.tileHeight !== null) return raster.info.tileHeight;
  if (level !== 0 || isPixelRaster(raster)) return 256;
  return Math.min(MAX_STRIP_READ_ROWS, Math.max(256, raster.image.getTileHeight()));
}

/**
 * readWindow in horizontal strips, so a long read reports progress and can
 * be cancelled between strips (geotiff.js itself reports neither). Strips
 * follow the tile height so no tile row is decoded twice.
 */
export async function readWindowInStrips(
  raster: OpenRaster,
  options: ReadOptions,
  onProgress?: (fraction: number) => void,
): Promise<RasterWindow> {
  const { info } = raster;
  const level = options.level ?? 0;
  const [lx0, ly0, lx1, ly1] =
    options.levelWindow ??
    levelWindowOf(info, level, options.window ?? [0, 0, info.width, info.height]);
  const outWidth = options.outWidth ?? lx1 - lx0;
  const outHeight = options.outHeight ?? ly1 - ly0;
  // About one block row of the level per strip, at least 64 output rows.
  const levelRowsPerOutRow = (ly1 - ly0) / outHeight;
  const stripRows = Math.max(64, Math.round(blockRowsOf(raster, level) / levelRowsPerOutRow));
  if (outHeight <= stripRows || isPixelRaster(raster)) {
    const window = await readWindow(raster, {
      ...options,
      levelWindow: [lx0, ly0, lx1, ly1],
      outWidth,
      outHeight,
    });
    onProgress?.(1);
    return window;
  }
  let bands: BandArray[] | undefined;
  // Strip boundaries in level rows from one formula, so strips neither overlap nor leave gaps.
  const levelRow = (outRow: number): number => ly0 + Math.round(outRow * levelRowsPerOutRow);
  for (let row = 0; row < outHeight; row += stripRows) {
    if (options.signal?.aborted === true) throw new CancelledError(`Reading ${info.name}`);
    const rows = Math.min(stripRows, outHeight - row);
    const strip = await readWindow(raster, {
      ...options,
      levelWindow: [lx0, levelRow(row), lx1, Math.max(levelRow(row) + 1, levelRow(row + rows))],
      outWidth,
      outHeight: rows,
    });
    bands ??= strip.bands.map((band) => {
      const Ctor = band.constructor as new (length: number) => BandArray;
      return new Ctor(outWidth * outHeight);
    });
    strip.bands.forEach((band, b) => {
      bands?.[b]?.set(band, row * outWidth);
    });
    onProgress?.((row + rows) / outHeight);
  }
  return { width: outWidth, height: outHeight, bands: bands ?? [] };
}
