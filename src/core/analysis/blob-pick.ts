/**
 * The blob under a clicked pixel, and the fill-factor calibration from it.
 *
 * A blob is an 8-connected component (as in estimate.ts) of one kind's kept
 * mask: appeared, disappeared, or present at both dates (before ∧ after).
 * Where kinds overlap the click takes appeared, then disappeared, then both.
 * Its TEU follows the table's arithmetic: areaM2 · fillFactor / teuFootprintM2
 * (DESIGN.md, "Container estimate"); calibration inverts it:
 * fillFactor = containers · teuFootprintM2 / areaM2.
 */
import type { AnalysisInput, AnalysisResult } from './cpu-pipeline.ts';
import { meanChangeDn, type ChangeMagnitude } from './change-magnitude.ts';
import { teuOfArea } from './estimate.ts';
import { BLOB_KINDS, inKind, onOutline, type BlobKind, type KindMasks } from './overlays.ts';
import { analysisParamsProblems, NUMBER_RULES, type AnalysisParams } from './params.ts';

/** What blobs are found in: an analysis's kept masks over its window (the click and the export). */
export interface BlobSource {
  readonly widthPx: number;
  readonly heightPx: number;
  readonly pixelAreaM2: number;
  readonly masks: KindMasks;
  readonly changeMagnitude: ChangeMagnitude;
  /** ROI index per window pixel (-1 outside every ROI). */
  readonly roiIndex: Int32Array;
  readonly roiNames: readonly string[];
}

export type PickSource = BlobSource;

/** The blob source of an analysis: its window, masks, change magnitude and piers. */
export function blobSourceOf(
  result: Pick<AnalysisResult, 'masks' | 'changeMagnitude' | 'roiIndex' | 'rois'>,
  input: Pick<AnalysisInput, 'widthPx' | 'heightPx' | 'pixelAreaM2'>,
): BlobSource {
  return {
    widthPx: input.widthPx,
    heightPx: input.heightPx,
    pixelAreaM2: input.pixelAreaM2,
    masks: result.masks,
    changeMagnitude: result.changeMagnitude,
    roiIndex: result.roiIndex,
    roiNames: result.rois.map((roi) => roi.name),
  };
}

export interface PickedBlob {
  readonly kind: BlobKind;
  /** Window pixels of the blob (linear indices), in the order the fill reached them. */
  readonly pixels: Uint32Array;
  readonly areaPx: number;
  readonly areaM2: number;
  /** Pixels of the blob on its outline (rimPixels), m²: the TEU range's ± half of it. */
  readonly rimM2: number;
  /** Mean change magnitude over the blob, DN (change-magnitude.ts). */
  readonly meanChangeDn: number;
  /** The ROI holding most of the blob; null when none does. */
  readonly roiName: string | null;
}

/** The 8-connected component of `inside` that holds `seed`. */
function componentOf(
  widthPx: number,
  heightPx: number,
  inside: (pixel: number) => boolean,
  seed: number,
): Uint32Array {
  const seen = new Uint8Array(widthPx * heightPx);
  const stack = [seed];
  const pixels: number[] = [];
  seen[seed] = 1;
  while (stack.length > 0) {
    const i = stack.pop() ?? 0;
    pixels.push(i);
    const x = i % widthPx;
    const y = (i - x) / widthPx;
    for (let dy = -1; dy <= 1; dy++) {
      const qy = y + dy;
      if (qy < 0 || qy >= heightPx) continue;
      for (let dx = -1; dx <= 1; dx++) {
        const qx = x + dx;
        if (qx < 0 || qx >= widthPx) continue;
        const q = qy * widthPx + qx;
        if (seen[q] === 0 && inside(q)) {
          seen[q] = 1;
          stack.push(q);
        }
      }
    }
  }
  return Uint32Array.from(pixels);
}

/**
 * The blob under window pixel (xPx, yPx) (fractional: the pixel that covers
 * the point), or null when no kept blob covers it or it lies outside the window.
 */
export function pickBlob(source: PickSource, xPx: number, yPx: number): PickedBlob | null {
  const x = Math.floor(xPx);
  const y = Math.floor(yPx);
  if (!(x >= 0 && y >= 0 && x < source.widthPx && y < source.heightPx)) return null;
  const seed = y * source.widthPx + x;
  const kind = BLOB_KINDS.find((k) => inKind(source.masks, k, seed));
  if (kind === undefined) return null;
  const inside = (i: number): boolean => inKind(source.masks, kind, i);
  const pixels = componentOf(source.widthPx, source.heightPx, inside, seed);
  let rimPx = 0;
  const perRoi = new Map<number, number>();
  for (const i of pixels) {
    // The table's rim rule (keepComponents in estimate.ts), as the outlines draw it.
    if (onOutline(source, inside, i)) rimPx++;
    const roi = source.roiIndex[i] ?? -1;
    if (roi >= 0) perRoi.set(roi, (perRoi.get(roi) ?? 0) + 1);
  }
  // Ties go to the first ROI in file order, as in the blobs export (traceBlobs),
  // not to the ROI the flood fill happened to meet first.
  let roi = -1;
  let most = 0;
  for (const [index, count] of perRoi) {
    if (count > most || (count === most && index < roi)) [roi, most] = [index, count];
  }
  return {
    kind,
    pixels,
    areaPx: pixels.length,
    areaM2: pixels.length * source.pixelAreaM2,
    rimM2: rimPx * source.pixelAreaM2,
    meanChangeDn: meanChangeDn(source.changeMagnitude, pixels),
    roiName: roi >= 0 ? (source.roiNames[roi] ?? null) : null,
  };
}

/**
 * A blob's TEU with the table's arithmetic (estimate.ts), and its low–high
 * range from the spread and half its rim, as the table's ranges have them.
 */
export function blobTeu(
  blob: Pick<PickedBlob, 'areaM2' | 'rimM2'>,
  params: Pick<AnalysisParams, 'fillFactor' | 'fillFactorSpread' | 'teuFootprintM2'>,
): { readonly teu: number; readonly lowTeu: number; readonly highTeu: number } {
  return teuOfArea(blob.areaM2, blob.rimM2, params);
}

/** Fill factors are kept to this many decimals (the TEU they give moves by < 0.01 %). */
const FILL_FACTOR_DECIMALS = 4;

/**
 * The parameters with the fill factor that makes a blob of `areaM2` hold
 * `containers` TEU; throws a specific message when the count is not a
 * positive number or the fill factor it gives is out of range.
 */
export function calibrateFillFactor(
  params: AnalysisParams,
  areaM2: number,
  containers: number,
): AnalysisParams {
  if (!Number.isFinite(containers) || containers <= 0) {
    throw new Error(
      `The container count must be a positive number of TEU (got ${String(containers)})`,
    );
  }
  if (!(areaM2 > 0)) throw new Error(`The blob has no area to calibrate on (${areaM2} m²)`);
  const scale = 10 ** FILL_FACTOR_DECIMALS;
  const fillFactor = Math.round(((containers * params.teuFootprintM2) / areaM2) * scale) / scale;
  const rule = NUMBER_RULES.fillFactor;
  const impliedM2 = (areaM2 / containers).toFixed(1);
  if (rule !== undefined && (fillFactor < rule.min || fillFactor > rule.max)) {
    throw new Error(
      `${containers} TEU on ${areaM2.toFixed(0)} m² (${impliedM2} m² each) gives a fill factor of ` +
        `${fillFactor}; it must be from ${rule.min} to ${rule.max}: check the count or pick another blob`,
    );
  }
  const next = { ...params, fillFactor };
  const problems = analysisParamsProblems(next);
  if (problems.length > 0) {
    throw new Error(
      `${containers} TEU on ${areaM2.toFixed(0)} m² gives a fill factor of ${fillFactor}: ${problems.join('; ')}`,
    );
  }
  return next;
}
