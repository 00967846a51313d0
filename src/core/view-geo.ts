/**
 * Geography of the image view: what the cursor points at (grid coordinates
 * and lon/lat), how many metres a screen pixel spans (for the scale bar) and
 * which way true north lies (for the north arrow), all from the before
 * image's grid through proj4. Positions are full-resolution before pixels
 * (corner origin, see view-transform.ts).
 */
import proj4 from 'proj4';
import type { GridRef } from './align/grid-mapping.ts';
import { mapToPixel, pixelToMap } from './raster.ts';

const WGS84 = '+proj=longlat +datum=WGS84 +no_defs';
/** Mean Earth radius (IUGG), for great-circle distances. */
const EARTH_RADIUS_M = 6_371_008.8;

export interface ViewGeo {
  /** Grid (map) coordinates of an image position. */
  mapXY(col: number, row: number): [number, number];
  /** [lon, lat] in degrees (WGS 84), or null where proj4 cannot transform. */
  lonLat(col: number, row: number): [number, number] | null;
  /** Ground metres spanned by one image pixel along x at an image position, or null. */
  metresPerPixel(col: number, row: number): number | null;
  /**
   * Direction of true north at an image position, in degrees clockwise from
   * "up" on the screen (the view neither rotates nor flips the image), or null.
   */
  northDegrees(col: number, row: number): number | null;
}

function finitePair(values: readonly number[]): [number, number] | null {
  const [a, b] = values;
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b)) return null;
  return [a, b];
}

/** Great-circle distance in metres between two [lon, lat] points (haversine). */
export function greatCircleMetres(
  a: readonly [number, number],
  b: readonly [number, number],
): number {
  const toRad = Math.PI / 180;
  const dLat = (b[1] - a[1]) * toRad;
  const dLon = (b[0] - a[0]) * toRad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a[1] * toRad) * Math.cos(b[1] * toRad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

const WGS84_A = 6_378_137;
const WGS84_E2 = 0.00669437999014;

/**
 * Ground offset [east, north] in metres from one nearby [lon, lat] point to
 * another on the WGS 84 ellipsoid (local meridional and prime-vertical radii at
 * their mean latitude): exact enough over the few pixels it is used for, where
 * a sphere would be off by up to 0.5 %.
 */
export function groundOffsetM(
  a: readonly [number, number],
  b: readonly [number, number],
): [east: number, north: number] {
  const toRad = Math.PI / 180;
  const phi = ((a[1] + b[1]) / 2) * toRad;
  const w = 1 - WGS84_E2 * Math.sin(phi) ** 2;
  const primeVertical = WGS84_A / Math.sqrt(w);
  const meridional = (WGS84_A * (1 - WGS84_E2)) / w ** 1.5;
  // Across the antimeridian, the short way round.
  const dLonDeg = ((((b[0] - a[0] + 180) % 360) + 360) % 360) - 180;
  return [dLonDeg * toRad * primeVertical * Math.cos(phi), (b[1] - a[1]) * toRad * meridional];
}

/** Ground distance in metres between two nearby [lon, lat] points (groundOffsetM). */
export function groundMetres(a: readonly [number, number], b: readonly [number, number]): number {
  return Math.hypot(...groundOffsetM(a, b));
}

/** One pixel of a grid on the ground: its sides and its area. */
export interface GroundPixel {
  readonly widthM: number;
  readonly heightM: number;
  readonly areaM2: number;
}

type PixelLonLat = (col: number, row: number) => [number, number] | null;

/** [lon, lat] (WGS 84) of an image position of `grid` through `converter`, null where proj4 cannot. */
function pixelLonLat(grid: Pick<GridRef, 'geoTransform'>, converter: proj4.Converter): PixelLonLat {
  return (col, row) => {
    const [x, y] = pixelToMap(grid.geoTransform, col, row);
    try {
      return finitePair(converter.forward([x, y]));
    } catch {
      return null;
    }
  };
}

/** Pixels the ground steps are measured over, so rounding in the projection does not matter. */
const GROUND_SPAN_PX = 8;

/** Ground [east, north] metres of one pixel step along x (or y) at (col, row), central difference. */
function groundStepM(
  lonLat: PixelLonLat,
  col: number,
  row: number,
  along: 'x' | 'y',
): [number, number] | null {
  const half = GROUND_SPAN_PX / 2;
  const [dx, dy] = along === 'x' ? [half, 0] : [0, half];
  const from = lonLat(col - dx, row - dy);
  const to = lonLat(col + dx, row + dy);
  if (from === null || to === null) return null;
  const [east, north] = groundOffsetM(from, to);
  return [east / GROUND_SPAN_PX, north / GROUND_SPAN_PX];
}

/**
 * The ground size of the pixel at (col, row) of `grid`, from its neighbours
 * taken to lon/lat through proj4: in any CRS, map units are not ground metres
 * (Web Mercator's are 1 / cos φ of them, 1.6 at 52° N; UTM's within 0.1 %;
 * degrees vary with latitude), so areas in m² come from here. Null where proj4
 * cannot transform.
 */
export function groundPixelAt(
  grid: Pick<GridRef, 'geoTransform' | 'proj4'>,
  col: number,
  row: number,
): GroundPixel | null {
  let converter: proj4.Converter;
  try {
    converter = proj4(grid.proj4, WGS84);
  } catch {
    return null;
  }
  const lonLat = pixelLonLat(grid, converter);
  const x = groundStepM(lonLat, col, row, 'x');
  const y = groundStepM(lonLat, col, row, 'y');
  if (x === null || y === null) return null;
  const ground = {
    widthM: Math.hypot(...x),
    heightM: Math.hypot(...y),
    areaM2: Math.abs(x[0] * y[1] - y[0] * x[1]),
  };
  return Object.values(ground).every((v) => Number.isFinite(v) && v > 0) ? ground : null;
}

export function createViewGeo(grid: GridRef): ViewGeo {
  const converter = proj4(grid.proj4, WGS84);
  const fromLonLat = (lon: number, lat: number): [number, number] | null => {
    try {
      return finitePair(converter.inverse([lon, lat]));
    } catch {
      return null;
    }
  };
  const lonLat = pixelLonLat(grid, converter);
  const metresPerPixel = (col: number, row: number): number | null => {
    const step = groundStepM(lonLat, col, row, 'x');
    const metres = step === null ? Number.NaN : Math.hypot(...step);
    return metres > 0 && Number.isFinite(metres) ? metres : null;
  };
  return {
    mapXY: (col, row) => pixelToMap(grid.geoTransform, col, row),
    lonLat,
    metresPerPixel,
    northDegrees(col, row) {
      const here = lonLat(col, row);
      const metres = metresPerPixel(col, row);
      if (here === null || metres === null) return null;
      // A step north of some 50 pixels, kept off the pole.
      const stepDeg = Math.min(0.5, (50 * metres) / 111_320);
      const lat = Math.min(89.9, here[1] + stepDeg);
      const north = fromLonLat(here[0], lat);
      if (north === null || lat <= here[1]) return null;
      let pixel: [number, number];
      try {
        pixel = mapToPixel(grid.geoTransform, north[0], north[1]);
      } catch {
        return null;
      }
      const dx = pixel[0] - col;
      const dy = pixel[1] - row;
      if (!Number.isFinite(dx) || !Number.isFinite(dy) || (dx === 0 && dy === 0)) return null;
      // Screen y grows downwards: "up" is −y.
      return (Math.atan2(dx, -dy) * 180) / Math.PI;
    },
  };
}

export interface ScaleBar {
  readonly metres: number;
  readonly widthCssPx: number;
  readonly label: string;
}

/** The longest round length (1, 2 or 5 × 10ⁿ m) whose bar is at most `maxWidthCssPx` wide. */
export function niceScaleBar(metresPerCssPx: number, maxWidthCssPx = 120): ScaleBar | null {
  if (!(metresPerCssPx > 0) || !Number.isFinite(metresPerCssPx)) return null;
  const most = metresPerCssPx * maxWidthCssPx;
  const power = 10 ** Math.floor(Math.log10(most));
  const metres = [5, 2, 1].map((step) => step * power).find((length) => length <= most) ?? power;
  return { metres, widthCssPx: metres / metresPerCssPx, label: formatLength(metres) };
}

/** "500 m", "2 km", "20 cm", "1.5 mm"; lengths a scale bar uses. */
export function formatLength(metres: number): string {
  const trim = (value: number): string => String(Number(value.toPrecision(6)));
  if (metres >= 1000) return `${trim(metres / 1000)} km`;
  if (metres >= 1) return `${trim(metres)} m`;
  if (metres >= 0.01) return `${trim(metres * 100)} cm`;
  return `${trim(metres * 1000)} mm`;
}

/** 4678901.54 → "4 678 901.5": thousands apart by spaces, one decimal; a true minus sign. */
export function groupedNumber(value: number, decimals = 1): string {
  const fixed = Math.abs(value).toFixed(decimals);
  const [whole = '0', fraction] = fixed.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return `${value < 0 && Number(fixed) !== 0 ? '−' : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

/** "E 512 345.2 N 4 678 901.5 (EPSG:32652)". */
export function formatGridXY(x: number, y: number, crsLabel: string): string {
  return `E ${groupedNumber(x)} N ${groupedNumber(y)} (${crsLabel})`;
}

/** "42.34560° N 130.12340° E". */
export function formatLonLat(lon: number, lat: number, decimals = 5): string {
  const latText = `${Math.abs(lat).toFixed(decimals)}° ${lat < 0 ? 'S' : 'N'}`;
  const lonText = `${Math.abs(lon).toFixed(decimals)}° ${lon < 0 ? 'W' : 'E'}`;
  return `${latText} ${lonText}`;
}
