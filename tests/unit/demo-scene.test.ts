import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  afterGrid,
  beforeGrid,
  demoTruth,
  piersGeoJson,
} from '../../src/core/demo/georeference.ts';
import {
  buildDemoScene,
  containerColourName,
  DEFAULT_DEMO_PARAMS,
  renderDemoDate,
  type DemoSceneParams,
} from '../../src/core/demo/scene.ts';
import { openRaster, readWindow } from '../../src/io/decoder.ts';
import { makeDemoFiles } from '../../src/io/demo-files.ts';

const small: DemoSceneParams = {
  ...DEFAULT_DEMO_PARAMS,
  widthPx: 240,
  heightPx: 200,
  gsdM: 1.5,
  seed: 7,
};

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

describe('demo port scene', () => {
  test('is deterministic by seed: same seed, same bytes; another seed, other bytes', () => {
    const a = makeDemoFiles(small);
    const b = makeDemoFiles(small);
    const c = makeDemoFiles({ ...small, seed: 8 });
    expect(Buffer.from(a.beforeTif).equals(Buffer.from(b.beforeTif))).toBe(true);
    expect(Buffer.from(a.afterTif).equals(Buffer.from(b.afterTif))).toBe(true);
    expect(Buffer.from(a.beforeTif).equals(Buffer.from(c.beforeTif))).toBe(false);
    expect(a.truth).toEqual(b.truth);
  });

  test('every container has a named palette colour, greys included (the accuracy report groups by it)', () => {
    const scene = buildDemoScene(DEFAULT_DEMO_PARAMS);
    const names = new Set(
      scene.objects
        .flat()
        .filter((o) => o.kind === 'container')
        .map((o) => containerColourName(o.colour)),
    );
    expect(names.has(undefined)).toBe(false);
    expect(names.has('grey')).toBe(true);
    expect(names.size).toBeGreaterThanOrEqual(8);
    expect(containerColourName([146, 146, 142])).toBe('grey');
    expect(containerColourName([146, 146, 143])).toBeUndefined();
  });

  test('truth per pier is consistent and shows each scenario', () => {
    const truth = demoTruth(buildDemoScene(DEFAULT_DEMO_PARAMS));
    expect(truth.piers.map((p) => p.scenario)).toEqual(['reshuffled', 'emptied', 'filled']);
    for (const pier of truth.piers) {
      expect(pier.net_teu).toBe(pier.after_teu - pier.before_teu);
      expect(pier.appeared_teu - pier.disappeared_teu).toBe(pier.net_teu);
      expect(pier.before_teu).toBeLessThanOrEqual(pier.capacity_teu);
      expect(pier.after_teu).toBeLessThanOrEqual(pier.capacity_teu);
    }
    const [reshuffled, emptied, filled] = truth.piers;
    expect(emptied!.after_teu).toBeLessThan(emptied!.before_teu * 0.25);
    expect(emptied!.disappeared_teu).toBeGreaterThan(40);
    expect(filled!.after_teu).toBeGreaterThan(filled!.before_teu * 3);
    expect(reshuffled!.appeared_teu).toBeGreaterThan(10);
    expect(reshuffled!.disappeared_teu).toBeGreaterThan(10);
  });

  test('the committed demo (public/demo) is what demo:make writes for the default seed', () => {
    const scene = buildDemoScene(DEFAULT_DEMO_PARAMS);
    const truth: unknown = JSON.parse(readFileSync('public/demo/truth.json', 'utf8'));
    const piers: unknown = JSON.parse(readFileSync('public/demo/piers.geojson', 'utf8'));
    expect(truth).toEqual(JSON.parse(JSON.stringify(demoTruth(scene))));
    expect(piers).toEqual(JSON.parse(JSON.stringify(piersGeoJson(scene))));
  });

  test('piers GeoJSON follows RFC 7946: lon/lat, closed counter-clockwise rings', () => {
    const collection = piersGeoJson(buildDemoScene(DEFAULT_DEMO_PARAMS)) as {
      features: {
        properties: { name: string };
        geometry: { type: string; coordinates: number[][][] };
      }[];
    };
    expect(collection.features.map((f) => f.properties.name)).toEqual([
      'Pier 1',
      'Pier 2',
      'Pier 3',
    ]);
    for (const feature of collection.features) {
      expect(feature.geometry.type).toBe('Polygon');
      const ring = feature.geometry.coordinates[0]!;
      expect(ring.length).toBe(5);
      expect(ring[0]).toEqual(ring[4]);
      let doubleArea = 0;
      for (let i = 0; i < ring.length - 1; i++) {
        const [x0, y0] = ring[i]!;
        const [x1, y1] = ring[i + 1]!;
        doubleArea += x0! * y1! - x1! * y0!;
        expect(Math.abs(x0! - 130.3045)).toBeLessThan(0.01);
        expect(Math.abs(y0! - 42.2432)).toBeLessThan(0.01);
      }
      expect(doubleArea).toBeGreaterThan(0); // counter-clockwise
    }
  });

  test('unchanged ground renders identically at both dates', () => {
    const same: DemoSceneParams = {
      ...small,
      misregistrationPx: [0, 0],
      afterGain: [1, 1, 1],
      afterOffsetDn: 0,
      afterHaze: 0,
      noiseDn: [0, 0],
      sunAfter: small.sunBefore,
      berthedShip: 'none',
      trucksPerDate: 0,
    };
    const scene = buildDemoScene(same);
    const grid = beforeGrid(scene);
    const options = { width: grid.width, height: grid.height, pixelToScene: grid.pixelToScene };
    const before = renderDemoDate(scene, { ...options, date: 0 });
    const after = renderDemoDate(scene, { ...options, date: 1 });
    // Land (the strip north of the shore) holds only static objects: identical.
    const landRows = Math.floor((0.17 * scene.heightM - 8) / same.gsdM);
    const landBytes = landRows * grid.width * 3;
    expect(
      Buffer.from(before.subarray(0, landBytes)).equals(Buffer.from(after.subarray(0, landBytes))),
    ).toBe(true);
    // The piers changed, so the whole images differ.
    expect(Buffer.from(before).equals(Buffer.from(after))).toBe(false);
  });

  test('a lon/lat after grid interpolates the projection to well under a millimetre', () => {
    const scene = buildDemoScene({ ...small, afterGrid: { crs: 'lonlat', gsdM: 1.8 } });
    const fast = afterGrid(scene);
    const exact = afterGrid(scene, { exact: true });
    expect(fast.epsg).toBe(4326);
    let worst = 0;
    for (let row = 0; row < fast.height; row += 7) {
      for (let col = 0; col < fast.width; col += 5) {
        const [x0, y0] = fast.pixelToScene(col + 0.3, row - 0.2);
        const [x1, y1] = exact.pixelToScene(col + 0.3, row - 0.2);
        worst = Math.max(worst, Math.hypot(x0 - x1, y0 - y1));
      }
    }
    expect(worst).toBeLessThan(0.001);
  });

  test('files decode as dated, georeferenced, JPEG-compressed RGB GeoTIFFs', async () => {
    const files = makeDemoFiles({ ...small, afterGrid: { crs: 'lonlat', gsdM: 1.8 } });
    const before = await openRaster({
      kind: 'buffer',
      buffer: toArrayBuffer(files.beforeTif),
      name: 'before.tif',
    });
    const after = await openRaster({
      kind: 'buffer',
      buffer: toArrayBuffer(files.afterTif),
      name: 'after.tif',
    });
    expect(before.info).toMatchObject({
      width: 240,
      height: 200,
      bands: 3,
      dtype: 'uint8',
      compression: 'jpeg',
      crs: expect.objectContaining({ epsg: 32652 }) as unknown,
      gsdM: expect.closeTo(1.5, 3) as unknown, // on the ground: UTM scale ≈ 0.9997 here
      tiled: true,
      acquired: '2023-10-13T02:14:00',
    });
    expect(after.info).toMatchObject({
      bands: 3,
      compression: 'jpeg',
      crs: expect.objectContaining({ epsg: 4326, geographic: true }) as unknown,
      acquired: '2023-10-16T02:31:00',
    });
    expect(after.info.gsdM).toBeCloseTo(1.8, 2);
    const window = await readWindow(before);
    const red = window.bands[0]!;
    expect(red.some((v) => v > 100)).toBe(true);
    expect(red.some((v) => v < 60)).toBe(true);
  });
});
