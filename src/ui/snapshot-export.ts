/**
 * The app's side of the annotated snapshot: the scene of what is on screen
 * (view rectangle, imagery, visible overlays, piers and their numbers), drawn
 * by the shared renderer (src/core/export/snapshot-draw.ts) on an
 * OffscreenCanvas, and the "quaywatch" iTXt chunk added; and reading that
 * chunk back from a dropped or loaded PNG.
 */
import type { AnalysisParams } from '../core/analysis/params.ts';
import { readItxt } from '../core/export/png-itxt.ts';
import {
  drawSnapshot,
  layoutOfScene,
  type SnapshotPier,
  type SnapshotScene,
} from '../core/export/snapshot-draw.ts';
import {
  parseSnapshotMetadata,
  round2,
  SNAPSHOT_KEYWORD,
  snapshotFootnote,
  withSnapshotMetadata,
  type SnapshotFileRef,
  type SnapshotMetadata,
} from '../core/export/snapshot-metadata.ts';
import type { Rgba8Image } from '../core/raster.ts';
import type { ViewGeo } from '../core/view-geo.ts';
import { visibleRect, type ViewOverlay, type ViewTransform } from '../core/view-transform.ts';

export type SnapshotScale = 'screen' | '2x' | 'full';

export interface SnapshotOptions {
  readonly layout: 'single' | 'side-by-side';
  readonly scale: SnapshotScale;
  readonly title: string;
  readonly credit: string;
}

/** What the app hands over: the state on screen now. */
export interface SnapshotSource {
  readonly before: { readonly image: Rgba8Image; readonly label: string };
  readonly after: { readonly image: Rgba8Image; readonly label: string };
  /** Full-resolution size of the before image (the display images are stretched over it). */
  readonly imageWidthPx: number;
  readonly imageHeightPx: number;
  /** The view's transform and one pane's CSS size. */
  readonly transform: ViewTransform;
  readonly paneWidthPx: number;
  readonly paneHeightPx: number;
  readonly overlays: readonly ViewOverlay[];
  readonly piers: readonly SnapshotPier[];
  /** Per-pier numbers, unrounded, in table order. */
  readonly numbers: readonly {
    readonly name: string;
    readonly beforeTeu: number;
    readonly afterTeu: number;
    readonly appearedTeu: number;
    readonly disappearedTeu: number;
    readonly netTeu: number;
    readonly netLowTeu: number;
    readonly netHighTeu: number;
  }[];
  readonly geo: ViewGeo | null;
  /** Lines under the table for what makes the numbers doubtful (coarsePixelCaveat); none when absent. */
  readonly caveats: readonly string[];
  readonly params: AnalysisParams;
  readonly shiftPx: readonly [number, number];
  readonly alignmentMethod: string;
  readonly files: readonly SnapshotFileRef[];
  readonly viewState: unknown;
  /**
   * Reads both dates over a full-resolution window [x0, y0, x1, y1) of the
   * before image, as displayed (same bands, stretch and shift), at most
   * `maxSidePx` a side; null when it cannot (no georeference). For the
   * full-scale snapshot of images larger than their display copies.
   */
  readonly readFullResolution?: (
    windowPx: readonly [number, number, number, number],
    maxSidePx: number,
    signal?: AbortSignal,
  ) => Promise<{ readonly before: Rgba8Image; readonly after: Rgba8Image } | null>;
}

/** What renderSnapshotPng made. */
export interface RenderedSnapshot {
  readonly png: Uint8Array;
  /** Where the imagery came from: the display copies, or a full-resolution read. */
  readonly imagery: 'display' | 'full resolution';
}

/**
 * A restore keeps the shift in use when the snapshot's is within this of it:
 * half the 0.01 px to which result.json (and so a CLI snapshot) rounds it.
 */
export const SNAPSHOT_SHIFT_TOLERANCE_PX = 0.005;

/** Full-resolution snapshots stay within this side (canvas limits of browsers). */
export const MAX_SNAPSHOT_SIDE_PX = 8192;

/**
 * Imagery read for a full-scale snapshot stays within this side: a 4096²
 * window is 64 MiB of RGBA per date (and four times that as floats while the
 * io worker reads it); larger areas are read at an overview level.
 */
export const MAX_SNAPSHOT_READ_SIDE_PX = 4096;

/**
 * The whole-pixel window [x0, y0, x1, y1) of the image under a snapshot's
 * rectangle, clamped to the image; null when they do not meet.
 */
export function snapshotWindow(
  rectImagePx: readonly [number, number, number, number],
  imageWidthPx: number,
  imageHeightPx: number,
): readonly [number, number, number, number] | null {
  const [x, y, w, h] = rectImagePx;
  const x0 = Math.max(0, Math.floor(x));
  const y0 = Math.max(0, Math.floor(y));
  const x1 = Math.min(imageWidthPx, Math.ceil(x + w));
  const y1 = Math.min(imageHeightPx, Math.ceil(y + h));
  return x1 > x0 && y1 > y0 ? [x0, y0, x1, y1] : null;
}

export function appScene(source: SnapshotSource, options: SnapshotOptions): SnapshotScene {
  const paneWidth = Math.max(1, Math.round(source.paneWidthPx));
  const paneHeight = Math.max(1, Math.round(source.paneHeightPx));
  const [vx, vy, vw, vh] = visibleRect(source.transform, { width: paneWidth, height: paneHeight });
  const full = [0, 0, source.imageWidthPx, source.imageHeightPx] as const;
  const viewScale = source.transform.scale;
  let outputPxPerImagePx: number;
  let textScale: number;
  if (options.scale === 'full') {
    outputPxPerImagePx = Math.min(1, MAX_SNAPSHOT_SIDE_PX / Math.max(vw, vh));
    textScale = Math.max(1, Math.round(outputPxPerImagePx / viewScale));
  } else {
    textScale = options.scale === '2x' ? 2 : 1;
    outputPxPerImagePx = viewScale * textScale;
  }
  // Screen and 2×: exactly the pane (times 2); the rectangle follows from it.
  const rect =
    options.scale === 'full'
      ? ([vx, vy, vw, vh] as const)
      : ([vx, vy, paneWidth / viewScale, paneHeight / viewScale] as const);
  const centre: [number, number] = [rect[0] + rect[2] / 2, rect[1] + rect[3] / 2];
  return {
    layout: options.layout,
    rectImagePx: rect,
    outputPxPerImagePx,
    textScale,
    before: { ...source.before, rectImagePx: full },
    after: { ...source.after, rectImagePx: full },
    overlays: source.overlays
      .filter((overlay) => overlay.visible)
      .map((overlay) => ({
        id: overlay.id,
        image: overlay.image,
        rectImagePx: overlay.rectImagePx,
        opacity01: overlay.opacity,
        legend: overlay.legend ?? [],
        ...(overlay.minify === undefined ? {} : { minify: overlay.minify }),
      })),
    piers: source.piers,
    metresPerImagePx: source.geo?.metresPerPixel(centre[0], centre[1]) ?? null,
    northDegrees: source.geo?.northDegrees(centre[0], centre[1]) ?? null,
    title: options.title,
    credit: options.credit,
    footnote: snapshotFootnote(__QW_APP_VERSION__),
    caveats: source.caveats,
  };
}

export function appMetadata(source: SnapshotSource, scene: SnapshotScene): SnapshotMetadata {
  return {
    version: __QW_APP_VERSION__,
    params: source.params,
    // Unrounded, so a restore re-runs with exactly the shift these numbers came from.
    alignment: { shiftPx: [...source.shiftPx], method: source.alignmentMethod },
    files: source.files,
    rois: source.numbers.map((roi) => ({
      name: roi.name,
      before_teu: round2(roi.beforeTeu),
      after_teu: round2(roi.afterTeu),
      appeared_teu: round2(roi.appearedTeu),
      disappeared_teu: round2(roi.disappearedTeu),
      net_teu: round2(roi.netTeu),
      range_teu: [round2(roi.netLowTeu), round2(roi.netHighTeu)],
    })),
    view: {
      layout: scene.layout,
      rectImagePx: [...scene.rectImagePx],
      outputPxPerImagePx: scene.outputPxPerImagePx,
      overlays: scene.overlays.map((overlay) => overlay.id),
      viewState: source.viewState,
    },
    title: scene.title,
    credit: scene.credit,
    createdAt: new Date().toISOString(),
  };
}

function imageCanvas(image: Rgba8Image): OffscreenCanvas {
  const canvas = new OffscreenCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  if (ctx === null) throw new Error('This browser has no 2D canvas for the snapshot');
  ctx.putImageData(
    new ImageData(new Uint8ClampedArray(image.rgba), image.width, image.height),
    0,
    0,
  );
  return canvas;
}

/**
 * The snapshot as PNG bytes with its metadata chunk. At full scale, when the
 * display copies are coarser than the image, the area is read again at full
 * resolution (source.readFullResolution) so the snapshot shows its detail.
 */
export async function renderSnapshotPng(
  source: SnapshotSource,
  options: SnapshotOptions,
  signal?: AbortSignal,
): Promise<RenderedSnapshot> {
  let scene = appScene(source, options);
  let imagery: RenderedSnapshot['imagery'] = 'display';
  const coarser =
    source.before.image.width < source.imageWidthPx ||
    source.before.image.height < source.imageHeightPx;
  const window = snapshotWindow(scene.rectImagePx, source.imageWidthPx, source.imageHeightPx);
  if (options.scale === 'full' && coarser && window !== null && source.readFullResolution) {
    const read = await source.readFullResolution(window, MAX_SNAPSHOT_READ_SIDE_PX, signal);
    signal?.throwIfAborted();
    if (read !== null) {
      const rect = [window[0], window[1], window[2] - window[0], window[3] - window[1]] as const;
      scene = {
        ...scene,
        before: { image: read.before, label: scene.before.label, rectImagePx: rect },
        after: { image: read.after, label: scene.after.label, rectImagePx: rect },
      };
      imagery = 'full resolution';
    }
  }
  const { widthPx, heightPx } = layoutOfScene(scene);
  const canvas = new OffscreenCanvas(widthPx, heightPx);
  const ctx = canvas.getContext('2d');
  if (ctx === null) throw new Error('This browser has no 2D canvas for the snapshot');
  drawSnapshot(ctx, scene, imageCanvas);
  signal?.throwIfAborted();
  const blob = await canvas.convertToBlob({ type: 'image/png' });
  signal?.throwIfAborted();
  const png = new Uint8Array(await blob.arrayBuffer());
  const metadata = appMetadata(source, scene);
  return {
    png: withSnapshotMetadata(png, metadata),
    imagery,
  };
}

/**
 * The metadata of a Quaywatch snapshot PNG, or null when the PNG has no
 * "quaywatch" chunk (an ordinary image). Throws with the file's name when the
 * chunk is there but unusable.
 */
export async function readSnapshotMetadata(
  file: Blob,
  name: string,
): Promise<SnapshotMetadata | null> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let text: string | null;
  try {
    text = readItxt(bytes, SNAPSHOT_KEYWORD);
  } catch {
    return null; // not a sound PNG: the image reader will say what is wrong
  }
  if (text === null) return null;
  try {
    return parseSnapshotMetadata(text);
  } catch (error) {
    throw new Error(`${name}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}
