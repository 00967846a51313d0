import proj4 from 'proj4';
import { describe, expect, test } from 'vitest';
import {
  controlPointMapping,
  exactMapping,
  noOverlapMessage,
  overlap,
  requireOverlap,
  type GridRef,
  type PixelMapping,
} from '../../src/core/align/grid-mapping.ts';
import { resampleNearest } from '../../src/core/align/resample.ts';
import { crsFromEpsg } from '../../src/core/crs.ts';
import { afterGrid, beforeGrid, type DemoGrid } from '../../src/core/demo/georeference.ts';
import { buildDemoScene, DEFAULT_DEMO_PARAMS } from '../../src/core/demo/scene.ts';

const UTM52N = crsFromEpsg(32652).proj4!;
const UTM53N = crsFromEpsg(32653).proj4!;
const WGS84 = crsFromEpsg(4326).proj4!;

function gridRef(grid: DemoGrid): GridRef {
  return {
    width: grid.width,
    height: grid.height,
    geoTransform: {
      originX: grid.originX,
      pixelWidth: grid.pixelSizeX,
      rowRotation: 0,
      originY: grid.originY,
      columnRotation: 0,
      pixelHeight: -grid.pixelSizeY,
    },
    proj4: crsFromEpsg(grid.epsg).proj4!,
  };
}

/** North-up grid with its upper-left corner at (originX, originY). */
function northUp(
  width: number,
  height: number,
  originX: number,
  originY: number,
  pixelSize: number | readonly [number, number],
  crs: string,
): GridRef {
  const [sx, sy] = typeof pixelSize === 'number' ? [pixelSize, pixelSize] : pixelSize;
  return {
    width,
    height,
    geoTransform: {
      originX,
      pixelWidth: sx,
      rowRotation: 0,
      originY,
      columnRotation: 0,
      pixelHeight: -sy,
    },
    proj4: crs,
  };
}

/** A grid in `crs` at `pixelSize` covering the extent of `target` (bounding box of its outline). */
function coveringGrid(target: GridRef, crs: string, pixelSize: readonly [number, number]): GridRef {
  const convert = proj4(target.proj4, crs);
  const t = target.geoTransform;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let k = 0; k <= 16; k++) {
    for (const [c, r] of [
      [(k / 16) * target.width, 0],
      [(k / 16) * target.width, target.height],
      [0, (k / 16) * target.height],
      [target.width, (k / 16) * target.height],
    ] as const) {
      const [x, y] = convert.forward([t.originX + c * t.pixelWidth, t.originY + r * t.pixelHeight]);
      xs.push(x);
      ys.push(y);
    }
  }
  const west = Math.min(...xs);
  const north = Math.max(...ys);
  return northUp(
    Math.ceil((Math.max(...xs) - west) / pixelSize[0]),
    Math.ceil((north - Math.min(...ys)) / pixelSize[1]),
    west,
    north,
    pixelSize,
    crs,
  );
}

/** Largest distance, source pixels, between two mappings over the given target rows (every pixel centre). */
function maxErrorPx(
  a: PixelMapping,
  b: PixelMapping,
  width: number,
  rows: Iterable<number>,
  colStep = 1,
): number {
  const count = Math.ceil(width / colStep);
  const ac = new Float64Array(width);
  const ar = new Float64Array(width);
  const bc = new Float64Array(width);
  const br = new Float64Array(width);
  let worst = 0;
  for (const row of rows) {
    a.mapRow(0.5, row + 0.5, width, ac, ar);
    if (colStep === 1) {
      b.mapRow(0.5, row + 0.5, width, bc, br);
    } else {
      for (let k = 0; k < count; k++) {
        const [c, r] = b.map(k * colStep + 0.5, row + 0.5);
        bc[k * colStep] = c;
        br[k * colStep] = r;
      }
    }
    for (let x = 0; x < width; x += colStep) {
      worst = Math.max(worst, Math.hypot(ac[x]! - bc[x]!, ar[x]! - br[x]!));
    }
  }
  return worst;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('control-point mapping against proj4 per pixel', () => {
  test('UTM 52N at 0.5 m ← WGS 84 lon/lat at 0.6 m (demo grids): every pixel under 0.1 px', () => {
    const scene = buildDemoScene({
      ...DEFAULT_DEMO_PARAMS,
      widthPx: 600,
      heightPx: 400,
      afterGrid: { crs: 'lonlat', gsdM: 0.6 },
    });
    const target = gridRef(beforeGrid(scene));
    const source = gridRef(afterGrid(scene));
    expect(target.proj4).toBe(UTM52N);
    expect(source.proj4).toBe(WGS84);
    const grid = controlPointMapping(target, source, 32);
    expect(grid.kind).toBe('control-points');
    const error = maxErrorPx(grid, exactMapping(target, source), target.width, range(400));
    console.log(`lattice vs exact, UTM 52N ← lon/lat, 600×400: max ${error.toExponential(2)} px`);
    expect(error).toBeLessThan(0.1);
    // Sanity: the mapping lands inside the lon/lat image, which covers the scene.
    const [c, r] = grid.map(300, 200);
    expect(c).toBeGreaterThan(0);
    expect(c).toBeLessThan(source.width);
    expect(r).toBeGreaterThan(0);
    expect(r).toBeLessThan(source.height);
  });

  test('cross-zone: UTM 52N ← UTM 53N near the zone edge, every pixel under 0.1 px', () => {
    // 131.9°E is in zone 52, 0.1° from zone 53: the grids are rotated about 1.3° against each other.
    const [e, n] = proj4(WGS84, UTM52N, [131.9, 42.3]);
    const target = northUp(1000, 1000, Math.round(e), Math.round(n), 0.5, UTM52N);
    const source = coveringGrid(target, UTM53N, [0.5, 0.5]);
    const grid = controlPointMapping(target, source, 32);
    const error = maxErrorPx(grid, exactMapping(target, source), target.width, range(1000));
    console.log(`lattice vs exact, UTM 52N ← UTM 53N, 1000×1000: max ${error.toExponential(2)} px`);
    expect(error).toBeLessThan(0.1);
  });

  test('large: 20000×20000 UTM 52N at 0.5 m ← lon/lat at 0.6 m, under 0.1 px on 40 full rows', () => {
    const [e, n] = proj4(WGS84, UTM52N, [130.3, 42.3]);
    const target = northUp(20000, 20000, Math.round(e), Math.round(n), 0.5, UTM52N);
    const degrees: [number, number] = [0.6 / 82_500, 0.6 / 111_100];
    const source = coveringGrid(target, WGS84, degrees);
    const grid = controlPointMapping(target, source, 32);
    // Rows at lattice nodes, mid-cell (worst for interpolation) and the last row.
    const rows = [
      ...range(13).map((k) => k * 1536 + 16),
      ...range(13).map((k) => k * 1536 + 7),
      ...range(13).map((k) => k * 1536 + 31),
      19999,
    ];
    const error = maxErrorPx(grid, exactMapping(target, source), target.width, rows);
    console.log(
      `lattice vs exact, 20000×20000 UTM 52N ← lon/lat, 40 rows × 20000 px: max ${error.toExponential(2)} px`,
    );
    expect(error).toBeLessThan(0.1);
  });

  test('same CRS: pure affine composition, no proj4', () => {
    const target = northUp(934, 724, 485900, 5209247, 5, crsFromEpsg(26914).proj4!);
    const source = northUp(934, 723, 485899, 5209246, 5, crsFromEpsg(26914).proj4!);
    const mapping = controlPointMapping(target, source);
    expect(mapping.kind).toBe('affine');
    // Target centre (0.5, 0.5) is at E 485902.5, N 5209244.5: source (0.7, 0.3).
    const [c, r] = mapping.map(0.5, 0.5);
    expect(c).toBeCloseTo(0.7, 12);
    expect(r).toBeCloseTo(0.3, 12);
  });
});

describe('datums', () => {
  test('NAD27 is shifted to WGS 84 (EPSG:1173, −8 160 176 m), not taken as WGS 84', () => {
    // A point in California in WGS 84, in NAD27 / UTM 11N (EPSG:26711) and NAD27 lon/lat.
    const utm = proj4(WGS84, crsFromEpsg(26711).proj4!, [-117.64, 33.9]);
    const unshifted = proj4(
      WGS84,
      '+proj=utm +zone=11 +ellps=clrk66 +towgs84=0,0,0 +units=m',
      [-117.64, 33.9],
    );
    // Some 80 m east and 220 m south of where the ellipsoid alone puts it.
    expect((utm[0] ?? 0) - (unshifted[0] ?? 0)).toBeCloseTo(79.9, 1);
    expect((utm[1] ?? 0) - (unshifted[1] ?? 0)).toBeCloseTo(-223.5, 1);
    const lonLat = proj4(WGS84, crsFromEpsg(4267).proj4!, [-117.64, 33.9]);
    expect(lonLat[0]).toBeCloseTo(-117.63912, 5);
    expect(lonLat[1]).toBeCloseTo(33.89997, 5);
  });
});

describe('overlap', () => {
  const crs = UTM52N;

  test('hand-made window: target pixels whose centres the source covers', () => {
    const target = northUp(100, 80, 1000, 2000, 1, crs);
    const source = northUp(50, 50, 1060.3, 1990, 2, crs);
    // Source spans x 1060.3–1160.3, y 1890–1990: columns from 60 (centre 1060.5), rows from 10.
    expect(overlap(target, source, controlPointMapping(target, source))).toEqual([60, 10, 100, 80]);
  });

  test('agrees with the valid mask of nearest resampling across CRSs', () => {
    const [e, n] = proj4(WGS84, UTM52N, [131.9, 42.3]);
    const target = northUp(300, 240, Math.round(e), Math.round(n), 1, UTM52N);
    // A UTM 53N source covering only part of the target, rotated against it.
    const whole = coveringGrid(target, UTM53N, [1, 1]);
    const source = northUp(
      150,
      100,
      whole.geoTransform.originX + 120,
      whole.geoTransform.originY - 90,
      1,
      UTM53N,
    );
    const mapping = controlPointMapping(target, source);
    const window = overlap(target, source, mapping);
    const { valid } = resampleNearest(
      new Uint8Array(source.width * source.height),
      source.width,
      source.height,
      mapping,
      target.width,
      target.height,
    );
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    valid.forEach((v, i) => {
      if (v !== 1) return;
      const x = i % target.width;
      const y = Math.floor(i / target.width);
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x + 1);
      y1 = Math.max(y1, y + 1);
    });
    expect(window).toEqual([x0, y0, x1, y1]);
    expect(x0).toBeGreaterThan(0);
    expect(x1).toBeLessThan(target.width);
  });

  test('no overlap: null, and a message naming both images with their lon/lat extents', () => {
    const scene = buildDemoScene({ ...DEFAULT_DEMO_PARAMS, widthPx: 200, heightPx: 160 });
    const before = gridRef(beforeGrid(scene));
    // The same lon/lat grid as the demo's after image, moved 0.2° east (about 16 km).
    const near = gridRef(
      afterGrid(buildDemoScene({ ...scene.params, afterGrid: { crs: 'lonlat', gsdM: 0.6 } })),
    );
    const after: GridRef = {
      ...near,
      geoTransform: { ...near.geoTransform, originX: near.geoTransform.originX + 0.2 },
    };
    const mapping = controlPointMapping(before, after);
    expect(overlap(before, after, mapping)).toBeNull();
    const message = noOverlapMessage(before, 'before.tif', after, 'after.tif');
    console.log(message);
    expect(message).toMatch(
      /^The images do not overlap: after\.tif covers 130\.\d{4}°E–130\.\d{4}°E, 42\.\d{4}°N–42\.\d{4}°N; before\.tif covers 130\.\d{4}°E–130\.\d{4}°E, 42\.\d{4}°N–42\.\d{4}°N\.$/,
    );
    expect(() => requireOverlap(before, 'before.tif', after, 'after.tif', mapping)).toThrow(
      message,
    );
    // The real pair overlaps: the window is the whole before image.
    const real = controlPointMapping(before, near);
    expect(requireOverlap(before, 'before.tif', near, 'after.tif', real)).toEqual([
      0,
      0,
      before.width,
      before.height,
    ]);
  });

  test('the message says W and S for western and southern extents', () => {
    const target = northUp(10, 10, -70.5, -33.4, 0.001, WGS84);
    const source = northUp(10, 10, -70.4, -33.4, 0.001, WGS84);
    expect(overlap(target, source, controlPointMapping(target, source))).toBeNull();
    expect(noOverlapMessage(target, 'a.tif', source, 'b.tif')).toContain(
      'b.tif covers 70.4000°W–70.3900°W, 33.4100°S–33.4000°S; a.tif covers 70.5000°W–70.4900°W',
    );
  });
});
