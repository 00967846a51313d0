import proj4 from 'proj4';
import { describe, expect, test } from 'vitest';
import { controlPointMapping, type GridRef } from '../../src/core/align/grid-mapping.ts';
import { resampleBilinear, resampleNearest } from '../../src/core/align/resample.ts';
import { crsFromEpsg } from '../../src/core/crs.ts';
import { readAligned } from '../../src/io/align-read.ts';
import { openRaster, readWindow, readWindowInStrips } from '../../src/io/decoder.ts';
import { writeTiff } from '../../src/io/tiff-writer.ts';
import { PLAIN_RASTER_INFO } from '../support/raster-info.ts';

const UTM52N = crsFromEpsg(32652).proj4!;
const UTM53N = crsFromEpsg(32653).proj4!;

function northUp(
  width: number,
  height: number,
  originX: number,
  originY: number,
  pixelSize: number,
  crs = UTM52N,
): GridRef {
  return {
    width,
    height,
    geoTransform: {
      originX,
      pixelWidth: pixelSize,
      rowRotation: 0,
      originY,
      columnRotation: 0,
      pixelHeight: -pixelSize,
    },
    proj4: crs,
  };
}

/** A linear ramp sampled at source pixel centres: value at continuous centre-origin (s, t). */
const ramp = (s: number, t: number): number => 3 + 2 * s - 0.5 * t;

function rampBand(width: number, height: number): Float32Array {
  const band = new Float32Array(width * height);
  for (let j = 0; j < height; j++) for (let i = 0; i < width; i++) band[j * width + i] = ramp(i, j);
  return band;
}

describe('resampleBilinear', () => {
  test('reproduces a linear ramp exactly under an affine mapping (scale and sub-pixel offset)', () => {
    const source = northUp(60, 50, 1000, 2000, 1);
    const target = northUp(70, 55, 1003.37, 1996.81, 0.7);
    const mapping = controlPointMapping(target, source);
    const { data, valid } = resampleBilinear(
      rampBand(60, 50),
      60,
      50,
      mapping,
      target.width,
      target.height,
    );
    let checked = 0;
    for (let y = 0; y < target.height; y++) {
      for (let x = 0; x < target.width; x++) {
        const [u, v] = mapping.map(x + 0.5, y + 0.5);
        const inside = u >= 0 && u < 60 && v >= 0 && v < 50;
        expect(valid[y * target.width + x]).toBe(inside ? 1 : 0);
        // Away from the outer half pixel (edge pixels repeated there) the ramp is exact.
        if (u >= 0.5 && u <= 59.5 && v >= 0.5 && v <= 49.5) {
          expect(data[y * target.width + x]).toBeCloseTo(ramp(u - 0.5, v - 0.5), 4);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(3000);
  });

  test('reproduces the ramp at the lattice positions across CRSs (UTM 52N ← 53N)', () => {
    const [e, n] = proj4(crsFromEpsg(4326).proj4!, UTM52N, [131.9, 42.3]);
    const target = northUp(64, 48, Math.round(e), Math.round(n), 1);
    const [e53, n53] = proj4(UTM52N, UTM53N, [Math.round(e) - 20, Math.round(n) + 20]);
    const source = northUp(120, 100, e53, n53, 1, UTM53N);
    const mapping = controlPointMapping(target, source, 16);
    const { data, valid } = resampleBilinear(rampBand(120, 100), 120, 100, mapping, 64, 48);
    let worst = 0;
    for (let y = 0; y < 48; y++) {
      for (let x = 0; x < 64; x++) {
        const [u, v] = mapping.map(x + 0.5, y + 0.5);
        expect(valid[y * 64 + x]).toBe(1);
        worst = Math.max(worst, Math.abs(data[y * 64 + x]! - ramp(u - 0.5, v - 0.5)));
      }
    }
    expect(worst).toBeLessThan(1e-4);
  });

  test('identity mapping copies the band; nodata and NaN invalidate only the pixels they touch', () => {
    const grid = northUp(8, 6, 0, 0, 1);
    const band = new Uint16Array(48).map((_, i) => 100 + i);
    band[20] = 65535;
    const { data, valid } = resampleBilinear(
      band,
      8,
      6,
      controlPointMapping(grid, grid),
      8,
      6,
      65535,
    );
    for (let i = 0; i < 48; i++) {
      expect(valid[i]).toBe(i === 20 ? 0 : 1);
      expect(data[i]).toBe(i === 20 ? 0 : 100 + i);
    }
    // Half a pixel off in x: each target pixel blends two source pixels.
    const shifted = northUp(8, 6, 0.5, 0, 1);
    const floats = Float32Array.from(band, (v) => (v === 65535 ? Number.NaN : v));
    const half = resampleBilinear(floats, 8, 6, controlPointMapping(shifted, grid), 8, 6);
    // Row 2 holds the NaN at column 4: targets 3 (cols 3–4) and 4 (cols 4–5) are invalid.
    expect(Array.from(half.valid.subarray(16, 24))).toEqual([1, 1, 1, 0, 0, 1, 1, 0]);
    expect(half.data[16]).toBeCloseTo(116.5, 5);
  });

  test('window: originPx resamples a part of the target grid', () => {
    const grid = northUp(20, 10, 0, 0, 1);
    const band = rampBand(20, 10);
    const mapping = controlPointMapping(grid, grid);
    const whole = resampleBilinear(band, 20, 10, mapping, 20, 10);
    const part = resampleBilinear(band, 20, 10, mapping, 5, 4, null, [7, 3]);
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 5; x++)
        expect(part.data[y * 5 + x]).toBe(whole.data[(y + 3) * 20 + x + 7]);
    }
  });
});

describe('resampleNearest', () => {
  test('masks keep their values: 2× upsampling repeats each source pixel in a 2×2 block', () => {
    const source = northUp(4, 3, 0, 0, 2);
    const target = northUp(8, 6, 0, 0, 1);
    const mask = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const { data, valid } = resampleNearest(mask, 4, 3, controlPointMapping(target, source), 8, 6);
    for (let y = 0; y < 6; y++) {
      for (let x = 0; x < 8; x++) {
        expect(data[y * 8 + x]).toBe(mask[Math.floor(y / 2) * 4 + Math.floor(x / 2)]);
        expect(valid[y * 8 + x]).toBe(1);
      }
    }
  });

  test('never blends: a binary mask stays binary under a rotation-like cross-CRS mapping', () => {
    const [e, n] = proj4(crsFromEpsg(4326).proj4!, UTM52N, [131.9, 42.3]);
    const target = northUp(50, 40, Math.round(e), Math.round(n), 1);
    const [e53, n53] = proj4(UTM52N, UTM53N, [Math.round(e) + 10, Math.round(n) - 8]);
    const source = northUp(30, 30, e53, n53, 1, UTM53N);
    const mask = new Uint8Array(900).map((_, i) => ((i % 30) + Math.floor(i / 30)) % 2);
    const mapping = controlPointMapping(target, source);
    const { data, valid } = resampleNearest(mask, 30, 30, mapping, 50, 40);
    let inside = 0;
    for (let i = 0; i < 2000; i++) {
      expect(data[i] === 0 || data[i] === 1).toBe(true);
      if (valid[i] === 0) {
        expect(data[i]).toBe(0);
        continue;
      }
      inside++;
      const [u, v] = mapping.map((i % 50) + 0.5, Math.floor(i / 50) + 0.5);
      expect(data[i]).toBe(mask[Math.floor(v) * 30 + Math.floor(u)]);
    }
    expect(inside).toBeGreaterThan(500);
    expect(inside).toBeLessThan(1000);
  });
});

describe('a TIFF read scaled down', () => {
  test('takes the pixel nearest each output pixel’s centre, as a PNG does', async () => {
    // Column and row ramps (16-bit), 1000 × 600 in 256 px tiles, read 4× smaller.
    const [width, height] = [1000, 600];
    const data = new Uint16Array(width * height * 3);
    for (let i = 0; i < width * height; i++) {
      data[i * 3] = i % width;
      data[i * 3 + 1] = Math.floor(i / width);
    }
    const bytes = writeTiff([
      { width, height, samplesPerPixel: 3, bitsPerSample: 16, data, tileSize: 256 },
    ]);
    const raster = await openRaster({
      kind: 'buffer',
      buffer: bytes.slice().buffer,
      name: 'ramp.tif',
    });
    const read = await readWindowInStrips(raster, { outWidth: 250, outHeight: 150, bands: [0, 1] });
    // Output pixel x covers columns 4x … 4x + 3: its centre is nearest column 4x + 2
    // (geotiff.js's own scaling took column 4x, 1.5 columns up-left of the centre).
    expect(Array.from(read.bands[0]?.slice(0, 5) ?? [])).toEqual([2, 6, 10, 14, 18]);
    expect([0, 1, 63, 64, 149].map((y) => read.bands[1]?.[y * 250])).toEqual([2, 6, 254, 258, 598]);
  });
});

describe('reading a decoded PNG or JPEG (a pixel raster)', () => {
  const raster = {
    pixels: { width: 4, height: 3, bands: [Uint8Array.from({ length: 12 }, (_, i) => i)] },
    info: { ...PLAIN_RASTER_INFO, width: 4, height: 3, bands: 1 },
  };

  test('a level window is the window read, as for a TIFF', async () => {
    const read = await readWindow(raster, { levelWindow: [1, 1, 3, 3] });
    expect([read.width, read.height]).toEqual([2, 2]);
    expect(Array.from(read.bands[0] ?? [])).toEqual([5, 6, 9, 10]);
    const inStrips = await readWindowInStrips(raster, { levelWindow: [2, 0, 4, 2] });
    expect(Array.from(inStrips.bands[0] ?? [])).toEqual([2, 3, 6, 7]);
  });

  test('a display read thinned onto a coarse grid keeps the extent and places what it keeps', async () => {
    // 1001 × 203 px, a ramp in x (value = column) and 0 = nodata on column 500,
    // read onto 50 × 10 px (k = 20 per axis, a partial last block), shifted so
    // part of the target falls off the image on each side.
    const [width, height] = [1001, 203];
    const ramp = Uint16Array.from({ length: width * height }, (_, i) => (i % width) + 1);
    for (let y = 0; y < height; y++) ramp[y * width + 500] = 0;
    const odd = {
      pixels: { width, height, bands: [ramp] },
      info: { ...PLAIN_RASTER_INFO, width, height, bands: 1, nodata: 0 },
    };
    const target = { grid: null, width: 50, height: 10, name: 'coarse' };
    for (const shiftPx of [
      [-1.3, 0.6],
      [2.2, -0.4],
    ] as const) {
      const read = (thin: boolean): ReturnType<typeof readAligned> =>
        readAligned(odd, target, { shiftPx, bands: [0], thin });
      const [plain, thinned] = await Promise.all([read(false), read(true)]);
      // The same pixels hold data, off-image ones included, except next to the nodata
      // column, which the thinned read keeps or skips whole.
      const nearNodata = (x: number): boolean =>
        Math.abs((x + 0.5 - shiftPx[0]) * 20.02 - 500) < 41;
      for (let i = 0; i < 50 * 10; i++) {
        if (!nearNodata(i % 50)) expect([i, thinned.valid[i]]).toEqual([i, plain.valid[i]]);
      }
      expect(plain.valid.filter((v) => v === 0).length).toBeGreaterThanOrEqual(10);
      // A ramp reads the same wherever both hold data and no edge is near.
      for (let i = 0; i < 50 * 10; i++) {
        const x = i % 50;
        if (plain.valid[i] === 1 && thinned.valid[i] === 1 && x > 2 && x < 47) {
          expect(Math.abs((thinned.bands[0]?.[i] ?? 0) - (plain.bands[0]?.[i] ?? 0))).toBeLessThan(
            0.51,
          );
        }
      }
    }
  });
});
