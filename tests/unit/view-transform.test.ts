import { describe, expect, test } from 'vitest';
import { crsFromEpsg } from '../../src/core/crs.ts';
import type { GridRef } from '../../src/core/align/grid-mapping.ts';
import {
  createViewGeo,
  formatGridXY,
  formatLength,
  formatLonLat,
  greatCircleMetres,
  groundMetres,
  groupedNumber,
  niceScaleBar,
} from '../../src/core/view-geo.ts';
import { halveImage, mipChain, mipLevelCount } from '../../src/core/view-mipmap.ts';
import type { Rgba8Image } from '../../src/core/raster.ts';
import {
  centreOf,
  clampTransform,
  fitRect,
  fromCentre,
  imageToScreen,
  MAX_CSS_PX_PER_IMAGE_PX,
  panBy,
  screenToImage,
  visibleRect,
  wheelZoomFactor,
  zoomAt,
  zoomLimits,
  type ViewTransform,
} from '../../src/core/view-transform.ts';
import { Random } from '../../src/core/random.ts';

const VIEW = { width: 800, height: 500 };
const IMAGE = { width: 1400, height: 1000 };

function expectClose(actual: readonly number[], expected: readonly number[], digits = 9): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((value, index) => {
    expect(value).toBeCloseTo(expected[index] ?? Number.NaN, digits);
  });
}

describe('view transform', () => {
  const t: ViewTransform = { scale: 0.37, originX: 12.5, originY: -40 };

  test('screen ↔ image round trip', () => {
    const rng = new Random(11);
    const random = (): number => rng.next();
    for (let i = 0; i < 200; i++) {
      const transform = {
        scale: 0.01 + random() * 60,
        originX: (random() - 0.5) * 5000,
        originY: (random() - 0.5) * 5000,
      };
      const x = random() * 20000;
      const y = random() * 20000;
      const [sx, sy] = imageToScreen(transform, x, y);
      expectClose(screenToImage(transform, sx, sy), [x, y], 6);
    }
    expect(imageToScreen(t, 0, 0)).toEqual([12.5, -40]);
    expectClose(imageToScreen(t, 100, 200), [12.5 + 37, -40 + 74]);
  });

  test('zoom about a point keeps that point fixed', () => {
    for (const factor of [0.1, 0.5, 1.7, 8]) {
      const before = screenToImage(t, 310, 222);
      const zoomed = zoomAt(t, factor, 310, 222);
      expect(zoomed.scale).toBeCloseTo(t.scale * factor, 12);
      expectClose(screenToImage(zoomed, 310, 222), before);
    }
  });

  test('zoom within limits cuts the factor and still keeps the point fixed', () => {
    const limits = { minScale: 0.2, maxScale: 4 };
    const zoomed = zoomAt(t, 100, 50, 60, limits);
    expect(zoomed.scale).toBe(4);
    expectClose(screenToImage(zoomed, 50, 60), screenToImage(t, 50, 60));
    expect(zoomAt(t, 0.001, 0, 0, limits).scale).toBe(0.2);
  });

  test('pan moves the picture by the screen distance', () => {
    const panned = panBy(t, 30, -12);
    expect(panned).toEqual({ scale: 0.37, originX: 42.5, originY: -52 });
    const [sx, sy] = imageToScreen(t, 500, 500);
    expectClose(imageToScreen(panned, 500, 500), [sx + 30, sy - 12]);
  });

  test('fit shows the whole rectangle, centred, as large as fits', () => {
    const fit = fitRect(VIEW, [0, 0, IMAGE.width, IMAGE.height]);
    expect(fit.scale).toBeCloseTo(0.5, 12); // height-limited: 500 / 1000
    expectClose(imageToScreen(fit, 0, 0), [(800 - 700) / 2, 0]);
    expectClose(imageToScreen(fit, 1400, 1000), [750, 500]);
    // A rectangle with padding: its corners land inside the padded view.
    const pier = fitRect(VIEW, [600, 300, 100, 40], 20);
    expect(pier.scale).toBeCloseTo(Math.min(760 / 100, 460 / 40), 12);
    expectClose(centreOf(pier, VIEW), [650, 320]);
    const [x0, y0] = imageToScreen(pier, 600, 300);
    const [x1, y1] = imageToScreen(pier, 700, 340);
    expect(x0).toBeGreaterThanOrEqual(20 - 1e-9);
    expect(x1).toBeLessThanOrEqual(780 + 1e-9);
    expect(y0).toBeGreaterThanOrEqual(20 - 1e-9);
    expect(y1).toBeLessThanOrEqual(480 + 1e-9);
  });

  test('centre and scale round-trip through fromCentre / centreOf', () => {
    const transform = fromCentre([123.25, 987.5], 3.5, VIEW);
    expectClose(centreOf(transform, VIEW), [123.25, 987.5]);
    expect(transform.scale).toBe(3.5);
    const [x, y, width, height] = visibleRect(transform, VIEW);
    expectClose(
      [x + width / 2, y + height / 2, width, height],
      [123.25, 987.5, 800 / 3.5, 500 / 3.5],
    );
  });

  test('clamp keeps the scale within the limits and the view centre on the image', () => {
    const limits = zoomLimits(VIEW, IMAGE);
    expect(limits.maxScale).toBe(MAX_CSS_PX_PER_IMAGE_PX);
    expect(limits.minScale).toBeCloseTo(0.5 / 4, 12);
    // Panned far away: the centre comes back to the image's edge.
    const away = fromCentre([-5000, 3000], 1, VIEW);
    const back = clampTransform(away, VIEW, IMAGE, limits);
    expectClose(centreOf(back, VIEW), [0, 1000]);
    expect(back.scale).toBe(1);
    // Too far in or out: the scale is cut, about the view centre.
    const deep = clampTransform(fromCentre([700, 500], 1000, VIEW), VIEW, IMAGE, limits);
    expect(deep.scale).toBe(MAX_CSS_PX_PER_IMAGE_PX);
    expectClose(centreOf(deep, VIEW), [700, 500]);
    expect(clampTransform(fromCentre([700, 500], 1e-6, VIEW), VIEW, IMAGE).scale).toBeCloseTo(
      0.125,
      12,
    );
    // A transform already within bounds is unchanged.
    const fine = fromCentre([300, 200], 2, VIEW);
    expectClose(Object.values(clampTransform(fine, VIEW, IMAGE)), Object.values(fine));
  });

  test('wheel zoom: a notch in and a notch out cancel', () => {
    expect(wheelZoomFactor(-100)).toBeGreaterThan(1);
    expect(wheelZoomFactor(100)).toBeLessThan(1);
    expect(wheelZoomFactor(100) * wheelZoomFactor(-100)).toBeCloseTo(1, 12);
  });
});

describe('view geography', () => {
  // The demo's before grid: WGS 84 / UTM 52N, 0.5 m, north-up (npx quaywatch info public/demo/before.tif).
  const utm = crsFromEpsg(32652);
  const demo: GridRef = {
    width: 1400,
    height: 1000,
    geoTransform: {
      originX: 607274,
      pixelWidth: 0.5,
      rowRotation: 0,
      originY: 4677853,
      columnRotation: 0,
      pixelHeight: -0.5,
    },
    proj4: utm.proj4 ?? '',
  };

  test('grid coordinates and lon/lat of the demo image', () => {
    const geo = createViewGeo(demo);
    expect(geo.mapXY(100, 200)).toEqual([607324, 4677753]);
    const lonLat = geo.lonLat(700, 500);
    expect(lonLat).not.toBeNull();
    const [lon, lat] = lonLat ?? [0, 0];
    expect(lon).toBeGreaterThan(130.2);
    expect(lon).toBeLessThan(130.4);
    expect(lat).toBeGreaterThan(42.1);
    expect(lat).toBeLessThan(42.3);
  });

  test('metres per pixel is the GSD divided by the UTM scale factor there', () => {
    const metres = createViewGeo(demo).metresPerPixel(700, 500) ?? 0;
    // k = 0.9996 · (1 + (Δλ cos φ)² / 2) ≈ 0.99974 at 1.3° from the central meridian, 42.2° N.
    const dLambda = (1.3 * Math.PI) / 180;
    const k = 0.9996 * (1 + (dLambda * Math.cos((42.2 * Math.PI) / 180)) ** 2 / 2);
    expect(Math.abs(metres - 0.5 / k)).toBeLessThan(0.5 * 1e-4);
  });

  test('north on a north-up UTM grid is up, off by the grid convergence', () => {
    const north = createViewGeo(demo).northDegrees(700, 500) ?? Number.NaN;
    // East of the central meridian (129° E) in the north, true north lies west of grid north:
    // γ ≈ (λ − λ0)·sin φ ≈ 1.3° · sin 42.2° ≈ 0.88°.
    expect(north).toBeLessThan(0);
    expect(north).toBeGreaterThan(-1.2);
    expect(Math.abs(north + 1.3 * Math.sin((42.2 * Math.PI) / 180))).toBeLessThan(0.1);
  });

  test('north on a lon/lat grid is up, and follows a rotated grid', () => {
    const lonLat: GridRef = {
      width: 100,
      height: 100,
      geoTransform: {
        originX: 130,
        pixelWidth: 1e-5,
        rowRotation: 0,
        originY: 42.3,
        columnRotation: 0,
        pixelHeight: -1e-5,
      },
      proj4: '+proj=longlat +datum=WGS84 +no_defs',
    };
    expect(createViewGeo(lonLat).northDegrees(50, 50)).toBeCloseTo(0, 6);
    const metres = createViewGeo(lonLat).metresPerPixel(50, 50) ?? 0;
    // 1e-5° of longitude at 42.3° N.
    const phi = (42.3 * Math.PI) / 180;
    const primeVertical = 6_378_137 / Math.sqrt(1 - 0.00669438 * Math.sin(phi) ** 2);
    expect(metres).toBeCloseTo(((1e-5 * Math.PI) / 180) * primeVertical * Math.cos(phi), 4);
    // A grid turned 30° clockwise on the ground (columns run 30° south of east, screen up
    // points 30° west of north): on screen, north sits 30° clockwise from up.
    const angle = (30 * Math.PI) / 180;
    const rotated: GridRef = {
      ...demo,
      proj4: '+proj=tmerc +lat_0=42 +lon_0=130.3 +k=1 +x_0=0 +y_0=0 +datum=WGS84 +units=m',
      geoTransform: {
        originX: 0,
        pixelWidth: 0.5 * Math.cos(angle),
        rowRotation: 0.5 * Math.sin(angle),
        originY: 0,
        columnRotation: -0.5 * Math.sin(angle),
        pixelHeight: -0.5 * Math.cos(angle),
      },
    };
    expect(createViewGeo(rotated).northDegrees(0, 0)).toBeCloseTo(30, 3);
  });

  test('scale bar: round lengths no wider than asked', () => {
    expect(niceScaleBar(0.5, 120)).toEqual({ metres: 50, widthCssPx: 100, label: '50 m' });
    expect(niceScaleBar(1, 120)?.label).toBe('100 m');
    expect(niceScaleBar(25, 120)?.label).toBe('2 km');
    expect(niceScaleBar(0.004, 120)?.label).toBe('20 cm');
    for (const metresPerPx of [0.0013, 0.07, 0.5, 3.3, 47, 1234]) {
      const bar = niceScaleBar(metresPerPx, 120);
      expect(bar?.widthCssPx).toBeLessThanOrEqual(120);
      expect(bar?.widthCssPx).toBeGreaterThan(120 / 5 - 1e-9);
      const mantissa = (bar?.metres ?? 0) / 10 ** Math.floor(Math.log10(bar?.metres ?? 1));
      expect([1, 2, 5]).toContain(Math.round(mantissa));
    }
    expect(niceScaleBar(0)).toBeNull();
    expect(niceScaleBar(Number.NaN)).toBeNull();
  });

  test('formats', () => {
    expect(groupedNumber(4678901.54)).toBe('4 678 901.5');
    expect(groupedNumber(-12345.67)).toBe('−12 345.7');
    expect(groupedNumber(512.04)).toBe('512.0');
    expect(formatGridXY(512345.2, 4678901.5, 'EPSG:32652')).toBe(
      'E 512 345.2 N 4 678 901.5 (EPSG:32652)',
    );
    expect(formatLonLat(130.1234, 42.3456, 4)).toBe('42.3456° N 130.1234° E');
    expect(formatLonLat(-70.5, -33.25, 2)).toBe('33.25° S 70.50° W');
    expect(formatLength(1500)).toBe('1.5 km');
    expect(formatLength(0.2)).toBe('20 cm');
    expect(greatCircleMetres([0, 0], [0, 1])).toBeCloseTo(111_195, 0);
    // One degree of longitude on the WGS 84 equator, and of latitude at 45° (ellipsoid tables).
    expect(groundMetres([0, 0], [1e-4, 0]) * 1e4).toBeCloseTo(111_319.49, 0);
    expect(groundMetres([0, 44.99995], [0, 45.00005]) * 1e4).toBeCloseTo(111_131.78, 0);
  });
});

describe('view mipmaps', () => {
  test('level count and sizes follow WebGPU', () => {
    expect(mipLevelCount(1, 1)).toBe(1);
    expect(mipLevelCount(1400, 1000)).toBe(11);
    const chain = mipChain({ width: 5, height: 3, rgba: new Uint8ClampedArray(5 * 3 * 4) });
    expect(chain.map((level) => [level.width, level.height])).toEqual([
      [5, 3],
      [2, 1],
      [1, 1],
    ]);
  });

  test('a 2 × 2 checker averages to its mean; transparent pixels do not darken colour', () => {
    const checker = new Uint8ClampedArray([
      255, 0, 255, 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 0, 255, 255,
    ]);
    expect([...halveImage({ width: 2, height: 2, rgba: checker }).rgba]).toEqual([
      128, 0, 128, 255,
    ]);
    const edge = new Uint8ClampedArray([255, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 0, 255, 0, 0, 255]);
    expect([...halveImage({ width: 2, height: 2, rgba: edge }).rgba]).toEqual([255, 0, 0, 128]);
  });

  test("'max' levels keep a one-pixel outline whole and opaque; 'mean' levels fade it", () => {
    // A 64 × 64 transparent picture with a one-pixel red frame (a blob outline).
    const size = 64;
    const rgba = new Uint8ClampedArray(size * size * 4);
    for (let i = 0; i < size; i++) {
      for (const [x, y] of [
        [i, 0],
        [i, size - 1],
        [0, i],
        [size - 1, i],
      ] as const) {
        rgba.set([255, 0, 0, 255], (y * size + x) * 4);
      }
    }
    const image = { width: size, height: size, rgba };
    const maxLevel = mipChain(image, 'max')[3]; // 8 × 8: one level-3 px per 8 × 8 block
    const meanLevel = mipChain(image, 'mean')[3];
    if (maxLevel === undefined || meanLevel === undefined) throw new Error('level 3');
    const alphaAt = (level: Rgba8Image, x: number, y: number): number =>
      level.rgba[(y * level.width + x) * 4 + 3] ?? -1;
    for (let i = 0; i < 8; i++) {
      // Every border pixel of the 8 × 8 level is still the opaque red line.
      expect(alphaAt(maxLevel, i, 0)).toBe(255);
      expect(alphaAt(maxLevel, 0, i)).toBe(255);
      expect([...maxLevel.rgba.subarray((7 * 8 + i) * 4, (7 * 8 + i) * 4 + 3)]).toEqual([
        255, 0, 0,
      ]);
    }
    expect(alphaAt(maxLevel, 3, 3)).toBe(0);
    // The average thins it to an eighth of its strength (1 of 8 rows covered).
    expect(alphaAt(meanLevel, 3, 0)).toBeLessThanOrEqual(32);
  });
});
