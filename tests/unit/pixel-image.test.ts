/** PNG and JPEG files, decoded whole: sizes past the limits are refused by name before decoding. */
import { crc32, deflateSync } from 'node:zlib';
import { encode as encodePng } from 'fast-png';
import { describe, expect, test } from 'vitest';
import { dataMaskOf } from '../../src/core/raster.ts';
import { decodePixelImage } from '../../src/io/pixel-image.ts';

/** A PNG signature and IHDR chunk declaring width × height (RGB, 8-bit) and nothing else. */
function pngHeader(width: number, height: number, colourType = 2, bitDepth = 8): Uint8Array {
  const bytes = new Uint8Array(33);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  bytes[24] = bitDepth;
  bytes[25] = colourType;
  return bytes;
}

/** A baseline JPEG's SOI and SOF0 declaring width × height, three components. */
function jpegHeader(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array([
    0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, 0, 0, 0, 0, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0,
  ]);
  const view = new DataView(bytes.buffer);
  view.setUint16(7, height);
  view.setUint16(9, width);
  return bytes;
}

/** A PNG of `depth`-bit samples (rows given packed, filter 0), with an optional palette. */
function lowBitPng(
  width: number,
  height: number,
  depth: number,
  colourType: number,
  packedRows: number[][],
  palette?: number[][],
  transparency?: number[],
): Uint8Array {
  const chunk = (type: string, data: Uint8Array): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = depth;
  header[9] = colourType;
  const rows = Buffer.concat(packedRows.map((row) => Buffer.from([0, ...row])));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    ...(palette === undefined ? [] : [chunk('PLTE', Buffer.from(palette.flat()))]),
    ...(transparency === undefined ? [] : [chunk('tRNS', Buffer.from(transparency))]),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('PNG samples below 8 bits', () => {
  test('a 4-bit palette PNG expands each index, rows padded to whole bytes', () => {
    // 3 × 2 px: indices 0 1 2 / 3 2 1, each row 2 bytes (the last nibble is padding).
    const { window } = decodePixelImage(
      lowBitPng(
        3,
        2,
        4,
        3,
        [
          [0x01, 0x20],
          [0x32, 0x10],
        ],
        [
          [10, 11, 12],
          [20, 21, 22],
          [30, 31, 32],
          [40, 41, 42],
        ],
      ),
      'palette4.png',
    );
    expect(Array.from(window.bands[0] ?? [])).toEqual([10, 20, 30, 40, 30, 20]);
    expect(Array.from(window.bands[2] ?? [])).toEqual([12, 22, 32, 42, 32, 22]);
  });

  test('tRNS: a transparent palette entry or grey value marks no data (an alpha band)', () => {
    // Indices 0 1 2 3; entry 0 fully transparent, entry 2 half.
    const palette = decodePixelImage(
      lowBitPng(
        4,
        1,
        8,
        3,
        [[0, 1, 2, 3]],
        [
          [10, 11, 12],
          [20, 21, 22],
          [30, 31, 32],
          [40, 41, 42],
        ],
        [0, 255, 128],
      ),
      'clear-palette.png',
    );
    expect(palette.info).toMatchObject({ bands: 4, mask: 'alpha' });
    expect(Array.from(palette.window.bands[3] ?? [])).toEqual([0, 255, 128, 255]);
    // Grey 8-bit: tRNS names grey 7 (two bytes, big-endian) as transparent.
    const grey = decodePixelImage(
      lowBitPng(4, 1, 8, 0, [[7, 8, 7, 9]], undefined, [0, 7]),
      'clear-grey.png',
    );
    expect(grey.info).toMatchObject({ bands: 2, mask: 'alpha' });
    expect(Array.from(grey.window.bands[1] ?? [])).toEqual([0, 255, 0, 255]);
    expect(
      Array.from(dataMaskOf([grey.window.bands[0] ?? []], null, grey.window.bands[1])),
    ).toEqual([0, 1, 0, 1]);
  });

  test('1- and 2-bit grey are scaled to 0–255', () => {
    const one = decodePixelImage(lowBitPng(10, 1, 1, 0, [[0b10110000, 0b01000000]]), 'mask.png');
    expect(Array.from(one.window.bands[0] ?? [])).toEqual([255, 0, 255, 255, 0, 0, 0, 0, 0, 255]);
    const two = decodePixelImage(lowBitPng(4, 1, 2, 0, [[0b00011011]]), 'grey2.png');
    expect(Array.from(two.window.bands[0] ?? [])).toEqual([0, 85, 170, 255]);
  });
});

describe('PNG and JPEG sizes', () => {
  test('a PNG is read whole, as its bands', () => {
    const data = Uint8Array.from({ length: 2 * 3 * 3 }, (_, i) => i);
    const { info, window } = decodePixelImage(
      encodePng({ width: 2, height: 3, data, channels: 3, depth: 8 }),
      'small.png',
    );
    expect([info.width, info.height, info.bands]).toEqual([2, 3, 3]);
    expect(Array.from(window.bands[1] ?? [])).toEqual([1, 4, 7, 10, 13, 16]);
  });

  test('a PNG whose header declares more than 2³⁰ samples is refused before it is inflated', () => {
    expect(() => decodePixelImage(pngHeader(40000, 40000), 'port.png')).toThrow(
      'port.png is 40000×40000 px × 3 values a pixel (4.8 GB decoded); a PNG is decoded whole, at most 1074 million values (18918 px square in RGB): convert it to a tiled GeoTIFF with overviews (e.g. gdal_translate -of COG), which is read a window at a time',
    );
    // 16-bit RGBA: twice the bytes per sample, four samples.
    expect(() => decodePixelImage(pngHeader(20000, 20000, 6, 16), 'rgba16.png')).toThrow(
      /^rgba16\.png is 20000×20000 px × 4 values a pixel \(3\.2 GB decoded\)/,
    );
  });

  test('a JPEG over the decoder’s limit says what to do', () => {
    expect(() => decodePixelImage(jpegHeader(30000, 20000), 'wide.jpg')).toThrow(
      'wide.jpg is too large to decode: a JPEG is decoded whole, at most 250 megapixels and 1 GB (maxResolutionInMP limit exceeded by 350MP): convert it to a tiled GeoTIFF with overviews (e.g. gdal_translate -of COG), which is read a window at a time',
    );
  });
});
