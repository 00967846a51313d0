/**
 * ROI (pier) polygons → an id mask on the analysis grid, once on the CPU.
 *
 * Coordinates are continuous pixel coordinates with the origin at the
 * upper-left corner of the upper-left pixel (GDAL's convention, as in
 * src/core/align/grid-mapping.ts): pixel (i, j) covers [i, i+1) × [j, j+1).
 *
 * Rule: a pixel belongs to an ROI when its centre (i + 0.5, j + 0.5) is inside
 * one of the ROI's polygon parts, and inside a part means inside by the
 * even-odd rule over that part's rings (exterior and holes). Even-odd within a
 * part makes the result independent of ring orientation (a north-up
 * geotransform mirrors every ring); parts are unioned, so overlapping parts of
 * one MultiPolygon count once. Edges are half-open in y (an edge covers
 * centres y0 ≤ y < y1) and spans in x ([xa, xb)), so two ROIs sharing an edge
 * never both claim a pixel, and a pixel centre on a shared vertical edge goes
 * to the ROI on its right. Scanline fill with per-row edge buckets:
 * O(edges + covered rows + pixels).
 *
 * Mask values: 0 outside every ROI, k for the k-th ROI (index k − 1). Where
 * ROIs overlap the first one in the list wins; every overlap is reported.
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

/** The mask holds ROI numbers up to this (Uint16Array). */
export const MAX_ROIS_PER_MASK = 0xffff;

const WGS84_PROJ4 = '+proj=longlat +datum=WGS84 +no_defs';
/** Mean Earth radius (IUGG R1), for the spherical pixel area of lon/lat grids. */
const EARTH_MEAN_RADIUS_M = 6371008.8;

function ringsToPixel(
  roi: RoiRings,
  toPixel: (x: number, y: number) => [number, number],
  what: string,
): PixelRoi {
  return {
    name: roi.name,
    polygons: roi.polygons.map((part) =>
      part.map((ring) =>
        ring.map(([x, y]): Point => {
          const [col, row] = toPixel(x, y);
          if (!Number.isFinite(col) || !Number.isFinite(row)) {
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
    ringsToPixel(roi, (x, y) => mapToPixel(geoTransform, x, y), 'mapped to pixels'),
  );
}

/**
 * ROIs in WGS 84 lon/lat (io's `Roi`) → pixel coordinates of `grid`: proj4 to
 * the grid's CRS, then the inverse geotransform. The same numbers as io's
 * `projectRois` followed by `mapRoisToPixel` (core may not import io).
 */
export function lonLatRoisToPixel(rois: readonly RoiRings[], grid: GridRef): PixelRoi[] {
  const converter = proj4(WGS84_PROJ4, grid.proj4);
  return rois.map((roi) =>
    ringsToPixel(
      roi,
      (lon, lat) => {
        let xy: number[];
        try {
          xy = converter.forward([lon, lat]);
        } catch {
          return [Number.NaN, Number.NaN];
        }
        const [x = Number.NaN, y = Number.NaN] = xy;
        return mapToPixel(grid.geoTransform, x, y);
      },
      `projected to the image grid (${grid.proj4})`,
    ),
  );
}

/** |det| of the geotransform's 2×2 part: the area of one pixel in CRS units². */
export function pixelAreaCrsUnits(geoTransform: GeoTransform): number {
  const t = geoTransform;
  return Math.abs(t.pixelWidth * t.pixelHeight - t.rowRotation * t.columnRotation);
}

/** Metres per unit of a projected proj4 definition; null for lon/lat or unknown units. */
function metresPerUnit(proj4Definition: string): number | null {
  if (/\+proj=(longlat|latlong|lonlat|latlon)\b/.test(proj4Definition)) return null;
  const toMeter = /\+to_meter=([0-9.eE+-]+)/.exec(proj4Definition);
  if (toMeter?.[1] !== undefined) return Number(toMeter[1]);
  const units = /\+units=([a-z-]+)/.exec(proj4Definition)?.[1] ?? 'm';
  const known: Record<string, number> = { m: 1, km: 1000, ft: 0.3048, 'us-ft': 1200 / 3937 };
  return known[units] ?? null;
}

/**
 * Ground area of one pixel in m² for a projected grid (|det| × metres-per-unit²),
 * or null for a lon/lat grid, whose pixel area varies with latitude: the caller
 * computes it (e.g. `lonLatPixelAreaM2`). Projection scale error (UTM: ≤ 0.1 %
 * in-zone) is not corrected.
 */
export function projectedPixelAreaM2(grid: Pick<GridRef, 'geoTransform' | 'proj4'>): number | null {
  const metres = metresPerUnit(grid.proj4);
  return metres === null ? null : pixelAreaCrsUnits(grid.geoTransform) * metres * metres;
}

/**
 * Spherical ground area of one lon/lat pixel (degrees) at `latitudeDeg`:
 * |det| · (π/180)² · R² · cos φ with the mean Earth radius. Within ~0.5 % of
 * the ellipsoidal area; a helper for callers on lon/lat grids.
 */
export function lonLatPixelAreaM2(geoTransform: GeoTransform, latitudeDeg: number): number {
  const radPerDeg = Math.PI / 180;
  return (
    pixelAreaCrsUnits(geoTransform) *
    (radPerDeg * EARTH_MEAN_RADIUS_M) ** 2 *
    Math.cos(latitudeDeg * radPerDeg)
  );
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

/** Area of the ROI inside the image rectangle, in px². */
function roiAreaInsideImagePx(roi: PixelRoi, widthPx: number, heightPx: number): number {
  let area = 0;
  for (const [exterior, ...holes] of roi.polygons) {
    if (exterior === undefined) continue;
    area += Math.abs(signedArea(clipRing(exterior, widthPx, heightPx)));
    for (const hole of holes) area -= Math.abs(signedArea(clipRing(hole, widthPx, heightPx)));
  }
  return area;
}

export interface RoiRasterStats {
  readonly name: string;
  /** Value of this ROI in the mask (index + 1). */
  readonly maskId: number;
  /** Pixels the mask gives to this ROI (after overlaps went to earlier ROIs). */
  readonly pixelsInside: number;
  /** pixelsInside × pixelAreaM2. */
  readonly areaM2: number;
  /** Polygon area (shoelace), whole polygon, in px² and m². */
  readonly polygonAreaPx: number;
  readonly polygonAreaM2: number;
  /** Share of the polygon area inside the image rectangle, 0..1. */
  readonly fractionInsideImage: number;
  /** Pixels whose centres this ROI covers but an earlier ROI claimed. */
  readonly overlapPx: number;
}

export interface RoiOverlap {
  /** Mask ids: `first` kept the pixels, `second` lost them. */
  readonly first: number;
  readonly second: number;
  readonly pixels: number;
}

export interface RoiRaster {
  readonly widthPx: number;
  readonly heightPx: number;
  /** Row-major, 0 outside every ROI, k for ROI index k − 1. */
  readonly mask: Uint16Array;
  readonly rois: readonly RoiRasterStats[];
  readonly overlaps: readonly RoiOverlap[];
  /** ROIs outside or partly outside the image, overlaps, empty ROIs; one sentence each. */
  readonly warnings: readonly string[];
}

export interface RasterizeOptions {
  /** Ground area of one pixel (projectedPixelAreaM2, or the caller's for lon/lat grids). */
  readonly pixelAreaM2: number;
}

/** Below this share of the polygon outside the image, clipping is not reported (float noise). */
const CLIP_REPORT_FRACTION = 1e-6;

/**
 * Rasterizes `rois` (pixel coordinates, see the module comment) into an id
 * mask of widthPx × heightPx, with per-ROI areas, overlaps and warnings.
 */
export function rasterizeRois(
  rois: readonly PixelRoi[],
  widthPx: number,
  heightPx: number,
  options: RasterizeOptions,
): RoiRaster {
  const { pixelAreaM2 } = options;
  if (!Number.isInteger(widthPx) || !Number.isInteger(heightPx) || widthPx < 1 || heightPx < 1) {
    throw new Error(`ROI mask needs a positive integer size (got ${widthPx}×${heightPx})`);
  }
  if (!(pixelAreaM2 > 0) || !Number.isFinite(pixelAreaM2)) {
    throw new Error(`pixelAreaM2 must be a positive finite number (got ${pixelAreaM2})`);
  }
  if (rois.length > MAX_ROIS_PER_MASK) {
    throw new Error(`At most ${MAX_ROIS_PER_MASK} ROIs fit one mask (got ${rois.length})`);
  }
  const mask = new Uint16Array(widthPx * heightPx);
  const stats: RoiRasterStats[] = [];
  const overlapCounts = new Map<number, number>(); // key first · 65536 + second
  const warnings: string[] = [];
  const crossings: number[] = [];

  rois.forEach((roi, index) => {
    const id = index + 1;
    let pixelsInside = 0;
    let overlapPx = 0;
    for (const part of roi.polygons) {
      // Edges of all rings of the part, bucketed by first covered row.
      const edges: { x0: number; y0: number; slope: number; rowEnd: number }[] = [];
      const byRow = new Map<number, number[]>();
      let firstRow = heightPx;
      let lastRowEnd = 0;
      for (const ring of part) {
        for (let k = 0; k < ring.length; k++) {
          const a = ring[k];
          const b = ring[(k + 1) % ring.length];
          if (a === undefined || b === undefined || a[1] === b[1]) continue;
          const [lo, hi] = a[1] < b[1] ? [a, b] : [b, a];
          // Rows j whose centre j + 0.5 lies in [lo.y, hi.y).
          const rowStart = Math.max(0, Math.ceil(lo[1] - 0.5));
          const rowEnd = Math.min(heightPx, Math.ceil(hi[1] - 0.5));
          if (rowStart >= rowEnd) continue;
          firstRow = Math.min(firstRow, rowStart);
          lastRowEnd = Math.max(lastRowEnd, rowEnd);
          const edgeIndex = edges.length;
          edges.push({ x0: lo[0], y0: lo[1], slope: (hi[0] - lo[0]) / (hi[1] - lo[1]), rowEnd });
          const bucket = byRow.get(rowStart);
          if (bucket === undefined) byRow.set(rowStart, [edgeIndex]);
          else bucket.push(edgeIndex);
        }
      }
      let active: number[] = [];
      for (let row = firstRow; row < lastRowEnd; row++) {
        active = active.filter((e) => (edges[e]?.rowEnd ?? 0) > row);
        active.push(...(byRow.get(row) ?? []));
        if (active.length === 0) continue;
        const yc = row + 0.5;
        crossings.length = 0;
        for (const e of active) {
          const edge = edges[e];
          if (edge !== undefined) crossings.push(edge.x0 + (yc - edge.y0) * edge.slope);
        }
        crossings.sort((p, q) => p - q);
        for (let c = 0; c + 1 < crossings.length; c += 2) {
          // Centres i + 0.5 in [xa, xb).
          const start = Math.max(0, Math.ceil((crossings[c] ?? 0) - 0.5));
          const end = Math.min(widthPx, Math.ceil((crossings[c + 1] ?? 0) - 0.5));
          const rowBase = row * widthPx;
          for (let col = start; col < end; col++) {
            const at = rowBase + col;
            const owner = mask[at] ?? 0;
            if (owner === 0) {
              mask[at] = id;
              pixelsInside++;
            } else if (owner !== id) {
              overlapPx++;
              const key = owner * 65536 + id;
              overlapCounts.set(key, (overlapCounts.get(key) ?? 0) + 1);
            }
          }
        }
      }
    }
    const polygonAreaPx = roiAreaPx(roi);
    const insideAreaPx = roiAreaInsideImagePx(roi, widthPx, heightPx);
    const fractionInsideImage =
      polygonAreaPx > 0 ? Math.min(1, Math.max(0, insideAreaPx / polygonAreaPx)) : 0;
    stats.push({
      name: roi.name,
      maskId: id,
      pixelsInside,
      areaM2: pixelsInside * pixelAreaM2,
      polygonAreaPx,
      polygonAreaM2: polygonAreaPx * pixelAreaM2,
      fractionInsideImage,
      overlapPx,
    });
    if (fractionInsideImage === 0 && polygonAreaPx > 0) {
      warnings.push(`${roi.name} lies outside the image: it counts nothing`);
    } else if (pixelsInside === 0 && overlapPx === 0) {
      warnings.push(`${roi.name} covers no pixel centre of the image: it counts nothing`);
    } else if (fractionInsideImage < 1 - CLIP_REPORT_FRACTION) {
      const outsidePercent = ((1 - fractionInsideImage) * 100).toFixed(1);
      warnings.push(
        `${roi.name} extends past the image edge: ${outsidePercent} % of its area is outside and not counted`,
      );
    }
  });

  const overlaps: RoiOverlap[] = [...overlapCounts.entries()]
    .map(([key, pixels]) => ({ first: Math.floor(key / 65536), second: key % 65536, pixels }))
    .sort((a, b) => a.first - b.first || a.second - b.second);
  for (const { first, second, pixels } of overlaps) {
    const a = rois[first - 1]?.name ?? `ROI ${first}`;
    const b = rois[second - 1]?.name ?? `ROI ${second}`;
    const areaM2 = (pixels * pixelAreaM2).toFixed(1);
    warnings.push(`${b} overlaps ${a} by ${pixels} px (${areaM2} m²): they count for ${a} only`);
  }
  return { widthPx, heightPx, mask, rois: stats, overlaps, warnings };
}
