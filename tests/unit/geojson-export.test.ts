import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { crsFromEpsg } from '../../src/core/crs.ts';
import { mapToPixel, type GeoTransform } from '../../src/core/raster.ts';
import {
  exportRoiGeoJson,
  parseRoiGeoJson,
  pixelRoisToLonLat,
  projectRois,
  type ImageGeoref,
  type PixelRoiRings,
  type Position,
} from '../../src/io/geojson.ts';

const DEMO_TEXT = readFileSync(new URL('../../public/demo/piers.geojson', import.meta.url), 'utf8');
const UTM52N = crsFromEpsg(32652).proj4 ?? '';

/** Twice the signed area, positive for counter-clockwise (closed ring). */
function signedArea2(ring: readonly Position[]): number {
  let sum = 0;
  for (let k = 0; k + 1 < ring.length; k++) {
    const [x0, y0] = ring[k]!;
    const [x1, y1] = ring[k + 1]!;
    sum += x0 * y1 - x1 * y0;
  }
  return sum;
}

function isClosed(ring: readonly Position[]): boolean {
  return ring.length >= 4 && ring[0]![0] === ring.at(-1)![0] && ring[0]![1] === ring.at(-1)![1];
}

interface ExportedFeature {
  type: string;
  id?: string | number;
  properties: { name: string };
  geometry:
    | { type: 'Polygon'; coordinates: Position[][] }
    | { type: 'MultiPolygon'; coordinates: Position[][][] };
}

function parts(feature: ExportedFeature): Position[][][] {
  return feature.geometry.type === 'Polygon'
    ? [feature.geometry.coordinates]
    : feature.geometry.coordinates;
}

/** A north-up 0.5 m UTM 52N grid whose upper-left corner is 100 m north-west of `rings`. */
function gridAround(rings: readonly (readonly Position[])[]): GeoTransform {
  const points = rings.flat();
  const minE = Math.min(...points.map((p) => p[0]));
  const maxN = Math.max(...points.map((p) => p[1]));
  return {
    originX: Math.floor(minE) - 100,
    pixelWidth: 0.5,
    rowRotation: 0,
    originY: Math.ceil(maxN) + 100,
    columnRotation: 0,
    pixelHeight: -0.5,
  };
}

describe('GeoJSON export of pixel ROIs (RFC 7946)', () => {
  test('the demo piers go image pixels → GeoJSON → back within 1e-6 m (UTM 52N)', () => {
    expect(UTM52N).toContain('+zone=52');
    const original = projectRois(parseRoiGeoJson(DEMO_TEXT, 'piers.geojson').rois, UTM52N);
    const geoTransform = gridAround(original.flatMap((roi) => roi.rings));
    const georef: ImageGeoref = { geoTransform, proj4: UTM52N };
    // What the editor holds: open rings in pixels of the before image.
    const pixelRois: PixelRoiRings[] = original.map((roi) => ({
      name: roi.name,
      id: roi.id,
      polygons: roi.polygons.map((part) =>
        part.map((ring) => ring.slice(0, -1).map(([x, y]) => mapToPixel(geoTransform, x, y))),
      ),
    }));
    const text = exportRoiGeoJson(pixelRois, georef);
    const back = parseRoiGeoJson(text, 'export.geojson');
    expect(back.warnings).toEqual([]);
    const projected = projectRois(back.rois, UTM52N);
    expect(projected.map((roi) => [roi.name, roi.id])).toEqual(
      original.map((roi) => [roi.name, roi.id]),
    );
    let worst = 0;
    projected.forEach((roi, r) => {
      roi.rings.forEach((ring, k) => {
        const expected = original[r]!.rings[k]!;
        expect(ring).toHaveLength(expected.length);
        ring.forEach(([x, y], v) => {
          worst = Math.max(worst, Math.hypot(x - expected[v]![0], y - expected[v]![1]));
        });
      });
    });
    expect(worst).toBeLessThan(1e-6);
  });

  test('rings are closed, outer rings counter-clockwise, holes clockwise, lon/lat in range', () => {
    const geoTransform: GeoTransform = {
      originX: 360_000,
      pixelWidth: 0.5,
      rowRotation: 0,
      originY: 4_680_000,
      columnRotation: 0,
      pixelHeight: -0.5,
    };
    // Pixel rings drawn both ways round; pixel y points down, so "clockwise on screen" is
    // counter-clockwise in pixel numbers and the other way round on the map.
    const screenClockwise: [number, number][] = [
      [10, 10],
      [110, 10],
      [110, 60],
      [10, 60],
    ];
    const hole: [number, number][] = [
      [40, 20],
      [40, 40],
      [60, 40],
      [60, 20],
    ];
    const rois: PixelRoiRings[] = [
      { name: 'Quay <b>&</b>', id: null, polygons: [[screenClockwise, hole]] },
      {
        name: 'Two parts',
        id: 'two',
        polygons: [
          [[...screenClockwise].reverse()],
          [screenClockwise.map(([x, y]) => [x + 200, y])],
        ],
      },
    ];
    const json = JSON.parse(exportRoiGeoJson(rois, { geoTransform, proj4: UTM52N })) as {
      type: string;
      crs?: unknown;
      features: ExportedFeature[];
    };
    expect(json.type).toBe('FeatureCollection');
    expect(json.crs).toBeUndefined(); // RFC 7946: no crs member, WGS 84 implied
    expect(json.features.map((f) => f.properties.name)).toEqual(['Quay <b>&</b>', 'Two parts']);
    expect(json.features[0]?.id).toBeUndefined();
    expect(json.features[1]?.id).toBe('two');
    expect(json.features.map((f) => f.geometry.type)).toEqual(['Polygon', 'MultiPolygon']);
    for (const feature of json.features) {
      for (const [exterior, ...holes] of parts(feature)) {
        expect(isClosed(exterior!)).toBe(true);
        expect(signedArea2(exterior!)).toBeGreaterThan(0);
        for (const ring of holes) {
          expect(isClosed(ring)).toBe(true);
          expect(signedArea2(ring)).toBeLessThan(0);
        }
        for (const [lon, lat] of [exterior!, ...holes].flat()) {
          // UTM 52N at northing 4680 km: Najin, about 130.3° E, 42.2° N.
          expect(lon).toBeGreaterThan(126);
          expect(lon).toBeLessThan(132);
          expect(lat).toBeGreaterThan(42);
          expect(lat).toBeLessThan(42.5);
        }
      }
    }
    // The hole is 20 × 20 px of 0.25 m² each: 100 m², whatever the projection does to it.
    const lonLat = pixelRoisToLonLat(rois, { geoTransform, proj4: UTM52N });
    const utm = projectRois(lonLat, UTM52N);
    const holeArea = Math.abs(signedArea2(utm[0]!.polygons[0]![1]!)) / 2;
    expect(holeArea).toBeCloseTo(100, 6);
  });

  test('a south-up grid (mirrored y) still gives counter-clockwise outer rings', () => {
    const geoTransform: GeoTransform = {
      originX: 500_000,
      pixelWidth: 1,
      rowRotation: 0,
      originY: 4_000_000,
      columnRotation: 0,
      pixelHeight: 1,
    };
    const json = JSON.parse(
      exportRoiGeoJson(
        [
          {
            name: 'P',
            id: 7,
            polygons: [
              [
                [
                  [0, 0],
                  [10, 0],
                  [10, 10],
                  [0, 10],
                  [0, 0],
                ],
              ],
            ],
          },
        ],
        { geoTransform, proj4: UTM52N },
      ),
    ) as { features: ExportedFeature[] };
    const [exterior] = parts(json.features[0]!)[0]!;
    expect(json.features[0]?.id).toBe(7);
    expect(exterior).toHaveLength(5); // already-closed input is not closed twice
    expect(signedArea2(exterior!)).toBeGreaterThan(0);
  });

  test('a position the CRS cannot take is refused with the pier named', () => {
    const geoTransform: GeoTransform = {
      originX: 0,
      pixelWidth: 1e9,
      rowRotation: 0,
      originY: 0,
      columnRotation: 0,
      pixelHeight: -1e9,
    };
    expect(() =>
      exportRoiGeoJson(
        [
          {
            name: 'Nowhere',
            id: null,
            polygons: [
              [
                [
                  [0, 0],
                  [10, 0],
                  [10, 10],
                ],
              ],
            ],
          },
        ],
        { geoTransform, proj4: UTM52N },
      ),
    ).toThrow(/Nowhere/);
  });
});
