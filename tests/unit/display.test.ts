import { describe, expect, test } from 'vitest';
import { percentileStretch, toDisplayRgba } from '../../src/core/display.ts';
import { mapToPixel, pixelToMap, type GeoTransform } from '../../src/core/raster.ts';
import { fitImage } from '../../src/core/view-fit.ts';
import type { RasterInfo } from '../../src/core/raster.ts';
import { describeRaster, formatDate } from '../../src/ui/format.ts';
import { PLAIN_RASTER_INFO } from '../support/raster-info.ts';

const PLAIN_INFO: RasterInfo = PLAIN_RASTER_INFO;

describe('display helpers', () => {
  test('8-bit RGB passes through unchanged, alpha opaque', () => {
    const window = {
      width: 2,
      height: 1,
      bands: [new Uint8Array([0, 255]), new Uint8Array([10, 20]), new Uint8Array([30, 40])],
    };
    expect(Array.from(toDisplayRgba(window, [0, 1, 2]).rgba)).toEqual([
      0, 10, 30, 255, 255, 20, 40, 255,
    ]);
  });

  test('16-bit grey is stretched between its 2nd and 98th percentiles', () => {
    const band = new Uint16Array(1000).map((_, i) => 1000 + i * 10);
    const stretch = percentileStretch(band);
    expect(stretch.low).toBe(1000 + 19 * 10);
    expect(stretch.high).toBe(1000 + 979 * 10);
    const rgba = toDisplayRgba({ width: 1000, height: 1, bands: [band] }, [0]).rgba;
    expect(rgba[0]).toBe(0);
    expect(rgba[999 * 4]).toBe(255);
    expect(rgba[500 * 4]).toBe(rgba[500 * 4 + 1]);
  });

  test('fitImage letterboxes and centres', () => {
    expect(fitImage(200, 100, 100, 100)).toEqual({ x: 50, y: 0, width: 100, height: 100 });
    expect(fitImage(100, 200, 100, 50)).toEqual({ x: 0, y: 75, width: 100, height: 50 });
  });

  test('geotransform round-trips pixel ↔ map', () => {
    const t: GeoTransform = {
      originX: 1000,
      pixelWidth: 0.5,
      rowRotation: 0.1,
      originY: 5000,
      columnRotation: -0.05,
      pixelHeight: -0.5,
    };
    const [x, y] = pixelToMap(t, 12.5, 7.25);
    const [col, row] = mapToPixel(t, x, y);
    expect(col).toBeCloseTo(12.5, 10);
    expect(row).toBeCloseTo(7.25, 10);
  });

  test('dates and raster summaries read as an analyst expects', () => {
    expect(formatDate('2023-10-16T02:31:00')).toBe('16 Oct 2023');
    expect(formatDate(null)).toBe('undated');
    expect(
      describeRaster({
        ...PLAIN_INFO,
        name: 'a.tif',
        width: 10,
        height: 5,
        bands: 3,
        compression: 'jpeg',
        photometric: 'ycbcr',
        tiled: true,
        tileWidth: 256,
        tileHeight: 256,
        crs: { epsg: 32652, proj4: null, geographic: false, name: 'WGS 84 / UTM zone 52N' },
        gsdM: 0.5,
      }),
    ).toBe('a.tif: 10×5×3 uint8, jpeg, EPSG:32652, 0.50 m');
  });

  test('a raster summary says what marks its pixels without data', () => {
    const line = (mask: RasterInfo['mask'], nodata: number | null = null): string =>
      describeRaster({ ...PLAIN_INFO, mask, nodata });
    expect(line('none')).toBe('b.tif: 4×4×4 uint8, deflate, no CRS, no georeference');
    expect(line('alpha')).toBe(`${line('none')}, data mask: alpha band`);
    expect(line('internal-mask')).toBe(`${line('none')}, data mask: internal mask`);
    expect(line('external-mask')).toBe(`${line('none')}, data mask: .msk`);
    expect(line('nodata', 0)).toBe(`${line('none')}, data mask: nodata 0`);
  });
});
