/**
 * Per-component statistics and the TEU estimate per ROI.
 *
 * Semantics (per-component reductions over canonical labels, then per ROI):
 * - Components are 8-connected (labelComponentsCpu: label = the component's
 *   smallest linear pixel index).
 * - Per component: area in pixels, and rim pixels (4-neighbour outside the
 *   mask or the image).
 * - A component is kept when its area in pixels ≥ minAreaM2 / pixelAreaM2
 *   (minKeptAreaPx). The masks are empty outside the ROIs (occupancy is
 *   measured against each ROI's own surface colour), so that area is the
 *   component's within the ROIs: over touching ROIs, all of it.
 * - Each ROI gets the pixels of kept components that lie inside it: a blob cut
 *   by an ROI edge counts by its share inside, and a blob over two ROIs is split.
 * - TEU = areaM2 · fillFactor / teuFootprintM2 (DESIGN.md, "Container estimate");
 *   low = (areaM2 − rimM2/2) · (fillFactor − spread) / footprint,
 *   high = (areaM2 + rimM2/2) · (fillFactor + spread) / footprint:
 *   the outline is uncertain by about half a pixel, the fill factor by the spread.
 *
 * estimateFromMask and fillHoles chain the steps the GPU takes (the CPU twins
 * of shaders/component-estimate.wgsl and shaders/hole-fill.wgsl, each step
 * one entry point or a small CPU tail): labelling, per-component reductions
 * indexed by canonical label, one per-pixel pass, per-ROI counts, and the
 * TEU arithmetic from integer counts (teuFromCounts, shared with the GPU
 * pipeline so both give the same numbers from the same counts).
 */
import { labelComponentsCpu } from '../ccl.ts';
import type { AnalysisParams } from './params.ts';

export interface TeuEstimate {
  readonly teu: number;
  readonly lowTeu: number;
  readonly highTeu: number;
  readonly areaM2: number;
  /** Kept components with at least one pixel in the ROI. */
  readonly blobs: number;
}

export interface MaskEstimate {
  /** One per ROI. */
  readonly perRoi: TeuEstimate[];
  /** The mask with dropped (too small) components cleared. */
  readonly kept: Uint8Array;
}

/** Per-ROI integer counts of one mask: what the TEU of each ROI is computed from. */
export interface RoiCounts {
  /** Pixels of kept components inside each ROI. */
  readonly areaPx: Uint32Array;
  /** Of those, pixels with a 4-neighbour outside the mask or on the image edge. */
  readonly rimPx: Uint32Array;
  /** Kept components with at least one pixel in each ROI. */
  readonly blobs: Uint32Array;
}

/**
 * A ratio of areas (m² ÷ m² per pixel) as a pixel count: a quotient within a
 * billionth of a whole number is that number, so a limit the analyst sets to a
 * whole number of pixels' area is that many pixels whichever way the division
 * rounds (0.27 m² ÷ 0.09 m² gives 3.0000000000000004, and 10 px · 0.36 m² is
 * 3.5999999999999996 m²).
 */
function areaRatioPx(areaM2: number, pixelAreaM2: number): number {
  const ratio = areaM2 / pixelAreaM2;
  const whole = Math.round(ratio);
  return Math.abs(ratio - whole) <= 1e-9 * Math.max(1, whole) ? whole : ratio;
}

/**
 * Smallest component area (pixels) that is kept: a component of fewer than
 * minAreaM2 / pixelAreaM2 pixels is dropped, so for whole pixel counts the
 * limit is the ceiling (of the ratio read as areaRatioPx does), clamped to the
 * u32 range the GPU holds it in.
 */
export function minKeptAreaPx(minAreaM2: number, pixelAreaM2: number): number {
  const limit = Math.ceil(areaRatioPx(minAreaM2, pixelAreaM2));
  return Number.isNaN(limit) ? 0 : Math.min(0xffffffff, Math.max(0, limit));
}

/**
 * Largest hole (pixels) that is filled: `area ≤ maxHolePx` for whole pixel
 * counts is `area ≤ floor(maxHolePx)`, clamped to the u32 range.
 */
export function maxHoleAreaPx(maxHolePx: number): number {
  const limit = Math.floor(maxHolePx);
  return Number.isNaN(limit) ? 0 : Math.min(0xffffffff, Math.max(0, limit));
}

/**
 * The hole limit in pixels for maxHoleM2 (fillHoles' and the GPU stage's
 * maxHolePx): a hole of exactly maxHoleM2 is filled however the division
 * rounds (150 m² over pixels of (0.1 m)² gives 14999.999999999996).
 */
export function maxHolePxOf(maxHoleM2: number, pixelAreaM2: number): number {
  return maxHoleAreaPx(areaRatioPx(maxHoleM2, pixelAreaM2));
}

/** Pixel count per canonical label (index = label; 0 where no component is rooted). */
export function componentAreas(labels: Int32Array): Uint32Array {
  const area = new Uint32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] ?? -1;
    if (label >= 0) area[label] = (area[label] ?? 0) + 1;
  }
  return area;
}

/**
 * Twin of `keep`: the kept mask (components with ≥ keepPx pixels) and, per
 * ROI, its kept pixels and rim pixels (4-neighbour outside `mask`, or the image edge).
 */
export function keepComponents(
  mask: Uint8Array,
  labels: Int32Array,
  areas: Uint32Array,
  keepPx: number,
  roiIndex: Int32Array,
  roiCount: number,
  widthPx: number,
  heightPx: number,
): { readonly kept: Uint8Array; readonly areaPx: Uint32Array; readonly rimPx: Uint32Array } {
  const kept = new Uint8Array(widthPx * heightPx);
  const areaPx = new Uint32Array(roiCount);
  const rimPx = new Uint32Array(roiCount);
  for (let y = 0; y < heightPx; y++) {
    for (let x = 0; x < widthPx; x++) {
      const i = y * widthPx + x;
      const label = labels[i] ?? -1;
      if (label < 0 || (areas[label] ?? 0) < keepPx) continue;
      kept[i] = 1;
      const roi = roiIndex[i] ?? -1;
      if (roi < 0 || roi >= roiCount) continue;
      areaPx[roi] = (areaPx[roi] ?? 0) + 1;
      const rim =
        x === 0 ||
        y === 0 ||
        x === widthPx - 1 ||
        y === heightPx - 1 ||
        mask[i - 1] === 0 ||
        mask[i + 1] === 0 ||
        mask[i - widthPx] === 0 ||
        mask[i + widthPx] === 0;
      if (rim) rimPx[roi] = (rimPx[roi] ?? 0) + 1;
    }
  }
  return { kept, areaPx, rimPx };
}

/** Twin of `roiBits` + `countBlobs`: distinct kept components with a pixel in each ROI. */
export function roiBlobCounts(
  labels: Int32Array,
  kept: Uint8Array,
  roiIndex: Int32Array,
  roiCount: number,
): Uint32Array {
  const seen: Set<number>[] = Array.from({ length: roiCount }, () => new Set<number>());
  for (let i = 0; i < labels.length; i++) {
    const roi = roiIndex[i] ?? -1;
    if (kept[i] === 0 || roi < 0 || roi >= roiCount) continue;
    seen[roi]?.add(labels[i] ?? -1);
  }
  return Uint32Array.from(seen, (labelsInRoi) => labelsInRoi.size);
}

/**
 * Twin of `countRoots`: per ROI, the kept components whose root (smallest
 * pixel index) lies in it. Equal to roiBlobCounts where every kept pixel lies
 * in an ROI and no two ROIs touch (roisTouch), for then each component lies in
 * one ROI, which its root names; the GPU pipeline's masks are such.
 */
export function roiBlobCountsAtRoots(
  labels: Int32Array,
  kept: Uint8Array,
  roiIndex: Int32Array,
  roiCount: number,
): Uint32Array {
  const blobs = new Uint32Array(roiCount);
  for (let i = 0; i < labels.length; i++) {
    const roi = roiIndex[i] ?? -1;
    if (labels[i] !== i || kept[i] === 0 || roi < 0 || roi >= roiCount) continue;
    blobs[roi] = (blobs[roi] ?? 0) + 1;
  }
  return blobs;
}

/**
 * TEU of an area with its low–high range: the outline uncertain by half its
 * rim, the fill factor by its spread (the table's, the blob click's and the
 * exports' one formula).
 */
export function teuOfArea(
  areaM2: number,
  rimM2: number,
  params: Pick<AnalysisParams, 'fillFactor' | 'teuFootprintM2' | 'fillFactorSpread'>,
): { readonly teu: number; readonly lowTeu: number; readonly highTeu: number } {
  const f = params.teuFootprintM2;
  return {
    teu: (areaM2 * params.fillFactor) / f,
    lowTeu: (Math.max(0, areaM2 - rimM2 / 2) * (params.fillFactor - params.fillFactorSpread)) / f,
    highTeu: ((areaM2 + rimM2 / 2) * (params.fillFactor + params.fillFactorSpread)) / f,
  };
}

/** TEU per ROI from the integer counts (the same arithmetic for both pipelines). */
export function teuFromCounts(
  counts: RoiCounts,
  pixelAreaM2: number,
  params: Pick<AnalysisParams, 'fillFactor' | 'teuFootprintM2' | 'fillFactorSpread'>,
): TeuEstimate[] {
  return Array.from(counts.areaPx, (area, roi): TeuEstimate => {
    const areaM2 = area * pixelAreaM2;
    const rimM2 = (counts.rimPx[roi] ?? 0) * pixelAreaM2;
    return {
      ...teuOfArea(areaM2, rimM2, params),
      areaM2,
      blobs: counts.blobs[roi] ?? 0,
    };
  });
}

export function estimateFromMask(
  mask: Uint8Array,
  widthPx: number,
  heightPx: number,
  roiIndex: Int32Array,
  roiCount: number,
  pixelAreaM2: number,
  params: Pick<AnalysisParams, 'minAreaM2' | 'fillFactor' | 'teuFootprintM2' | 'fillFactorSpread'>,
): MaskEstimate {
  const { labels } = labelComponentsCpu(mask, widthPx, heightPx);
  const areas = componentAreas(labels);
  const keepPx = minKeptAreaPx(params.minAreaM2, pixelAreaM2);
  const { kept, areaPx, rimPx } = keepComponents(
    mask,
    labels,
    areas,
    keepPx,
    roiIndex,
    roiCount,
    widthPx,
    heightPx,
  );
  const blobs = roiBlobCounts(labels, kept, roiIndex, roiCount);
  return { perRoi: teuFromCounts({ areaPx, rimPx, blobs }, pixelAreaM2, params), kept };
}

/** Twin of `background`: domain pixels outside the mask. */
export function holeBackground(mask: Uint8Array, domain: Uint8Array): Uint8Array {
  const background = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) background[i] = domain[i] !== 0 && mask[i] === 0 ? 1 : 0;
  return background;
}

/**
 * Twin of `holeStats`: per canonical label of the background, its pixel count
 * and whether any of its pixels is on the image edge or has a 4-neighbour
 * outside the domain (open: not a hole).
 */
export function holeStatsCpu(
  labels: Int32Array,
  domain: Uint8Array,
  widthPx: number,
  heightPx: number,
): { readonly area: Uint32Array; readonly open: Uint8Array } {
  const n = widthPx * heightPx;
  const area = new Uint32Array(n);
  const open = new Uint8Array(n);
  for (let y = 0; y < heightPx; y++) {
    for (let x = 0; x < widthPx; x++) {
      const i = y * widthPx + x;
      const label = labels[i] ?? -1;
      if (label < 0) continue;
      area[label] = (area[label] ?? 0) + 1;
      const border =
        x === 0 ||
        y === 0 ||
        x === widthPx - 1 ||
        y === heightPx - 1 ||
        domain[i - 1] === 0 ||
        domain[i + 1] === 0 ||
        domain[i - widthPx] === 0 ||
        domain[i + widthPx] === 0;
      if (border) open[label] = 1;
    }
  }
  return { area, open };
}

/**
 * Twin of `fill`: the mask plus every closed background component of ≤
 * maxHolePx pixels, except where `noFill` is set.
 */
export function fillFromHoleStats(
  mask: Uint8Array,
  labels: Int32Array,
  stats: { readonly area: Uint32Array; readonly open: Uint8Array },
  maxHolePx: number,
  noFill?: Uint8Array,
): Uint8Array {
  const out = Uint8Array.from(mask);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] ?? -1;
    if (label < 0 || stats.open[label] !== 0 || (stats.area[label] ?? 0) > maxHolePx) continue;
    if (noFill === undefined || noFill[i] === 0) out[i] = 1;
  }
  return out;
}

/**
 * Fills holes: background components (4-connected, of the domain's pixels
 * outside the mask) that do not touch a pixel outside the domain or the image
 * edge by a side and are at most maxHolePx. 4-connected because blobs are
 * 8-connected: a blob's diagonal steps close its outline, so a gap that meets
 * open ground only at a corner is enclosed, and two holes that meet at a
 * corner are two (the (8, 4) pairing, Rosenfeld 1970). Inside a block, a grey container or one
 * in the shade of a taller stack looks like bare deck; surrounded by
 * containers, it is one. Kernels: labelling of the complement, a per-component
 * reduction (area, touches-border flag), one per-pixel pass. Pixels set in
 * `noFill` stay as the mask has them: the analysis fills an appeared mask's
 * holes only off the before mask (a block that stood while boxes came around
 * it), which is mask ∨ (filled ∧ ¬noFill).
 */
export function fillHoles(
  mask: Uint8Array,
  domain: Uint8Array,
  widthPx: number,
  heightPx: number,
  maxHolePx: number,
  noFill?: Uint8Array,
): Uint8Array {
  const { labels } = labelComponentsCpu(holeBackground(mask, domain), widthPx, heightPx, 4);
  const stats = holeStatsCpu(labels, domain, widthPx, heightPx);
  return fillFromHoleStats(mask, labels, stats, maxHolePx, noFill);
}
