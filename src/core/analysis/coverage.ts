/**
 * How much of each pier the analysis saw: the pixels where both images have
 * data, against the pier polygon's area. A pier partly or wholly outside the
 * after image (or the before image) is counted over the covered part only,
 * and the numbers must say so.
 */
import type { AnalysisInput } from './cpu-pipeline.ts';
import { analysedAreaPx, windingAreaPx, type PixelPolygon } from './roi-raster.ts';

/**
 * Per pier, the share of its area the analysis counts for it, rounded down to
 * 0.01: the share of its polygon inside the analysis window (clamped at the
 * before image's edges; holes count, unlike roi-edit's fractionInsideImage)
 * times the share of the pixels it would rasterize to alone (windingAreaPx)
 * that are its own, with data at both dates. A pixel of two overlapping piers
 * goes to the one listed first, so a pier partly under an earlier one has
 * that part uncounted, and says so, as for a part off the images.
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
    const own = ownPx[index] ?? 0;
    const insideShare = shareInWindow(roi.rings, input);
    if (own === 0 || !(insideShare > 0)) return 0;
    const alone = Math.max(own, windingAreaPx(roi.rings, input) ?? own);
    return Math.floor(insideShare * ((validPx[index] ?? 0) / alone) * 100) / 100;
  });
}

/** The share of an ROI's area inside the analysis window (holes count). */
function shareInWindow(
  rings: PixelPolygon['rings'],
  input: Pick<AnalysisInput, 'widthPx' | 'heightPx'>,
): number {
  const areaPx = analysedAreaPx(rings);
  return areaPx > 0 ? Math.min(1, analysedAreaPx(rings, input) / areaPx) : 0;
}

/**
 * Per pier, whether most of it (half its area or more) lies on the analysis
 * grid yet no pixel centre lies inside it (a pier smaller or thinner than a
 * pixel, or hidden under an earlier pier): nothing of it is analysed, though
 * it is not outside. A pier mostly off the grid gets the coverage message.
 */
export function piersWithoutPixels(
  input: Pick<AnalysisInput, 'rois' | 'widthPx' | 'heightPx'>,
  roiIndex: Int32Array,
): boolean[] {
  const seen = new Uint8Array(input.rois.length);
  for (const roi of roiIndex) if (roi >= 0 && roi < seen.length) seen[roi] = 1;
  return input.rois.map((roi, index) => {
    return seen[index] !== 1 && shareInWindow(roi.rings, input) >= 0.5;
  });
}

/** What a pier without pixels is told (CLI stderr, and the pier table's note). */
export const NO_PIXELS_NOTE =
  'no pixel centre lies inside it (it is smaller or thinner than a pixel, or under an earlier pier), so it is not analysed';

/**
 * A warning for each pier that the images do not wholly cover, or none (CLI
 * stderr); `withoutPixels` (piersWithoutPixels) tells a pier too small to
 * hold a pixel from one outside the images.
 */
export function coverageWarnings(
  names: readonly string[],
  coverage: readonly number[],
  withoutPixels: readonly boolean[] = [],
): string[] {
  return names.flatMap((name, index) => {
    if (withoutPixels[index] === true) return [`${name}: ${NO_PIXELS_NOTE}`];
    const share = coverage[index] ?? 0;
    if (share >= COVERED_SHARE) return [];
    return share <= 0
      ? [`${name}: no part of it lies in both images, so its numbers are 0 and mean nothing`]
      : [
          `${name}: only ${Math.round(share * 100)} % of it is counted (the rest lies outside the images, where they hold no data, or under a pier listed before it); its numbers count that part only`,
        ];
  });
}

/** A pier counts as wholly covered from this share (rasterizing a polygon is not exact). */
export const COVERED_SHARE = 0.98;
