import { readFileSync } from 'node:fs';
import proj4 from 'proj4';
import { describe, expect, test } from 'vitest';
import type { GridRef } from '../../src/core/align/grid-mapping.ts';
import { rasterizeRois, type PixelPolygon } from '../../src/core/analysis/roi-raster.ts';
import {
  lonLatRoisToPixel,
  mapRoisToPixel,
  roiAreaPx,
  type PixelRoi,
  type Point,
  type RoiRings,
} from '../../src/core/roi-raster.ts';
import { groundPixelAt } from '../../src/core/view-geo.ts';
import { openRaster } from '../../src/io/decoder.ts';
import { exportRoiGeoJson, parseRoiGeoJson, projectRois } from '../../src/io/geojson.ts';

const rect = (x0: number, y0: number, x1: number, y1: number): Point[] => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
  [x0, y0],
];
const roi = (name: string, ...polygons: Point[][][]): PixelRoi => ({ name, polygons });
type GroundGrid = Parameters<typeof groundPixelAt>[0];
const MERCATOR =
  '+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +wktext +no_defs';

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

function count(raster: Int32Array, index: number): number {
  return raster.reduce((n, value) => n + (value === index ? 1 : 0), 0);
}

/** Every ring of every part, as the analysis plan hands them over (src/io/analysis-plan.ts). */
function analysisPolygon(pixelRoi: PixelRoi): PixelPolygon {
  return { name: pixelRoi.name, rings: pixelRoi.polygons.flat() };
}

/** The analysis raster of PixelRois (index per pixel, −1 outside). */
function raster(rois: readonly PixelRoi[], widthPx: number, heightPx: number): Int32Array {
  return rasterizeRois(rois.map(analysisPolygon), widthPx, heightPx);
}

describe('ROI rasterization (src/core/analysis/roi-raster.ts on pier polygons)', () => {
  test('an axis-aligned square on pixel edges is exact; an off-grid one within its perimeter', () => {
    const square = raster([roi('A', [rect(2, 3, 12, 8)])], 20, 10);
    expect(count(square, 0)).toBe(50);
    expect(square[3 * 20 + 2]).toBe(0);
    expect(square[3 * 20 + 12]).toBe(-1);
    expect(square[8 * 20 + 2]).toBe(-1);

    const off = rect(3.3, 2.7, 41.9, 30.2);
    const area = 38.6 * 27.5;
    expect(roiAreaPx(roi('B', [off]))).toBeCloseTo(area, 9);
    const inside = count(raster([roi('B', [off])], 50, 40), 0);
    expect(Math.abs(inside - area)).toBeLessThanOrEqual(perimeter(off));
  });

  test('a triangle: count within its perimeter of the area; centres on a shared edge go to one ROI', () => {
    const triangle: Point[] = [
      [5.2, 4.1],
      [90.7, 20.3],
      [30.4, 70.9],
      [5.2, 4.1],
    ];
    const area = roiAreaPx(roi('T', [triangle]));
    expect(area).toBeCloseTo(Math.abs((85.5 * 66.8 - 25.2 * 16.2) / 2), 9);
    const inside = count(raster([roi('T', [triangle])], 100, 80), 0);
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
    const split = raster([roi('L', [left]), roi('R', [right])], 12, 12);
    expect(count(split, 0) + count(split, 1)).toBe(100);
    // Centres on a shared vertical edge go to the ROI on its right, either winding.
    for (const wound of [(ring: Point[]) => ring, (ring: Point[]) => [...ring].reverse()]) {
      const sides = raster(
        [roi('W', [wound(rect(0, 0, 5.5, 10))]), roi('E', [wound(rect(5.5, 0, 11, 10))])],
        12,
        10,
      );
      expect([count(sides, 0), count(sides, 1)]).toEqual([50, 60]);
      expect(sides[5]).toBe(1);
    }
  });

  test('holes wound against their exterior are cut out, either way round; overlapping parts count once', () => {
    // GeoJSON rings arrive oriented (exteriors counter-clockwise, holes clockwise:
    // parseRoiGeoJson), and the nonzero rule then cuts holes whichever way a
    // geotransform mirrors them.
    const outer = rect(0, 0, 20, 20);
    const hole = [...rect(5, 5, 15, 15)].reverse();
    const a = raster([roi('ring', [outer, hole])], 20, 20);
    expect(count(a, 0)).toBe(300);
    expect(a[10 * 20 + 10]).toBe(-1);
    const mirrored = raster([roi('ring', [[...outer].reverse(), [...hole].reverse()])], 20, 20);
    expect(mirrored).toEqual(a);
    // Two parts overlapping by 5×10 px count once.
    const multi = raster([roi('multi', [rect(0, 0, 10, 10)], [rect(5, 0, 15, 10)])], 20, 20);
    expect(count(multi, 0)).toBe(150);
  });

  test('ROIs partly or wholly outside the image count the pixels inside only', () => {
    const result = raster(
      [roi('edge', [rect(-5, -5, 5, 5)]), roi('away', [rect(100, 100, 110, 110)])],
      20,
      20,
    );
    expect(count(result, 0)).toBe(25);
    expect(count(result, 1)).toBe(0);
  });

  test('overlapping ROIs: the first listed wins the shared pixels', () => {
    const result = raster(
      [roi('P1', [rect(0, 0, 10, 10)]), roi('P2', [rect(6, 0, 16, 10)])],
      20,
      10,
    );
    expect([count(result, 0), count(result, 1)]).toEqual([100, 60]);
    expect(result[7]).toBe(0);
  });

  test('ground pixel areas: UTM within its scale, Web Mercator by cos² φ, degrees by latitude', () => {
    const grid = (proj4: string, size: number, originX = 0, originY = 0): GroundGrid => ({
      proj4,
      geoTransform: {
        originX,
        pixelWidth: size,
        rowRotation: 0,
        originY,
        columnRotation: 0,
        pixelHeight: -size,
      },
    });
    // UTM 52N near Najin (130.3° E, 42.25° N), 0.5 m: within the zone's scale (k ≈ 0.9997).
    const utm = groundPixelAt(
      grid('+proj=utm +zone=52 +datum=WGS84 +units=m', 0.5, 607_000, 4_677_000),
      0,
      0,
    );
    expect(utm?.areaM2).toBeCloseTo(0.25 / 0.99974 ** 2, 4);
    // Web Mercator at the same place: a map metre is cos φ · N / a east and cos φ · M / a
    // north on the ground (a sphere's projection of ellipsoidal latitudes).
    const [x, y] = proj4('+proj=longlat +datum=WGS84', MERCATOR, [130.3, 42.25]);
    const mercator = groundPixelAt(grid(MERCATOR, 0.5, x, y), 0, 0);
    const phi = (42.25 * Math.PI) / 180;
    const w = 1 - 0.00669437999014 * Math.sin(phi) ** 2;
    const eastPerMapM = (Math.cos(phi) * 1) / Math.sqrt(w);
    const northPerMapM = (Math.cos(phi) * (1 - 0.00669437999014)) / w ** 1.5;
    expect(mercator?.widthM).toBeCloseTo(0.5 * eastPerMapM, 6);
    expect(mercator?.heightM).toBeCloseTo(0.5 * northPerMapM, 6);
    expect(mercator?.areaM2).toBeCloseTo(0.25 * eastPerMapM * northPerMapM, 6);
    // US survey feet, and 1″ × 1″ at the equator ≈ 30.92 m × 30.72 m on WGS 84.
    const feet = groundPixelAt(
      grid('+proj=tmerc +lat_0=0 +lon_0=0 +k=1 +x_0=0 +y_0=0 +datum=WGS84 +units=us-ft', 10),
      0,
      0,
    );
    expect(feet?.widthM).toBeCloseTo(10 * (1200 / 3937), 6);
    const arcSecond = groundPixelAt(grid('+proj=longlat +datum=WGS84', 1 / 3600), 0, 0);
    expect(arcSecond?.widthM).toBeCloseTo(30.92, 2);
    expect(arcSecond?.heightM).toBeCloseTo(30.72, 2);
    // Across the antimeridian, the short way round.
    const across = groundPixelAt(grid('+proj=longlat +datum=WGS84', 1 / 3600, 180, 0), 0, 0);
    expect(across?.widthM).toBeCloseTo(30.92, 2);
  });

  test('a lon/lat raster across the antimeridian holds piers given at −179.99°', () => {
    // 2000 px of 1e-5° from 179.99° E: the raster runs to 180.01°, which GeoJSON writes as
    // −179.99°. proj4 gives the pier at −179.995° and it fell 360° west of the image.
    const grid: GridRef = {
      width: 2000,
      height: 2000,
      geoTransform: {
        originX: 179.99,
        pixelWidth: 1e-5,
        rowRotation: 0,
        originY: -16.99,
        columnRotation: 0,
        pixelHeight: -1e-5,
      },
      proj4: '+proj=longlat +datum=WGS84 +no_defs',
    };
    const square = (west: number): RoiRings => ({
      name: 'P',
      polygons: [
        [
          [
            [west, -17],
            [west + 0.002, -17],
            [west + 0.002, -16.998],
            [west, -16.998],
            [west, -17],
          ],
        ],
      ],
    });
    const [east, west, across] = lonLatRoisToPixel(
      [square(-179.996), square(179.994), square(179.999)],
      grid,
    );
    expect(east?.polygons[0]?.[0]?.[0]?.[0]).toBeCloseTo(1400, 6);
    expect(west?.polygons[0]?.[0]?.[0]?.[0]).toBeCloseTo(400, 6);
    expect(east?.polygons[0]?.[0]?.[0]?.[1]).toBeCloseTo(1000, 6);
    // A pier over 180° itself (179.999° to −179.999°) stays one ring, 200 px wide.
    const acrossXs = (across?.polygons[0]?.[0] ?? []).map(([x]) => x);
    expect(Math.min(...acrossXs)).toBeCloseTo(900, 6);
    expect(Math.max(...acrossXs)).toBeCloseTo(1100, 6);
    // Back out to GeoJSON: longitudes within ±180° (past 180° the file was refused when read
    // back), and read in again onto the same pixels.
    const georef = { geoTransform: grid.geoTransform, proj4: grid.proj4 };
    const text = exportRoiGeoJson([{ ...(east ?? square(0)), id: null }], georef);
    const lons = parseRoiGeoJson(text, 'back.geojson').rois.flatMap((roi) =>
      roi.polygons.flat(2).map(([lon]) => lon),
    );
    expect(Math.max(...lons)).toBeLessThanOrEqual(180);
    expect(Math.min(...lons)).toBeCloseTo(-179.996, 9);
    const back = lonLatRoisToPixel(parseRoiGeoJson(text, 'back.geojson').rois, grid);
    expect(roiAreaPx(back[0] ?? square(0))).toBeCloseTo(roiAreaPx(east ?? square(0)), 3);
    expect(back[0]?.polygons[0]?.[0]?.[0]?.[0]).toBeCloseTo(1400, 6);
  });

  test('a global lon/lat raster keeps its seam at its edges: a pier at −180° is on its west edge', () => {
    const grid: GridRef = {
      width: 36000,
      height: 18000,
      geoTransform: {
        originX: -180,
        pixelWidth: 0.01,
        rowRotation: 0,
        originY: 90,
        columnRotation: 0,
        pixelHeight: -0.01,
      },
      proj4: '+proj=longlat +datum=WGS84 +no_defs',
    };
    const ring: Point[] = [
      [-180, 0],
      [-179.99, 0],
      [-179.99, 0.01],
      [-180, 0.01],
      [-180, 0],
    ];
    const [pier] = lonLatRoisToPixel([{ name: 'P', polygons: [[ring]] }], grid);
    const xs = (pier?.polygons[0]?.[0] ?? []).map(([x]) => x);
    expect(Math.min(...xs)).toBeCloseTo(0, 6);
    expect(Math.max(...xs)).toBeCloseTo(1, 6);
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
    const pixelAreaM2 = groundPixelAt(grid, grid.width / 2, grid.height / 2)?.areaM2;
    expect(pixelAreaM2).toBeCloseTo(0.25, 3);
    const indices = raster(pixelRois, grid.width, grid.height);
    pixelRois.forEach((pixelRoi, index) => {
      // Polygon area from the projected (map) rings, independent of the raster.
      const mapRoi = projectRois(rois, grid.proj4).find((r) => r.name === pixelRoi.name);
      const mapAreaM2 = mapRoi === undefined ? 0 : roiAreaPx(mapRoi);
      const pixelsInside = count(indices, index);
      expect(pixelsInside).toBeGreaterThan(1000);
      expect(Math.abs(pixelsInside * (pixelAreaM2 ?? 0) - mapAreaM2) / mapAreaM2).toBeLessThan(
        0.01,
      );
    });
  });
});
