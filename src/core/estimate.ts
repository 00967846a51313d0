/**
 * Container estimate (DESIGN.md, "Container estimate"): TEU from blob area,
 * never from blob counts.
 *
 *   TEU = areaM2 × fillFactor ÷ teuFootprintM2,
 *   teuFootprintM2 = 6.058 m × 2.438 m ≈ 14.77 m² (ISO 668 1C, a 20-ft container).
 *
 * Only the top tier is visible from above: a stack counts once.
 *
 * Kinds (per-pixel code, bit 0 = occupied before, bit 1 = occupied after; the
 * per-component counts of src/core/component-stats.ts):
 *   before      = before-only + both        after       = after-only + both
 *   appeared    = after-only                disappeared = before-only
 *   net         = after − before = appeared − disappeared
 * Pixels of code 0 (in a blob but occupied at neither date, e.g. closed by
 * morphology) count for nothing.
 *
 * ROIs: a blob counts in ROI r by its share inside, roiPixels[r] / pixels. Its
 * kinds are taken as spread evenly over the blob (exact when the blob lies in
 * one ROI; the per-kind split of a cut blob is not measured).
 *
 * minAreaM2 filters whole blobs (all their pixels, inside an ROI or not), so a
 * large blob cut by an ROI edge keeps its share however small.
 *
 * Range [lo, hi] per quantity: area quantization ± half a pixel along each
 * blob's outline, taken as ± 0.5 × its boundary pixels (shared among kinds and
 * ROIs like the area), combined with fillFactor ± fillFactorBand (clamped to
 * [0, 1]). Per ROI the pixel bounds are summed over blobs (errors assumed all
 * in one direction: conservative), then the fill factor's two ends give the
 * extremes (one fill factor for the whole image). For net, the quantization of
 * appeared and disappeared add.
 */
import {
  KIND_AFTER_ONLY,
  KIND_BEFORE_ONLY,
  KIND_BOTH,
  type ComponentTable,
} from './component-stats.ts';

/** ISO 668 1C (20-ft) external length and width. */
export const TEU_LENGTH_M = 6.058;
export const TEU_WIDTH_M = 2.438;
/** 14.769… m², "14.77 m²" in DESIGN.md. */
export const TEU_FOOTPRINT_M2 = TEU_LENGTH_M * TEU_WIDTH_M;

export interface EstimateParams {
  /** Share of a blob's area that is container tops (gaps between rows and bays excluded), (0, 1]. */
  readonly fillFactor: number;
  /** ± uncertainty of fillFactor used for the range. */
  readonly fillFactorBand: number;
  /** Ground footprint of one TEU in m². */
  readonly teuFootprintM2: number;
  /** Blobs smaller than this (whole blob) are ignored. */
  readonly minAreaM2: number;
}

/**
 * Defaults: a block of touching 20-ft slots at ~0.14 m × 0.08 m spacing covers
 * ~93 % of its outline; 0.9 ± 0.1 leaves room for aisles inside one blob.
 * minAreaM2: half a TEU footprint.
 */
export const DEFAULT_ESTIMATE_PARAMS: EstimateParams = {
  fillFactor: 0.9,
  fillFactorBand: 0.1,
  teuFootprintM2: TEU_FOOTPRINT_M2,
  minAreaM2: TEU_FOOTPRINT_M2 / 2,
};

export type Range = readonly [lo: number, hi: number];

export interface TeuFigures {
  readonly beforeTeu: number;
  readonly afterTeu: number;
  readonly appearedTeu: number;
  readonly disappearedTeu: number;
  readonly netTeu: number;
  readonly rangeTeu: {
    readonly before: Range;
    readonly after: Range;
    readonly appeared: Range;
    readonly disappeared: Range;
    readonly net: Range;
  };
}

export interface BlobEstimate {
  /** Dense component id (1-based). */
  readonly id: number;
  readonly areaPx: number;
  readonly areaM2: number;
  /** False when empty or below minAreaM2. */
  readonly counted: boolean;
  /** Whole-blob TEU from its total area (all kinds). */
  readonly teu: number;
  /** Share of the blob's pixels inside any ROI, 0..1. */
  readonly shareInsideRois: number;
}

export interface RoiEstimate extends TeuFigures {
  readonly name: string;
  /** Counted blobs with at least one pixel inside. */
  readonly blobCount: number;
  /** Σ share-weighted blob area inside, m². */
  readonly blobAreaM2: number;
}

export interface EstimateResult {
  readonly blobs: readonly BlobEstimate[];
  readonly rois: readonly RoiEstimate[];
  /** Every counted blob whole, inside an ROI or not. */
  readonly total: RoiEstimate;
}

export interface EstimateInput {
  readonly components: ComponentTable;
  /** Ground area of one pixel of the analysis grid. */
  readonly pixelAreaM2: number;
  /** One name per ROI mask id 1..roiCount. */
  readonly roiNames: readonly string[];
}

export function validateEstimateParams(params: EstimateParams): void {
  const { fillFactor, fillFactorBand, teuFootprintM2, minAreaM2 } = params;
  if (!(fillFactor > 0 && fillFactor <= 1)) {
    throw new Error(`fillFactor must be in (0, 1] (got ${fillFactor})`);
  }
  if (!(fillFactorBand >= 0 && fillFactorBand < 1)) {
    throw new Error(`fillFactorBand must be in [0, 1) (got ${fillFactorBand})`);
  }
  if (!(teuFootprintM2 > 0) || !Number.isFinite(teuFootprintM2)) {
    throw new Error(`teuFootprintM2 must be positive (got ${teuFootprintM2})`);
  }
  if (!(minAreaM2 >= 0) || !Number.isFinite(minAreaM2)) {
    throw new Error(`minAreaM2 must be zero or positive (got ${minAreaM2})`);
  }
}

/** Pixel sums of one ROI: point value and quantization half-width per quantity. */
class Accumulator {
  readonly px = { before: 0, after: 0, appeared: 0, disappeared: 0 };
  readonly quantPx = { before: 0, after: 0, appeared: 0, disappeared: 0 };
  blobCount = 0;
  areaPx = 0;

  add(
    share: number,
    areaPx: number,
    boundaryPx: number,
    kinds: { before: number; after: number; appeared: number; disappeared: number },
  ): void {
    if (share <= 0) return;
    this.blobCount++;
    this.areaPx += share * areaPx;
    for (const key of ['before', 'after', 'appeared', 'disappeared'] as const) {
      const classPx = kinds[key];
      this.px[key] += share * classPx;
      // ± half a pixel along the outline, split among kinds like the area.
      this.quantPx[key] += (share * 0.5 * boundaryPx * classPx) / areaPx;
    }
  }

  /** `teuPerPx(fill)`: TEU of one pixel at a fill factor. */
  figures(
    teuPerPx: (fill: number) => number,
    fill: number,
    fillLo: number,
    fillHi: number,
  ): TeuFigures {
    const range = (px: number, quantPx: number): Range => {
      const corners = [px - quantPx, px + quantPx].flatMap((p) => [
        p * teuPerPx(fillLo),
        p * teuPerPx(fillHi),
      ]);
      return [Math.min(...corners), Math.max(...corners)];
    };
    // Counts cannot go below zero; net can.
    const positive = (r: Range): Range => [Math.max(0, r[0]), Math.max(0, r[1])];
    const { px, quantPx } = this;
    const netPx = px.appeared - px.disappeared;
    const point = teuPerPx(fill);
    return {
      beforeTeu: px.before * point,
      afterTeu: px.after * point,
      appearedTeu: px.appeared * point,
      disappearedTeu: px.disappeared * point,
      netTeu: netPx * point,
      rangeTeu: {
        before: positive(range(px.before, quantPx.before)),
        after: positive(range(px.after, quantPx.after)),
        appeared: positive(range(px.appeared, quantPx.appeared)),
        disappeared: positive(range(px.disappeared, quantPx.disappeared)),
        net: range(netPx, quantPx.appeared + quantPx.disappeared),
      },
    };
  }
}

/** Per-blob and per-ROI TEU figures from component statistics. */
export function estimateTeu(input: EstimateInput, params: EstimateParams): EstimateResult {
  validateEstimateParams(params);
  const { components, pixelAreaM2, roiNames } = input;
  const { fillFactor, fillFactorBand, teuFootprintM2, minAreaM2 } = params;
  if (!(pixelAreaM2 > 0) || !Number.isFinite(pixelAreaM2)) {
    throw new Error(`pixelAreaM2 must be a positive finite number (got ${pixelAreaM2})`);
  }
  const roiCount = components.roiCount;
  if (roiNames.length !== roiCount) {
    throw new Error(`Need one name per ROI (${roiCount}), got ${roiNames.length}`);
  }
  const fillLo = Math.max(0, fillFactor - fillFactorBand);
  const fillHi = Math.min(1, fillFactor + fillFactorBand);
  const teuPerPx = (fill: number): number => (pixelAreaM2 * fill) / teuFootprintM2;

  const perRoi = roiNames.map(() => new Accumulator());
  const total = new Accumulator();
  const blobs: BlobEstimate[] = [];
  for (let c = 0; c < components.componentCount; c++) {
    const areaPx = components.pixelCount[c] ?? 0;
    const areaM2 = areaPx * pixelAreaM2;
    const counted = areaPx > 0 && areaM2 >= minAreaM2;
    let insidePx = 0;
    for (let r = 0; r < roiCount; r++) insidePx += components.roiPixelCounts[c * roiCount + r] ?? 0;
    blobs.push({
      id: c + 1,
      areaPx,
      areaM2,
      counted,
      teu: areaPx * teuPerPx(fillFactor),
      shareInsideRois: areaPx > 0 ? insidePx / areaPx : 0,
    });
    if (!counted) continue;
    const kind = (k: number): number => components.kindCounts[c * 4 + k] ?? 0;
    const kinds = {
      before: kind(KIND_BEFORE_ONLY) + kind(KIND_BOTH),
      after: kind(KIND_AFTER_ONLY) + kind(KIND_BOTH),
      appeared: kind(KIND_AFTER_ONLY),
      disappeared: kind(KIND_BEFORE_ONLY),
    };
    const boundaryPx = components.boundaryPx[c] ?? 0;
    total.add(1, areaPx, boundaryPx, kinds);
    for (let r = 0; r < roiCount; r++) {
      const share = (components.roiPixelCounts[c * roiCount + r] ?? 0) / areaPx;
      perRoi[r]?.add(share, areaPx, boundaryPx, kinds);
    }
  }
  const finish = (name: string, acc: Accumulator): RoiEstimate => ({
    name,
    blobCount: acc.blobCount,
    blobAreaM2: acc.areaPx * pixelAreaM2,
    ...acc.figures(teuPerPx, fillFactor, fillLo, fillHi),
  });
  return {
    blobs,
    rois: perRoi.map((acc, r) => finish(roiNames[r] ?? `ROI ${r + 1}`, acc)),
    total: finish('all blobs', total),
  };
}
