/**
 * ROI rasterization: which ROI (pier) each pixel of the analysis grid belongs to.
 *
 * Semantics (defined per pixel; both pipelines rasterize here, once per run,
 * and tests/unit/analysis-roi-raster.test.ts checks the scanline fill against
 * the per-pixel definition):
 * - Polygons are in continuous pixel coordinates of the grid, corner origin
 *   (pixel (i, j) covers [i, i+1) × [j, j+1), its centre is (i + 0.5, j + 0.5)).
 * - A pixel belongs to an ROI when its centre is inside by the nonzero winding
 *   rule over all the ROI's rings (exteriors counter-clockwise, holes clockwise
 *   on the map — either orientation works, only the winding number's being
 *   zero matters). An edge counts for a centre when y0 ≤ cy < y1 (half-open),
 *   so a centre exactly on a horizontal edge is counted once.
 * - Where ROIs overlap, the one listed first wins.
 * - roiIndex[i] = −1 outside every ROI, else the ROI's index.
 */

import { ringSelfIntersection } from '../roi-edit.ts';
import { clipRing, signedArea } from '../roi-raster.ts';

/** One ROI in pixel coordinates of the analysis grid. */
export interface PixelPolygon {
  readonly name: string;
  /** Closed or open rings of [col, row] positions, corner origin. */
  readonly rings: readonly (readonly (readonly [number, number])[])[];
}

export const NO_ROI = -1;

/**
 * Whether an edge (x0, y0) → (x1, y1) crossing the row of centre cy counts
 * for the centre cx: when cx is left of the crossing, for upward edges
 * (y0 ≤ cy < y1, counted +1) and downward ones (−1) alike, as the rounded
 * side test decides. For a fixed edge and row that test is monotone in cx, so
 * the columns for which it holds are exactly those left of one boundary column.
 */
function edgeCounts(
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  cx: number,
  cy: number,
): boolean {
  const side = (x1 - x0) * (cy - y0) - (cx - x0) * (y1 - y0);
  return y1 > y0 ? side > 0 : side < 0;
}

/**
 * ROI index per pixel (−1 outside all), one ROI and one row at a time: each
 * edge that crosses the row's centre line adds its sign (+1 upward, −1
 * downward) to the winding number of every centre left of its boundary
 * column, found from the intersection and then checked with the per-pixel
 * test itself (edgeCounts), so the raster is the per-pixel definition's,
 * bit for bit, in O(pixels + rows · edges). Only centres inside each ROI's
 * bounding box are filled (as before): in exact arithmetic none outside is
 * inside, and rounding reaches outside only for vertices beyond about 10^15 px.
 */
export function rasterizeRois(
  rois: readonly PixelPolygon[],
  widthPx: number,
  heightPx: number,
): Int32Array {
  if (!Number.isInteger(widthPx) || !Number.isInteger(heightPx) || widthPx < 1 || heightPx < 1) {
    throw new Error(`ROI raster needs a positive integer size (got ${widthPx} × ${heightPx})`);
  }
  const out = new Int32Array(widthPx * heightPx).fill(NO_ROI);
  const delta = new Int32Array(widthPx + 1);
  rois.forEach((roi, index) => {
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (const ring of roi.rings) {
      for (const [x, y] of ring) {
        if (!Number.isFinite(x) || !Number.isFinite(y)) {
          throw new Error(`ROI ${roi.name} has a vertex that is not a finite pixel position`);
        }
        minX = Math.min(minX, x);
        minY = Math.min(minY, y);
        maxX = Math.max(maxX, x);
        maxY = Math.max(maxY, y);
      }
    }
    const c0 = Math.max(0, Math.floor(minX - 0.5));
    const c1 = Math.min(widthPx - 1, Math.ceil(maxX));
    const r0 = Math.max(0, Math.floor(minY - 0.5));
    const r1 = Math.min(heightPx - 1, Math.ceil(maxY));
    if (c0 > c1) return;
    for (let row = r0; row <= r1; row++) {
      const cy = row + 0.5;
      // delta[b - c0]: the signs of the edges whose boundary column is b (c0 ≤ b ≤ c1 + 1).
      delta.fill(0, 0, c1 - c0 + 2);
      let total = 0;
      let crossings = 0;
      for (const ring of roi.rings) {
        const n = ring.length;
        for (let k = 0; k < n; k++) {
          const a = ring[k];
          const b = ring[(k + 1) % n];
          if (a === undefined || b === undefined) continue;
          const [x0, y0] = a;
          const [x1, y1] = b;
          const upward = y0 <= cy && cy < y1;
          if (!upward && !(y1 <= cy && cy < y0)) continue;
          // First column whose centre the edge does not count for, from the intersection...
          const crossX = x0 + ((x1 - x0) * (cy - y0)) / (y1 - y0);
          let boundary = Math.min(c1 + 1, Math.max(c0, Math.ceil(crossX - 0.5)));
          // An overflowing edge (|x1 − x0| = ∞ at cy = y0) has no crossing: start left.
          if (Number.isNaN(boundary)) boundary = c0;
          // ...then moved to where the per-pixel test itself changes (rounding).
          while (boundary > c0 && !edgeCounts(x0, y0, x1, y1, boundary - 0.5, cy)) boundary--;
          while (boundary <= c1 && edgeCounts(x0, y0, x1, y1, boundary + 0.5, cy)) boundary++;
          const sign = upward ? 1 : -1;
          total += sign;
          crossings++;
          delta[boundary - c0] = (delta[boundary - c0] ?? 0) + sign;
        }
      }
      if (crossings === 0) continue;
      let winding = total;
      const rowStart = row * widthPx;
      for (let col = c0; col <= c1; col++) {
        winding -= delta[col - c0] ?? 0;
        const i = rowStart + col;
        if (winding !== 0 && out[i] === NO_ROI) out[i] = index;
      }
    }
  });
  return out;
}

/**
 * Whether two different ROIs of a raster (ROI index ≥ 0, NO_ROI or any
 * negative value for none) have 8-adjacent pixels. When they do not, an
 * 8-connected component of a mask that lies inside the ROIs lies inside one
 * ROI: the GPU estimate then counts blobs per ROI in a single pass
 * (src/gpu/component-estimate.ts).
 */
export function roisTouch(roiIndex: Int32Array, widthPx: number, heightPx: number): boolean {
  if (roiIndex.length !== widthPx * heightPx) {
    throw new Error(`An ROI raster of ${widthPx}×${heightPx} needs ${widthPx * heightPx} values`);
  }
  const differs = (roi: number, j: number): boolean => {
    const other = roiIndex[j] ?? NO_ROI;
    return other >= 0 && other !== roi;
  };
  for (let y = 0; y < heightPx; y++) {
    const row = y * widthPx;
    const below = y + 1 < heightPx;
    for (let x = 0; x < widthPx; x++) {
      const roi = roiIndex[row + x] ?? NO_ROI;
      if (roi < 0) continue;
      // Each adjacent pair once: east, and the three neighbours of the next row.
      const i = row + x;
      if (x + 1 < widthPx && differs(roi, i + 1)) return true;
      if (!below) continue;
      if (differs(roi, i + widthPx)) return true;
      if (x > 0 && differs(roi, i + widthPx - 1)) return true;
      if (x + 1 < widthPx && differs(roi, i + widthPx + 1)) return true;
    }
  }
  return false;
}

/** Past this many pixels of bounding box, a crossing ROI's area is not counted pixel by pixel. */
const MAX_WINDING_RASTER_PX = 64e6;

/** Whether any ring of an ROI crosses or touches itself (ringSelfIntersection; long rings unchecked). */
export function roiRingsCross(rings: PixelPolygon['rings']): boolean {
  return rings.some((ring) => ringSelfIntersection(ring) !== null);
}

/**
 * The area of an ROI in pixels as the raster counts it (pixel centres inside
 * by the nonzero winding rule), over the ROI's own bounding box, or only its
 * part inside [0, widthPx) × [0, heightPx) when `within` is given; other ROIs
 * play no part. For rings that cross themselves, whose signed loop areas
 * cancel; null past MAX_WINDING_RASTER_PX of bounding box.
 */
export function windingAreaPx(
  rings: PixelPolygon['rings'],
  within?: { readonly widthPx: number; readonly heightPx: number },
): number | null {
  const [x0, y0, x1, y1] = ringsBoundsPx(rings);
  let [c0, r0, c1, r1] = [Math.floor(x0), Math.floor(y0), Math.ceil(x1), Math.ceil(y1)];
  if (within !== undefined) {
    [c0, r0] = [Math.max(0, c0), Math.max(0, r0)];
    [c1, r1] = [Math.min(within.widthPx, c1), Math.min(within.heightPx, r1)];
  }
  const [w, h] = [c1 - c0, r1 - r0];
  if (!(w > 0 && h > 0)) return 0;
  if (w * h > MAX_WINDING_RASTER_PX) return null;
  const shifted = rings.map((ring) => ring.map(([x, y]) => [x - c0, y - r0] as const));
  const raster = rasterizeRois([{ name: '', rings: shifted }], w, h);
  let count = 0;
  for (const roi of raster) if (roi === 0) count++;
  return count;
}

/**
 * The area of an ROI in pixels, whole or only its part inside
 * [0, widthPx) × [0, heightPx) (`within`): its rings' signed areas summed
 * (exteriors and holes wind opposite ways), clipped to the window when asked;
 * or, where a ring crosses itself, so that its loops' signed areas cancel (a
 * bow tie's to about 0), the pixel centres the raster counts inside
 * (windingAreaPx), as the analysis counts them.
 */
export function analysedAreaPx(
  rings: PixelPolygon['rings'],
  within?: { readonly widthPx: number; readonly heightPx: number },
): number {
  if (roiRingsCross(rings) || partsMayOverlap(rings)) {
    const counted = windingAreaPx(rings, within);
    if (counted !== null) return counted;
  }
  const kept =
    within === undefined
      ? rings
      : rings.map((ring) => clipRing(ring, within.widthPx, within.heightPx));
  return Math.abs(kept.reduce((sum, ring) => sum + signedArea(ring), 0));
}

/**
 * Whether two rings winding the same way (two parts' exteriors, of a
 * MultiPolygon say) have overlapping bounds: their signed areas would count
 * an overlap twice, where the raster's nonzero rule counts it once.
 */
function partsMayOverlap(rings: PixelPolygon['rings']): boolean {
  const parts = rings.filter((ring) => signedArea(ring) !== 0);
  for (let a = 0; a < parts.length; a++) {
    for (let b = a + 1; b < parts.length; b++) {
      const [ringA, ringB] = [parts[a] ?? [], parts[b] ?? []];
      if (Math.sign(signedArea(ringA)) !== Math.sign(signedArea(ringB))) continue;
      const [ax0, ay0, ax1, ay1] = ringsBoundsPx([ringA]);
      const [bx0, by0, bx1, by1] = ringsBoundsPx([ringB]);
      if (ax0 < bx1 && bx0 < ax1 && ay0 < by1 && by0 < ay1) return true;
    }
  }
  return false;
}

/** [x0, y0, x1, y1] around rings of [col, row] positions; all infinite when there are none. */
export function ringsBoundsPx(
  rings: readonly (readonly (readonly [number, number])[])[],
): readonly [number, number, number, number] {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const ring of rings) {
    for (const [x, y] of ring) {
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
    }
  }
  return [x0, y0, x1, y1];
}
