import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { crsFromEpsg } from '../../src/core/crs.ts';
import {
  MAX_ROIS,
  MAX_TEXT_FILE_BYTES,
  parseRoiGeoJson,
  projectRois,
  roiSetToGeoJson,
  textFileSizeProblem,
  unprojectRois,
  type Position,
  type Roi,
} from '../../src/io/geojson.ts';

const DEMO_TEXT = readFileSync(new URL('../../public/demo/piers.geojson', import.meta.url), 'utf8');
const FILE = 'najin-piers.geojson';

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

/** The error message of parsing `value` (stringified unless a string); fails if it parses. */
function errorOf(value: unknown, sourceName = FILE): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  try {
    parseRoiGeoJson(text, sourceName);
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(sourceName);
    return message;
  }
  throw new Error('expected parseRoiGeoJson to throw');
}

const square: Position[] = [
  [130.3, 42.24],
  [130.301, 42.24],
  [130.301, 42.241],
  [130.3, 42.241],
  [130.3, 42.24],
];

function feature(geometry: unknown, properties: unknown = {}, id?: string | number): object {
  return { type: 'Feature', ...(id === undefined ? {} : { id }), properties, geometry };
}

function polygon(...rings: Position[][]): object {
  return { type: 'Polygon', coordinates: rings };
}

function collection(...features: object[]): object {
  return { type: 'FeatureCollection', features };
}

describe('reading the demo piers', () => {
  const { rois, warnings } = parseRoiGeoJson(DEMO_TEXT, 'piers.geojson');

  test('three closed counter-clockwise ROIs named Pier 1..3, no warnings', () => {
    expect(warnings).toEqual([]);
    expect(rois.map((roi) => roi.name)).toEqual(['Pier 1', 'Pier 2', 'Pier 3']);
    expect(rois.map((roi) => roi.id)).toEqual(['pier-1', 'pier-2', 'pier-3']);
    for (const roi of rois) {
      expect(roi.polygons).toHaveLength(1);
      expect(roi.rings).toHaveLength(1);
      const ring = roi.rings[0]!;
      expect(ring).toHaveLength(5);
      expect(isClosed(ring)).toBe(true);
      expect(signedArea2(ring)).toBeGreaterThan(0);
    }
  });

  test('written back, it is the same GeoJSON and reads back to the same ROIs', () => {
    const written = roiSetToGeoJson(rois);
    expect(written).toEqual(JSON.parse(DEMO_TEXT));
    expect(parseRoiGeoJson(JSON.stringify(written), 'again.geojson')).toEqual({ rois, warnings });
  });
});

describe('accepted shapes and names', () => {
  test('a single Feature, a bare Polygon, a bare MultiPolygon', () => {
    const single = parseRoiGeoJson(JSON.stringify(feature(polygon(square), { name: 'Q' })), FILE);
    expect(single.rois.map((roi) => roi.name)).toEqual(['Q']);

    const bare = parseRoiGeoJson(JSON.stringify(polygon(square)), FILE);
    expect(bare.rois).toHaveLength(1);
    expect(bare.rois[0]!.name).toBe('ROI 1');
    expect(bare.rois[0]!.id).toBeNull();

    const shifted = square.map(([x, y]): Position => [x + 0.01, y]);
    const multi = parseRoiGeoJson(
      JSON.stringify({ type: 'MultiPolygon', coordinates: [[square], [shifted]] }),
      FILE,
    );
    // A MultiPolygon stays one ROI with two parts.
    expect(multi.rois).toHaveLength(1);
    expect(multi.rois[0]!.polygons).toHaveLength(2);
    expect(multi.rois[0]!.rings).toHaveLength(2);
    expect(multi.warnings).toEqual([]);
  });

  test('names: `name` property, else NAME, else id (the feature’s, then a property), else ROI n in file order', () => {
    const text = JSON.stringify(
      collection(
        feature(polygon(square), { name: '  Pier No. 3 ' }, 'a'),
        feature(polygon(square), { NAME: 'Berth 7' }),
        feature(polygon(square), { name: '' }, 42),
        feature(polygon(square), null),
        feature(polygon(square), { other: 1 }, 'quay-east'),
        feature(polygon(square), { id: 'P-9' }),
        feature(polygon(square), { ID: 17 }, 'feature-id-first'),
      ),
    );
    const { rois, warnings } = parseRoiGeoJson(text, FILE);
    expect(rois.map((roi) => roi.name)).toEqual([
      'Pier No. 3',
      'Berth 7',
      '42',
      'ROI 4',
      'quay-east',
      'P-9',
      'feature-id-first',
    ]);
    expect(rois.map((roi) => roi.id)).toEqual([
      'a',
      null,
      42,
      null,
      'quay-east',
      null,
      'feature-id-first',
    ]);
    expect(warnings).toEqual([]);
  });

  test('duplicate names are made unique, with a warning', () => {
    const text = JSON.stringify(
      collection(
        feature(polygon(square), { name: 'Pier 1' }),
        feature(polygon(square), { name: 'Pier 1' }),
      ),
    );
    const { rois, warnings } = parseRoiGeoJson(text, FILE);
    expect(rois.map((roi) => roi.name)).toEqual(['Pier 1', 'Pier 1 (2)']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(FILE);
    expect(warnings[0]).toContain('named "Pier 1"');
  });

  test('a byte-order mark, altitudes and a WGS 84 crs member are fine', () => {
    for (const name of [
      'urn:ogc:def:crs:OGC:1.3:CRS84',
      'urn:ogc:def:crs:EPSG::4326',
      'EPSG:4326',
      'http://www.opengis.net/def/crs/OGC/1.3/CRS84',
    ]) {
      const withZ = square.map(([x, y]) => [x, y, 12.5]);
      const text =
        '\uFEFF' +
        JSON.stringify({
          ...collection(feature({ type: 'Polygon', coordinates: [withZ] }, { name: 'P' })),
          crs: { type: 'name', properties: { name } },
        });
      const { rois, warnings } = parseRoiGeoJson(text, FILE);
      expect(rois[0]!.rings[0]).toEqual(square);
      expect(warnings).toEqual([]);
    }
    expect(
      parseRoiGeoJson(JSON.stringify({ ...polygon(square), crs: null }), FILE).rois,
    ).toHaveLength(1);
  });
});

describe('errors name the file and say what is wrong', () => {
  test('not JSON: with line and column', () => {
    const trailing = '{\n  "type": "FeatureCollection",\n  "features": [1,]\n}';
    expect(errorOf(trailing)).toMatch(
      /not valid JSON: trailing comma before '\]' at line 3, column 18/,
    );
    expect(errorOf('{"type": "Polygon", }')).toMatch(
      /trailing comma before '\}' at line 1, column 21/,
    );
    expect(errorOf('{"type": "Polygon"')).toMatch(
      /not valid JSON: .*end of file at line 1, column 19/,
    );
    expect(errorOf('{\n"coordinates": [NaN, 1]}')).toMatch(
      /NaN is not a JSON number at line 2, column 17/,
    );
    expect(errorOf("{'type': 'Polygon'}")).toMatch(/double quotes.* at line 1, column 2/);
    expect(errorOf('')).toMatch(/is empty/);
    expect(errorOf('<kml><Document/></kml>')).toMatch(/is XML \(KML or GPX\?\), not GeoJSON/);
  });

  test('JSON but not GeoJSON', () => {
    expect(errorOf({ features: 3 })).toMatch(/is JSON but not GeoJSON: .*without a "type" member/);
    expect(errorOf([1, 2])).toMatch(/is JSON but not GeoJSON: the top level is an array/);
    expect(errorOf({ type: 'Banana' })).toMatch(/not GeoJSON: its "type" is "Banana"/);
    expect(errorOf({ type: 'Topology', objects: {} })).toMatch(/is TopoJSON, not GeoJSON/);
    expect(errorOf({ spatialReference: { wkid: 4326 }, features: [] })).toMatch(/Esri JSON/);
    expect(errorOf({ type: 'FeatureCollection', features: [{ geometry: null }] })).toMatch(
      /feature 1 is not a GeoJSON Feature/,
    );
  });

  test('a crs member other than WGS 84', () => {
    const text = JSON.stringify({
      ...collection(feature(polygon(square), { name: 'P' })),
      crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::32652' } },
    });
    expect(errorOf(text)).toBe(
      `${FILE}: RFC 7946 GeoJSON is WGS 84 longitude/latitude; this file declares ` +
        'EPSG:32652 (WGS 84 / UTM zone 52N) — reproject it to WGS 84 ' +
        `(e.g. \`ogr2ogr -t_srs EPSG:4326 out.geojson ${FILE}\`)`,
    );
    const unknown = { ...polygon(square), crs: { type: 'name', properties: { name: 'Local' } } };
    expect(errorOf(unknown)).toMatch(/this file declares "Local" — reproject it to WGS 84/);
    const old = { ...polygon(square), crs: { type: 'EPSG', properties: { code: 3857 } } };
    expect(errorOf(old)).toMatch(/declares EPSG:3857 \(WGS 84 \/ Pseudo-Mercator\)/);
    expect(errorOf({ ...polygon(square), crs: 'EPSG:32652' })).toMatch(
      /"crs" member Quaywatch cannot read/,
    );
    const onFeature = collection({
      ...feature(polygon(square)),
      crs: { type: 'name', properties: { name: 'EPSG:2193' } },
    });
    expect(errorOf(onFeature)).toMatch(/declares EPSG:2193/);
  });

  test('projected coordinates', () => {
    const utm: Position[] = [
      [607274.4, 4677853.2],
      [607374, 4677853],
      [607374, 4677953],
      [607274.4, 4677853.2],
    ];
    expect(errorOf(collection(feature(polygon(utm), { name: 'Pier 1' })))).toMatch(
      /coordinates look projected \(e\.g\. 607274, 4677853\), not longitude\/latitude.*reproject it to WGS 84/,
    );
  });

  test('latitude, longitude order', () => {
    const swapped = square.map(([lon, lat]): Position => [lat, lon]);
    expect(errorOf(polygon(swapped))).toMatch(
      /look like latitude, longitude \(e\.g\. 42\.24, 130\.3: a latitude cannot be 130\.3\).*swap them/,
    );
  });

  test('no polygon features at all', () => {
    const line = { type: 'LineString', coordinates: square };
    const point = { type: 'Point', coordinates: [130.3, 42.24] };
    expect(errorOf(collection(feature(line), feature(line), feature(point)))).toBe(
      `${FILE} contains 3 features but no Polygon or MultiPolygon (found 2 LineString, 1 Point): ` +
        'ROIs must be areas',
    );
    expect(errorOf(point)).toMatch(/is a Point geometry, not a Polygon or MultiPolygon/);
    expect(errorOf(collection())).toMatch(/empty FeatureCollection/);
    expect(errorOf(collection(feature(null)))).toMatch(/1 feature but no Polygon.*1 no geometry/);
  });

  test('features that are not areas next to ones that are: skipped with a warning', () => {
    const point = { type: 'Point', coordinates: [130.3, 42.24] };
    const { rois, warnings } = parseRoiGeoJson(
      JSON.stringify(collection(feature(point), feature(polygon(square)))),
      FILE,
    );
    expect(rois.map((roi) => roi.name)).toEqual(['ROI 1']);
    expect(warnings).toEqual([
      `${FILE}: skipped 1 feature that is not an area (1 Point): ROIs must be Polygons or MultiPolygons`,
    ]);
  });

  test('empty ROIs', () => {
    const three = square.slice(0, 2).concat([square[0]!]);
    expect(errorOf(collection(feature(polygon(three), { name: 'Pier 2' })))).toBe(
      `${FILE}: Pier 2 is empty: its exterior ring has only 3 positions; ` +
        'a ring needs at least 4 (3 corners and the closing position)',
    );
    const line: Position[] = [
      [130.3, 42.24],
      [130.301, 42.241],
      [130.302, 42.242],
      [130.3, 42.24],
    ];
    expect(errorOf(collection(feature(polygon(line), { name: 'Pier 2' })))).toMatch(
      /Pier 2 is empty: its exterior ring has zero area \(all its corners lie on one line\)/,
    );
    const repeated: Position[] = [
      [130.3, 42.24],
      [130.3, 42.24],
      [130.301, 42.24],
      [130.3, 42.24],
    ];
    expect(errorOf(polygon(repeated))).toMatch(/ROI 1 is empty: .*only 2 distinct corners/);
    expect(errorOf(feature(polygon(), { name: 'Pier 4' }))).toMatch(/Pier 4 has no rings/);
    // A degenerate hole is dropped with a warning; the ROI stays.
    const hole: Position[] = [
      [130.3002, 42.2402],
      [130.3004, 42.2404],
      [130.3006, 42.2406],
      [130.3002, 42.2402],
    ];
    const { rois, warnings } = parseRoiGeoJson(JSON.stringify(polygon(square, hole)), FILE);
    expect(rois[0]!.rings).toHaveLength(1);
    expect(warnings).toEqual([`${FILE}: holes of ROI 1 had no area; ignored them`]);
  });

  test('positions that are not finite numbers', () => {
    const huge = JSON.stringify(feature(polygon(square), { name: 'Pier 2' })).replace(
      '130.301',
      '1e999',
    );
    expect(errorOf(huge)).toBe(
      `${FILE}: Pier 2, exterior ring, position 2 is not a pair of finite numbers (found [Infinity,42.24])`,
    );
    const text = feature(
      { type: 'Polygon', coordinates: [[...square.slice(0, 2), ['130.3', 42.2], ...square]] },
      { name: 'Pier 2' },
    );
    expect(errorOf(text)).toMatch(/Pier 2, exterior ring, position 3 is not a pair of finite/);
    const short = feature({ type: 'Polygon', coordinates: [[[130.3], ...square]] });
    expect(errorOf(short)).toMatch(/feature 1, exterior ring, position 1 .*found \[130\.3\]/);
  });

  test('the file name given is the one in the message', () => {
    expect(errorOf('nope', 'Najin piers (draft).json')).toMatch(/^Najin piers \(draft\)\.json /);
  });

  test('more piers than an analysis takes, and files too large to read', () => {
    const many = (n: number): object =>
      collection(
        ...Array.from({ length: n }, (_, k) => feature(polygon(square), { name: `B${k}` })),
      );
    expect(parseRoiGeoJson(JSON.stringify(many(MAX_ROIS)), FILE).rois).toHaveLength(1000);
    expect(errorOf(many(MAX_ROIS + 1))).toBe(
      'najin-piers.geojson holds 1001 piers; an analysis takes at most 1000: keep the piers of one port, or split the file',
    );
    expect(textFileSizeProblem('osm.geojson', MAX_TEXT_FILE_BYTES)).toBeNull();
    expect(textFileSizeProblem('osm.geojson', 612 * 1024 * 1024)).toBe(
      "osm.geojson is 612 MB: pier and session files are read up to 64 MB (a port's piers take kilobytes); clip the layer to the port first (e.g. ogr2ogr -clipsrc)",
    );
  });
});

describe('repairs with warnings', () => {
  test('unclosed rings are closed', () => {
    const open = square.slice(0, 4);
    const { rois, warnings } = parseRoiGeoJson(
      JSON.stringify(feature(polygon(open), { name: 'Pier 1' })),
      FILE,
    );
    expect(rois[0]!.rings[0]).toEqual(square);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/rings of Pier 1 were not closed .*closed them/);
    expect(warnings[0]).toContain(FILE);
  });

  test('clockwise exteriors and counter-clockwise holes are reversed', () => {
    const clockwise = [...square].reverse();
    const hole: Position[] = [
      [130.3002, 42.2402],
      [130.3008, 42.2402],
      [130.3008, 42.2408],
      [130.3002, 42.2402],
    ];
    const { rois, warnings } = parseRoiGeoJson(
      JSON.stringify(feature(polygon(clockwise, hole), { name: 'Pier 1' })),
      FILE,
    );
    const [exterior, inner] = rois[0]!.rings;
    expect(signedArea2(exterior!)).toBeGreaterThan(0);
    expect(signedArea2(inner!)).toBeLessThan(0);
    expect(isClosed(exterior!) && isClosed(inner!)).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/rings of Pier 1 ran the wrong way round .*reversed them/);
  });

  test('a self-intersecting ring is kept, with a warning', () => {
    const bowtie: Position[] = [
      [130.3, 42.24],
      [130.302, 42.242],
      [130.302, 42.24],
      [130.3, 42.241],
      [130.3, 42.24],
    ];
    const text = JSON.stringify(
      collection(
        feature(polygon(square), { name: 'Pier 1' }),
        feature(polygon(bowtie), { name: 'Pier 2' }),
      ),
    );
    const { rois, warnings } = parseRoiGeoJson(text, FILE);
    expect(rois).toHaveLength(2);
    const crossing = warnings.filter((w) => w.includes('crosses itself'));
    expect(crossing).toHaveLength(1);
    expect(crossing[0]).toMatch(
      /^najin-piers\.geojson: Pier 2 crosses itself \(exterior ring, near /,
    );
    // A symmetric bow tie has no net area: an error, not a warning.
    const symmetric: Position[] = [
      [130.3, 42.24],
      [130.301, 42.241],
      [130.301, 42.24],
      [130.3, 42.241],
      [130.3, 42.24],
    ];
    expect(errorOf(feature(polygon(symmetric), { name: 'Pier 3' }))).toMatch(
      /Pier 3 is empty: its exterior ring crosses itself and its loops cancel out to zero area/,
    );
  });
});

describe('writing RFC 7946', () => {
  test('hand-made ROIs come out closed, exteriors CCW, holes CW, MultiPolygon for parts', () => {
    const exterior = [...square.slice(0, 4)].reverse(); // open, clockwise
    const hole: Position[] = [
      [130.3002, 42.2402],
      [130.3002, 42.2408],
      [130.3008, 42.2408],
    ]; // open, clockwise already
    const other = square.map(([x, y]): Position => [x + 0.01, y]);
    const roi: Roi = {
      name: 'Berth',
      id: null,
      rings: [exterior, hole, other],
      polygons: [[exterior, hole], [other]],
    };
    const written = roiSetToGeoJson([roi]);
    const [only] = written.features;
    expect(only!.properties).toEqual({ name: 'Berth' });
    expect('id' in only!).toBe(false);
    expect(only!.geometry.type).toBe('MultiPolygon');
    const parts = only!.geometry.coordinates as Position[][][];
    expect(signedArea2(parts[0]![0]!)).toBeGreaterThan(0);
    expect(signedArea2(parts[0]![1]!)).toBeLessThan(0);
    expect(parts.flat().every(isClosed)).toBe(true);
    const back = parseRoiGeoJson(JSON.stringify(written), 'written.geojson');
    expect(back.warnings).toEqual([]);
    expect(back.rois[0]!.polygons).toEqual(parts);
  });
});

describe('projection', () => {
  const utm52n = crsFromEpsg(32652).proj4!;
  const { rois } = parseRoiGeoJson(DEMO_TEXT, 'piers.geojson');

  test('to UTM 52N and back within 1e-7 degrees, orientation kept', () => {
    const mapped = projectRois(rois, utm52n);
    expect(mapped.map((roi) => roi.name)).toEqual(['Pier 1', 'Pier 2', 'Pier 3']);
    for (const roi of mapped) {
      const ring = roi.rings[0]!;
      expect(isClosed(ring)).toBe(true);
      expect(
        signedArea2(ring.map(([x, y]): Position => [x - 607000, y - 4677000])),
      ).toBeGreaterThan(0);
      for (const [x, y] of ring) {
        expect(x).toBeGreaterThan(600_000);
        expect(x).toBeLessThan(620_000);
        expect(y).toBeGreaterThan(4_670_000);
        expect(y).toBeLessThan(4_690_000);
      }
    }
    const back = unprojectRois(mapped, utm52n);
    for (const [r, roi] of back.entries()) {
      const original = rois[r]!.rings[0]!;
      roi.rings[0]!.forEach(([lon, lat], k) => {
        expect(Math.abs(lon - original[k]![0])).toBeLessThan(1e-7);
        expect(Math.abs(lat - original[k]![1])).toBeLessThan(1e-7);
      });
    }
  });

  test('a pier is about the size the demo says (60 m × 330 m)', () => {
    const ring = projectRois(rois, utm52n)[0]!.rings[0]!;
    const areaM2 = signedArea2(ring.map(([x, y]): Position => [x - 607000, y - 4677000])) / 2;
    expect(areaM2).toBeGreaterThan(10_000);
    expect(areaM2).toBeLessThan(40_000);
  });

  test('a bad proj4 definition is a clear error', () => {
    expect(() => projectRois(rois, '+proj=nonsense')).toThrow(/cannot use the CRS definition/);
  });
});
