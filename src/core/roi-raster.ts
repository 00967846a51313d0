/**
 * ROI (pier) polygons on a grid: from map or lon/lat coordinates to pixel
 * coordinates, pixel areas in m², polygon areas and clipping. The raster of
 * the analysis (which pixel belongs to which pier) is
 * src/core/analysis/roi-raster.ts.
 *
 * Coordinates are continuous pixel coordinates with the origin at the
 * upper-left corner of the upper-left pixel (GDAL's convention, as in
 * src/core/align/grid-mapping.ts): pixel (i, j) covers [i, i+1) × [j, j+1).
 */
import proj4 from 'proj4';
import type { GridRef } from './align/grid-mapping.ts';
import { mapToPixel, type GeoTransform } from './raster.ts';

/** [x, y]: pixel coordinates (corner origin), or map / lon-lat coordinates on input. */
export type Point = readonly [number, number];
export type PointRing = readonly Point[];

/** Structural subset of io's `Roi` / `MapRoi`: a name and rings grouped by part. */
export interface RoiRings {
  readonly name: string;
  /** Per part: [exterior, ...holes]. */
  readonly polygons: readonly (readonly PointRing[])[];
}

/** An ROI on the analysis grid, in pixel coordinates. */
export type PixelRoi = RoiRings;

const WGS84_PROJ4 = '+proj=longlat +datum=WGS84 +no_defs';

/**
 * Each ring of `roi` through `ringToPixel` (a ring at a time: a ring across
 * the antimeridian is unwrapped as a whole); a point that comes out not finite
 * is refused, named by its input coordinates.
 */
function ringsToPixel(
  roi: RoiRings,
  ringToPixel: (ring: PointRing) => readonly (readonly [number, number])[],
  what: string,
): PixelRoi {
  return {
    name: roi.name,
    polygons: roi.polygons.map((part) =>
      part.map((ring) =>
        ringToPixel(ring).map(([col, row], k): Point => {
          if (!Number.isFinite(col) || !Number.isFinite(row)) {
            const [x, y] = ring[k] ?? [Number.NaN, Number.NaN];
            throw new Error(`${roi.name}: position ${x}, ${y} cannot be ${what}`);
          }
          return [col, row];
        }),
      ),
    ),
  };
}

/**
 * ROIs already in the grid's map coordinates (io's `projectRois`) → pixel
 * coordinates through the geotransform.
 */
export function mapRoisToPixel(rois: readonly RoiRings[], geoTransform: GeoTransform): PixelRoi[] {
  return rois.map((roi) =>
    ringsToPixel(
      roi,
      (ring) => ring.map(([x, y]) => mapToPixel(geoTransform, x, y)),
      'mapped to pixels',
    ),
  );
}

/**
 * ROIs in WGS 84 lon/lat (io's `Roi`) → pixel coordinates of `grid`: proj4 to
 * the grid's CRS, then the inverse geotransform. The same numbers as io's
 * `projectRois` followed by `mapRoisToPixel` (core may not import io), except
 * on a lon/lat grid that runs past ±180°, which projectRois does not know.
 */
export function lonLatRoisToPixel(rois: readonly RoiRings[], grid: GridRef): PixelRoi[] {
  const converter = proj4(WGS84_PROJ4, grid.proj4);
  const unwrap = longitudeUnwrapper(grid);
  const project = ([lon, lat]: Point): [number, number] => {
    try {
      const [x = Number.NaN, y = Number.NaN] = converter.forward([lon, lat]);
      return [x, y];
    } catch {
      return [Number.NaN, Number.NaN];
    }
  };
  return rois.map((roi) =>
    ringsToPixel(
      roi,
      (ring) => unwrap(ring.map(project)).map(([x, y]) => mapToPixel(grid.geoTransform, x, y)),
      `projected to the image grid (${grid.proj4})`,
    ),
  );
}

/**
 * A lon/lat grid whose longitudes run past ±180° (a raster across the
 * antimeridian, from 179.9° to 180.1°) holds points proj4 gives as −179.9°:
 * such a grid's rings are unwrapped, the first point taken a whole turn round
 * to within 180° of the grid's centre and each next one to within 180° of the
 * point before, so a ring stays in one piece. Other grids keep proj4's numbers.
 */
function longitudeUnwrapper(
  grid: GridRef,
): (ring: readonly [number, number][]) => readonly [number, number][] {
  const t = grid.geoTransform;
  const lonAt = (col: number, row: number): number =>
    t.originX + col * t.pixelWidth + row * t.rowRotation;
  const cornerLons = [
    lonAt(0, 0),
    lonAt(grid.width, 0),
    lonAt(0, grid.height),
    lonAt(grid.width, grid.height),
  ];
  const runsPast = Math.max(...cornerLons) > 180 || Math.min(...cornerLons) < -180;
  if (!/\+proj=longlat\b/.test(grid.proj4) || !runsPast) return (ring) => ring;
  const centreLon = lonAt(grid.width / 2, grid.height / 2);
  const near = (lon: number, to: number): number => lon + 360 * Math.round((to - lon) / 360);
  return (ring) => {
    let previous = centreLon;
    return ring.map(([x, y]): [number, number] => {
      previous = near(x, previous);
      return [previous, y];
    });
  };
}

/** Shoelace area (signed, positive for counter-clockwise in a y-up frame). */
export function signedArea(ring: PointRing): number {
  let twice = 0;
  for (let k = 0; k < ring.length; k++) {
    const a = ring[k];
    const b = ring[(k + 1) % ring.length];
    if (a === undefined || b === undefined) continue;
    twice += a[0] * b[1] - b[0] * a[1];
  }
  return twice / 2;
}

/** Σ over parts of |exterior| − Σ |holes|, in px². */
export function roiAreaPx(roi: PixelRoi): number {
  let area = 0;
  for (const [exterior, ...holes] of roi.polygons) {
    if (exterior === undefined) continue;
    area += Math.abs(signedArea(exterior));
    for (const hole of holes) area -= Math.abs(signedArea(hole));
  }
  return area;
}

/** Sutherland–Hodgman clip of a ring to the rectangle [0, w] × [0, h]; area stays exact. */
export function clipRing(ring: PointRing, widthPx: number, heightPx: number): Point[] {
  type Edge = { inside: (p: Point) => boolean; cut: (a: Point, b: Point) => Point };
  const lerpAtX = (a: Point, b: Point, x: number): Point => [
    x,
    a[1] + ((b[1] - a[1]) * (x - a[0])) / (b[0] - a[0]),
  ];
  const lerpAtY = (a: Point, b: Point, y: number): Point => [
    a[0] + ((b[0] - a[0]) * (y - a[1])) / (b[1] - a[1]),
    y,
  ];
  const edges: Edge[] = [
    { inside: (p) => p[0] >= 0, cut: (a, b) => lerpAtX(a, b, 0) },
    { inside: (p) => p[0] <= widthPx, cut: (a, b) => lerpAtX(a, b, widthPx) },
    { inside: (p) => p[1] >= 0, cut: (a, b) => lerpAtY(a, b, 0) },
    { inside: (p) => p[1] <= heightPx, cut: (a, b) => lerpAtY(a, b, heightPx) },
  ];
  let points: Point[] = [...ring];
  for (const edge of edges) {
    const next: Point[] = [];
    for (let k = 0; k < points.length; k++) {
      const a = points[(k + points.length - 1) % points.length];
      const b = points[k];
      if (a === undefined || b === undefined) continue;
      if (edge.inside(b)) {
        if (!edge.inside(a)) next.push(edge.cut(a, b));
        next.push(b);
      } else if (edge.inside(a)) {
        next.push(edge.cut(a, b));
      }
    }
    points = next;
  }
  return points;
}
