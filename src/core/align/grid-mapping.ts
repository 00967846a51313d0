/**
 * Geometric mapping from one raster grid (the target, e.g. the before image)
 * to another (the source, e.g. the after image), through proj4 when their
 * CRSs differ.
 *
 * Pixel positions everywhere in this module are continuous pixel coordinates
 * with the origin at the upper-left corner of the upper-left pixel (GDAL's
 * convention): pixel (i, j) covers [i, i+1) × [j, j+1) and its centre is at
 * (i + 0.5, j + 0.5).
 */
import proj4 from 'proj4';
import { mapToPixel, pixelToMap, type GeoTransform } from '../raster.ts';

/** A raster grid: size, GDAL-order geotransform and CRS as a proj4 definition. */
export interface GridRef {
  readonly width: number;
  readonly height: number;
  readonly geoTransform: GeoTransform;
  readonly proj4: string;
}

/**
 * Target pixel position → source pixel position (both corner-origin, see the
 * module comment). Positions outside either grid are mapped too (extrapolated);
 * a position proj4 cannot transform comes back as NaN.
 */
export interface PixelMapping {
  /** How the mapping is evaluated: pure affine (same CRS), control-point lattice, or proj4 per point. */
  readonly kind: 'affine' | 'control-points' | 'exact';
  /** Source position of one target position (allocates; for sparse use). */
  map(colPx: number, rowPx: number): [number, number];
  /**
   * Source positions of the `count` target positions (colStartPx + k, rowPx),
   * k = 0 … count − 1, written to srcColPx[k] and srcRowPx[k]. The hot path of
   * resampling: evaluated incrementally, no allocation.
   */
  mapRow(
    colStartPx: number,
    rowPx: number,
    count: number,
    srcColPx: Float64Array,
    srcRowPx: Float64Array,
  ): void;
}

/** Integer pixel window [x0, y0, x1, y1): columns x0 … x1 − 1, rows y0 … y1 − 1. */
export type PixelWindow = readonly [number, number, number, number];

/** Normalises a proj4 definition for comparison (whitespace only; no semantic equivalence). */
function sameCrs(a: string, b: string): boolean {
  return a.trim().replace(/\s+/g, ' ') === b.trim().replace(/\s+/g, ' ');
}

/** Affine a·col + b·row + c for the source column and row. */
interface Affine2 {
  readonly ax: number;
  readonly bx: number;
  readonly cx: number;
  readonly ay: number;
  readonly by: number;
  readonly cy: number;
}

/** target pixel → map → source pixel, all affine when both grids share a CRS. */
function composeAffine(target: GeoTransform, source: GeoTransform): Affine2 {
  const [x00, y00] = mapToPixel(source, ...pixelToMap(target, 0, 0));
  const [x10, y10] = mapToPixel(source, ...pixelToMap(target, 1, 0));
  const [x01, y01] = mapToPixel(source, ...pixelToMap(target, 0, 1));
  return { ax: x10 - x00, bx: x01 - x00, cx: x00, ay: y10 - y00, by: y01 - y00, cy: y00 };
}

function affineMapping(a: Affine2): PixelMapping {
  return {
    kind: 'affine',
    map: (col, row) => [a.ax * col + a.bx * row + a.cx, a.ay * col + a.by * row + a.cy],
    mapRow(colStartPx, rowPx, count, srcColPx, srcRowPx) {
      const x0 = a.ax * colStartPx + a.bx * rowPx + a.cx;
      const y0 = a.ay * colStartPx + a.by * rowPx + a.cy;
      // Direct a + k·d per pixel rather than accumulation: no drift on long rows.
      for (let k = 0; k < count; k++) {
        srcColPx[k] = x0 + k * a.ax;
        srcRowPx[k] = y0 + k * a.ay;
      }
    },
  };
}

/** Target pixel → source pixel through proj4, one point at a time. */
function exactPointFunction(
  target: GridRef,
  source: GridRef,
): (col: number, row: number) => [number, number] {
  const converter = proj4(target.proj4, source.proj4);
  return (col, row) => {
    const xy = pixelToMap(target.geoTransform, col, row);
    let out: number[];
    try {
      out = converter.forward(xy);
    } catch {
      return [Number.NaN, Number.NaN];
    }
    const [x = Number.NaN, y = Number.NaN] = out;
    if (!Number.isFinite(x) || !Number.isFinite(y)) return [Number.NaN, Number.NaN];
    return mapToPixel(source.geoTransform, x, y);
  };
}

/**
 * The exact mapping: proj4 at every point (slow; the reference the
 * control-point lattice is tested against). Affine when the CRSs are the same.
 */
export function exactMapping(target: GridRef, source: GridRef): PixelMapping {
  if (sameCrs(target.proj4, source.proj4)) {
    return affineMapping(composeAffine(target.geoTransform, source.geoTransform));
  }
  const point = exactPointFunction(target, source);
  return {
    kind: 'exact',
    map: point,
    mapRow(colStartPx, rowPx, count, srcColPx, srcRowPx) {
      for (let k = 0; k < count; k++) {
        const [x, y] = point(colStartPx + k, rowPx);
        srcColPx[k] = x;
        srcRowPx[k] = y;
      }
    },
  };
}

/**
 * proj4 evaluated exactly on a lattice of target positions every `stepPx`
 * pixels (corner-origin: nodes at 0, stepPx, 2·stepPx, …, covering the whole
 * grid), bilinear interpolation between nodes, linear extrapolation from the
 * edge cells outside. Between two projections the mapping is smooth, so the
 * interpolation error falls as stepPx² (tests/unit/align-grid.test.ts measures
 * it against exactMapping). Affine, with no proj4 at all, when both grids
 * share a CRS.
 */
export function controlPointMapping(target: GridRef, source: GridRef, stepPx = 32): PixelMapping {
  if (sameCrs(target.proj4, source.proj4)) {
    return affineMapping(composeAffine(target.geoTransform, source.geoTransform));
  }
  if (!(stepPx > 0)) throw new Error(`stepPx must be positive (got ${stepPx})`);
  const point = exactPointFunction(target, source);
  const cellsX = Math.max(1, Math.ceil(target.width / stepPx));
  const cellsY = Math.max(1, Math.ceil(target.height / stepPx));
  const nodesX = cellsX + 1;
  const nodesY = cellsY + 1;
  const latticeCol = new Float64Array(nodesX * nodesY);
  const latticeRow = new Float64Array(nodesX * nodesY);
  for (let j = 0; j < nodesY; j++) {
    for (let i = 0; i < nodesX; i++) {
      const [x, y] = point(i * stepPx, j * stepPx);
      latticeCol[j * nodesX + i] = x;
      latticeRow[j * nodesX + i] = y;
    }
  }
  // One lattice row interpolated at the current target row; reused by mapRow.
  const rowCol = new Float64Array(nodesX);
  const rowRow = new Float64Array(nodesX);

  /** Lattice cell index and fraction along one axis; the fraction leaves [0,1] outside the lattice. */
  const cellOf = (positionPx: number, cells: number): [number, number] => {
    const f = positionPx / stepPx;
    const cell = Math.min(cells - 1, Math.max(0, Math.floor(f)));
    return [cell, f - cell];
  };

  const interpolateRow = (rowPx: number): void => {
    const [j, ty] = cellOf(rowPx, cellsY);
    const top = j * nodesX;
    const bottom = top + nodesX;
    for (let i = 0; i < nodesX; i++) {
      const c0 = latticeCol[top + i] ?? 0;
      const r0 = latticeRow[top + i] ?? 0;
      rowCol[i] = c0 + ((latticeCol[bottom + i] ?? 0) - c0) * ty;
      rowRow[i] = r0 + ((latticeRow[bottom + i] ?? 0) - r0) * ty;
    }
  };

  return {
    kind: 'control-points',
    map(col, row) {
      interpolateRow(row);
      const [i, tx] = cellOf(col, cellsX);
      const c0 = rowCol[i] ?? 0;
      const r0 = rowRow[i] ?? 0;
      return [c0 + ((rowCol[i + 1] ?? 0) - c0) * tx, r0 + ((rowRow[i + 1] ?? 0) - r0) * tx];
    },
    mapRow(colStartPx, rowPx, count, srcColPx, srcRowPx) {
      if (!Number.isFinite(colStartPx) || !Number.isFinite(rowPx)) {
        srcColPx.fill(Number.NaN, 0, count);
        srcRowPx.fill(Number.NaN, 0, count);
        return;
      }
      interpolateRow(rowPx);
      let k = 0;
      while (k < count) {
        // One lattice span at a time: the mapping is linear along the row within it.
        const [i, tx] = cellOf(colStartPx + k, cellsX);
        const spanEndPx = i === cellsX - 1 ? Number.POSITIVE_INFINITY : (i + 1) * stepPx;
        const c0 = rowCol[i] ?? 0;
        const r0 = rowRow[i] ?? 0;
        const dCol = ((rowCol[i + 1] ?? 0) - c0) / stepPx;
        const dRow = ((rowRow[i + 1] ?? 0) - r0) / stepPx;
        const startCol = c0 + dCol * tx * stepPx;
        const startRow = r0 + dRow * tx * stepPx;
        const first = k;
        const last = Math.min(count, Math.max(k + 1, Math.ceil(spanEndPx - colStartPx)));
        for (; k < last; k++) {
          const n = k - first;
          srcColPx[k] = startCol + n * dCol;
          srcRowPx[k] = startRow + n * dRow;
        }
      }
    },
  };
}

/**
 * `mapping` followed by a residual shift found by fine alignment: content the
 * mapping puts at target position (x, y) is really at (x + dxPx, y + dyPx)
 * (the convention of estimateShift), so target (x, y) now samples what the
 * mapping gave for (x + dxPx, y + dyPx).
 */
export function withResidualShift(mapping: PixelMapping, dxPx: number, dyPx: number): PixelMapping {
  return {
    kind: mapping.kind,
    map: (col, row) => mapping.map(col + dxPx, row + dyPx),
    mapRow: (colStartPx, rowPx, count, srcColPx, srcRowPx) => {
      mapping.mapRow(colStartPx + dxPx, rowPx + dyPx, count, srcColPx, srcRowPx);
    },
  };
}

/** Corners and edge points of a grid's extent, corner-origin pixel positions. */
function boundaryPx(width: number, height: number, perSide: number): [number, number][] {
  const points: [number, number][] = [];
  for (let k = 0; k < perSide; k++) {
    const t = k / perSide;
    points.push(
      [t * width, 0],
      [width, t * height],
      [(1 - t) * width, height],
      [0, (1 - t) * height],
    );
  }
  return points;
}

/**
 * The window of target pixels whose centres the source image covers (the
 * centre maps into the source extent [0, width) × [0, height)), or null when
 * no target pixel centre falls inside the source. Consistent with the valid
 * masks of resampleBilinear/resampleNearest for the same mapping.
 *
 * The source outline is first projected into the target (proj4 inverse) to
 * find a candidate window; then `mapping` decides pixel by pixel inside it,
 * so the cost is about that of resampling the overlap once.
 */
export function overlap(
  target: GridRef,
  source: GridRef,
  mapping: PixelMapping,
): PixelWindow | null {
  let candidate: PixelWindow = [0, 0, target.width, target.height];
  const footprint = footprintInTarget(target, source);
  if (footprint !== null) {
    const [minX, minY, maxX, maxY] = footprint;
    // Margin: the outline is densified, not exact, between its points.
    const marginPx = 2 + 0.01 * Math.max(maxX - minX, maxY - minY);
    candidate = [
      Math.max(0, Math.floor(minX - marginPx)),
      Math.max(0, Math.floor(minY - marginPx)),
      Math.min(target.width, Math.ceil(maxX + marginPx)),
      Math.min(target.height, Math.ceil(maxY + marginPx)),
    ];
    if (candidate[0] >= candidate[2] || candidate[1] >= candidate[3]) return null;
  }
  const [cx0, cy0, cx1, cy1] = candidate;
  const count = cx1 - cx0;
  const srcCol = new Float64Array(count);
  const srcRow = new Float64Array(count);
  let x0 = Number.POSITIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (let y = cy0; y < cy1; y++) {
    mapping.mapRow(cx0 + 0.5, y + 0.5, count, srcCol, srcRow);
    for (let k = 0; k < count; k++) {
      const u = srcCol[k] ?? Number.NaN;
      const v = srcRow[k] ?? Number.NaN;
      if (u >= 0 && u < source.width && v >= 0 && v < source.height) {
        const x = cx0 + k;
        if (x < x0) x0 = x;
        if (x + 1 > x1) x1 = x + 1;
        if (y < y0) y0 = y;
        y1 = y + 1;
      }
    }
  }
  return x0 < x1 ? [x0, y0, x1, y1] : null;
}

/** Bounding box, in target pixels, of the source outline; null where proj4 fails. */
function footprintInTarget(
  target: GridRef,
  source: GridRef,
): [number, number, number, number] | null {
  const same = sameCrs(target.proj4, source.proj4);
  const converter = same ? null : proj4(source.proj4, target.proj4);
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const [col, row] of boundaryPx(source.width, source.height, same ? 1 : 64)) {
    let xy = pixelToMap(source.geoTransform, col, row);
    if (converter !== null) {
      try {
        xy = converter.forward(xy);
      } catch {
        return null;
      }
    }
    const [px, py] = mapToPixel(target.geoTransform, xy[0], xy[1]);
    if (!Number.isFinite(px) || !Number.isFinite(py)) return null;
    minX = Math.min(minX, px);
    minY = Math.min(minY, py);
    maxX = Math.max(maxX, px);
    maxY = Math.max(maxY, py);
  }
  return [minX, minY, maxX, maxY];
}

const WGS84_LONLAT = '+proj=longlat +datum=WGS84 +no_defs';

/** Lon/lat bounding box of a grid's extent [west, south, east, north] in degrees, or null. */
export function lonLatExtent(grid: GridRef): [number, number, number, number] | null {
  let converter: proj4.Converter;
  try {
    converter = proj4(grid.proj4, WGS84_LONLAT);
  } catch {
    return null;
  }
  let west = Number.POSITIVE_INFINITY;
  let south = Number.POSITIVE_INFINITY;
  let east = Number.NEGATIVE_INFINITY;
  let north = Number.NEGATIVE_INFINITY;
  for (const [col, row] of boundaryPx(grid.width, grid.height, 16)) {
    let lon: number;
    let lat: number;
    try {
      [lon = Number.NaN, lat = Number.NaN] = converter.forward(
        pixelToMap(grid.geoTransform, col, row),
      );
    } catch {
      return null;
    }
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) return null;
    west = Math.min(west, lon);
    east = Math.max(east, lon);
    south = Math.min(south, lat);
    north = Math.max(north, lat);
  }
  return [west, south, east, north];
}

function formatRange(a: number, b: number, positive: string, negative: string): string {
  const fmt = (v: number): string => `${Math.abs(v).toFixed(4)}°${v < 0 ? negative : positive}`;
  return `${fmt(a)}–${fmt(b)}`;
}

/** "covers 130.4100°E–130.4300°E, 42.1000°N–42.1100°N", or the map extent when lon/lat is unknown. */
function describeExtent(grid: GridRef): string {
  const box = lonLatExtent(grid);
  if (box !== null) {
    const [west, south, east, north] = box;
    return `covers ${formatRange(west, east, 'E', 'W')}, ${formatRange(south, north, 'N', 'S')}`;
  }
  const corners = boundaryPx(grid.width, grid.height, 1).map(([c, r]) =>
    pixelToMap(grid.geoTransform, c, r),
  );
  const xs = corners.map(([x]) => x);
  const ys = corners.map(([, y]) => y);
  return (
    `covers x ${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}, ` +
    `y ${Math.min(...ys).toFixed(1)}–${Math.max(...ys).toFixed(1)} in its CRS (${grid.proj4})`
  );
}

/** The message for two images with no overlap, naming both and their lon/lat extents. */
export function noOverlapMessage(
  target: GridRef,
  targetName: string,
  source: GridRef,
  sourceName: string,
): string {
  return (
    `The images do not overlap: ${sourceName} ${describeExtent(source)}; ` +
    `${targetName} ${describeExtent(target)}.`
  );
}

/**
 * The message for a source that overlaps the target image but misses the
 * window of it being read (the piers' area): both extents, that window's.
 */
export function windowOutsideMessage(
  window: GridRef,
  windowName: string,
  source: GridRef,
  sourceName: string,
): string {
  return (
    `${sourceName} does not reach ${windowName}: ${sourceName} ${describeExtent(source)}; ` +
    `${windowName} ${describeExtent(window)}.`
  );
}

/** The overlap window, or an Error with noOverlapMessage when there is none. */
export function requireOverlap(
  target: GridRef,
  targetName: string,
  source: GridRef,
  sourceName: string,
  mapping: PixelMapping,
): PixelWindow {
  const window = overlap(target, source, mapping);
  if (window === null) throw new Error(noOverlapMessage(target, targetName, source, sourceName));
  return window;
}
