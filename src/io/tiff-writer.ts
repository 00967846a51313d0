/**
 * A small GeoTIFF writer: tiled, pixel-interleaved, uncompressed / Deflate
 * (optionally with horizontal predictor) / JPEG (YCbCr, as GDAL writes it),
 * several images per file (the first full resolution, the rest overviews),
 * GeoKeys for a projected or geographic EPSG code.
 *
 * Layout follows the cloud-optimized habit: header, then every IFD with its
 * out-of-line values, then tile data, so a reader needs only the file's head
 * to plan range requests. TIFF 6.0 and GeoTIFF 1.1 (OGC 19-008r4) define the
 * tags used here.
 */
import { deflate } from 'pako';
import jpeg from 'jpeg-js';

export type TiffCompression = 'none' | 'deflate' | 'jpeg';

export interface TiffGeoreference {
  /** Projected (e.g. UTM, EPSG:326xx) or geographic (lon/lat, e.g. EPSG:4326). */
  readonly modelType: 'projected' | 'geographic';
  readonly epsg: number;
  /** Map coordinates of the upper-left corner of the upper-left pixel. */
  readonly originX: number;
  readonly originY: number;
  /** Pixel size in map units, both positive (rows go south). */
  readonly pixelSizeX: number;
  readonly pixelSizeY: number;
  /** More GeoKeys (key, SHORT value), e.g. those of a user-defined projection. */
  readonly extraGeoKeys?: readonly (readonly [number, number])[];
}

export interface TiffImageSpec {
  readonly width: number;
  readonly height: number;
  readonly samplesPerPixel: number;
  readonly bitsPerSample: 8 | 16;
  /** Pixel-interleaved samples, row-major. */
  readonly data: Uint8Array | Uint16Array;
  readonly tileSize?: number;
  readonly compression?: TiffCompression;
  /** JPEG quality 1..100. */
  readonly jpegQuality?: number;
  /** Horizontal differencing before Deflate (TIFF predictor 2). */
  readonly predictor?: boolean;
  readonly georeference?: TiffGeoreference;
  /** GDAL_NODATA: the sample value that marks pixels without data. */
  readonly nodata?: number;
  /** The last sample is an alpha band (ExtraSamples: unassociated alpha). */
  readonly alpha?: boolean;
  /** TIFF DateTime, `YYYY:MM:DD HH:MM:SS`. */
  readonly dateTime?: string;
  readonly description?: string;
  readonly software?: string;
  /** NewSubfileType, if not the default (0 for the first image, 1 for an overview): 0 for another page. */
  readonly subfileType?: number;
}

/** Everything about an image but its pixels: what the tags and the tile encoder need. */
export type TiffLayoutSpec = Omit<TiffImageSpec, 'data'>;

/** Deflate (zlib stream) implementation; pako by default, injectable (e.g. Node's zlib) for speed. */
export type DeflateFn = (bytes: Uint8Array) => Uint8Array;

export const TAG = {
  NewSubfileType: 254,
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  Photometric: 262,
  ImageDescription: 270,
  SamplesPerPixel: 277,
  PlanarConfiguration: 284,
  Software: 305,
  DateTime: 306,
  Predictor: 317,
  TileWidth: 322,
  TileLength: 323,
  TileOffsets: 324,
  TileByteCounts: 325,
  ExtraSamples: 338,
  SampleFormat: 339,
  YCbCrSubSampling: 530,
  ReferenceBlackWhite: 532,
  ModelPixelScale: 33550,
  ModelTiepoint: 33922,
  GeoKeyDirectory: 34735,
  GdalNodata: 42113,
} as const;

// LONG8 (16) exists only in BigTIFF, for tile offsets and byte counts past 4 GiB.
export const TYPE = { ASCII: 2, SHORT: 3, LONG: 4, RATIONAL: 5, DOUBLE: 12, LONG8: 16 } as const;
type FieldType = (typeof TYPE)[keyof typeof TYPE];
const TYPE_SIZE: Record<FieldType, number> = { 2: 1, 3: 2, 4: 4, 5: 8, 12: 8, 16: 8 };

export interface Field {
  readonly tag: number;
  readonly type: FieldType;
  readonly values: readonly number[] | string;
}

function fieldCount(field: Field): number {
  if (typeof field.values === 'string') return field.values.length + 1;
  return field.type === TYPE.RATIONAL ? field.values.length / 2 : field.values.length;
}

function fieldByteLength(field: Field): number {
  return fieldCount(field) * TYPE_SIZE[field.type];
}

function writeFieldValues(view: DataView, offset: number, field: Field): void {
  if (typeof field.values === 'string') {
    for (let i = 0; i < field.values.length; i++) {
      view.setUint8(offset + i, field.values.charCodeAt(i) & 0x7f);
    }
    view.setUint8(offset + field.values.length, 0);
    return;
  }
  field.values.forEach((value, i) => {
    switch (field.type) {
      case TYPE.SHORT:
        view.setUint16(offset + i * 2, value, true);
        break;
      case TYPE.LONG:
      case TYPE.RATIONAL:
        view.setUint32(offset + i * 4, value, true);
        break;
      case TYPE.DOUBLE:
        view.setFloat64(offset + i * 8, value, true);
        break;
      case TYPE.ASCII:
        view.setUint8(offset + i, value);
        break;
      case TYPE.LONG8:
        view.setBigUint64(offset + i * 8, BigInt(value), true);
        break;
    }
  });
}

function geoKeyDirectory(geo: TiffGeoreference): number[] {
  // [version 1, revision 1.0, key count] then (key, location 0 = inline, count 1, value).
  const keys: (readonly [number, number])[] = [
    [1024, geo.modelType === 'projected' ? 1 : 2], // GTModelTypeGeoKey
    [1025, 1], // GTRasterTypeGeoKey: PixelIsArea
    geo.modelType === 'projected' ? [3072, geo.epsg] : [2048, geo.epsg], // ProjectedCSType / GeographicType
    ...(geo.extraGeoKeys ?? []),
  ];
  // The directory lists its keys in ascending order.
  keys.sort(([a], [b]) => a - b);
  return [1, 1, 0, keys.length, ...keys.flatMap(([key, value]) => [key, 0, 1, value])];
}

/** Copies one tile out of the image, replicating edge pixels into the padding. */
function extractTile(
  spec: TiffImageSpec,
  tileSize: number,
  tileCol: number,
  tileRow: number,
): Uint8Array | Uint16Array {
  const spp = spec.samplesPerPixel;
  const tile =
    spec.bitsPerSample === 8
      ? new Uint8Array(tileSize * tileSize * spp)
      : new Uint16Array(tileSize * tileSize * spp);
  for (let y = 0; y < tileSize; y++) {
    const srcRow = Math.min(tileRow * tileSize + y, spec.height - 1);
    for (let x = 0; x < tileSize; x++) {
      const srcCol = Math.min(tileCol * tileSize + x, spec.width - 1);
      const src = (srcRow * spec.width + srcCol) * spp;
      const dst = (y * tileSize + x) * spp;
      for (let s = 0; s < spp; s++) tile[dst + s] = spec.data[src + s] ?? 0;
    }
  }
  return tile;
}

export function applyHorizontalPredictor(
  tile: Uint8Array | Uint16Array,
  tileSize: number,
  spp: number,
): void {
  // Right to left so each difference uses the original left neighbour.
  for (let y = 0; y < tileSize; y++) {
    const row = y * tileSize * spp;
    for (let i = tileSize * spp - 1; i >= spp; i--) {
      tile[row + i] = (tile[row + i] ?? 0) - (tile[row + i - spp] ?? 0);
    }
  }
}

/** Encodes one tile; with the predictor on, `tile` is differenced in place. */
export function encodeTile(
  spec: TiffLayoutSpec,
  tile: Uint8Array | Uint16Array,
  tileSize: number,
  deflateImpl: DeflateFn = deflate,
): Uint8Array {
  const compression = spec.compression ?? 'deflate';
  const bytes = new Uint8Array(tile.buffer, tile.byteOffset, tile.byteLength);
  if (compression === 'none') return bytes.slice();
  if (compression === 'deflate') {
    if (spec.predictor === true) applyHorizontalPredictor(tile, tileSize, spec.samplesPerPixel);
    return deflateImpl(bytes);
  }
  // JPEG: jpeg-js takes RGBA and writes a baseline JFIF (YCbCr, no subsampling).
  const rgba = new Uint8Array(tileSize * tileSize * 4);
  for (let i = 0; i < tileSize * tileSize; i++) {
    rgba[i * 4] = tile[i * 3] ?? 0;
    rgba[i * 4 + 1] = tile[i * 3 + 1] ?? 0;
    rgba[i * 4 + 2] = tile[i * 3 + 2] ?? 0;
    rgba[i * 4 + 3] = 255;
  }
  const encoded = jpeg.encode(
    { data: rgba, width: tileSize, height: tileSize },
    spec.jpegQuality ?? 85,
  );
  return new Uint8Array(encoded.data);
}

/** Checks size, tile size and compression; everything but the pixel data. */
export function validateLayout(spec: TiffLayoutSpec): void {
  const { width, height, samplesPerPixel } = spec;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`TIFF image size must be positive integers (got ${width}×${height})`);
  }
  const tileSize = spec.tileSize ?? 256;
  if (tileSize % 16 !== 0)
    throw new Error(`TIFF tile size must be a multiple of 16 (got ${tileSize})`);
  if (spec.compression === 'jpeg' && (spec.bitsPerSample !== 8 || samplesPerPixel !== 3)) {
    throw new Error('JPEG compression is written for 8-bit RGB only');
  }
}

function validate(spec: TiffImageSpec): void {
  const { width, height, samplesPerPixel, data } = spec;
  validateLayout(spec);
  if (data.length !== width * height * samplesPerPixel) {
    throw new Error(
      `TIFF image data holds ${data.length} samples, expected ${width}×${height}×${samplesPerPixel}`,
    );
  }
  if (data instanceof Uint8Array !== (spec.bitsPerSample === 8)) {
    throw new Error('TIFF image data type does not match bitsPerSample');
  }
}

/**
 * The IFD fields of one image, sorted by tag; TileOffsets and TileByteCounts
 * hold `tileCount` zeros to be filled in once the tiles are placed.
 */
export function imageFields(spec: TiffLayoutSpec, isOverview: boolean, tileCount: number): Field[] {
  const tileSize = spec.tileSize ?? 256;
  const spp = spec.samplesPerPixel;
  const compression = spec.compression ?? 'deflate';
  const isJpeg = compression === 'jpeg';
  const photometric = isJpeg ? 6 : spp >= 3 ? 2 : 1;
  const fields: Field[] = [
    {
      tag: TAG.NewSubfileType,
      type: TYPE.LONG,
      values: [spec.subfileType ?? (isOverview ? 1 : 0)],
    },
    { tag: TAG.ImageWidth, type: TYPE.LONG, values: [spec.width] },
    { tag: TAG.ImageLength, type: TYPE.LONG, values: [spec.height] },
    {
      tag: TAG.BitsPerSample,
      type: TYPE.SHORT,
      values: new Array<number>(spp).fill(spec.bitsPerSample),
    },
    {
      tag: TAG.Compression,
      type: TYPE.SHORT,
      values: [compression === 'none' ? 1 : compression === 'deflate' ? 8 : 7],
    },
    { tag: TAG.Photometric, type: TYPE.SHORT, values: [photometric] },
    { tag: TAG.SamplesPerPixel, type: TYPE.SHORT, values: [spp] },
    { tag: TAG.PlanarConfiguration, type: TYPE.SHORT, values: [1] },
    { tag: TAG.TileWidth, type: TYPE.LONG, values: [tileSize] },
    { tag: TAG.TileLength, type: TYPE.LONG, values: [tileSize] },
    { tag: TAG.TileOffsets, type: TYPE.LONG, values: new Array<number>(tileCount).fill(0) },
    { tag: TAG.TileByteCounts, type: TYPE.LONG, values: new Array<number>(tileCount).fill(0) },
    { tag: TAG.SampleFormat, type: TYPE.SHORT, values: new Array<number>(spp).fill(1) },
  ];
  if (spec.alpha === true) {
    if (spp !== 2 && spp !== 4) {
      throw new Error(`An alpha band needs 2 or 4 samples per pixel (got ${spp})`);
    }
    fields.push({ tag: TAG.ExtraSamples, type: TYPE.SHORT, values: [2] });
  }
  if (spec.nodata !== undefined) {
    fields.push({ tag: TAG.GdalNodata, type: TYPE.ASCII, values: String(spec.nodata) });
  }
  if (compression === 'deflate' && spec.predictor === true) {
    fields.push({ tag: TAG.Predictor, type: TYPE.SHORT, values: [2] });
  }
  if (isJpeg) {
    fields.push({ tag: TAG.YCbCrSubSampling, type: TYPE.SHORT, values: [1, 1] });
    fields.push({
      tag: TAG.ReferenceBlackWhite,
      type: TYPE.RATIONAL,
      values: [0, 1, 255, 1, 128, 1, 255, 1, 128, 1, 255, 1],
    });
  }
  if (!isOverview) {
    if (spec.description !== undefined) {
      fields.push({ tag: TAG.ImageDescription, type: TYPE.ASCII, values: spec.description });
    }
    if (spec.software !== undefined) {
      fields.push({ tag: TAG.Software, type: TYPE.ASCII, values: spec.software });
    }
    if (spec.dateTime !== undefined) {
      if (!/^\d{4}:\d{2}:\d{2} \d{2}:\d{2}:\d{2}$/.test(spec.dateTime)) {
        throw new Error(`TIFF DateTime must read YYYY:MM:DD HH:MM:SS (got ${spec.dateTime})`);
      }
      fields.push({ tag: TAG.DateTime, type: TYPE.ASCII, values: spec.dateTime });
    }
  }
  const geo = spec.georeference;
  if (geo !== undefined) {
    fields.push({
      tag: TAG.ModelPixelScale,
      type: TYPE.DOUBLE,
      values: [geo.pixelSizeX, geo.pixelSizeY, 0],
    });
    fields.push({
      tag: TAG.ModelTiepoint,
      type: TYPE.DOUBLE,
      values: [0, 0, 0, geo.originX, geo.originY, 0],
    });
    fields.push({ tag: TAG.GeoKeyDirectory, type: TYPE.SHORT, values: geoKeyDirectory(geo) });
  }
  return fields.sort((a, b) => a.tag - b.tag);
}

/** Classic TIFF: 8-byte header, 12-byte entries, 4-byte offsets; BigTIFF: 16, 20 and 8. */
function ifdSizes(bigTiff: boolean): { count: number; entry: number; offset: number } {
  return bigTiff ? { count: 8, entry: 20, offset: 8 } : { count: 2, entry: 12, offset: 4 };
}

export function headerByteLength(bigTiff: boolean): number {
  return bigTiff ? 16 : 8;
}

/** Bytes an IFD takes with its out-of-line values (each word-aligned). */
export function ifdByteLength(fields: readonly Field[], bigTiff: boolean): number {
  const sizes = ifdSizes(bigTiff);
  let length = sizes.count + fields.length * sizes.entry + sizes.offset;
  for (const field of fields) {
    const valueLength = fieldByteLength(field);
    if (valueLength > sizes.offset) length += valueLength + (valueLength % 2);
  }
  return length;
}

/** Writes the little-endian header that points at the first IFD. */
export function writeHeader(view: DataView, bigTiff: boolean, firstIfdOffset: number): void {
  view.setUint16(0, 0x4949, true); // "II": little-endian
  if (bigTiff) {
    view.setUint16(2, 43, true);
    view.setUint16(4, 8, true); // bytes per offset
    view.setUint16(6, 0, true);
    view.setBigUint64(8, BigInt(firstIfdOffset), true);
  } else {
    view.setUint16(2, 42, true);
    view.setUint32(4, firstIfdOffset, true);
  }
}

/**
 * Writes one IFD at `ifdOffset` (positions are relative to `view`, whose byte 0
 * is file byte 0) with its out-of-line values right after the entries.
 */
export function writeIfd(
  view: DataView,
  ifdOffset: number,
  fields: readonly Field[],
  nextIfdOffset: number,
  bigTiff: boolean,
): void {
  const sizes = ifdSizes(bigTiff);
  const setOffset = (at: number, value: number): void => {
    if (bigTiff) view.setBigUint64(at, BigInt(value), true);
    else view.setUint32(at, value, true);
  };
  let valueCursor = ifdOffset + sizes.count + fields.length * sizes.entry + sizes.offset;
  if (bigTiff) view.setBigUint64(ifdOffset, BigInt(fields.length), true);
  else view.setUint16(ifdOffset, fields.length, true);
  fields.forEach((field, i) => {
    const entry = ifdOffset + sizes.count + i * sizes.entry;
    view.setUint16(entry, field.tag, true);
    view.setUint16(entry + 2, field.type, true);
    const valueAt = entry + 4 + sizes.offset;
    setOffset(entry + 4, fieldCount(field));
    const length = fieldByteLength(field);
    if (length <= sizes.offset) {
      writeFieldValues(view, valueAt, field);
    } else {
      setOffset(valueAt, valueCursor);
      writeFieldValues(view, valueCursor, field);
      valueCursor += length + (length % 2);
    }
  });
  setOffset(ifdOffset + sizes.count + fields.length * sizes.entry, nextIfdOffset);
}

/** Replaces the TileOffsets and TileByteCounts placeholders with the placed tiles. */
export function withTileLocations(
  fields: readonly Field[],
  offsets: readonly number[],
  byteCounts: readonly number[],
): Field[] {
  return fields.map((field) =>
    field.tag === TAG.TileOffsets
      ? { ...field, values: offsets }
      : field.tag === TAG.TileByteCounts
        ? { ...field, values: byteCounts }
        : field,
  );
}

/** Encodes the images into one little-endian classic TIFF. The first image is full resolution. */
export function writeTiff(images: readonly TiffImageSpec[]): Uint8Array {
  if (images.length === 0) throw new Error('writeTiff needs at least one image');
  images.forEach(validate);

  const encoded = images.map((spec) => {
    const tileSize = spec.tileSize ?? 256;
    const across = Math.ceil(spec.width / tileSize);
    const down = Math.ceil(spec.height / tileSize);
    const tiles: Uint8Array[] = [];
    for (let row = 0; row < down; row++) {
      for (let col = 0; col < across; col++) {
        tiles.push(encodeTile(spec, extractTile(spec, tileSize, col, row), tileSize));
      }
    }
    return tiles;
  });
  const fieldSets = images.map((spec, i) => imageFields(spec, i > 0, encoded[i]?.length ?? 0));

  // Sizes of every IFD with its out-of-line values (word-aligned), then the tile data.
  let cursor = headerByteLength(false);
  const ifdOffsets: number[] = [];
  for (const fields of fieldSets) {
    ifdOffsets.push(cursor);
    cursor += ifdByteLength(fields, false);
  }
  const dataStart = cursor;
  const totalData = encoded.reduce(
    (sum, tiles) => sum + tiles.reduce((s, t) => s + t.length, 0),
    0,
  );
  if (dataStart + totalData > 0xffffffff) {
    throw new Error('Image too large for a classic TIFF (over 4 GiB)');
  }
  const out = new Uint8Array(dataStart + totalData);
  const view = new DataView(out.buffer);
  writeHeader(view, false, ifdOffsets[0] ?? 8);

  let dataCursor = dataStart;
  fieldSets.forEach((fields, imageIndex) => {
    const tiles = encoded[imageIndex] ?? [];
    const offsets: number[] = [];
    const counts: number[] = [];
    for (const tile of tiles) {
      out.set(tile, dataCursor);
      offsets.push(dataCursor);
      counts.push(tile.length);
      dataCursor += tile.length;
    }
    writeIfd(
      view,
      ifdOffsets[imageIndex] ?? 0,
      withTileLocations(fields, offsets, counts),
      ifdOffsets[imageIndex + 1] ?? 0,
      false,
    );
  });
  return out;
}

/** Halves an interleaved image by 2×2 box averaging (odd edges repeat), for overviews. */
export function downsampleByTwo<T extends Uint8Array | Uint16Array>(
  data: T,
  width: number,
  height: number,
  samplesPerPixel: number,
): { data: T; width: number; height: number } {
  const w = Math.max(1, Math.ceil(width / 2));
  const h = Math.max(1, Math.ceil(height / 2));
  const out = (
    data instanceof Uint8Array
      ? new Uint8Array(w * h * samplesPerPixel)
      : new Uint16Array(w * h * samplesPerPixel)
  ) as T;
  for (let y = 0; y < h; y++) {
    const y0 = Math.min(2 * y, height - 1);
    const y1 = Math.min(2 * y + 1, height - 1);
    for (let x = 0; x < w; x++) {
      const x0 = Math.min(2 * x, width - 1);
      const x1 = Math.min(2 * x + 1, width - 1);
      for (let s = 0; s < samplesPerPixel; s++) {
        const sum =
          (data[(y0 * width + x0) * samplesPerPixel + s] ?? 0) +
          (data[(y0 * width + x1) * samplesPerPixel + s] ?? 0) +
          (data[(y1 * width + x0) * samplesPerPixel + s] ?? 0) +
          (data[(y1 * width + x1) * samplesPerPixel + s] ?? 0);
        out[(y * w + x) * samplesPerPixel + s] = (sum + 2) >> 2;
      }
    }
  }
  return { data: out, width: w, height: h };
}
