import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { fileSource } from '../../src/cli/file-source.ts';
import { dataMaskOf, MASK_BAND, maskBandOf, type BandArray } from '../../src/core/raster.ts';
import { gridOf, readAligned } from '../../src/io/align-read.ts';
import { referenceData, referenceReadBands } from '../../src/io/analysis-plan.ts';
import {
  levelFor,
  nodataOfTag,
  openRaster,
  readWindow,
  type OpenRaster,
} from '../../src/io/decoder.ts';
import { writeTiff, type TiffImageSpec } from '../../src/io/tiff-writer.ts';

const FLOAT_NODATA_TIFF = '../shared/data/tiff/rasterio/float_raster_with_nodata.tif';
if (!existsSync(FLOAT_NODATA_TIFF)) {
  console.warn(`data-mask.test.ts: ${FLOAT_NODATA_TIFF} is missing — its test is skipped`);
}

const utm = {
  modelType: 'projected',
  epsg: 32652,
  originX: 600_000,
  originY: 4_700_000,
  pixelSizeX: 0.5,
  pixelSizeY: 0.5,
} as const;

async function open(spec: Omit<TiffImageSpec, 'georeference'>, name: string): Promise<OpenRaster> {
  const bytes = writeTiff([{ ...spec, georeference: utm, compression: 'deflate' }]);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return openRaster({ kind: 'buffer', buffer: buffer as ArrayBuffer, name });
}

/** 8 × 6 RGB(A) whose columns from 5 on hold no data, marked as `marking` says. */
function withoutDataEast(marking: 'nodata' | 'alpha'): Omit<TiffImageSpec, 'georeference'> {
  const [width, height] = [8, 6];
  const spp = marking === 'alpha' ? 4 : 3;
  const data = new Uint8Array(width * height * spp);
  for (let i = 0; i < width * height; i++) {
    const hasData = i % width < 5;
    for (let b = 0; b < 3; b++) data[i * spp + b] = hasData ? 100 + b : 0;
    if (marking === 'alpha') data[i * spp + 3] = hasData ? 255 : 0;
  }
  return {
    width,
    height,
    samplesPerPixel: spp,
    bitsPerSample: 8,
    data,
    ...(marking === 'nodata' ? { nodata: 0 } : { alpha: true }),
  };
}

const dataColumns = (valid: Uint8Array, width: number): number[] =>
  Array.from({ length: width }, (_, x) => valid[x] ?? -1);

describe('where an image holds data', () => {
  test('a .msk that is not a TIFF is named as the file at fault', async () => {
    const bytes = writeTiff([withoutDataEast('nodata')]);
    const source = {
      kind: 'blob',
      blob: new Blob([bytes.slice()]),
      name: 'x.tif',
      sidecars: { mask: new Blob([new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])]) },
    } as const;
    await expect(openRaster(source)).rejects.toThrow(
      'its mask (.msk) beside it: Not a TIFF file: it starts with 01 02 03 04; remove or repair that file',
    );
  });

  test('a .msk of another size than the image is refused when the file opens, naming both sizes', async () => {
    const image = withoutDataEast('nodata');
    const msk = writeTiff([
      { width: 10, height: 8, samplesPerPixel: 1, bitsPerSample: 8, data: new Uint8Array(80) },
    ]);
    const source = {
      kind: 'blob',
      blob: new Blob([writeTiff([image]).slice()]),
      name: 'x.tif',
      sidecars: { mask: new Blob([msk.slice()]) },
    } as const;
    await expect(openRaster(source)).rejects.toThrow(
      `its mask (.msk) beside it is 10 × 8 px, the image ${image.width} × ${image.height} px; remove or replace that file`,
    );
  });

  test('a .msk without overviews: read at every level, but not decoded for a display read far below it', async () => {
    const n = 512;
    const level = (k: number): TiffImageSpec => ({
      width: n / k,
      height: n / k,
      samplesPerPixel: 3,
      bitsPerSample: 8,
      data: new Uint8Array((n / k) * (n / k) * 3).fill(100),
    });
    const image = writeTiff([{ ...level(1), georeference: utm }, level(2), level(4)]);
    // The top 64 rows hold no data.
    const mask = new Uint8Array(n * n).fill(255).fill(0, 0, 64 * n);
    const msk = writeTiff([
      { width: n, height: n, samplesPerPixel: 1, bitsPerSample: 8, data: mask },
    ]);
    const raster = await openRaster({
      kind: 'blob',
      blob: new Blob([image.slice()]),
      name: 'm.tif',
      sidecars: { mask: new Blob([msk.slice()]) },
    });
    expect(raster.info.mask).toBe('external-mask');
    const emptyRows = async (at: number, skipCostlyMask = false): Promise<number> => {
      const window = await readWindow(raster, { bands: [MASK_BAND], level: at, skipCostlyMask });
      const band = Array.from(window.bands[0] ?? []);
      return band.filter((v) => v === 0).length / window.width;
    };
    expect(await emptyRows(0)).toBe(64);
    // Reduced levels from the full-resolution mask, nearest.
    expect(await emptyRows(1)).toBe(32);
    expect(await emptyRows(2)).toBe(16);
    // A display read: the mask, four times as large per axis, is not decoded.
    expect(await emptyRows(1, true)).toBe(32);
    expect(await emptyRows(2, true)).toBe(0);
  });

  test('dataMaskOf: a band at nodata or NaN, or alpha 0, marks the pixel', () => {
    const r = Float32Array.from([5, 0, 5, 5, NaN]);
    const g = Float32Array.from([5, 5, 0, 5, 5]);
    expect([...dataMaskOf([r, g], 0)]).toEqual([1, 0, 0, 1, 0]);
    expect([...dataMaskOf([r, g], null)]).toEqual([1, 1, 1, 1, 0]);
    expect([...dataMaskOf([r, g], null, [255, 255, 255, 0, 255])]).toEqual([1, 1, 1, 0, 0]);
    // A NaN nodata value marks nothing by equality (NaN pixels are marked anyway).
    expect([...dataMaskOf([g], NaN)]).toEqual([1, 1, 1, 1, 1]);
  });

  test('a smaller page of a multi-page TIFF is not taken for an overview', async () => {
    const page = (side: number, value: number, subfileType?: number) => ({
      width: side,
      height: side,
      samplesPerPixel: 1,
      bitsPerSample: 8 as const,
      data: new Uint8Array(side * side).fill(value),
      georeference: utm,
      ...(subfileType === undefined ? {} : { subfileType }),
    });
    const open = async (specs: TiffImageSpec[]): Promise<OpenRaster> => {
      const bytes = writeTiff(specs);
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      return openRaster({ kind: 'buffer', buffer: buffer as ArrayBuffer, name: 'pages.tif' });
    };
    // Page 2 (value 200) is another picture: no overview, and a coarse read comes from page 1.
    const pages = await open([page(8, 10), page(4, 200, 0)]);
    expect(pages.info.overviews).toEqual([]);
    expect(levelFor(pages.info, 4, 4)).toBe(0);
    // Marked reduced-resolution, the same page is an overview.
    const overview = await open([page(8, 10), page(4, 10)]);
    expect(overview.info.overviews).toEqual([{ width: 4, height: 4 }]);
  });

  test('GDAL_NODATA is read as the samples hold it', () => {
    // GDAL writes float32's lowest as the text of a double, which no float32 sample equals.
    expect(nodataOfTag('-3.39999999999999996e+38', 'float', 32)).toBe(Math.fround(-3.4e38));
    expect(nodataOfTag('-3.39999999999999996e+38', 'float', 64)).toBe(-3.4e38);
    expect(nodataOfTag('-9999.9', 'float', 64)).toBe(-9999.9);
    expect(nodataOfTag(' -9999 ', 'int', 16)).toBe(-9999);
    expect(nodataOfTag('-inf', 'float', 32)).toBe(-Infinity);
    expect(nodataOfTag('INF', 'float', 32)).toBe(Infinity);
    expect(nodataOfTag('nan', 'float', 32)).toBeNaN();
    // Integer samples: the nearest integer, and nothing for a value out of the type's range.
    expect(nodataOfTag('254.6', 'uint', 8)).toBe(255);
    expect(nodataOfTag('-1', 'uint', 8)).toBeNull();
    expect(nodataOfTag('4294967295', 'uint', 32)).toBe(4294967295);
    expect(nodataOfTag('-2147483648', 'int', 32)).toBe(-2147483648);
    expect(nodataOfTag('-9999', 'uint', 16)).toBeNull();
    expect(nodataOfTag('none', 'uint', 8)).toBeNull();
    expect(nodataOfTag('', 'uint', 8)).toBeNull();
    expect(nodataOfTag(undefined, 'uint', 8)).toBeNull();
  });

  test.skipIf(!existsSync(FLOAT_NODATA_TIFF))(
    'a float32 file with GDAL nodata -3.4e+38 (../shared/data, rasterio) marks those pixels',
    async () => {
      const raster = await openRaster(await fileSource(FLOAT_NODATA_TIFF));
      const window = await readWindow(raster, { bands: referenceReadBands(raster.info) });
      const band = window.bands[0];
      if (band === undefined) throw new Error('one band expected');
      const { valid } = referenceData(raster.info, window.bands);
      let atLowest = 0;
      let marked = 0;
      let lowestValid = Infinity;
      band.forEach((value, i) => {
        if (value < -1e38) atLowest++;
        if (valid[i] === 0) marked++;
        else lowestValid = Math.min(lowestValid, value);
      });
      expect(atLowest).toBe(58);
      expect(marked).toBe(58);
      expect(lowestValid).toBeGreaterThanOrEqual(0);
    },
  );

  test('the before window is tested for nodata before its samples become float32', () => {
    // Neither value survives float32: -9999.9 rounds, and 2^32 - 1 becomes 2^32.
    for (const [nodata, dtype, Samples] of [
      [-9999.9, 'float64', Float64Array],
      [4294967295, 'uint32', Uint32Array],
    ] as const) {
      const info = { nodata, mask: 'nodata', bands: 3, dtype } as const;
      const band = Samples.from([nodata, 5, 6, 7]);
      const data = referenceData(info, [band, band, band]);
      expect([...data.valid]).toEqual([0, 1, 1, 1]);
      expect(data.bands[0]).toBeInstanceOf(Float32Array);
    }
  });

  test('GDAL_NODATA and an alpha band written are read back as the mask', async () => {
    const nodata = await open(withoutDataEast('nodata'), 'nodata.tif');
    expect(nodata.info).toMatchObject({ nodata: 0, mask: 'nodata', bands: 3 });
    expect(maskBandOf(nodata.info)).toBeNull();
    const alpha = await open(withoutDataEast('alpha'), 'alpha.tif');
    expect(alpha.info).toMatchObject({ nodata: null, mask: 'alpha', bands: 4 });
    expect(maskBandOf(alpha.info)).toBe(3);
    expect(maskBandOf({ mask: 'alpha', bands: 2 })).toBe(1);
    expect(maskBandOf({ mask: 'nodata', bands: 4 })).toBeNull();
  });

  test('the before window: R, G, B and its mask, from a nodata value or an alpha band', async () => {
    for (const marking of ['nodata', 'alpha'] as const) {
      const raster = await open(withoutDataEast(marking), `${marking}.tif`);
      const read = referenceReadBands(raster.info);
      expect(read).toEqual(marking === 'alpha' ? [0, 1, 2, 3] : [0, 1, 2]);
      const window = await readWindow(raster, { bands: read });
      const data = referenceData(raster.info, window.bands);
      expect(data.bands).toHaveLength(3);
      expect(data.bands[2]?.[0]).toBe(102);
      expect(dataColumns(data.valid, 8)).toEqual([1, 1, 1, 1, 1, 0, 0, 0]);
    }
  });

  test('the after image resampled: a pixel blending an alpha-0 source pixel holds no data', async () => {
    const raster = await open(withoutDataEast('alpha'), 'alpha.tif');
    const grid = gridOf(raster.info);
    const target = { grid, width: 8, height: 6, name: 'before.tif' };
    // Half a pixel east: target column x blends source columns x and x + 1.
    const aligned = await readAligned(raster, target, { shiftPx: [0.5, 0], bands: [0, 1, 2] });
    expect(aligned.bands).toHaveLength(3);
    expect(dataColumns(aligned.valid, 8)).toEqual([1, 1, 1, 1, 0, 0, 0, 0]);
    const still = await readAligned(raster, target, { shiftPx: [0, 0], bands: [0, 1, 2] });
    expect(dataColumns(still.valid, 8)).toEqual([1, 1, 1, 1, 1, 0, 0, 0]);
  });

  test('a palette image is resampled through its colours, its nodata tested on the indices', async () => {
    // Indices: 0 (nodata) in the 3 eastern columns, 7 elsewhere; colour 7 is
    // black, so testing nodata 0 on the colours would empty the western part.
    const [width, height] = [8, 6];
    const indices = Uint8Array.from({ length: width * height }, (_, i) => (i % width < 5 ? 7 : 0));
    const raster = await open(
      { width, height, samplesPerPixel: 1, bitsPerSample: 8, data: indices, nodata: 0 },
      'palette.tif',
    );
    const colours = (index: number): [number, number, number] =>
      index === 7 ? [0, 0, 0] : [200, 100, 50];
    const expand = (bands: BandArray[]): BandArray[] => {
      const band = bands[0] ?? new Uint8Array(0);
      return [0, 1, 2].map((b) => Uint8Array.from(band, (index) => colours(index)[b] ?? 0));
    };
    const target = { grid: gridOf(raster.info), width, height, name: 'before.tif' };
    const aligned = await readAligned(raster, target, { shiftPx: [0, 0], bands: [0], expand });
    expect(aligned.bands).toHaveLength(3);
    expect(dataColumns(aligned.valid, width)).toEqual([1, 1, 1, 1, 1, 0, 0, 0]);
    expect(aligned.bands[2]?.[0]).toBe(0);
  });
});

// One 0.15 m aerial tile (rio-tiler's fixtures) with its empty corner marked
// five ways: not at all, by an alpha band, an internal TIFF mask, a .msk
// sidecar, and GDAL_NODATA 0.
const COLORADO =
  '../shared/data/tiff/rio-tiler/my-bucket/hro_sources/colorado/201404_13SED190110_201404_0x1500m_CL_1';
const coloradoAvailable = existsSync(`${COLORADO}.tif`);
if (!coloradoAvailable) {
  console.warn(`data-mask: ${COLORADO}*.tif not found, the real-file mask tests are skipped`);
}

describe.skipIf(!coloradoAvailable)('masks of a real tile, marked five ways', () => {
  const maskOf = async (variant: string) => {
    const raster = await openRaster(await fileSource(`${COLORADO}${variant}.tif`));
    const window = await readWindow(raster, { bands: referenceReadBands(raster.info) });
    return { raster, valid: referenceData(raster.info, window.bands).valid };
  };
  const count = (mask: Uint8Array): number => mask.reduce((sum, v) => sum + v, 0);

  test('an internal mask and a .msk sidecar are read, and agree with the nodata value', async () => {
    const plain = await maskOf('');
    const internal = await maskOf('_mask');
    const external = await maskOf('_extmask');
    const nodata = await maskOf('_nodata');
    expect(internal.raster.info.mask).toBe('internal-mask');
    expect(external.raster.info.mask).toBe('external-mask');
    expect(referenceReadBands(internal.raster.info)).toEqual([0, 1, 2, MASK_BAND]);
    expect(count(plain.valid)).toBe(383 * 232);
    // 2739 of 88 856 pixels hold no data, the same ones in all three files.
    expect(count(internal.valid)).toBe(383 * 232 - 2739);
    expect([...external.valid]).toEqual([...internal.valid]);
    expect([...nodata.valid]).toEqual([...internal.valid]);
  });

  test('the alpha band marks its own pixels', async () => {
    const alpha = await maskOf('_alpha');
    expect(alpha.raster.info.mask).toBe('alpha');
    const window = await readWindow(alpha.raster, { bands: [3] });
    const opaque = Array.from(window.bands[0] ?? []).filter((v) => v !== 0).length;
    expect(count(alpha.valid)).toBe(opaque);
    expect(opaque).toBe(78_812);
  });
});

const COG_MASK = '../shared/data/tiff/rio-tiler/cog_uint8_rgb_mask.tif';

describe.skipIf(!existsSync(COG_MASK))('a COG with an internal mask and mask overviews', () => {
  test('each level reads its own mask IFD: a quarter of the image holds no data at every level', async () => {
    const raster = await openRaster(await fileSource(COG_MASK));
    expect(raster.info.mask).toBe('internal-mask');
    const sizes = [];
    for (const level of [0, 1, 2]) {
      const window = await readWindow(raster, { bands: [0, MASK_BAND], level });
      const mask = Array.from(window.bands[1] ?? []);
      const empty = mask.filter((v) => v === 0).length;
      sizes.push([window.width, window.height]);
      // GDAL's overview masks shrink the empty quarter by a pixel's rounding.
      expect(Math.abs(empty / mask.length - 0.25)).toBeLessThan(0.02);
    }
    expect(sizes).toEqual([
      [256, 256],
      [128, 128],
      [64, 64],
    ]);
  });

  test('a window at an overview level reads that part of the level mask', async () => {
    const raster = await openRaster(await fileSource(COG_MASK));
    const whole = await readWindow(raster, { bands: [MASK_BAND], level: 1 });
    // Full-resolution [64, 32, 192, 160): [32, 16, 96, 80) of the 128² level.
    const part = await readWindow(raster, {
      bands: [MASK_BAND],
      level: 1,
      window: [64, 32, 192, 160],
    });
    expect([part.width, part.height]).toEqual([64, 64]);
    const expected: number[] = [];
    for (let y = 16; y < 80; y++) {
      for (let x = 32; x < 96; x++) expected.push(whole.bands[0]?.[y * 128 + x] ?? -1);
    }
    expect(Array.from(part.bands[0] ?? [])).toEqual(expected);
    // The window crosses the empty quarter's edge.
    expect(new Set(expected)).toEqual(new Set([0, 1]));
  });
});
