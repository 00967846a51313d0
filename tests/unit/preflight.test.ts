/**
 * The TIFF preflight on hand-made bytes: each kind of bad input gets its own
 * message, and a huge declared size is refused before anything is allocated.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { dataMaskOf } from '../../src/core/raster.ts';
import { openRaster, readWindow } from '../../src/io/decoder.ts';
import { blockBytes, decodeLzw } from '../../src/io/safe-decoders.ts';
import {
  explainDecodeError,
  groupDigits,
  preflightTiff,
  readerFromBlob,
  readerFromBuffer,
  TiffRefusal,
  type ByteRangeReader,
} from '../../src/io/tiff-preflight.ts';

interface TagSpec {
  readonly tag: number;
  readonly type: number;
  readonly values: readonly number[];
}

/**
 * A little-endian classic TIFF: header, one IFD at byte 8, out-of-line values
 * after it, then `dataBytes` bytes of pixel data; offsets tags may refer to DATA.
 */
function tiff(tags: readonly TagSpec[], dataBytes = 0): Uint8Array {
  const sizes: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 7: 1 };
  const sorted = [...tags].sort((a, b) => a.tag - b.tag);
  const ifdBytes = 2 + sorted.length * 12 + 4;
  let extra = 8 + ifdBytes;
  const outOfLine = sorted.map((t) => {
    const bytes = (sizes[t.type] ?? 4) * t.values.length;
    if (bytes <= 4) return -1;
    const at = extra;
    extra += bytes;
    return at;
  });
  const dataAt = extra;
  const out = new Uint8Array(extra + dataBytes);
  const view = new DataView(out.buffer);
  out.set([0x49, 0x49]);
  view.setUint16(2, 42, true);
  view.setUint32(4, 8, true);
  view.setUint16(8, sorted.length, true);
  sorted.forEach((t, i) => {
    const at = 10 + i * 12;
    const size = sizes[t.type] ?? 4;
    view.setUint16(at, t.tag, true);
    view.setUint16(at + 2, t.type, true);
    view.setUint32(at + 4, t.values.length, true);
    const base = outOfLine[i] === -1 ? at + 8 : (outOfLine[i] ?? 0);
    if (outOfLine[i] !== -1) view.setUint32(at + 8, base, true);
    t.values.forEach((v, k) => {
      const value = v === DATA ? dataAt : v;
      if (size === 1) view.setUint8(base + k, value);
      else if (size === 2) view.setUint16(base + k * 2, value, true);
      else view.setUint32(base + k * 4, value, true);
    });
  });
  return out;
}

/** Placeholder in tag values for "where the pixel data starts". */
const DATA = -12345;

/** A valid 4×2 uint8 grey image with one uncompressed strip. */
function smallImage(overrides: readonly TagSpec[] = [], dataBytes = 8): Uint8Array {
  const base: TagSpec[] = [
    { tag: 256, type: 3, values: [4] },
    { tag: 257, type: 3, values: [2] },
    { tag: 258, type: 3, values: [8] },
    { tag: 259, type: 3, values: [1] },
    { tag: 262, type: 3, values: [1] },
    { tag: 273, type: 4, values: [DATA] },
    { tag: 277, type: 3, values: [1] },
    { tag: 278, type: 3, values: [2] },
    { tag: 279, type: 4, values: [8] },
  ];
  const tags = base.filter((t) => !overrides.some((o) => o.tag === t.tag)).concat(overrides);
  return tiff(tags, dataBytes);
}

async function check(
  bytes: Uint8Array,
): Promise<{ ok: boolean; reason?: string; message?: string }> {
  const result = await preflightTiff(readerFromBuffer(bytes), bytes.byteLength);
  return result.ok ? { ok: true } : { ok: false, reason: result.reason, message: result.message };
}

describe('TIFF preflight', () => {
  test('a valid hand-made TIFF passes and opens', async () => {
    const bytes = smallImage();
    bytes.set([1, 2, 3, 4, 5, 6, 7, 8], bytes.length - 8);
    expect(await check(bytes)).toEqual({ ok: true });
    const raster = await openRaster({
      kind: 'buffer',
      buffer: bytes.slice().buffer,
      name: 'ok.tif',
    });
    expect(raster.info.width).toBe(4);
    const window = await readWindow(raster);
    expect(Array.from(window.bands[0] ?? [])).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  test('zero-size file', async () => {
    expect(await check(new Uint8Array(0))).toEqual({
      ok: false,
      reason: 'empty',
      message: 'The file is empty (0 bytes)',
    });
  });

  test('wrong magic bytes name what the file looks like', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
    expect((await check(png)).message).toBe('Not a TIFF file: it starts with 89 50 4E 47 (a PNG?)');
    const text = new TextEncoder().encode('hello world');
    expect((await check(text)).message).toBe('Not a TIFF file: it starts with 68 65 6C 6C');
    const badVersion = smallImage();
    badVersion[2] = 41;
    expect((await check(badVersion)).message).toMatch(
      /^Not a TIFF file: .*version 41, not 42 or 43/,
    );
  });

  test('truncated header, directory and strip', async () => {
    expect(await check(new Uint8Array([0x49, 0x49, 42, 0]))).toMatchObject({
      reason: 'truncated',
      message: 'The file is truncated: a TIFF header needs 8 bytes but the file has 4',
    });
    const whole = smallImage();
    expect((await check(whole.subarray(0, 20))).message).toMatch(
      /^The file is truncated: the first image directory ends at byte \d+ but the file has 20 bytes$/,
    );
    expect((await check(whole.subarray(0, whole.length - 3))).message).toBe(
      `The file is truncated: strip 0 (rows 0–1) ends at byte ${groupDigits(whole.length)} but the file has ${groupDigits(whole.length - 3)} bytes`,
    );
  });

  test('a header declaring 10⁶ × 10⁶ pixels in a tiny file is refused before any allocation', async () => {
    const bytes = smallImage([
      { tag: 256, type: 4, values: [1_000_000] },
      { tag: 257, type: 4, values: [1_000_000] },
      { tag: 277, type: 3, values: [3] },
      { tag: 258, type: 3, values: [8, 8, 8] },
      { tag: 278, type: 4, values: [1_000_000] },
    ]);
    expect(bytes.length).toBeLessThan(300);
    // Count every byte the preflight asks for: it must stay near the file's size.
    let requestedBytes = 0;
    const read: ByteRangeReader = (offset, length) => {
      requestedBytes += length;
      return readerFromBuffer(bytes)(offset, length);
    };
    const started = performance.now();
    const result = await preflightTiff(read, bytes.length);
    expect(performance.now() - started).toBeLessThan(100);
    expect(result).toMatchObject({
      ok: false,
      reason: 'too-large',
      message:
        'The header declares 1 000 000 × 1 000 000 pixels × 3 bands (≈ 3.0 TB), more than Quaywatch will decode (limit 32 GB)',
    });
    expect(requestedBytes).toBeLessThan(1024);
    // openRaster refuses with the same message, before geotiff.js sees the file.
    await expect(
      openRaster({ kind: 'buffer', buffer: bytes.slice().buffer, name: 'huge.tif' }),
    ).rejects.toThrow(/^The header declares 1 000 000 × 1 000 000 pixels/);
  });

  test('one enormous strip is refused even when the image total is allowed', async () => {
    const bytes = smallImage([
      { tag: 256, type: 4, values: [100_000] },
      { tag: 257, type: 4, values: [100_000] },
      { tag: 278, type: 4, values: [100_000] },
    ]);
    expect((await check(bytes)).message).toBe(
      'One strip of the image (100 000 × 100 000 pixels) decodes to ≈ 10 GB, more than Quaywatch will decode at once (limit 512 MB)',
    );
  });

  test.each([
    [2, 'CCITT modified Huffman (RLE) fax compression is not supported (TIFF compression 2)'],
    [3, 'CCITT Group 3 fax compression is not supported (TIFF compression 3)'],
    [4, 'CCITT Group 4 fax compression is not supported (TIFF compression 4)'],
    [6, 'Old-style JPEG compression (TIFF 6.0 "OJPEG", superseded in 1995) is not supported'],
    [32809, 'ThunderScan compression is not supported (TIFF compression 32809)'],
    [34676, 'SGILog (LogLuv HDR) compression is not supported (TIFF compression 34676)'],
    [34712, 'JPEG 2000 compression is not supported (TIFF compression 34712)'],
    [50002, 'JPEG XL compression is not supported (TIFF compression 50002)'],
    [4242, 'Unknown TIFF compression 4242 is not supported'],
  ])('compression %i is refused by name', async (code, message) => {
    const result = await check(smallImage([{ tag: 259, type: 3, values: [code] }]));
    expect(result.reason).toBe('unsupported-compression');
    expect(result.message?.startsWith(message)).toBe(true);
  });

  test('damaged directories: bad field type, missing strips, a loop', async () => {
    const badType = smallImage();
    new DataView(badType.buffer).setUint16(10 + 2, 0, true); // first entry's type
    expect((await check(badType)).message).toMatch(
      /^The file is damaged: .* invalid field type 0$/,
    );
    const noCounts = tiff(
      [
        { tag: 256, type: 3, values: [4] },
        { tag: 257, type: 3, values: [2] },
        { tag: 273, type: 4, values: [DATA] },
      ],
      8,
    );
    expect((await check(noCounts)).message).toBe(
      'The file is damaged: the image has no StripOffsets/StripByteCounts',
    );
    const fewStrips = smallImage([{ tag: 278, type: 3, values: [1] }]);
    expect((await check(fewStrips)).message).toBe(
      'The file is damaged: the image needs 2 strips but lists 1',
    );
    const loop = smallImage();
    const view = new DataView(loop.buffer);
    view.setUint32(8 + 2 + view.getUint16(8, true) * 12, 8, true); // next IFD := itself
    expect((await check(loop)).message).toBe(
      'The file is damaged: image directory 2 loops back to byte 8',
    );
  });

  test('complex samples and chroma-subsampled YCbCr without JPEG are refused by name', async () => {
    const complex = smallImage([
      { tag: 339, type: 3, values: [6] },
      { tag: 258, type: 3, values: [64] },
    ]);
    // 64 bits per sample: two 32-bit floats, GDAL's CFloat32.
    expect((await check(complex)).message).toMatch(/^Complex samples \(CFloat32,/);
    const ycbcr = smallImage([
      { tag: 262, type: 3, values: [6] },
      { tag: 277, type: 3, values: [3] },
      { tag: 258, type: 3, values: [8, 8, 8] },
      { tag: 259, type: 3, values: [5] },
    ]);
    expect((await check(ycbcr)).message).toBe(
      'YCbCr pixels with 2×2 chroma subsampling outside JPEG compression are not supported',
    );
  });

  test('MinIsWhite is read turned round, its GDAL nodata value with it', async () => {
    const bytes = smallImage([
      { tag: 262, type: 3, values: [0] },
      // GDAL_NODATA "0": stored 0 is white, and no data.
      { tag: 42113, type: 2, values: [0x30, 0] },
    ]);
    bytes.set([0, 64, 192, 255, 0, 10, 20, 30], bytes.length - 8);
    const raster = await openRaster({
      kind: 'buffer',
      buffer: bytes.slice().buffer,
      name: 'w.tif',
    });
    expect(raster.info).toMatchObject({ photometric: 'miniswhite', nodata: 255 });
    const window = await readWindow(raster);
    expect(Array.from(window.bands[0] ?? [])).toEqual([255, 191, 63, 0, 255, 245, 235, 225]);
    expect(Array.from(dataMaskOf(window.bands, raster.info.nodata))).toEqual([
      0, 1, 1, 1, 0, 1, 1, 1,
    ]);
  });

  test('12-bit RGB packed pixel by pixel is refused (geotiff.js misreads it); band by band it opens', async () => {
    // 4 × 2 px, 3 × 12 bits per pixel: 18 bytes a row.
    const rgb12 = (planar: number): Uint8Array =>
      smallImage(
        [
          { tag: 258, type: 3, values: [12, 12, 12] },
          { tag: 262, type: 3, values: [2] },
          { tag: 277, type: 3, values: [3] },
          { tag: 284, type: 3, values: [planar] },
          ...(planar === 1
            ? [
                { tag: 273, type: 4, values: [DATA] },
                { tag: 279, type: 4, values: [36] },
              ]
            : [
                { tag: 273, type: 4, values: [DATA, DATA, DATA] },
                { tag: 279, type: 4, values: [12, 12, 12] },
              ]),
        ],
        36,
      );
    expect(await check(rgb12(1))).toEqual({
      ok: false,
      reason: 'unsupported-sample-format',
      message:
        '12-bit samples packed pixel by pixel (3 per pixel) are not supported: convert with gdal_translate -ot UInt16, or -co INTERLEAVE=BAND',
    });
    expect(await check(rgb12(2))).toEqual({ ok: true });
  });

  test('works through a Blob reader as through a buffer', async () => {
    const bytes = smallImage();
    const blob = new Blob([bytes.slice(0, bytes.length - 3)]);
    const result = await preflightTiff(readerFromBlob(blob), blob.size);
    expect(result).toMatchObject({ ok: false, reason: 'truncated' });
  });

  test('geotiff.js errors become specific messages', () => {
    const cases: [string, string][] = [
      [
        'Unknown compression method identifier: 3',
        'CCITT Group 3 fax compression is not supported',
      ],
      ['old style JPEG compression is not supported.', 'Old-style JPEG compression'],
      [
        'Cannot decode WebImage as `createImageBitmap` is not available',
        'WebP compression cannot be decoded here',
      ],
      [
        'Invalid LZW code: 4095 with no previous code',
        'The file is damaged: its LZW-compressed data is corrupt',
      ],
      [
        'invalid distance too far back',
        'The file is damaged: its Deflate-compressed data is corrupt',
      ],
      [
        "Cannot read properties of undefined (reading 'x')",
        'The file could not be decoded: Cannot read',
      ],
    ];
    for (const [raw, expected] of cases) {
      const explained = explainDecodeError(new Error(raw));
      expect(explained).toBeInstanceOf(TiffRefusal);
      expect(explained.message.startsWith(expected)).toBe(true);
    }
  });
});

describe('bounded LZW decoder', () => {
  test('decodes a hand-made stream and stops at the block size', () => {
    // Codes (9-bit, MSB first): CLEAR, 'A', 'B', 258 ("AB"), EOI → "ABAB".
    const codes = [256, 65, 66, 258, 257];
    const bits = codes.map((c) => c.toString(2).padStart(9, '0')).join('');
    const bytes = new Uint8Array(Math.ceil(bits.length / 8));
    for (let i = 0; i < bits.length; i++) {
      if (bits[i] === '1') bytes[i >> 3] = (bytes[i >> 3] ?? 0) | (0x80 >> (i & 7));
    }
    expect(Array.from(decodeLzw(bytes, 4))).toEqual([65, 66, 65, 66]);
    expect(Array.from(decodeLzw(bytes, 3))).toEqual([65, 66, 65]);
    expect(() => decodeLzw(new Uint8Array([0xff, 0xff, 0xff]), 16)).toThrow(/Invalid LZW code/);
    expect(
      blockBytes({ tileWidth: 3, tileHeight: 2, planarConfiguration: 1, bitsPerSample: [1] }),
    ).toBe(2);
  });

  const data = fileURLToPath(new URL('../../../shared/data/tiff/rasterio', import.meta.url));
  test.skipIf(!existsSync(join(data, 'rgb_lzw.tif')))(
    'LZW, Deflate and uncompressed copies of RGB.byte.tif decode to the same pixels',
    async () => {
      const read = async (name: string) => {
        const b = readFileSync(join(data, name));
        const buffer = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
        const raster = await openRaster({ kind: 'buffer', buffer, name });
        return readWindow(raster, { window: [200, 200, 456, 456] });
      };
      const [plain, lzw, deflate] = await Promise.all(
        ['RGB.byte.tif', 'rgb_lzw.tif', 'rgb_deflate.tif'].map(read),
      );
      for (let b = 0; b < 3; b++) {
        expect(lzw?.bands[b]).toEqual(plain?.bands[b]);
        expect(deflate?.bands[b]).toEqual(plain?.bands[b]);
      }
    },
  );
});
