/**
 * TIFF preflight: reads the header, every image directory (IFD) and the
 * strip/tile offset arrays through a random-access reader, and refuses files
 * that geotiff.js would crash, hang or run out of memory on, with a message an
 * analyst can act on. Pixel data is never read and no pixel buffer is
 * allocated: the largest allocation is one offset array, bounded by the file.
 *
 * Works on any byte source (ArrayBuffer, Blob/File, HTTP ranges): no Node APIs.
 */

/** Reads `lengthBytes` bytes at `offsetBytes`; both lie inside the file. */
export type ByteRangeReader = (offsetBytes: number, lengthBytes: number) => Promise<Uint8Array>;

/** Why a file was refused; stable codes for tests and summaries. */
export type RefusalReason =
  | 'empty'
  | 'not-tiff'
  | 'truncated'
  | 'damaged'
  | 'too-large'
  | 'unsupported-compression'
  | 'unsupported-layout'
  | 'unsupported-sample-format'
  | 'decoder-missing'
  | 'decode-failed'
  | 'unreachable';

/** An input Quaywatch will not decode, with a message meant for the analyst. */
export class TiffRefusal extends Error {
  override readonly name = 'TiffRefusal';
  constructor(
    readonly reason: RefusalReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface PreflightLimits {
  /** Decoded size of the full-resolution image, all bands (default 32 GB). */
  readonly maxImageBytes: number;
  /** Decoded size of one strip or tile (default 512 MB). */
  readonly maxBlockBytes: number;
  /** Image directories followed along the chain (default 1024). */
  readonly maxIfds: number;
  /** Entries in one image directory (default 4096). */
  readonly maxIfdEntries: number;
}

export const DEFAULT_PREFLIGHT_LIMITS: PreflightLimits = {
  maxImageBytes: 32e9,
  maxBlockBytes: 512e6,
  maxIfds: 1024,
  maxIfdEntries: 4096,
};

/** What the preflight learned about the first image; enough for a quick summary. */
export interface PreflightSummary {
  readonly bigTiff: boolean;
  readonly littleEndian: boolean;
  readonly ifdCount: number;
  readonly width: number;
  readonly height: number;
  readonly samplesPerPixel: number;
  readonly bitsPerSample: readonly number[];
  readonly compression: number;
}

export type PreflightResult =
  | { readonly ok: true; readonly summary: PreflightSummary }
  | { readonly ok: false; readonly reason: RefusalReason; readonly message: string };

/** Compression codes geotiff.js decodes (WebP needs createImageBitmap or a registered decoder). */
const SUPPORTED_COMPRESSIONS = new Set([1, 5, 7, 8, 32773, 32946, 34887, 50000, 50001]);

/** Names and explanations for compressions geotiff.js does not decode. */
const UNSUPPORTED_COMPRESSIONS: Record<number, string> = {
  2: 'CCITT modified Huffman (RLE) fax compression',
  3: 'CCITT Group 3 fax compression',
  4: 'CCITT Group 4 fax compression',
  6: 'Old-style JPEG compression (TIFF 6.0 "OJPEG", superseded in 1995)',
  32766: 'NeXT 2-bit compression',
  32771: 'CCITT RLE-word fax compression',
  32809: 'ThunderScan compression',
  32895: 'IT8 CT padding',
  32896: 'IT8 linework RLE compression',
  32897: 'IT8 monochrome picture compression',
  32898: 'IT8 binary line art compression',
  32908: 'Pixar film compression',
  32909: 'PixarLog compression',
  32947: 'Kodak DCS compression',
  34661: 'JBIG compression',
  34676: 'SGILog (LogLuv HDR) compression',
  34677: 'SGILog24 (LogLuv HDR) compression',
  34712: 'JPEG 2000 compression',
  34925: 'LZMA compression',
  50002: 'JPEG XL compression',
  52546: 'JPEG XL compression',
};

/** A sentence saying a compression cannot be decoded; used for preflight and geotiff errors. */
export function unsupportedCompressionMessage(code: number): string {
  const name = UNSUPPORTED_COMPRESSIONS[code];
  return name === undefined
    ? `Unknown TIFF compression ${code} is not supported`
    : `${name} is not supported (TIFF compression ${code}); convert the file, e.g. gdal_translate -co COMPRESS=DEFLATE`;
}

const TAG = {
  NewSubfileType: 254,
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  Photometric: 262,
  StripOffsets: 273,
  SamplesPerPixel: 277,
  RowsPerStrip: 278,
  StripByteCounts: 279,
  PlanarConfiguration: 284,
  TileWidth: 322,
  TileLength: 323,
  TileOffsets: 324,
  TileByteCounts: 325,
  SampleFormat: 339,
  YCbCrSubSampling: 530,
} as const;

const TAG_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(TAG).map(([name, code]) => [code, name]),
);

/** Byte size of each TIFF field type (TIFF 6.0 §2, BigTIFF adds 16–18). */
const FIELD_TYPE_BYTES: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
  13: 4,
  16: 8,
  17: 8,
  18: 8,
};

/** Well-known signatures, for "Not a TIFF" messages. */
const SIGNATURES: readonly (readonly [readonly number[], string])[] = [
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG'],
  [[0xff, 0xd8, 0xff], 'a JPEG'],
  [[0x47, 0x49, 0x46, 0x38], 'a GIF'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF'],
  [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive'],
  [[0x1f, 0x8b], 'a gzip archive'],
  [[0x42, 0x4d], 'a BMP'],
  [[0x52, 0x49, 0x46, 0x46], 'a RIFF/WebP image'],
  [[0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50], 'a JPEG 2000'],
  [[0xff, 0x4f, 0xff, 0x51], 'a JPEG 2000 codestream'],
  [[0x89, 0x48, 0x44, 0x46], 'an HDF5/NetCDF-4 file'],
  [[0x43, 0x44, 0x46], 'a NetCDF file'],
  [[0x7b], 'a JSON/text file'],
  [[0x3c], 'an XML/HTML file'],
];

/** 1234567 → "1 234 567" (thousands separated by spaces, as in the messages). */
export function groupDigits(value: number): string {
  return Math.round(value)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** Decimal byte size for messages: "298 kB", "3 TB". */
export function humanBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit] ?? ''}`;
}

function hexBytes(bytes: Uint8Array, count: number): string {
  return Array.from(bytes.subarray(0, count), (b) => b.toString(16).toUpperCase().padStart(2, '0'))
    .join(' ')
    .trim();
}

/** Refusal carried through the parser; turned into a result at the top. */
class Refuse extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
  }
}

interface Entry {
  readonly tag: number;
  readonly type: number;
  readonly count: number;
  /** Byte offset of the value: inline (inside the IFD) or out of line. */
  readonly valueOffset: number;
  readonly valueBytes: number;
}

interface Ifd {
  readonly index: number;
  readonly offset: number;
  readonly entries: ReadonlyMap<number, Entry>;
  readonly nextOffset: number;
}

class Parser {
  constructor(
    private readonly read: ByteRangeReader,
    private readonly fileBytes: number,
    private readonly littleEndian: boolean,
    private readonly bigTiff: boolean,
    private readonly limits: PreflightLimits,
  ) {}

  private async bytes(offset: number, length: number): Promise<DataView> {
    const chunk = await this.read(offset, length);
    if (chunk.byteLength < length) {
      throw new Refuse(
        'truncated',
        `The file is truncated: ${groupDigits(length)} bytes were needed at byte ${groupDigits(offset)} but only ${groupDigits(chunk.byteLength)} could be read`,
      );
    }
    return new DataView(chunk.buffer, chunk.byteOffset, length);
  }

  private uint(view: DataView, at: number, size: number): number {
    switch (size) {
      case 1:
        return view.getUint8(at);
      case 2:
        return view.getUint16(at, this.littleEndian);
      case 4:
        return view.getUint32(at, this.littleEndian);
      default: {
        const value = view.getBigUint64(at, this.littleEndian);
        // Offsets past 2^53 are past any real file; Infinity fails every bounds check.
        return value > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(value);
      }
    }
  }

  async ifdAt(index: number, offset: number): Promise<Ifd> {
    const countBytes = this.bigTiff ? 8 : 2;
    const entryBytes = this.bigTiff ? 20 : 12;
    const where = index === 0 ? 'the first image directory' : `image directory ${index + 1}`;
    if (offset + countBytes > this.fileBytes) {
      throw new Refuse(
        'truncated',
        `The file is truncated: ${where} starts at byte ${groupDigits(offset)} but the file has ${groupDigits(this.fileBytes)} bytes`,
      );
    }
    const count = this.uint(await this.bytes(offset, countBytes), 0, countBytes);
    if (count === 0 || count > this.limits.maxIfdEntries) {
      throw new Refuse(
        'damaged',
        `The file is damaged: ${where} (at byte ${groupDigits(offset)}) claims ${groupDigits(count)} entries`,
      );
    }
    // Entries, then the offset of the next directory (4 or 8 bytes).
    const nextBytes = this.bigTiff ? 8 : 4;
    const tableBytes = count * entryBytes + nextBytes;
    const end = offset + countBytes + tableBytes;
    if (end > this.fileBytes) {
      throw new Refuse(
        'truncated',
        `The file is truncated: ${where} ends at byte ${groupDigits(end)} but the file has ${groupDigits(this.fileBytes)} bytes`,
      );
    }
    const view = await this.bytes(offset + countBytes, tableBytes);
    const entries = new Map<number, Entry>();
    for (let i = 0; i < count; i++) {
      const at = i * entryBytes;
      const tag = this.uint(view, at, 2);
      const type = this.uint(view, at + 2, 2);
      const valueCount = this.uint(view, at + 4, this.bigTiff ? 8 : 4);
      const typeBytes = FIELD_TYPE_BYTES[type];
      const tagName = TAG_NAMES[tag] ?? `tag ${tag}`;
      if (typeBytes === undefined) {
        throw new Refuse(
          'damaged',
          `The file is damaged: ${where} has an entry for ${tagName} with invalid field type ${type}`,
        );
      }
      const valueBytes = valueCount * typeBytes;
      const inlineBytes = this.bigTiff ? 8 : 4;
      const valueField = offset + countBytes + at + (this.bigTiff ? 12 : 8);
      const valueOffset =
        valueBytes <= inlineBytes
          ? valueField
          : this.uint(view, at + (this.bigTiff ? 12 : 8), inlineBytes);
      if (valueOffset + valueBytes > this.fileBytes) {
        throw new Refuse(
          'truncated',
          `The file is truncated or damaged: the value of ${tagName} in ${where} ends at byte ${groupDigits(valueOffset + valueBytes)} but the file has ${groupDigits(this.fileBytes)} bytes`,
        );
      }
      entries.set(tag, { tag, type, count: valueCount, valueOffset, valueBytes });
    }
    const nextOffset = this.uint(view, count * entryBytes, nextBytes);
    return { index, offset, entries, nextOffset };
  }

  /** All values of an entry as numbers (integers and floats; rationals as num/den). */
  async values(entry: Entry): Promise<number[]> {
    const size = FIELD_TYPE_BYTES[entry.type] ?? 1;
    if (entry.count === 0) return [];
    const view = await this.bytes(entry.valueOffset, entry.valueBytes);
    const out = new Array<number>(entry.count);
    for (let i = 0; i < entry.count; i++) {
      const at = i * size;
      switch (entry.type) {
        case 6:
          out[i] = view.getInt8(at);
          break;
        case 8:
          out[i] = view.getInt16(at, this.littleEndian);
          break;
        case 9:
          out[i] = view.getInt32(at, this.littleEndian);
          break;
        case 11:
          out[i] = view.getFloat32(at, this.littleEndian);
          break;
        case 12:
          out[i] = view.getFloat64(at, this.littleEndian);
          break;
        case 5:
        case 10:
          out[i] = this.uint(view, at, 4) / (this.uint(view, at + 4, 4) || 1);
          break;
        case 17:
          out[i] = Number(view.getBigInt64(at, this.littleEndian));
          break;
        default:
          out[i] = this.uint(view, at, size);
      }
    }
    return out;
  }

  async first(ifd: Ifd, tag: number): Promise<number | undefined> {
    const entry = ifd.entries.get(tag);
    if (entry === undefined || entry.count === 0) return undefined;
    // Read one value only: counts can be large in damaged files.
    const one = { ...entry, count: 1, valueBytes: FIELD_TYPE_BYTES[entry.type] ?? 1 };
    return (await this.values(one))[0];
  }
}

function fail(reason: RefusalReason, message: string): never {
  throw new Refuse(reason, message);
}

/** Bytes per sample as geotiff.js stores them (sub-byte samples unpack to 1 byte). */
function storedBytesPerSample(bits: number): number {
  return bits <= 8 ? 1 : bits <= 16 ? 2 : bits <= 32 ? 4 : 8;
}

/** Validates one image directory: dimensions, samples, layout, block arrays. */
async function checkImage(
  parser: Parser,
  ifd: Ifd,
  fileBytes: number,
  limits: PreflightLimits,
  decoded: boolean,
): Promise<PreflightSummary> {
  const where = ifd.index === 0 ? 'the image' : `image directory ${ifd.index + 1}`;
  const width = await parser.first(ifd, TAG.ImageWidth);
  const height = await parser.first(ifd, TAG.ImageLength);
  if (width === undefined || height === undefined) {
    fail(
      'damaged',
      `The file is damaged: ${where} has no ${width === undefined ? 'ImageWidth' : 'ImageLength'} tag`,
    );
  }
  if (width < 1 || height < 1) {
    fail(
      'damaged',
      `The file is damaged: ${where} declares ${groupDigits(width)} × ${groupDigits(height)} pixels`,
    );
  }
  const samples = (await parser.first(ifd, TAG.SamplesPerPixel)) ?? 1;
  if (samples < 1)
    fail('damaged', `The file is damaged: ${where} declares ${samples} samples per pixel`);
  const bitsEntry = ifd.entries.get(TAG.BitsPerSample);
  const bits =
    bitsEntry === undefined
      ? [1]
      : await parser.values({
          ...bitsEntry,
          count: Math.min(bitsEntry.count, samples),
          valueBytes: Math.min(bitsEntry.count, samples) * (FIELD_TYPE_BYTES[bitsEntry.type] ?? 1),
        });
  const format = (await parser.first(ifd, TAG.SampleFormat)) ?? 1;
  const compression = (await parser.first(ifd, TAG.Compression)) ?? 1;
  const summary: PreflightSummary = {
    bigTiff: false,
    littleEndian: true,
    ifdCount: 0,
    width,
    height,
    samplesPerPixel: samples,
    bitsPerSample: bits,
    compression,
  };
  if (!decoded) return summary;

  const maxBits = Math.max(...bits);
  for (const b of bits) {
    if (!(b >= 1 && b <= 64))
      fail('damaged', `The file is damaged: ${where} declares ${b} bits per sample`);
  }
  if (format === 5 || format === 6) {
    // GDAL names a complex type by its parts: 32 bits per sample is CInt16.
    fail(
      'unsupported-sample-format',
      `Complex samples (${format === 5 ? 'CInt' : 'CFloat'}${maxBits / 2}, e.g. SAR SLC data) are not supported; convert to amplitude first`,
    );
  }
  if (format === 3 && ![16, 24, 32, 64].includes(maxBits)) {
    fail('unsupported-sample-format', `${maxBits}-bit floating-point samples are not supported`);
  }
  if ((format === 1 || format === 2 || format === 4) && maxBits > 32) {
    fail('unsupported-sample-format', `${maxBits}-bit integer samples are not supported`);
  }
  if (format < 1 || format > 6) {
    fail('damaged', `The file is damaged: ${where} has SampleFormat ${format}`);
  }
  if (!SUPPORTED_COMPRESSIONS.has(compression)) {
    fail('unsupported-compression', unsupportedCompressionMessage(compression));
  }
  const planar = (await parser.first(ifd, TAG.PlanarConfiguration)) ?? 1;
  if (planar !== 1 && planar !== 2) {
    fail(
      'damaged',
      `The file is damaged: ${where} has PlanarConfiguration ${planar} (must be 1 or 2)`,
    );
  }
  if (planar === 1 && samples > 1 && bits.some((b) => b % 8 !== 0)) {
    // geotiff.js reads the samples after the first at fractional byte offsets
    // (12-bit RGB (100, 200, 300) came back as (100, 51200, 11264)).
    fail(
      'unsupported-sample-format',
      `${maxBits}-bit samples packed pixel by pixel (${samples} per pixel) are not supported: convert with gdal_translate -ot UInt16, or -co INTERLEAVE=BAND`,
    );
  }
  const photometric = await parser.first(ifd, TAG.Photometric);
  if (photometric === 6 && compression !== 7) {
    const sub = ifd.entries.get(TAG.YCbCrSubSampling);
    const factors =
      sub === undefined
        ? [2, 2]
        : await parser.values({
            ...sub,
            count: Math.min(sub.count, 2),
            valueBytes: Math.min(sub.count, 2) * (FIELD_TYPE_BYTES[sub.type] ?? 1),
          });
    const [h = 2, v = 2] = factors;
    if (h !== 1 || v !== 1) {
      fail(
        'unsupported-layout',
        `YCbCr pixels with ${h}×${v} chroma subsampling outside JPEG compression are not supported`,
      );
    }
  }

  // Decoded sizes, before anything allocates them.
  const bytesPerPixel =
    bits.length === samples
      ? bits.reduce((sum, b) => sum + storedBytesPerSample(b), 0)
      : samples * storedBytesPerSample(maxBits);
  const imageBytes = width * height * bytesPerPixel;
  if (imageBytes > limits.maxImageBytes) {
    fail(
      'too-large',
      `The header declares ${groupDigits(width)} × ${groupDigits(height)} pixels × ${samples} band${samples === 1 ? '' : 's'} (≈ ${humanBytes(imageBytes)}), more than Quaywatch will decode (limit ${humanBytes(limits.maxImageBytes)})`,
    );
  }
  // As geotiff.js decides: stripped whenever StripOffsets is present.
  const tiled = !ifd.entries.has(TAG.StripOffsets);
  if (!tiled && ifd.entries.has(TAG.TileWidth) && !ifd.entries.has(TAG.TileOffsets)) {
    fail(
      'unsupported-layout',
      'Tiles listed under StripOffsets (an early libtiff layout) are not supported; geotiff.js would read them as strips',
    );
  }
  let blockWidth = width;
  let blockHeight: number;
  if (tiled) {
    const tw = await parser.first(ifd, TAG.TileWidth);
    const th = await parser.first(ifd, TAG.TileLength);
    if (tw === undefined || th === undefined || tw < 1 || th < 1) {
      fail(
        'damaged',
        `The file is damaged: ${where} is tiled but its tile size is missing or zero`,
      );
    }
    blockWidth = tw;
    blockHeight = th;
  } else {
    const rows = (await parser.first(ifd, TAG.RowsPerStrip)) ?? height;
    blockHeight = rows < 1 ? height : Math.min(rows, height);
  }
  const blockBytes =
    blockWidth * blockHeight * (planar === 2 ? storedBytesPerSample(maxBits) : bytesPerPixel);
  if (blockBytes > limits.maxBlockBytes) {
    fail(
      'too-large',
      `One ${tiled ? 'tile' : 'strip'} of ${where} (${groupDigits(blockWidth)} × ${groupDigits(blockHeight)} pixels) decodes to ≈ ${humanBytes(blockBytes)}, more than Quaywatch will decode at once (limit ${humanBytes(limits.maxBlockBytes)})`,
    );
  }
  const across = Math.ceil(width / blockWidth);
  const down = Math.ceil(height / blockHeight);
  const expected = across * down * (planar === 2 ? samples : 1);
  const kind = tiled ? 'tile' : 'strip';
  const offsetsEntry = ifd.entries.get(tiled ? TAG.TileOffsets : TAG.StripOffsets);
  const countsEntry = ifd.entries.get(tiled ? TAG.TileByteCounts : TAG.StripByteCounts);
  if (offsetsEntry === undefined || countsEntry === undefined) {
    fail(
      'damaged',
      `The file is damaged: ${where} has no ${tiled ? 'TileOffsets/TileByteCounts' : 'StripOffsets/StripByteCounts'}`,
    );
  }
  if (offsetsEntry.count < expected || countsEntry.count < expected) {
    fail(
      'damaged',
      `The file is damaged: ${where} needs ${groupDigits(expected)} ${kind}s but lists ${groupDigits(Math.min(offsetsEntry.count, countsEntry.count))}`,
    );
  }
  const pick = (entry: Entry): Entry => ({
    ...entry,
    count: expected,
    valueBytes: expected * (FIELD_TYPE_BYTES[entry.type] ?? 1),
  });
  const offsets = await parser.values(pick(offsetsEntry));
  const counts = await parser.values(pick(countsEntry));
  for (let i = 0; i < expected; i++) {
    const start = offsets[i] ?? 0;
    const length = counts[i] ?? 0;
    // GDAL writes sparse (all-nodata) blocks with offset and count 0.
    if (length === 0) continue;
    const end = start + length;
    if (end > fileBytes) {
      fail(
        'truncated',
        `The file is truncated: ${kind} ${i} ${tiled || planar === 2 ? '' : `(rows ${groupDigits(i * blockHeight)}–${groupDigits(Math.min(height, (i + 1) * blockHeight) - 1)}) `}ends at byte ${groupDigits(end)} but the file has ${groupDigits(fileBytes)} bytes`,
      );
    }
  }
  return summary;
}

/**
 * Checks a TIFF/BigTIFF of `fileBytes` bytes through `read`. Returns ok with a
 * short summary of the first image, or a refusal with a reason and a message.
 */
export async function preflightTiff(
  read: ByteRangeReader,
  fileBytes: number,
  limits: PreflightLimits = DEFAULT_PREFLIGHT_LIMITS,
): Promise<PreflightResult> {
  try {
    return { ok: true, summary: await preflight(read, fileBytes, limits) };
  } catch (error) {
    if (error instanceof Refuse) return { ok: false, reason: error.reason, message: error.message };
    throw error;
  }
}

async function preflight(
  read: ByteRangeReader,
  fileBytes: number,
  limits: PreflightLimits,
): Promise<PreflightSummary> {
  if (fileBytes === 0) fail('empty', 'The file is empty (0 bytes)');
  const head = await read(0, Math.min(16, fileBytes));
  const b0 = head[0] ?? 0;
  const b1 = head[1] ?? 0;
  if (!((b0 === 0x49 && b1 === 0x49) || (b0 === 0x4d && b1 === 0x4d))) {
    const guess = SIGNATURES.find(([signature]) =>
      signature.every((byte, i) => head[i] === byte),
    )?.[1];
    fail(
      'not-tiff',
      `Not a TIFF file: it starts with ${hexBytes(head, 4)}${guess === undefined ? '' : ` (${guess}?)`}`,
    );
  }
  const littleEndian = b0 === 0x49;
  if (fileBytes < 8) {
    fail(
      'truncated',
      `The file is truncated: a TIFF header needs 8 bytes but the file has ${fileBytes}`,
    );
  }
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const magic = view.getUint16(2, littleEndian);
  if (magic !== 42 && magic !== 43) {
    fail(
      'not-tiff',
      `Not a TIFF file: it starts with ${hexBytes(head, 4)} (byte order ${littleEndian ? 'II' : 'MM'} but version ${magic}, not 42 or 43)`,
    );
  }
  const bigTiff = magic === 43;
  let firstOffset: number;
  if (bigTiff) {
    if (fileBytes < 16) {
      fail(
        'truncated',
        `The file is truncated: a BigTIFF header needs 16 bytes but the file has ${fileBytes}`,
      );
    }
    const offsetSize = view.getUint16(4, littleEndian);
    if (offsetSize !== 8) {
      fail('damaged', `The file is damaged: BigTIFF offset size is ${offsetSize}, not 8`);
    }
    const big = view.getBigUint64(8, littleEndian);
    firstOffset = big > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(big);
  } else {
    firstOffset = view.getUint32(4, littleEndian);
  }
  if (firstOffset === 0)
    fail('damaged', 'The file is damaged: it contains no image (first directory offset is 0)');
  const parser = new Parser(read, fileBytes, littleEndian, bigTiff, limits);
  const seen = new Set<number>();
  let offset = firstOffset;
  let first: PreflightSummary | undefined;
  let index = 0;
  while (offset !== 0) {
    if (seen.has(offset)) {
      fail(
        'damaged',
        `The file is damaged: image directory ${index + 1} loops back to byte ${groupDigits(offset)}`,
      );
    }
    if (index >= limits.maxIfds) {
      fail('too-large', `The file has more than ${limits.maxIfds} image directories`);
    }
    seen.add(offset);
    const ifd = await parser.ifdAt(index, offset);
    const subfile = (await parser.first(ifd, TAG.NewSubfileType)) ?? 0;
    // The first image, its overviews and masks get decoded; other pages only described.
    const decoded = index === 0 || (subfile & 0b101) !== 0;
    const summary = await checkImage(parser, ifd, fileBytes, limits, decoded);
    first ??= summary;
    offset = ifd.nextOffset;
    index++;
  }
  if (first === undefined) fail('damaged', 'The file is damaged: it contains no image');
  return { ...first, bigTiff, littleEndian, ifdCount: index };
}

/** A reader over bytes in memory; returns views, never copies. */
export function readerFromBuffer(buffer: ArrayBuffer | Uint8Array): ByteRangeReader {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  return (offset, length) => Promise.resolve(bytes.subarray(offset, offset + length));
}

/** A reader over a Blob or File (browser drop, Node 20 Blob). */
export function readerFromBlob(blob: Blob): ByteRangeReader {
  return async (offset, length) =>
    new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
}

/** The largest file read whole from a server that ignores range requests. */
export const MAX_WHOLE_DOWNLOAD_BYTES = 1e9;

/**
 * The body of a server's 200 answer to a range request: the whole file, read
 * only up to `maxBytes` (declared or counted); past that a TiffRefusal says
 * why, rather than the tab running out of memory. The array spans its own
 * buffer.
 */
export async function wholeFileOf(
  response: Response,
  maxBytes = MAX_WHOLE_DOWNLOAD_BYTES,
): Promise<Uint8Array> {
  const refuse = (bytes: number, atLeast: boolean): TiffRefusal =>
    new TiffRefusal(
      'too-large',
      `The server does not answer range requests, so the whole file would be downloaded at once: ${atLeast ? 'over ' : ''}${(bytes / 1e6).toFixed(0)} MB, more than the ${(maxBytes / 1e6).toFixed(0)} MB read that way. Serve it from a server with range requests (most static servers, S3, GCS) to read only the parts shown`,
    );
  const declared = Number(response.headers.get('Content-Length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw refuse(declared, false);
  }
  const { bytes, more } = await bodyUpTo(response, maxBytes);
  if (more) throw refuse(maxBytes, true);
  return bytes;
}

/**
 * Up to `maxBytes` of a response's body, read chunk by chunk and the rest
 * cancelled (a server that ignores Range sends the whole file); `more` when
 * the body went on past them. The array spans its own buffer.
 */
export async function bodyUpTo(
  response: Response,
  maxBytes: number,
): Promise<{ readonly bytes: Uint8Array; readonly more: boolean }> {
  const reader = response.body?.getReader();
  if (reader === undefined) {
    const all = new Uint8Array(await response.arrayBuffer());
    return { bytes: all.slice(0, maxBytes), more: all.byteLength > maxBytes };
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  let more = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (total + value.byteLength > maxBytes) {
        chunks.push(value.subarray(0, maxBytes - total));
        total = maxBytes;
        more = true;
        break;
      }
      chunks.push(value);
      total += value.byteLength;
    }
  } finally {
    if (more) await reader.cancel();
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { bytes, more };
}

/**
 * A reader over HTTP range requests, with the file size from Content-Range.
 * Reads in 64 KiB blocks, cached, so the preflight costs a few requests. A
 * server that ignores ranges answers 200 with the whole file, which is kept
 * and given back as `whole` (the open reads it instead of downloading again).
 */
export async function readerFromUrl(
  url: string,
  signal?: AbortSignal,
): Promise<{ read: ByteRangeReader; sizeBytes: number; whole?: Uint8Array } | null> {
  const blockBytes = 65536;
  const blocks = new Map<number, Promise<Uint8Array>>();
  const get = async (start: number, end: number): Promise<Response> =>
    fetch(url, {
      headers: { Range: `bytes=${start}-${end - 1}` },
      ...(signal === undefined ? {} : { signal }),
    });
  const first = await get(0, blockBytes);
  if (first.status === 416) {
    // Range Not Satisfiable for the first bytes: there are none.
    throw new TiffRefusal('empty', 'The file is empty (the server has no bytes for it)');
  }
  if (!first.ok) {
    const status = `${first.status}${first.statusText === '' ? '' : ` ${first.statusText}`}`;
    throw new TiffRefusal(
      'unreachable',
      `The server answered ${status} to a request for the file: check the address`,
    );
  }
  if (first.status === 200) {
    const whole = await wholeFileOf(first);
    return { read: readerFromBuffer(whole), sizeBytes: whole.byteLength, whole };
  }
  const total = /\/(\d+)\s*$/.exec(first.headers.get('Content-Range') ?? '')?.[1];
  if (total === undefined) return null;
  const sizeBytes = Number(total);
  blocks.set(
    0,
    first.arrayBuffer().then((b) => new Uint8Array(b)),
  );
  const block = (index: number): Promise<Uint8Array> => {
    let promise = blocks.get(index);
    if (promise === undefined) {
      const start = index * blockBytes;
      promise = get(start, Math.min(sizeBytes, start + blockBytes))
        .then((r) => r.arrayBuffer())
        .then((b) => new Uint8Array(b));
      blocks.set(index, promise);
    }
    return promise;
  };
  const read: ByteRangeReader = async (offset, length) => {
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const at = offset + filled;
      const index = Math.floor(at / blockBytes);
      const data = await block(index);
      const from = at - index * blockBytes;
      const take = Math.min(length - filled, data.byteLength - from);
      if (take <= 0) break;
      out.set(data.subarray(from, from + take), filled);
      filled += take;
    }
    return out.subarray(0, filled);
  };
  return { read, sizeBytes };
}

/** Runs the preflight and throws a TiffRefusal when it refuses. */
export async function assertReadableTiff(
  read: ByteRangeReader,
  fileBytes: number,
  limits: PreflightLimits = DEFAULT_PREFLIGHT_LIMITS,
): Promise<PreflightSummary> {
  const result = await preflightTiff(read, fileBytes, limits);
  if (!result.ok) throw new TiffRefusal(result.reason, result.message);
  return result.summary;
}

/** Raw geotiff.js / codec messages → the analyst's words; checked in order. */
const DECODE_ERRORS: readonly (readonly [RegExp, RefusalReason, (m: RegExpExecArray) => string])[] =
  [
    [
      /Unknown compression method identifier: (\d+)/,
      'unsupported-compression',
      (m) => unsupportedCompressionMessage(Number(m[1])),
    ],
    [/old style JPEG/i, 'unsupported-compression', () => unsupportedCompressionMessage(6)],
    [
      /createImageBitmap|OffscreenCanvas/,
      'decoder-missing',
      () =>
        'WebP compression cannot be decoded here: this runtime has no createImageBitmap and no WebP decoder is registered',
    ],
    [
      /Invalid LZW code|EOI_CODE/,
      'damaged',
      () => 'The file is damaged: its LZW-compressed data is corrupt',
    ],
    [
      /invalid (?:distance|block type|stored block|code lengths|literal|bit length|window size)|incorrect header check|unexpected end of file|invalid zlib/i,
      'damaged',
      () => 'The file is damaged: its Deflate-compressed data is corrupt',
    ],
    [
      /JpegDecoder|marker was not found|JPEG|Huffman/i,
      'damaged',
      (m) => `The file is damaged: a JPEG-compressed block could not be decoded (${m.input})`,
    ],
    [/zstd|ZSTD/, 'damaged', () => 'The file is damaged: its ZSTD-compressed data is corrupt'],
    [/lerc/i, 'damaged', () => 'The file is damaged: its LERC-compressed data is corrupt'],
    [
      /WebP|Decoding error/,
      'damaged',
      () => 'The file is damaged: a WebP-compressed block could not be decoded',
    ],
    [
      // geotiff.js's remote source, on any answer that is not OK to a block read after the open.
      /^Error fetching data/,
      'unreachable',
      () =>
        'The server refused a read part-way through the file (geotiff.js: Error fetching data): the file may have moved or changed, or its link expired; open it again',
    ],
    [
      /Invalid (?:planar configuration|byte order value|magic number)|Unsupported offset byte-size|Invalid field type/i,
      'damaged',
      (m) => `The file is damaged: ${m.input}`,
    ],
  ];

/**
 * Turns any error from opening or decoding a TIFF into a TiffRefusal with a
 * specific message where one is known; refusals and aborts pass through. The
 * fallback keeps the raw message after "The file could not be decoded".
 */
export function explainDecodeError(error: unknown): Error {
  if (error instanceof TiffRefusal) return error;
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'CancelledError')) {
    return error;
  }
  const message = error instanceof Error ? error.message : String(error);
  for (const [pattern, reason, explain] of DECODE_ERRORS) {
    const match = pattern.exec(message);
    if (match !== null) return new TiffRefusal(reason, explain(match), { cause: error });
  }
  return new TiffRefusal(
    'decode-failed',
    `The file could not be decoded: ${message || 'unknown error'}`,
    { cause: error },
  );
}

/** The sources openRaster takes, as far as the preflight needs them. */
export type PreflightSource =
  | { readonly kind: 'buffer'; readonly buffer: ArrayBuffer }
  | {
      readonly kind: 'blob';
      readonly blob: Blob;
      readonly sidecars?: { readonly overviews?: Blob; readonly mask?: Blob };
    }
  | {
      readonly kind: 'url';
      readonly url: string;
      readonly overviewUrl?: string | null;
      readonly maskUrl?: string | null;
    };

/**
 * Preflights a source (and its external overviews and mask) and throws a TiffRefusal
 * when it is refused. A URL whose server reports no size is not checked. Gives
 * the files of URLs whose server ignored ranges, downloaded whole, by URL.
 */
export async function assertReadableSource(
  source: PreflightSource,
  signal?: AbortSignal,
  limits: PreflightLimits = DEFAULT_PREFLIGHT_LIMITS,
): Promise<ReadonlyMap<string, Uint8Array>> {
  const wholeFiles = new Map<string, Uint8Array>();
  if (source.kind === 'buffer') {
    await assertReadableTiff(readerFromBuffer(source.buffer), source.buffer.byteLength, limits);
    return wholeFiles;
  }
  // The image itself is checked first; a sidecar's refusal names the file beside it.
  const sidecar = async (what: string, check: () => Promise<void>): Promise<void> => {
    try {
      await check();
    } catch (error) {
      if (!(error instanceof TiffRefusal)) throw error;
      const message = `its ${what} beside it: ${error.message}; remove or repair that file`;
      throw new TiffRefusal(error.reason, message, { cause: error });
    }
  };
  if (source.kind === 'blob') {
    await assertReadableTiff(readerFromBlob(source.blob), source.blob.size, limits);
    for (const [what, blob] of [
      ['overviews (.ovr)', source.sidecars?.overviews],
      ['mask (.msk)', source.sidecars?.mask],
    ] as const) {
      if (blob === undefined) continue;
      await sidecar(what, async () => {
        await assertReadableTiff(readerFromBlob(blob), blob.size, limits);
      });
    }
    return wholeFiles;
  }
  const checkUrl = async (url: string): Promise<void> => {
    const remote = await readerFromUrl(url, signal);
    if (remote === null) return;
    await assertReadableTiff(remote.read, remote.sizeBytes, limits);
    if (remote.whole !== undefined) wholeFiles.set(url, remote.whole);
  };
  await checkUrl(source.url);
  for (const [what, url] of [
    ['overviews (.ovr)', source.overviewUrl],
    ['mask (.msk)', source.maskUrl],
  ] as const) {
    if (url != null) await sidecar(what, () => checkUrl(url));
  }
  return wholeFiles;
}
