/** Where an analysis reads: the pier window and its size limit, and which bands. */
import { existsSync } from 'node:fs';
import proj4 from 'proj4';
import { describe, expect, test } from 'vitest';
import { crsFromEpsg } from '../../src/core/crs.ts';
import type { RasterInfo } from '../../src/core/raster.ts';
import { signedArea } from '../../src/core/roi-raster.ts';
import { fileSource } from '../../src/cli/file-source.ts';
import {
  ANALYSIS_MARGIN_PX,
  CLI_WINDOW_LIMIT,
  APP_WINDOW_LIMIT,
  analysisBands,
  planAnalysis,
  undeclaredBandsWarning,
} from '../../src/io/analysis-plan.ts';
import { declaredRgbBands, openRaster } from '../../src/io/decoder.ts';
import type { Roi } from '../../src/io/geojson.ts';
import { PLAIN_RASTER_INFO } from '../support/raster-info.ts';

const UTM52N = crsFromEpsg(32652);
const ORIGIN = { x: 600000, y: 4690000 };
const GSD_M = 0.5;

/** A 20000² RGB image at 0.5 m in UTM zone 52N, like the large fixture. */
const LARGE: RasterInfo = {
  ...PLAIN_RASTER_INFO,
  name: 'large.tif',
  width: 20000,
  height: 20000,
  bands: 3,
  georeference: 'geotransform',
  geoTransform: {
    originX: ORIGIN.x,
    pixelWidth: GSD_M,
    rowRotation: 0,
    originY: ORIGIN.y,
    columnRotation: 0,
    pixelHeight: -GSD_M,
  },
  crs: UTM52N,
  gsdM: GSD_M,
};

/** A pier over pixel corners (x0, y0)–(x1, y1) of LARGE, in lon/lat. */
function pierOverPx(x0: number, y0: number, x1: number, y1: number): Roi {
  const toLonLat = (x: number, y: number): [number, number] => {
    const [lon = NaN, lat = NaN] = proj4(UTM52N.proj4 ?? '', 'WGS84', [
      ORIGIN.x + x * GSD_M,
      ORIGIN.y - y * GSD_M,
    ]);
    return [lon, lat];
  };
  const ring = [
    toLonLat(x0, y0),
    toLonLat(x0, y1),
    toLonLat(x1, y1),
    toLonLat(x1, y0),
    toLonLat(x0, y0),
  ];
  return { name: 'Pier', id: null, rings: [ring], polygons: [[ring]] };
}

describe('planAnalysis', () => {
  test('the window is the piers plus the margin, up to 8192² px; one pixel more is refused', () => {
    // Half-pixel corners: the window's edges do not depend on how projection rounds.
    const side = 8192 - 2 * ANALYSIS_MARGIN_PX;
    const fits = planAnalysis(
      LARGE,
      [pierOverPx(1000.5, 1000.5, 1000 + side - 0.5, 1000 + side - 0.5)],
      'fits.geojson',
      CLI_WINDOW_LIMIT,
    );
    expect(fits.window).toEqual([1000 - 24, 1000 - 24, 1000 + side + 24, 1000 + side + 24]);
    expect(fits.widthPx * fits.heightPx).toBe(CLI_WINDOW_LIMIT.maxWindowPx);

    const wider = pierOverPx(1000.5, 1000.5, 1000 + side + 0.5, 1000 + side - 0.5);
    expect(() => planAnalysis(LARGE, [wider], 'wide.geojson', CLI_WINDOW_LIMIT)).toThrow(
      'The piers of wide.geojson span 8193 × 8192 px of large.tif at full resolution (67.1 Mpx, about 8 GB of memory to analyse); an analysis here reads at most 67.1 Mpx (8192 × 8192 px, about 8 GB): analyse piers that lie far apart in separate runs, and split a pier larger than that',
    );
  });

  test('piers outside the image: a hint when their coordinates are the other way round', () => {
    const pier = pierOverPx(1000, 1000, 1200, 1100);
    const swap = (ring: readonly (readonly [number, number])[]): [number, number][] =>
      ring.map(([lon, lat]) => [lat, lon]);
    const ring = pier.rings[0] ?? [];
    const swapped: Roi = { ...pier, rings: [swap(ring)], polygons: [[swap(ring)]] };
    expect(() => planAnalysis(LARGE, [swapped], 'latlon.geojson', CLI_WINDOW_LIMIT)).toThrow(
      'The piers of latlon.geojson lie outside large.tif. Read as latitude, longitude they would lie on it: GeoJSON gives longitude first, so the file may have its coordinates the other way round.',
    );
    // Far away the right way round: no hint.
    const far = ring.map(([lon, lat]): [number, number] => [lon + 1, lat]);
    expect(() =>
      planAnalysis(
        LARGE,
        [{ ...pier, rings: [far], polygons: [[far]] }],
        'far.geojson',
        CLI_WINDOW_LIMIT,
      ),
    ).toThrow(/^The piers of far\.geojson lie outside large\.tif\.$/);
  });

  test('pixel area in m² is on the ground at the piers: Web Mercator and lon/lat as UTM', () => {
    // One pier near Najin (130.3° E, 42.25° N), 100 m × 60 m on the ground.
    const [lon, lat] = [130.3, 42.25];
    const utmAt = proj4('WGS84', UTM52N.proj4 ?? '', [lon, lat]);
    const corners: readonly (readonly [number, number])[] = [
      [0, 0],
      [100, 0],
      [100, 60],
      [0, 60],
      [0, 0],
    ];
    const pierUtm = corners.map(([dx, dy]): [number, number] => {
      const [lonAt = NaN, latAt = NaN] = proj4(UTM52N.proj4 ?? '', 'WGS84', [
        (utmAt[0] ?? 0) + dx,
        (utmAt[1] ?? 0) + dy,
      ]);
      return [lonAt, latAt];
    });
    const pier: Roi = { name: 'Pier', id: null, rings: [pierUtm], polygons: [[pierUtm]] };
    const pixelAreaOn = (epsg: number, sizeGround: number): number => {
      const crs = crsFromEpsg(epsg);
      const [x = 0, y = 0] = proj4('WGS84', crs.proj4 ?? '', [lon - 0.005, lat + 0.005]);
      // A map pixel spanning about sizeGround metres here.
      const size =
        epsg === 3857
          ? sizeGround / Math.cos((lat * Math.PI) / 180)
          : epsg === 4326
            ? sizeGround / 111_000
            : sizeGround;
      const info: RasterInfo = {
        ...LARGE,
        width: 4000,
        height: 4000,
        crs,
        geoTransform: {
          ...LARGE.geoTransform!,
          originX: x,
          originY: y,
          pixelWidth: size,
          pixelHeight: -size,
        },
      };
      const plan = planAnalysis(info, [pier], 'piers.geojson', CLI_WINDOW_LIMIT);
      // The pier's pixels (by polygon area) times the pixel area: its ground area.
      const ring = plan.rois[0]?.rings[0] ?? [];
      return Math.abs(signedArea(ring)) * plan.pixelAreaM2;
    };
    // 6000 UTM m² are 6000 / k² on the ground (scale k ≈ 0.99974 here, 107 km east of the
    // zone's meridian); the same ground in every CRS (Web Mercator's map area is 1.83 times it).
    const groundM2 = pixelAreaOn(32652, 0.5);
    expect(groundM2 / 6000).toBeCloseTo(1 / 0.99974 ** 2, 4);
    expect(pixelAreaOn(3857, 0.5) / groundM2).toBeCloseTo(1, 4);
    expect(pixelAreaOn(4326, 0.5) / groundM2).toBeCloseTo(1, 4);
  });

  test('the app takes half the CLI’s window: what the browser holds per pixel is more', () => {
    const side = 6000 - 2 * ANALYSIS_MARGIN_PX;
    const pier = pierOverPx(1000.5, 1000.5, 1000 + side - 0.5, 1000 + side - 0.5);
    expect(planAnalysis(LARGE, [pier], 'port.geojson', CLI_WINDOW_LIMIT).widthPx).toBe(6000);
    expect(() => planAnalysis(LARGE, [pier], 'port.geojson', APP_WINDOW_LIMIT)).toThrow(
      'The piers of port.geojson span 6000 × 6000 px of large.tif at full resolution (36.0 Mpx, about 5 GB of memory to analyse); an analysis here reads at most 33.5 Mpx (5792 × 5792 px, about 5 GB): analyse piers that lie far apart in separate runs, and split a pier larger than that',
    );
  });

  test('two small piers far apart are refused by the window around both', () => {
    const piers = [
      pierOverPx(100.5, 100.5, 200.5, 150.5),
      { ...pierOverPx(19000.5, 19000.5, 19100.5, 19050.5), name: 'Far' },
    ];
    expect(() => planAnalysis(LARGE, piers, 'spread.geojson', CLI_WINDOW_LIMIT)).toThrow(
      /^The piers of spread\.geojson span 19049 × 18999 px of large\.tif at full resolution \(361.9 Mpx, about 45 GB/,
    );
  });
});

describe('which bands are red, green and blue', () => {
  const RGBA_UINT16 = '../shared/data/tiff/rasterio/RGBA.uint16.tif';
  if (!existsSync(RGBA_UINT16)) {
    console.warn(`analysis-plan.test.ts: ${RGBA_UINT16} is missing — its test is skipped`);
  }

  test('GDAL_METADATA colour interpretation, where it names all three', () => {
    const item = (sample: number, colour: string): string =>
      `<Item name="COLORINTERP" sample="${sample}" role="colorinterp">${colour}</Item>`;
    const metadata = (...items: string[]): string =>
      `<GDALMetadata>${items.join('')}</GDALMetadata>`;
    expect(declaredRgbBands(metadata(item(0, 'Blue'), item(1, 'Green'), item(2, 'Red')))).toEqual([
      2, 1, 0,
    ]);
    // WorldView's eight bands: red is the fifth.
    const worldView = ['Coastal', 'Blue', 'Green', 'Yellow', 'Red', 'RedEdge', 'NIR', 'NIR'];
    expect(declaredRgbBands(metadata(...worldView.map((c, k) => item(k, c))))).toEqual([4, 2, 1]);
    // Other items are not colours; an incomplete declaration declares nothing.
    expect(
      declaredRgbBands(
        metadata(
          '<Item name="SCALE" sample="0" role="scale">2</Item>',
          item(0, 'Gray'),
          item(1, 'Green'),
        ),
      ),
    ).toBeNull();
    expect(declaredRgbBands(undefined)).toBeNull();
    const info = { ...PLAIN_RASTER_INFO, bands: 8 };
    expect(analysisBands({ ...info, rgbBands: [4, 2, 1] })).toEqual([4, 2, 1]);
    expect(analysisBands(info)).toEqual([0, 1, 2]);
    expect(undeclaredBandsWarning({ ...info, name: 'wv.tif' })).toBe(
      'wv.tif has 8 bands and declares none of them red, green and blue: bands 1, 2 and 3 are analysed as R, G, B; if they are not, write those three first (gdal_translate -b <red> -b <green> -b <blue>)',
    );
    expect(undeclaredBandsWarning({ ...info, rgbBands: [4, 2, 1] })).toBeNull();
    expect(undeclaredBandsWarning({ ...info, bands: 4 })).toBeNull();
  });

  test.skipIf(!existsSync(RGBA_UINT16))(
    'a blue-green-red file (rasterio RGBA.uint16.tif, ../shared/data) is read as R, G, B',
    async () => {
      const raster = await openRaster(await fileSource(RGBA_UINT16));
      expect(raster.info.rgbBands).toEqual([2, 1, 0]);
      expect(analysisBands(raster.info)).toEqual([2, 1, 0]);
    },
  );
});
