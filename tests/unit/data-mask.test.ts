import { describe, expect, test } from 'vitest';
import { alphaBandOf, dataMaskOf } from '../../src/core/raster.ts';
import { gridOf, readAligned } from '../../src/io/align-read.ts';
import { referenceData, referenceReadBands } from '../../src/io/analysis-plan.ts';
import { openRaster, readWindow, type OpenRaster } from '../../src/io/decoder.ts';
import { writeTiff, type TiffImageSpec } from '../../src/io/tiff-writer.ts';

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
  test('dataMaskOf: a band at nodata or NaN, or alpha 0, marks the pixel', () => {
    const r = Float32Array.from([5, 0, 5, 5, NaN]);
    const g = Float32Array.from([5, 5, 0, 5, 5]);
    expect([...dataMaskOf([r, g], 0)]).toEqual([1, 0, 0, 1, 0]);
    expect([...dataMaskOf([r, g], null)]).toEqual([1, 1, 1, 1, 0]);
    expect([...dataMaskOf([r, g], null, [255, 255, 255, 0, 255])]).toEqual([1, 1, 1, 0, 0]);
    // A NaN nodata value marks nothing by equality (NaN pixels are marked anyway).
    expect([...dataMaskOf([g], NaN)]).toEqual([1, 1, 1, 1, 1]);
  });

  test('GDAL_NODATA and an alpha band written are read back as the mask', async () => {
    const nodata = await open(withoutDataEast('nodata'), 'nodata.tif');
    expect(nodata.info).toMatchObject({ nodata: 0, mask: 'nodata', bands: 3 });
    expect(alphaBandOf(nodata.info)).toBeNull();
    const alpha = await open(withoutDataEast('alpha'), 'alpha.tif');
    expect(alpha.info).toMatchObject({ nodata: null, mask: 'alpha', bands: 4 });
    expect(alphaBandOf(alpha.info)).toBe(3);
    expect(alphaBandOf({ mask: 'alpha', bands: 2 })).toBe(1);
    expect(alphaBandOf({ mask: 'nodata', bands: 4 })).toBeNull();
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
});
