/**
 * PNG and JPEG files without georeference, opened as pixel grids (the change
 * pairs analysts compare are often PNG). Pure JS decoders, so the same code
 * runs in the browser worker and in the Node CLI.
 */
import { decode as decodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import type { BandArray, RasterInfo, RasterWindow } from '../core/raster.ts';

export type PixelFormat = 'png' | 'jpeg';

/** PNG or JPEG by magic bytes, else null. */
export function sniffPixelFormat(head: Uint8Array): PixelFormat | null {
  if (head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47) return 'png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  return null;
}

/** Decoded pixels refuse to exceed this many samples (≈ 1 GB of 8-bit data). */
const MAX_SAMPLES = 1 << 30;
/** jpeg-js's own limit on a JPEG's size (it refuses larger ones before decoding). */
const MAX_JPEG_MEGAPIXELS = 250;

/** Samples per pixel once decoded, by PNG colour type (a palette expands to RGB). */
const PNG_CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 };

const CONVERT_HINT =
  'convert it to a tiled GeoTIFF with overviews (e.g. gdal_translate -of COG), which is read a window at a time';

/**
 * Refuses a PNG too large to decode from its header (IHDR: width, height,
 * bit depth, colour type at bytes 16–25), before the decoder inflates it:
 * a PNG is decoded whole.
 */
function checkPngSize(bytes: Uint8Array, name: string): void {
  if (bytes.byteLength < 26) return; // the decoder names a truncated file
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const bitDepth = bytes[24] ?? 8;
  const channels = PNG_CHANNELS[bytes[25] ?? 2] ?? 4;
  const samples = width * height * channels;
  if (samples <= MAX_SAMPLES) return;
  const decodedGb = (samples * (bitDepth === 16 ? 2 : 1)) / 1e9;
  throw new Error(
    `${name} is ${width}×${height} px × ${channels} values a pixel (${decodedGb.toFixed(1)} GB decoded); ` +
      `a PNG is decoded whole, at most ${Math.round(MAX_SAMPLES / 1e6)} million values ` +
      `(${Math.floor(Math.sqrt(MAX_SAMPLES / 3))} px square in RGB): ${CONVERT_HINT}`,
  );
}

/** jpeg-js's refusal of a JPEG over its limits, in words that say what to do. */
function explainJpegLimit(error: unknown, name: string): unknown {
  const text = error instanceof Error ? error.message : String(error);
  if (!text.includes('limit exceeded')) return error;
  return new Error(
    `${name} is too large to decode: a JPEG is decoded whole, at most ${MAX_JPEG_MEGAPIXELS} megapixels ` +
      `and 1 GB (${text}): ${CONVERT_HINT}`,
    { cause: error },
  );
}

function splitBands(
  interleaved: ArrayLike<number>,
  pixelCount: number,
  channels: number,
  Ctor: typeof Uint8Array | typeof Uint16Array,
): BandArray[] {
  return Array.from({ length: channels }, (_, b) => {
    const band = new Ctor(pixelCount);
    for (let i = 0; i < pixelCount; i++) band[i] = interleaved[i * channels + b] ?? 0;
    return band;
  });
}

/**
 * PNG samples of 1, 2 or 4 bits, packed most significant first in rows padded
 * to whole bytes (PNG spec §7.2), one per byte; grey levels are scaled to
 * 0–255 as a viewer shows them, palette indices are kept.
 */
function unpackLowBitSamples(
  packed: ArrayLike<number>,
  width: number,
  height: number,
  channels: number,
  depth: number,
  scaleToByte: boolean,
): Uint8Array {
  const perRow = width * channels;
  const rowBytes = Math.ceil((perRow * depth) / 8);
  const mask = (1 << depth) - 1;
  const scale = scaleToByte ? 255 / mask : 1;
  const out = new Uint8Array(perRow * height);
  for (let y = 0; y < height; y++) {
    for (let j = 0; j < perRow; j++) {
      const bit = j * depth;
      const byte = packed[y * rowBytes + (bit >> 3)] ?? 0;
      out[y * perRow + j] = Math.round(((byte >> (8 - depth - (bit & 7))) & mask) * scale);
    }
  }
  return out;
}

export function decodePixelImage(
  bytes: Uint8Array,
  name: string,
): { info: RasterInfo; window: RasterWindow } {
  const format = sniffPixelFormat(bytes);
  let width: number;
  let height: number;
  let bands: BandArray[];
  let bitsPerSample: number;
  if (format === 'png') {
    checkPngSize(bytes, name);
    const png = decodePng(bytes);
    width = png.width;
    height = png.height;
    bitsPerSample = png.depth === 16 ? 16 : 8;
    // The decoder leaves 1-, 2- and 4-bit samples packed (grey and palette PNGs).
    const samples =
      png.depth < 8
        ? unpackLowBitSamples(
            png.data,
            width,
            height,
            png.channels,
            png.depth,
            png.palette === undefined,
          )
        : png.data;
    if (png.palette !== undefined) {
      // Expand the colour map to RGB, and to RGBA where tRNS gave its entries an alpha.
      const palette = png.palette;
      const indices = samples;
      const channels = palette.some((entry) => entry.length > 3) ? 4 : 3;
      bands = Array.from({ length: channels }, (_, c) => {
        const band = new Uint8Array(width * height);
        for (let i = 0; i < band.length; i++) {
          band[i] = palette[indices[i] ?? 0]?.[c] ?? (c === 3 ? 255 : 0);
        }
        return band;
      });
    } else {
      const Samples = bitsPerSample === 16 ? Uint16Array : Uint8Array;
      bands = splitBands(samples, width * height, png.channels, Samples);
      // tRNS of a grey or RGB PNG names one colour as transparent: an alpha band marks it.
      const clear = png.transparency;
      if (
        clear !== undefined &&
        clear.length === bands.length &&
        (bands.length === 1 || bands.length === 3)
      ) {
        const opaque = bitsPerSample === 16 ? 65535 : 255;
        const alpha = new Samples(width * height);
        for (let i = 0; i < alpha.length; i++) {
          alpha[i] = bands.every((band, b) => band[i] === clear[b]) ? 0 : opaque;
        }
        bands = [...bands, alpha];
      }
    }
  } else if (format === 'jpeg') {
    let decoded: { width: number; height: number; data: Uint8Array };
    try {
      decoded = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: false,
        maxResolutionInMP: MAX_JPEG_MEGAPIXELS,
        maxMemoryUsageInMB: 1024,
      });
    } catch (error) {
      throw explainJpegLimit(error, name);
    }
    width = decoded.width;
    height = decoded.height;
    bitsPerSample = 8;
    const channels = decoded.data.length / (width * height);
    bands = splitBands(decoded.data, width * height, channels, Uint8Array);
  } else {
    throw new Error(`${name} is neither a TIFF, a PNG nor a JPEG file`);
  }
  const info: RasterInfo = {
    name,
    sizeBytes: bytes.byteLength,
    width,
    height,
    bands: bands.length,
    bitsPerSample,
    sampleFormat: 'uint',
    rgbBands: null,
    dtype: `uint${bitsPerSample}`,
    compression: format,
    photometric: bands.length >= 3 ? 'rgb' : 'minisblack',
    interleave: 'pixel',
    tiled: false,
    tileWidth: null,
    tileHeight: null,
    bigTiff: false,
    littleEndian: false,
    overviews: [],
    nodata: null,
    mask: bands.length === 4 || bands.length === 2 ? 'alpha' : 'none',
    georeference: 'none',
    geoTransform: null,
    crs: null,
    gsdM: null,
    acquired: null,
  };
  return { info, window: { width, height, bands } };
}
