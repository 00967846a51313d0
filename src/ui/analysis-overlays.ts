/**
 * The analysis overlays of the view and the picked blob, as a Lit reactive
 * controller of qw-app: which overlays are shown at what opacity, their
 * pictures for the last analysis (built when first shown), and the blob the
 * analyst clicked (kept by its click point, so a re-run — a calibration —
 * picks it again with the new numbers).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { blobSourceOf, pickBlob, type PickedBlob } from '../core/analysis/blob-pick.ts';
import type { AnalysisInput, AnalysisResult } from '../core/analysis/cpu-pipeline.ts';
import {
  blobLegend,
  blobOutlinesImage,
  heatLegend,
  heatMapImage,
  highlightImage,
  OCCUPANCY_COLOURS,
  occupancyImage,
  type Rgba,
} from '../core/analysis/overlays.ts';
import type { Rgba8Image } from '../core/raster.ts';
import type { ViewOverlay } from '../core/view-transform.ts';

export type AnalysisOverlayId = 'heat' | 'occupancy-before' | 'occupancy-after' | 'blobs';

export interface OverlaySetting {
  readonly visible: boolean;
  /** 0..1 */
  readonly opacity01: number;
}

export type OverlaySettings = Readonly<Record<AnalysisOverlayId, OverlaySetting>>;

export const OVERLAY_LABELS: Readonly<Record<AnalysisOverlayId, string>> = {
  heat: 'Change heat map',
  'occupancy-before': 'Occupied (before)',
  'occupancy-after': 'Occupied (after)',
  blobs: 'Blob outlines',
};

export const OVERLAY_ORDER: readonly AnalysisOverlayId[] = [
  'heat',
  'occupancy-before',
  'occupancy-after',
  'blobs',
];

export const DEFAULT_OVERLAY_SETTINGS: OverlaySettings = {
  heat: { visible: false, opacity01: 0.7 },
  'occupancy-before': { visible: false, opacity01: 0.5 },
  'occupancy-after': { visible: false, opacity01: 0.5 },
  blobs: { visible: true, opacity01: 1 },
};

export interface ShownAnalysis {
  readonly result: AnalysisResult;
  readonly input: AnalysisInput;
  /** [x0, y0, x1, y1) of the full-resolution before image that the input covers. */
  readonly windowPx: readonly [number, number, number, number];
}

function cssColour(colour: Rgba): string {
  return `rgb(${colour[0]} ${colour[1]} ${colour[2]} / ${(colour[3] / 255).toFixed(2)})`;
}

export class AnalysisOverlaysController implements ReactiveController {
  settings: OverlaySettings = DEFAULT_OVERLAY_SETTINGS;
  /** The picked blob of the shown analysis, or null. */
  picked: PickedBlob | null = null;
  /** Why a click picked nothing (shown next to the blob panel); empty otherwise. */
  pickMessage = '';
  private shown: ShownAnalysis | undefined;
  /** Where the analyst clicked, in full-resolution before px. */
  private pickPointPx: readonly [number, number] | null = null;
  private readonly images = new Map<string, Rgba8Image>();
  private overlaysCache: readonly ViewOverlay[] | null = null;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    // Nothing to set up: state changes call requestUpdate.
  }

  /** A new analysis is on screen: new pictures, and the picked blob picked again. */
  showAnalysis(shown: ShownAnalysis): void {
    this.shown = shown;
    this.images.clear();
    this.picked = null;
    if (this.pickPointPx !== null) this.pickAt(this.pickPointPx[0], this.pickPointPx[1], false);
    this.changed();
  }

  /** Another pair is being opened: nothing of the old analysis stays over the new images. */
  clear(): void {
    this.shown = undefined;
    this.images.clear();
    this.pickPointPx = null;
    this.picked = null;
    this.pickMessage = '';
    this.changed();
  }

  /** A click in the view (full-resolution before px). */
  click(xPx: number, yPx: number): void {
    this.pickAt(xPx, yPx, true);
    this.changed();
  }

  clearPick(): void {
    this.pickPointPx = null;
    this.picked = null;
    this.pickMessage = '';
    this.changed();
  }

  setOverlay(id: AnalysisOverlayId, setting: OverlaySetting): void {
    this.settings = { ...this.settings, [id]: setting };
    this.changed();
  }

  /**
   * Settings saved with a session: known overlay ids take theirs, the others
   * keep the defaults (a session from another version may name more or fewer).
   */
  restoreSettings(saved: Readonly<Record<string, OverlaySetting>> | null): void {
    const settings: Record<AnalysisOverlayId, OverlaySetting> = { ...DEFAULT_OVERLAY_SETTINGS };
    for (const id of OVERLAY_ORDER) {
      const setting = saved?.[id];
      if (setting !== undefined) settings[id] = setting;
    }
    this.settings = settings;
    this.changed();
  }

  /** The view's overlays: the analysis pictures in order, then the picked blob on top. */
  overlays(): readonly ViewOverlay[] {
    if (this.overlaysCache !== null) return this.overlaysCache;
    const shown = this.shown;
    if (shown === undefined) return (this.overlaysCache = []);
    const [x0, y0, x1, y1] = shown.windowPx;
    const rectImagePx = [x0, y0, x1 - x0, y1 - y0] as const;
    const list: ViewOverlay[] = OVERLAY_ORDER.map((id) => {
      const setting = this.settings[id];
      return {
        id,
        label: OVERLAY_LABELS[id],
        // Pictures are built only once shown: a hidden one costs nothing.
        // A hidden one keeps a picture it already has, so the view keeps its texture.
        image: setting.visible ? this.image(id, shown) : (this.images.get(id) ?? EMPTY_IMAGE),
        rectImagePx,
        opacity: setting.opacity01,
        visible: setting.visible,
        legend: this.legend(id, shown),
        // Outlines are one pixel wide: kept whole when zoomed out.
        ...(id === 'blobs' ? { minify: 'max' as const } : {}),
      };
    });
    const picked = this.picked;
    if (picked !== null) {
      list.push({
        id: 'picked-blob',
        label: 'Picked blob',
        image: this.cached('picked', () => highlightImage(this.grid(shown), picked.pixels)),
        rectImagePx,
        opacity: 1,
        visible: true,
        minify: 'max',
      });
    }
    return (this.overlaysCache = list);
  }

  private pickAt(xPx: number, yPx: number, fromClick: boolean): void {
    const shown = this.shown;
    this.images.delete('picked');
    if (shown === undefined) {
      this.picked = null;
      if (fromClick) this.pickMessage = 'No analysis yet: draw or import piers first.';
      return;
    }
    const { result, input, windowPx } = shown;
    const picked = pickBlob(blobSourceOf(result, input), xPx - windowPx[0], yPx - windowPx[1]);
    if (fromClick) {
      this.pickPointPx = picked === null ? null : [xPx, yPx];
      this.pickMessage =
        picked === null
          ? `No blob at (${Math.floor(xPx)}, ${Math.floor(yPx)}): click inside a blob outline.`
          : '';
    }
    this.picked = picked;
  }

  private grid(shown: ShownAnalysis): { widthPx: number; heightPx: number } {
    return { widthPx: shown.input.widthPx, heightPx: shown.input.heightPx };
  }

  private cached(key: string, build: () => Rgba8Image): Rgba8Image {
    let image = this.images.get(key);
    if (image === undefined) {
      image = build();
      this.images.set(key, image);
    }
    return image;
  }

  private image(id: AnalysisOverlayId, shown: ShownAnalysis): Rgba8Image {
    const grid = this.grid(shown);
    const { masks, changeMagnitude } = shown.result;
    return this.cached(id, () => {
      switch (id) {
        case 'heat':
          return heatMapImage(grid, changeMagnitude.levels);
        case 'occupancy-before':
          return occupancyImage(grid, masks.before, OCCUPANCY_COLOURS.before);
        case 'occupancy-after':
          return occupancyImage(grid, masks.after, OCCUPANCY_COLOURS.after);
        case 'blobs':
          return blobOutlinesImage(grid, masks);
      }
    });
  }

  private legend(
    id: AnalysisOverlayId,
    shown: ShownAnalysis,
  ): { readonly colour: string; readonly text: string }[] {
    switch (id) {
      case 'heat': {
        const { changeBefore, changeAfter } = shown.result.thresholdsDn;
        return heatLegend(Math.max(changeBefore, changeAfter));
      }
      case 'occupancy-before':
        return [{ colour: cssColour(OCCUPANCY_COLOURS.before), text: 'object at the before date' }];
      case 'occupancy-after':
        return [{ colour: cssColour(OCCUPANCY_COLOURS.after), text: 'object at the after date' }];
      case 'blobs':
        return blobLegend();
    }
  }

  private changed(): void {
    this.overlaysCache = null;
    this.host.requestUpdate();
  }
}

const EMPTY_IMAGE: Rgba8Image = { width: 1, height: 1, rgba: new Uint8ClampedArray(4) };
