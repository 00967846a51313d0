/**
 * How much of each pier the analysis saw: the pixels where both images have
 * data, against the pier polygon's area. A pier partly or wholly outside the
 * after image (or the before image) is counted over the covered part only,
 * and the numbers must say so.
 */
import { roiRingsAreaPx } from '../export/piers-csv.ts';
import type { AnalysisInput } from './cpu-pipeline.ts';

type Ring = readonly (readonly [number, number])[];

/** Clips a ring to one half-plane, keeping its winding (Sutherland & Hodgman 1974). */
function clipHalfPlane(
  ring: Ring,
  inside: (p: readonly [number, number]) => boolean,
  cut: (a: readonly [number, number], b: readonly [number, number]) => [number, number],
): [number, number][] {
  const out: [number, number][] = [];
  ring.forEach((current, index) => {
    const previous = ring[(index + ring.length - 1) % ring.length] ?? current;
    if (inside(current)) {
      if (!inside(previous)) out.push(cut(previous, current));
      out.push([current[0], current[1]]);
    } else if (inside(previous)) {
      out.push(cut(previous, current));
    }
  });
  return out;
}

/** The part of a ring inside [0, w] × [0, h]. */
export function clipRingToRect(ring: Ring, w: number, h: number): [number, number][] {
  const atX =
    (x: number) =>
    (a: readonly [number, number], b: readonly [number, number]): [number, number] => [
      x,
      a[1] + ((b[1] - a[1]) * (x - a[0])) / (b[0] - a[0]),
    ];
  const atY =
    (y: number) =>
    (a: readonly [number, number], b: readonly [number, number]): [number, number] => [
      a[0] + ((b[0] - a[0]) * (y - a[1])) / (b[1] - a[1]),
      y,
    ];
  let points: Ring = ring;
  points = clipHalfPlane(points, (p) => p[0] >= 0, atX(0));
  points = clipHalfPlane(points, (p) => p[0] <= w, atX(w));
  points = clipHalfPlane(points, (p) => p[1] >= 0, atY(0));
  points = clipHalfPlane(points, (p) => p[1] <= h, atY(h));
  return points.map(([x, y]): [number, number] => [x, y]);
}

/**
 * Per pier, the share of its area that both images cover, rounded down to
 * 0.01: the share of its polygon inside the analysis window (clamped at the
 * before image's edges) times the share of its rasterized pixels with data
 * at both dates (a pixel of two overlapping piers goes to one of them, so the
 * ratio is taken over the pier's own pixels).
 */
export function pierCoverage(input: AnalysisInput, roiIndex: Int32Array): number[] {
  const ownPx = new Float64Array(input.rois.length);
  const validPx = new Float64Array(input.rois.length);
  for (let i = 0; i < roiIndex.length; i++) {
    const roi = roiIndex[i] ?? -1;
    if (roi < 0) continue;
    ownPx[roi] = (ownPx[roi] ?? 0) + 1;
    if (input.valid[i] !== 0) validPx[roi] = (validPx[roi] ?? 0) + 1;
  }
  return input.rois.map((roi, index) => {
    const areaPx = roiRingsAreaPx(roi.rings);
    const own = ownPx[index] ?? 0;
    if (!(areaPx > 0) || own === 0) return 0;
    const clipped = roi.rings.map((ring) => clipRingToRect(ring, input.widthPx, input.heightPx));
    const insideShare = Math.min(1, roiRingsAreaPx(clipped) / areaPx);
    return Math.floor(insideShare * ((validPx[index] ?? 0) / own) * 100) / 100;
  });
}

/** A warning for each pier that the images do not wholly cover, or none (CLI stderr). */
export function coverageWarnings(names: readonly string[], coverage: readonly number[]): string[] {
  return names.flatMap((name, index) => {
    const share = coverage[index] ?? 0;
    if (share >= COVERED_SHARE) return [];
    return share <= 0
      ? [`${name}: no part of it lies in both images, so its numbers are 0 and mean nothing`]
      : [
          `${name}: only ${Math.round(share * 100)} % of it lies in both images; its numbers count that part only`,
        ];
  });
}

/** A pier counts as wholly covered from this share (rasterizing a polygon is not exact). */
export const COVERED_SHARE = 0.98;
