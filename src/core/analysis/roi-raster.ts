/**
 * ROI rasterization: which ROI (pier) each pixel of the analysis grid belongs to.
 *
 * Semantics (a GPU kernel mirrors them per pixel: one thread per pixel tests
 * its centre against every edge):
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

/** One ROI in pixel coordinates of the analysis grid. */
export interface PixelPolygon {
  readonly name: string;
  /** Closed or open rings of [col, row] positions, corner origin. */
  readonly rings: readonly (readonly (readonly [number, number])[])[];
}

export const NO_ROI = -1;

/** Winding number of the point (cx, cy) against the rings. */
function winding(rings: PixelPolygon['rings'], cx: number, cy: number): number {
  let w = 0;
  for (const ring of rings) {
    const n = ring.length;
    for (let k = 0; k < n; k++) {
      const a = ring[k];
      const b = ring[(k + 1) % n];
      if (a === undefined || b === undefined) continue;
      const [x0, y0] = a;
      const [x1, y1] = b;
      if (y0 <= cy && cy < y1) {
        // Upward crossing (in row order): counts when the point is left of the edge.
        if ((x1 - x0) * (cy - y0) - (cx - x0) * (y1 - y0) > 0) w++;
      } else if (y1 <= cy && cy < y0) {
        if ((x1 - x0) * (cy - y0) - (cx - x0) * (y1 - y0) < 0) w--;
      }
    }
  }
  return w;
}

/**
 * ROI index per pixel (−1 outside all). Only pixels inside each polygon's
 * bounding box are tested, which gives the same answer as testing all.
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
    for (let row = r0; row <= r1; row++) {
      for (let col = c0; col <= c1; col++) {
        const i = row * widthPx + col;
        if (out[i] !== NO_ROI) continue;
        if (winding(roi.rings, col + 0.5, row + 0.5) !== 0) out[i] = index;
      }
    }
  });
  return out;
}
