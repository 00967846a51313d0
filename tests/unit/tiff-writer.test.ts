import { describe, expect, test } from 'vitest';
import { Random } from '../../src/core/random.ts';
import { openRaster, readWindow } from '../../src/io/decoder.ts';
import { downsampleByTwo, writeTiff, type TiffImageSpec } from '../../src/io/tiff-writer.ts';

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function randomRgb(width: number, height: number, seed: number): Uint8Array {
  const random = new Random(seed);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = random.int(0, 255);
  return data;
}

const utm = {
  modelType: 'projected',
  epsg: 32652,
  originX: 607000,
  originY: 4678000,
  pixelSizeX: 0.5,
  pixelSizeY: 0.5,
} as const;

describe('GeoTIFF writer, read back with geotiff.js', () => {
  for (const [compression, predictor] of [
    ['none', false],
    ['deflate', false],
    ['deflate', true],
  ] as const) {
    test(`8-bit RGB, ${compression}${predictor ? ' + predictor' : ''}: pixels round-trip exactly`, async () => {
      const width = 70;
      const height = 45;
      const data = randomRgb(width, height, 11);
      const bytes = writeTiff([
        {
          width,
          height,
          samplesPerPixel: 3,
          bitsPerSample: 8,
          data,
          tileSize: 32,
          compression,
          predictor,
          georeference: utm,
          dateTime: '2023:10:13 02:15:00',
        },
      ]);
      const raster = await openRaster({
        kind: 'buffer',
        buffer: toArrayBuffer(bytes),
        name: 't.tif',
      });
      expect(raster.info).toMatchObject({
        width,
        height,
        bands: 3,
        dtype: 'uint8',
        compression,
        tiled: true,
        crs: expect.objectContaining({ epsg: 32652 }) as unknown,
        gsdM: expect.closeTo(0.5, 3) as unknown, // on the ground: UTM scale ≈ 0.9997 here
        acquired: '2023-10-13T02:15:00',
      });
      expect(raster.info.geoTransform).toMatchObject({
        originX: 607000,
        originY: 4678000,
        pixelWidth: 0.5,
        pixelHeight: -0.5,
      });
      const window = await readWindow(raster);
      for (let b = 0; b < 3; b++) {
        const band = window.bands[b]!;
        for (let i = 0; i < width * height; i++) {
          if (band[i] !== data[i * 3 + b])
            throw new Error(`band ${b} pixel ${i}: ${band[i]} != ${data[i * 3 + b]}`);
        }
      }
    });
  }

  test('16-bit single band with predictor round-trips exactly', async () => {
    const width = 33;
    const height = 20;
    const random = new Random(3);
    const data = new Uint16Array(width * height).map(() => random.int(0, 65535));
    const bytes = writeTiff([
      {
        width,
        height,
        samplesPerPixel: 1,
        bitsPerSample: 16,
        data,
        tileSize: 16,
        compression: 'deflate',
        predictor: true,
      },
    ]);
    const raster = await openRaster({
      kind: 'buffer',
      buffer: toArrayBuffer(bytes),
      name: 'g.tif',
    });
    expect(raster.info.dtype).toBe('uint16');
    expect(raster.info.geoTransform).toBeNull();
    const window = await readWindow(raster);
    expect(Array.from(window.bands[0]!)).toEqual(Array.from(data));
  });

  test('JPEG (YCbCr) decodes to RGB close to the source, overviews are listed', async () => {
    const width = 96;
    const height = 64;
    // A smooth gradient: JPEG keeps it within a few DN.
    const data = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 3;
        data[i] = x * 2;
        data[i + 1] = y * 3;
        data[i + 2] = 200 - x;
      }
    }
    const overview = downsampleByTwo(data, width, height, 3);
    const specs: TiffImageSpec[] = [
      {
        width,
        height,
        samplesPerPixel: 3,
        bitsPerSample: 8,
        data,
        tileSize: 32,
        compression: 'jpeg',
        jpegQuality: 95,
        georeference: utm,
      },
      {
        width: overview.width,
        height: overview.height,
        samplesPerPixel: 3,
        bitsPerSample: 8,
        data: overview.data,
        tileSize: 32,
        compression: 'jpeg',
        jpegQuality: 95,
      },
    ];
    const raster = await openRaster({
      kind: 'buffer',
      buffer: toArrayBuffer(writeTiff(specs)),
      name: 'j.tif',
    });
    expect(raster.info).toMatchObject({
      compression: 'jpeg',
      photometric: 'ycbcr',
      overviews: [{ width: 48, height: 32 }],
    });
    const window = await readWindow(raster);
    let worst = 0;
    for (let b = 0; b < 3; b++) {
      for (let i = 0; i < width * height; i++) {
        worst = Math.max(worst, Math.abs(window.bands[b]![i]! - data[i * 3 + b]!));
      }
    }
    expect(worst).toBeLessThanOrEqual(6);
  });

  test('downsampleByTwo averages 2×2 blocks and repeats odd edges', () => {
    const data = new Uint8Array([0, 4, 8, 4, 8, 12]); // 3×2 grey
    const half = downsampleByTwo(data, 3, 2, 1);
    expect(half.width).toBe(2);
    expect(half.height).toBe(1);
    expect(Array.from(half.data)).toEqual([4, 10]);
  });

  test('rejects data of the wrong length', () => {
    expect(() =>
      writeTiff([
        { width: 4, height: 4, samplesPerPixel: 3, bitsPerSample: 8, data: new Uint8Array(10) },
      ]),
    ).toThrow(/holds 10 samples, expected 4×4×3/);
  });
});
