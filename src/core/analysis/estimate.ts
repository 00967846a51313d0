/**
 * Per-component statistics and the TEU estimate per ROI.
 *
 * Semantics (per-component reductions over canonical labels, then per ROI):
 * - Components are 8-connected (labelComponentsCpu: label = the component's
 *   smallest linear pixel index).
 * - Per component: area in pixels, and rim pixels (4-neighbour outside the
 *   mask or the image).
 * - A component is kept when area · pixelAreaM2 ≥ minAreaM2 (its whole area,
 *   inside and outside ROIs).
 * - Each ROI gets the pixels of kept components that lie inside it: a blob cut
 *   by an ROI edge counts by its share inside, and a blob over two ROIs is split.
 * - TEU = areaM2 · fillFactor / teuFootprintM2 (DESIGN.md, "Container estimate");
 *   low = (areaM2 − rimM2/2) · (fillFactor − spread) / footprint,
 *   high = (areaM2 + rimM2/2) · (fillFactor + spread) / footprint:
 *   the outline is uncertain by about half a pixel, the fill factor by the spread.
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
  const n = widthPx * heightPx;
  const area = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = labels[i] ?? -1;
    if (label >= 0) area[label] = (area[label] ?? 0) + 1;
  }
  const minPx = params.minAreaM2 / pixelAreaM2;
  const kept = new Uint8Array(n);
  const areaPx = new Float64Array(roiCount);
  const rimPx = new Float64Array(roiCount);
  const blobSets: Set<number>[] = Array.from({ length: roiCount }, () => new Set<number>());
  for (let y = 0; y < heightPx; y++) {
    for (let x = 0; x < widthPx; x++) {
      const i = y * widthPx + x;
      const label = labels[i] ?? -1;
      if (label < 0 || (area[label] ?? 0) < minPx) continue;
      kept[i] = 1;
      const roi = roiIndex[i] ?? -1;
      if (roi < 0) continue;
      areaPx[roi] = (areaPx[roi] ?? 0) + 1;
      blobSets[roi]?.add(label);
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
  const perRoi = Array.from({ length: roiCount }, (_, roi): TeuEstimate => {
    const areaM2 = (areaPx[roi] ?? 0) * pixelAreaM2;
    const rimM2 = (rimPx[roi] ?? 0) * pixelAreaM2;
    const f = params.teuFootprintM2;
    return {
      teu: (areaM2 * params.fillFactor) / f,
      lowTeu: (Math.max(0, areaM2 - rimM2 / 2) * (params.fillFactor - params.fillFactorSpread)) / f,
      highTeu: ((areaM2 + rimM2 / 2) * (params.fillFactor + params.fillFactorSpread)) / f,
      areaM2,
      blobs: blobSets[roi]?.size ?? 0,
    };
  });
  return { perRoi, kept };
}

/**
 * Fills holes: background components (8-connected, of the domain's pixels
 * outside the mask) that do not touch a pixel outside the domain or the image
 * edge and are smaller than maxHolePx. Inside a block, a grey container or one
 * in the shade of a taller stack looks like bare deck; surrounded by
 * containers, it is one. Kernels: labelling of the complement, a per-component
 * reduction (area, touches-border flag), one per-pixel pass.
 */
export function fillHoles(
  mask: Uint8Array,
  domain: Uint8Array,
  widthPx: number,
  heightPx: number,
  maxHolePx: number,
): Uint8Array {
  const n = widthPx * heightPx;
  const background = new Uint8Array(n);
  for (let i = 0; i < n; i++) background[i] = domain[i] !== 0 && mask[i] === 0 ? 1 : 0;
  const { labels } = labelComponentsCpu(background, widthPx, heightPx);
  const area = new Int32Array(n);
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
  const out = Uint8Array.from(mask);
  for (let i = 0; i < n; i++) {
    const label = labels[i] ?? -1;
    if (label >= 0 && open[label] === 0 && (area[label] ?? 0) <= maxHolePx) out[i] = 1;
  }
  return out;
}
