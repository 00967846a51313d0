import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { GridRef } from '../../src/core/align/grid-mapping.ts';
import {
  lonLatPixelAreaM2,
  lonLatRoisToPixel,
  mapRoisToPixel,
  projectedPixelAreaM2,
  rasterizeRois,
  roiAreaPx,
  type PixelRoi,
  type Point,
} from '../../src/core/roi-raster.ts';
import { openRaster } from '../../src/io/decoder.ts';
import { parseRoiGeoJson, projectRois } from '../../src/io/geojson.ts';

const rect = (x0: number, y0: number, x1: number, y1: number): Point[] => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
  [x0, y0],
];
const roi = (name: string, ...polygons: Point[][][]): PixelRoi => ({ name, polygons });

/** Perimeter in px: the bound on |pixel count − area| for centre sampling (each boundary px ±1). */
function perimeter(ring: readonly Point[]): number {
  let length = 0;
  for (let k = 0; k + 1 < ring.length; k++) {
    const a = ring[k];
    const b = ring[k + 1];
    if (a !== undefined && b !== undefined) length += Math.hypot(b[0] - a[0], b[1] - a[1]);
  }
  return length;
}

function count(mask: Uint16Array, id: number): number {
  return mask.reduce((n, value) => n + (value === id ? 1 : 0), 0);
}

describe('ROI rasterization', () => {
  test('an axis-aligned square on pixel edges is exact; an off-grid one within its perimeter', () => {
    const result = rasterizeRois([roi('A', [rect(2, 3, 12, 8)])], 20, 10, { pixelAreaM2: 0.25 });
    expect(result.rois[0]?.pixelsInside).toBe(50);
    expect(result.rois[0]?.areaM2).toBe(12.5);
    expect(result.rois[0]?.polygonAreaM2).toBe(12.5);
    expect(result.warnings).toEqual([]);
    expect(result.mask[3 * 20 + 2]).toBe(1);
    expect(result.mask[3 * 20 + 12]).toBe(0);
    expect(result.mask[8 * 20 + 2]).toBe(0);

    const off = rect(3.3, 2.7, 41.9, 30.2);
    const stats = rasterizeRois([roi('B', [off])], 50, 40, { pixelAreaM2: 1 }).rois[0];
    const area = 38.6 * 27.5;
    expect(stats?.polygonAreaPx).toBeCloseTo(area, 9);
    expect(Math.abs((stats?.pixelsInside ?? 0) - area)).toBeLessThanOrEqual(perimeter(off));
  });

  test('a triangle: count within its perimeter of the area; centres on a shared edge go to one ROI', () => {
    const triangle: Point[] = [
      [5.2, 4.1],
      [90.7, 20.3],
      [30.4, 70.9],
      [5.2, 4.1],
    ];
    const result = rasterizeRois([roi('T', [triangle])], 100, 80, { pixelAreaM2: 1 });
    const area = roiAreaPx(roi('T', [triangle]));
    expect(area).toBeCloseTo(Math.abs((85.5 * 66.8 - 25.2 * 16.2) / 2), 9);
    const inside = result.rois[0]?.pixelsInside ?? 0;
    expect(Math.abs(inside - area)).toBeLessThanOrEqual(perimeter(triangle));
    expect(Math.abs(inside - area) / area).toBeLessThan(0.02);

    // Two halves of a square split along a diagonal through pixel centres.
    const left: Point[] = [
      [0.5, 0.5],
      [10.5, 10.5],
      [0.5, 10.5],
      [0.5, 0.5],
    ];
    const right: Point[] = [
      [0.5, 0.5],
      [10.5, 0.5],
      [10.5, 10.5],
      [0.5, 0.5],
    ];
    const split = rasterizeRois([roi('L', [left]), roi('R', [right])], 12, 12, { pixelAreaM2: 1 });
    expect(split.overlaps).toEqual([]);
    expect(count(split.mask, 1) + count(split.mask, 2)).toBe(100);
  });

  test('holes are cut out, ring orientation does not matter, multipolygon parts are unioned', () => {
    const outer = rect(0, 0, 20, 20);
    const hole = rect(5, 5, 15, 15);
    const a = rasterizeRois([roi('ring', [outer, hole])], 20, 20, { pixelAreaM2: 1 });
    expect(a.rois[0]?.pixelsInside).toBe(300);
    expect(a.rois[0]?.polygonAreaPx).toBe(300);
    expect(a.mask[10 * 20 + 10]).toBe(0);
    // Reversed windings (as a north-up geotransform produces): same mask.
    const b = rasterizeRois([roi('ring', [[...outer].reverse(), hole])], 20, 20, {
      pixelAreaM2: 1,
    });
    expect(b.mask).toEqual(a.mask);
    // Two parts overlapping by 5×10 px count once.
    const multi = rasterizeRois(
      [roi('multi', [rect(0, 0, 10, 10)], [rect(5, 0, 15, 10)])],
      20,
      20,
      {
        pixelAreaM2: 1,
      },
    );
    expect(multi.rois[0]?.pixelsInside).toBe(150);
    expect(multi.overlaps).toEqual([]);
  });

  test('ROIs partly or wholly outside the image are counted inside only, and reported', () => {
    const result = rasterizeRois(
      [roi('edge', [rect(-5, -5, 5, 5)]), roi('away', [rect(100, 100, 110, 110)])],
      20,
      20,
      { pixelAreaM2: 1 },
    );
    const [edge, away] = result.rois;
    expect(edge?.pixelsInside).toBe(25);
    expect(edge?.polygonAreaPx).toBe(100);
    expect(edge?.fractionInsideImage).toBeCloseTo(0.25, 12);
    expect(away?.pixelsInside).toBe(0);
    expect(away?.fractionInsideImage).toBe(0);
    expect(result.warnings).toEqual([
      'edge extends past the image edge: 75.0 % of its area is outside and not counted',
      'away lies outside the image: it counts nothing',
    ]);
  });

  test('overlapping ROIs: the first wins and the overlap is reported', () => {
    const result = rasterizeRois(
      [roi('P1', [rect(0, 0, 10, 10)]), roi('P2', [rect(6, 0, 16, 10)])],
      20,
      10,
      { pixelAreaM2: 2 },
    );
    expect(result.rois.map((r) => r.pixelsInside)).toEqual([100, 60]);
    expect(result.rois[1]?.overlapPx).toBe(40);
    expect(result.overlaps).toEqual([{ first: 1, second: 2, pixels: 40 }]);
    expect(result.warnings).toEqual(['P2 overlaps P1 by 40 px (80.0 m²): they count for P1 only']);
    expect(result.mask[7]).toBe(1);
  });

  test('pixel areas: |det| in metres for projected grids, none for lon/lat', () => {
    const t = {
      originX: 0,
      pixelWidth: 0.5,
      rowRotation: 0,
      originY: 0,
      columnRotation: 0,
      pixelHeight: -0.5,
    };
    expect(projectedPixelAreaM2({ geoTransform: t, proj4: '+proj=utm +zone=52 +units=m' })).toBe(
      0.25,
    );
    expect(
      projectedPixelAreaM2({ geoTransform: t, proj4: '+proj=tmerc +units=us-ft' }),
    ).toBeCloseTo(0.25 * (1200 / 3937) ** 2, 12);
    expect(projectedPixelAreaM2({ geoTransform: t, proj4: '+proj=longlat +datum=WGS84' })).toBe(
      null,
    );
    // 1″ × 1″ at the equator ≈ 30.9 m × 30.9 m.
    const arcSecond = { ...t, pixelWidth: 1 / 3600, pixelHeight: -1 / 3600 };
    expect(lonLatPixelAreaM2(arcSecond, 0)).toBeCloseTo(30.887 ** 2, -1);
  });

  test('demo piers on before.tif: pixel areas within 1 % of the polygon areas in m²', async () => {
    const bytes = readFileSync('public/demo/before.tif');
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const { info } = await openRaster({ kind: 'buffer', buffer, name: 'before.tif' });
    if (info.geoTransform === null || info.crs?.proj4 == null) throw new Error('no georeference');
    const grid: GridRef = {
      width: info.width,
      height: info.height,
      geoTransform: info.geoTransform,
      proj4: info.crs.proj4,
    };
    const { rois } = parseRoiGeoJson(readFileSync('public/demo/piers.geojson', 'utf8'), 'piers');
    expect(rois.length).toBeGreaterThanOrEqual(3);
    const pixelRois = lonLatRoisToPixel(rois, grid);
    // Same numbers as io's projectRois + the inverse geotransform.
    const viaIo = mapRoisToPixel(projectRois(rois, grid.proj4), grid.geoTransform);
    pixelRois.forEach((pixelRoi, r) => {
      expect(roiAreaPx(pixelRoi)).toBeCloseTo(roiAreaPx(viaIo[r] ?? pixelRoi), 6);
    });
    const pixelAreaM2 = projectedPixelAreaM2(grid);
    expect(pixelAreaM2).toBeCloseTo(0.25, 9);
    const result = rasterizeRois(pixelRois, grid.width, grid.height, {
      pixelAreaM2: pixelAreaM2 ?? 0,
    });
    expect(result.warnings).toEqual([]);
    for (const stats of result.rois) {
      // Polygon area from the projected (map) rings, independent of the raster.
      const mapRoi = projectRois(rois, grid.proj4).find((r) => r.name === stats.name);
      const mapAreaM2 = mapRoi === undefined ? 0 : roiAreaPx(mapRoi);
      expect(stats.pixelsInside).toBeGreaterThan(1000);
      expect(Math.abs(stats.areaM2 - mapAreaM2) / mapAreaM2).toBeLessThan(0.01);
      expect(count(result.mask, stats.maskId)).toBe(stats.pixelsInside);
    }
  });
});
