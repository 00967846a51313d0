/**
 * The image view: the before and after images drawn by WebGPU (or Canvas 2D
 * without it), panned and zoomed by wheel, drag, pinch and keyboard, compared
 * by swipe, blink, side by side or onion skin, with overlays, a cursor
 * readout in the image CRS and lon/lat, a scale bar and a north arrow.
 *
 * Coordinates: full-resolution BEFORE image pixels, corner origin, x right,
 * y down (src/core/view-transform.ts). The transform maps them onto the CSS
 * pixels of a pane; side by side has two panes and one transform.
 *
 * A layer slotted into the view (the piers' SVG, say) sits above the canvas,
 * positioned over the stage (`position: absolute; inset: 0`). Pointer events
 * pass through it to the view wherever it does not take them itself (its
 * wrapper has `pointer-events: none`; its shapes opt in with
 * `pointer-events: auto`).
 *
 * @fires qw-view-change - detail: ViewChangeDetail, on every change of transform, size or state.
 * @fires qw-image-click - detail: ImageClickDetail (image px), on a click that was not a drag.
 * @fires qw-divider-change - detail: the swipe divider as a fraction of the view width.
 * @fires qw-date-change - detail: DateChangeDetail, when the analyst types a date for an image.
 * @fires qw-frame - detail: the backend, after each frame drawn.
 */
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { controlStyles } from './shared-styles.ts';
import { styleProps, type StyleProps } from './style-props.ts';
import type { RasterInfo, Rgba8Image } from '../core/raster.ts';
import {
  createViewGeo,
  formatGridXY,
  formatLonLat,
  niceScaleBar,
  type ViewGeo,
} from '../core/view-geo.ts';
import {
  centreOf,
  clampTransform,
  fitRect,
  fromCentre,
  panBy,
  sameTransform,
  screenToImage,
  wheelZoomFactor,
  zoomAt,
  zoomLimits,
  type ImageRectPx,
  type PaneRect,
  type ViewOverlay,
  type ViewSize,
  type ViewTransform,
} from '../core/view-transform.ts';
import type { GpuContext } from '../gpu/device.ts';
import {
  DIVIDER_HALF_WIDTH_CSS_PX,
  WebGpuViewRenderer,
  type PaneContent,
} from '../gpu/view-renderer.ts';
import { gridOf } from '../io/align-read.ts';
import { Canvas2dViewRenderer } from './canvas2d-renderer.ts';
import { crsLabel, formatDate } from './format.ts';
import './qw-view-compass.ts';
import './qw-view-legend.ts';

export type { ImageRectPx, PaneRect, ViewOverlay, ViewTransform } from '../core/view-transform.ts';

export interface DatedImage {
  readonly image: Rgba8Image;
  /** e.g. "BEFORE · 13 Oct 2023". */
  readonly label: string;
}

export type CompareMode = 'swipe' | 'blink' | 'side' | 'onion';
export type DateRole = 'before' | 'after';

export const COMPARE_MODES: readonly {
  readonly mode: CompareMode;
  readonly name: string;
  readonly key: string;
}[] = [
  { mode: 'swipe', name: 'Swipe', key: '1' },
  { mode: 'blink', name: 'Blink', key: '2' },
  { mode: 'side', name: 'Side by side', key: '3' },
  { mode: 'onion', name: 'Onion skin', key: '4' },
];

/** Everything a session or URL needs to bring the view back. */
export interface ViewState {
  readonly mode: CompareMode;
  /** Image point (full-resolution before px) at the middle of the pane. */
  readonly centreImagePx: readonly [number, number];
  /** CSS pixels per image pixel. */
  readonly scale: number;
  /** Swipe divider as a fraction of the pane width, 0..1. */
  readonly dividerFraction: number;
  /** Blink: date changes per second. */
  readonly blinkRateHz: number;
  /** Onion skin: opacity of the after image over the before image, 0..1. */
  readonly onionOpacity: number;
  /**
   * Dates typed by the analyst (YYYY-MM-DD), each with the label of the image
   * it was typed on: saved with the session, applied only to that image.
   */
  readonly dates?: DateOverrides;
}

/** A typed date per image role, for the label the image had when it was typed. */
export type DateOverrides = Partial<
  Record<DateRole, { readonly forLabel: string; readonly iso: string }>
>;

const TYPED_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The well-formed entries of a saved `dates` (anything else is dropped). */
function dateOverridesFrom(saved: unknown): DateOverrides {
  const out: { -readonly [K in DateRole]?: { readonly forLabel: string; readonly iso: string } } =
    {};
  if (typeof saved !== 'object' || saved === null) return out;
  for (const role of ['before', 'after'] as const) {
    const entry: unknown = (saved as Record<string, unknown>)[role];
    if (typeof entry !== 'object' || entry === null) continue;
    const { forLabel, iso } = entry as Record<string, unknown>;
    if (typeof forLabel === 'string' && typeof iso === 'string' && TYPED_DATE.test(iso)) {
      out[role] = { forLabel, iso };
    }
  }
  return out;
}

export interface ViewChangeDetail {
  /** Maps image px to CSS px of each pane (relative to the pane's corner). */
  readonly transform: ViewTransform;
  /** CSS size of the stage. */
  readonly width: number;
  readonly height: number;
  readonly panes: readonly PaneRect[];
  readonly state: ViewState;
}

export interface ImageClickDetail {
  /** Full-resolution before image pixels. */
  readonly x: number;
  readonly y: number;
}

export interface DateChangeDetail {
  readonly role: DateRole;
  /** YYYY-MM-DD as typed. */
  readonly date: string;
  /** The label shown now, e.g. "AFTER · 16 Oct 2023". */
  readonly label: string;
}

export const DEFAULT_VIEW_SETTINGS = {
  mode: 'swipe',
  dividerFraction: 0.5,
  blinkRateHz: 2,
  onionOpacity: 0.5,
} as const;
export const BLINK_RATE_RANGE_HZ = [0.5, 8] as const;

type Renderer = WebGpuViewRenderer | Canvas2dViewRenderer;

const DIVIDER_KEY_STEP = 0.02;
const KEY_ZOOM_FACTOR = 1.5;
const KEY_PAN_FRACTION = 0.1;
/** A press that moves less than this (CSS px) is a click, not a drag. */
const CLICK_SLOP_PX = 4;

interface Gesture {
  startX: number;
  startY: number;
  moved: boolean;
  /** Pinch: midpoint and distance of the two pointers at the last move. */
  pinch: { midX: number; midY: number; distance: number } | undefined;
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

function otherRole(role: DateRole): DateRole {
  return role === 'before' ? 'after' : 'before';
}

/** Round-trip safe: finite numbers within range or the default. */
function finiteOr(value: unknown, fallback: number, low: number, high: number): number {
  return typeof value === 'number' && Number.isFinite(value)
    ? Math.min(high, Math.max(low, value))
    : fallback;
}

export class QwCompareView extends LitElement {
  static override properties = {
    beforeImage: { attribute: false },
    afterImage: { attribute: false },
    gpu: { attribute: false },
    beforeInfo: { attribute: false },
    overlays: { attribute: false },
    mode: { attribute: false },
    dividerFraction: { attribute: false },
    blinkRateHz: { attribute: false },
    onionOpacity: { attribute: false },
    solo: { state: true },
    blinkShowsAfter: { state: true },
    cursor: { state: true },
    editing: { state: true },
    dateOverrides: { state: true },
    stageSize: { state: true },
    viewTransform: { state: true },
    panning: { state: true },
  };

  static override styles = [
    controlStyles,
    css`
      :host {
        display: grid;
        grid-template-rows: auto minmax(0, 1fr);
        min-height: 0;
        background: #12141a;
        color: #e6e8ee;
        font:
          13px/1.3 system-ui,
          sans-serif;
        --before-colour: #5cc8ff;
        --after-colour: #ffb347;
      }
      .toolbar {
        display: flex;
        align-items: center;
        gap: 0.4rem 0.8rem;
        min-height: 2.1rem;
        padding: 0.15rem 0.6rem;
        border-bottom: 1px solid #262a35;
        background: #0d0f14;
        white-space: nowrap;
        overflow: hidden;
      }
      .modes {
        display: inline-flex;
        border: 1px solid #3d4459;
        border-radius: 4px;
        overflow: hidden;
        margin: 0;
        padding: 0;
      }
      .modes legend {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip-path: inset(50%);
      }
      .modes input {
        position: absolute;
        opacity: 0;
        width: 1px;
        height: 1px;
        margin: 0;
      }
      .modes label {
        padding: 0.2rem 0.6rem;
        cursor: pointer;
        color: #c5cbd8;
        background: #1b1f2a;
        border-left: 1px solid #3d4459;
      }
      .modes label:first-of-type {
        border-left: none;
      }
      .modes input:checked + label {
        color: #0d0f14;
        background: #ffd933;
        font-weight: 600;
      }
      .modes input:focus-visible + label {
        outline: 2px solid #7cc4ff;
        outline-offset: -2px;
      }
      .mode-control {
        display: inline-flex;
        align-items: center;
        gap: 0.4rem;
        width: 15rem;
        color: #9aa3b5;
      }
      .mode-control input[type='range'] {
        width: 7rem;
        accent-color: #ffd933;
      }
      .mode-control output {
        color: #e6e8ee;
        min-width: 3.2rem;
        font-variant-numeric: tabular-nums;
      }
      .zoom {
        display: inline-flex;
        align-items: center;
        gap: 0.25rem;
        margin-left: auto;
      }
      .zoom output {
        min-width: 3.6rem;
        text-align: center;
        font-variant-numeric: tabular-nums;
        color: #c5cbd8;
      }
      .hint {
        color: #7d869a;
        font-size: 12px;
      }
      .stage {
        position: relative;
        overflow: hidden;
        min-height: 0;
        touch-action: none;
        user-select: none;
        cursor: crosshair;
        outline: none;
      }
      .stage.panning {
        cursor: grabbing;
      }
      .stage:focus-visible::after {
        content: '';
        position: absolute;
        inset: 0;
        border: 2px solid #7cc4ff;
        pointer-events: none;
      }
      canvas {
        position: absolute;
        inset: 0;
        width: 100%;
        height: 100%;
      }
      .layer {
        position: absolute;
        inset: 0;
        pointer-events: none;
      }
      .frame {
        position: absolute;
        inset: 0;
        border: 4px solid transparent;
        pointer-events: none;
      }
      .frame[data-date='before'] {
        border-color: var(--before-colour);
      }
      .frame[data-date='after'] {
        border-color: var(--after-colour);
      }
      .tag {
        position: absolute;
        top: 0.6rem;
        display: inline-flex;
        align-items: center;
        gap: 0.2rem;
      }
      .label {
        padding: 0.2rem 0.5rem;
        font:
          600 0.8rem/1.2 system-ui,
          sans-serif;
        letter-spacing: 0.04em;
        color: #fff;
        background: rgb(0 0 0 / 0.65);
        border-radius: 3px;
        pointer-events: none;
      }
      .tag[data-date='before'] .label {
        box-shadow: inset 3px 0 0 var(--before-colour);
      }
      .tag[data-date='after'] .label {
        box-shadow: inset 3px 0 0 var(--after-colour);
      }
      .edit-date {
        padding: 0 0.3rem;
        font-size: 0.75rem;
        line-height: 1.4;
        background: rgb(0 0 0 / 0.65);
        border-color: rgb(255 255 255 / 0.25);
      }
      .tag input[type='date'] {
        font: inherit;
        color: #e6e8ee;
        background: #151922;
        border: 1px solid #7cc4ff;
        border-radius: 3px;
        color-scheme: dark;
      }
      .banner {
        position: absolute;
        top: 0.6rem;
        left: 50%;
        transform: translateX(-50%);
        display: inline-flex;
        align-items: center;
        gap: 0.3rem;
      }
      .date-banner {
        padding: 0.3rem 1rem;
        font:
          700 1.15rem/1.2 system-ui,
          sans-serif;
        letter-spacing: 0.06em;
        color: #0d0f14;
        border-radius: 4px;
        pointer-events: none;
      }
      .date-banner[data-date='before'] {
        background: var(--before-colour);
      }
      .date-banner[data-date='after'] {
        background: var(--after-colour);
      }
      .banner-hint {
        padding: 0.2rem 0.4rem;
        font-size: 11px;
        color: #c5cbd8;
        background: rgb(0 0 0 / 0.65);
        border-radius: 3px;
        pointer-events: none;
      }
      .divider {
        position: absolute;
        top: 0;
        bottom: 0;
        width: 14px;
        margin-left: -7px;
        cursor: ew-resize;
      }
      .handle {
        position: absolute;
        /* Below the middle: pier names sit at the piers' centres, which a fitted
           view puts about halfway down, where a centred grip hid one. */
        top: 78%;
        left: 50%;
        width: 1.6rem;
        height: 1.6rem;
        margin: -0.8rem 0 0 -0.8rem;
        border-radius: 50%;
        background: #ffd933;
        border: 2px solid #12141a;
        cursor: ew-resize;
      }
      .handle:focus-visible {
        outline: 3px solid #7cc4ff;
        outline-offset: 2px;
      }
      .separator {
        position: absolute;
        top: 0;
        bottom: 0;
        width: 2px;
        margin-left: -1px;
        background: #0d0f14;
        pointer-events: none;
      }
      .readout {
        position: absolute;
        left: 0.5rem;
        bottom: 0.5rem;
        max-width: calc(100% - 12rem);
        padding: 0.2rem 0.5rem;
        font:
          12px/1.3 ui-monospace,
          SFMono-Regular,
          Menlo,
          monospace;
        color: #e6e8ee;
        background: rgb(0 0 0 / 0.65);
        border-radius: 3px;
        pointer-events: none;
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      qw-view-compass {
        position: absolute;
        right: 0.5rem;
        bottom: 0.5rem;
      }
      qw-view-legend {
        position: absolute;
        right: 0.6rem;
        top: 2.6rem;
      }
    `,
  ];

  declare beforeImage: DatedImage | undefined;
  declare afterImage: DatedImage | undefined;
  /** The GPU to draw with; undefined draws with Canvas 2D. */
  declare gpu: GpuContext | undefined;
  /**
   * The before image's description: its full size is the image coordinate
   * system and its grid gives the readout, scale bar and north arrow. Without
   * it the before display image's size is used and there is no georeference.
   */
  declare beforeInfo: RasterInfo | null | undefined;
  /** Drawn over the imagery in order (later on top). */
  declare overlays: readonly ViewOverlay[];
  declare mode: CompareMode;
  declare dividerFraction: number;
  declare blinkRateHz: number;
  declare onionOpacity: number;
  /** One date shown full-frame (the toggle key), or null for the compare mode. */
  declare solo: DateRole | null;
  declare blinkShowsAfter: boolean;
  /** Image position under the pointer, or null. */
  declare cursor: readonly [number, number] | null;
  /** Which date's label is being edited. */
  declare editing: DateRole | null;
  /** Dates typed by the analyst, each for the label it was typed on. */
  declare dateOverrides: DateOverrides;
  declare stageSize: ViewSize;
  declare viewTransform: ViewTransform | undefined;
  declare panning: boolean;

  private renderer: Renderer | undefined;
  private canvas: HTMLCanvasElement | undefined;
  private resizeObserver: ResizeObserver | undefined;
  private frameRequested = false;
  /** True while the view shows the whole image and should keep doing so on resize. */
  private fitted = true;
  /** A state set before the view could apply it (no size or image yet). */
  private pendingState: ViewState | undefined;
  private lastPaneSize: ViewSize | undefined;
  private lastImageSize: ViewSize | undefined;
  private lastChangeSignature = '';
  private geo: ViewGeo | undefined;
  private geoFor: RasterInfo | null | undefined;
  private blinkTimer: ReturnType<typeof setInterval> | undefined;
  private blinkTimerRate = 0;
  private readonly pointers = new Map<number, { x: number; y: number }>();
  private gesture: Gesture | undefined;
  private draggingDivider = false;
  /** Space held: the solo state to go back to on release. */
  private peekRestore: { solo: DateRole | null } | undefined;

  constructor() {
    super();
    this.beforeImage = undefined;
    this.afterImage = undefined;
    this.gpu = undefined;
    this.beforeInfo = undefined;
    this.overlays = [];
    this.mode = DEFAULT_VIEW_SETTINGS.mode;
    this.dividerFraction = DEFAULT_VIEW_SETTINGS.dividerFraction;
    this.blinkRateHz = DEFAULT_VIEW_SETTINGS.blinkRateHz;
    this.onionOpacity = DEFAULT_VIEW_SETTINGS.onionOpacity;
    this.solo = null;
    this.blinkShowsAfter = false;
    this.cursor = null;
    this.editing = null;
    this.dateOverrides = {};
    this.stageSize = { width: 0, height: 0 };
    this.viewTransform = undefined;
    this.panning = false;
    this.addEventListener('keydown', this.onKeyDown);
    this.addEventListener('keyup', this.onKeyUp);
  }

  // ---- public API ------------------------------------------------------------

  /** Which renderer draws the view now. */
  get backend(): 'webgpu' | 'canvas2d' | 'none' {
    return this.renderer?.kind ?? 'none';
  }

  /** Image px → CSS px of a pane; a fitted default until the view has a size and an image. */
  get transform(): ViewTransform {
    return this.viewTransform ?? { scale: 1, originX: 0, originY: 0 };
  }

  /** The panes in CSS pixels of the stage: one, or two side by side. */
  get panes(): readonly PaneRect[] {
    const { width, height } = this.stageSize;
    if (this.mode === 'side' && this.solo === null) {
      const half = width / 2;
      return [
        { x: 0, y: 0, width: half, height },
        { x: half, y: 0, width: width - half, height },
      ];
    }
    return [{ x: 0, y: 0, width, height }];
  }

  get viewState(): ViewState {
    const pane = this.paneSize();
    const transform = this.viewTransform;
    const image = this.imageSize();
    const centre: readonly [number, number] =
      transform === undefined
        ? (this.pendingState?.centreImagePx ?? [(image?.width ?? 0) / 2, (image?.height ?? 0) / 2])
        : centreOf(transform, pane);
    return {
      mode: this.mode,
      centreImagePx: [centre[0], centre[1]],
      scale: transform?.scale ?? this.pendingState?.scale ?? 0,
      dividerFraction: this.dividerFraction,
      blinkRateHz: this.blinkRateHz,
      onionOpacity: this.onionOpacity,
      ...(Object.keys(this.dateOverrides).length > 0 ? { dates: this.dateOverrides } : {}),
    };
  }

  /** Brings a saved view back; values out of range are clamped, unknown modes ignored. */
  set viewState(state: ViewState) {
    if (COMPARE_MODES.some((entry) => entry.mode === state.mode)) this.setMode(state.mode);
    this.dividerFraction = clamp01(finiteOr(state.dividerFraction, this.dividerFraction, 0, 1));
    this.blinkRateHz = finiteOr(state.blinkRateHz, this.blinkRateHz, ...BLINK_RATE_RANGE_HZ);
    this.onionOpacity = clamp01(finiteOr(state.onionOpacity, this.onionOpacity, 0, 1));
    if (state.dates !== undefined) this.dateOverrides = dateOverridesFrom(state.dates);
    const [cx, cy] = state.centreImagePx;
    if (Number.isFinite(cx) && Number.isFinite(cy) && state.scale > 0) {
      this.pendingState = state;
      this.fitted = false;
      this.requestUpdate();
    }
  }

  /** Shows a rectangle of the image (e.g. a pier) as large as fits, with a margin. */
  zoomToRect(rectImagePx: ImageRectPx, paddingCssPx = 24): void {
    const pane = this.paneSize();
    const image = this.imageSize();
    if (image === undefined || pane.width <= 0 || pane.height <= 0) {
      // Not laid out yet: keep the centre and scale fitRect gives, applied once there is a view.
      const [x, y, width, height] = rectImagePx;
      const { scale } = fitRect(pane, rectImagePx, paddingCssPx);
      this.viewState = { ...this.viewState, centreImagePx: [x + width / 2, y + height / 2], scale };
      return;
    }
    this.applyTransform(fitRect(pane, rectImagePx, paddingCssPx));
  }

  /** Shows the whole image. */
  fit(): void {
    const pane = this.paneSize();
    const image = this.imageSize();
    if (image === undefined || pane.width <= 0) return;
    this.applyTransform(fitRect(pane, [0, 0, image.width, image.height]));
    this.fitted = true;
  }

  /** Zooms by a factor about the pane centre. */
  zoomBy(factor: number): void {
    const transform = this.viewTransform;
    const image = this.imageSize();
    if (transform === undefined || image === undefined) return;
    const pane = this.paneSize();
    this.applyTransform(
      zoomAt(transform, factor, pane.width / 2, pane.height / 2, zoomLimits(pane, image)),
    );
  }

  // ---- geometry ------------------------------------------------------------------

  /** The image coordinate system's extent: the before image at full resolution. */
  private imageSize(): ViewSize | undefined {
    if (this.beforeInfo != null)
      return { width: this.beforeInfo.width, height: this.beforeInfo.height };
    const image = this.beforeImage?.image;
    return image === undefined ? undefined : { width: image.width, height: image.height };
  }

  private paneSize(): ViewSize {
    const pane = this.panes[0];
    return { width: pane?.width ?? 0, height: pane?.height ?? 0 };
  }

  private applyTransform(next: ViewTransform): void {
    const image = this.imageSize();
    if (image === undefined) return;
    const pane = this.paneSize();
    const clamped = clampTransform(next, pane, image);
    this.fitted = false;
    if (this.viewTransform !== undefined && sameTransform(clamped, this.viewTransform)) return;
    this.viewTransform = clamped;
  }

  /** Keeps the transform right for the pane and image sizes (fit, re-centre, pending state). */
  private syncTransform(): void {
    const image = this.imageSize();
    const pane = this.paneSize();
    if (image === undefined || pane.width <= 0 || pane.height <= 0) return;
    const imageChanged =
      this.lastImageSize === undefined ||
      this.lastImageSize.width !== image.width ||
      this.lastImageSize.height !== image.height;
    const paneChanged =
      this.lastPaneSize === undefined ||
      this.lastPaneSize.width !== pane.width ||
      this.lastPaneSize.height !== pane.height;
    const pending = this.pendingState;
    if (pending !== undefined) {
      this.pendingState = undefined;
      this.viewTransform = clampTransform(
        fromCentre(pending.centreImagePx, pending.scale, pane),
        pane,
        image,
      );
      this.fitted = false;
    } else if (this.viewTransform === undefined || imageChanged || (this.fitted && paneChanged)) {
      this.viewTransform = fitRect(pane, [0, 0, image.width, image.height]);
      this.fitted = true;
    } else if (paneChanged && this.lastPaneSize !== undefined) {
      // Same centre and scale in the new pane (a resize, or side by side on or off).
      const centre = centreOf(this.viewTransform, this.lastPaneSize);
      this.viewTransform = clampTransform(
        fromCentre(centre, this.viewTransform.scale, pane),
        pane,
        image,
      );
    }
    this.lastImageSize = image;
    this.lastPaneSize = pane;
  }

  /** Stage CSS position → pane index and position in that pane. */
  private toPane(x: number, y: number): { index: number; x: number; y: number } {
    const panes = this.panes;
    const index = panes.length > 1 && x >= (panes[1]?.x ?? Infinity) ? 1 : 0;
    const pane = panes[index] ?? { x: 0, y: 0 };
    return { index, x: x - pane.x, y: y - pane.y };
  }

  private stagePoint(event: { clientX: number; clientY: number }): { x: number; y: number } {
    const stage = this.renderRoot.querySelector('.stage');
    const rect = stage?.getBoundingClientRect() ?? { left: 0, top: 0 };
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  }

  private imagePoint(stageX: number, stageY: number): [number, number] | null {
    const transform = this.viewTransform;
    if (transform === undefined) return null;
    const point = this.toPane(stageX, stageY);
    return screenToImage(transform, point.x, point.y);
  }

  // ---- lifecycle -------------------------------------------------------------------

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('keydown', this.onDocumentKey);
    document.addEventListener('keyup', this.onDocumentKey);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('keydown', this.onDocumentKey);
    document.removeEventListener('keyup', this.onDocumentKey);
    this.resizeObserver?.disconnect();
    this.resizeObserver = undefined;
    this.stopBlink();
    this.renderer?.destroy();
    this.renderer = undefined;
    // A canvas keeps one context for life; a reconnected view starts with a fresh one.
    this.canvas = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (this.canvas === undefined || changed.has('gpu')) {
      // A canvas holds one kind of context for life: a backend change needs a fresh canvas.
      this.renderer?.destroy();
      this.renderer = undefined;
      this.canvas = document.createElement('canvas');
      this.canvas.setAttribute('role', 'img');
    }
    this.canvas.setAttribute('aria-label', this.describePicture());
    if (changed.has('beforeInfo') && this.beforeInfo !== this.geoFor) {
      this.geoFor = this.beforeInfo;
      const grid = this.beforeInfo == null ? null : gridOf(this.beforeInfo);
      this.geo = grid === null ? undefined : createViewGeo(grid);
    }
    this.syncTransform();
  }

  protected override firstUpdated(): void {
    const stage = this.renderRoot.querySelector('.stage');
    if (stage === null) return;
    this.resizeObserver = new ResizeObserver((entries) => {
      const box = entries[entries.length - 1]?.contentRect;
      if (box === undefined) return;
      if (box.width !== this.stageSize.width || box.height !== this.stageSize.height) {
        this.stageSize = { width: box.width, height: box.height };
      }
      this.requestFrame();
    });
    this.resizeObserver.observe(stage);
  }

  protected override updated(changed: PropertyValues<this>): void {
    // The cursor readout and the date editor are DOM only: a pointer move must not
    // redraw the picture or rebuild the view state. A bare requestUpdate() (no key
    // changed) asks for a frame and gets one.
    if (
      this.renderer !== undefined &&
      changed.size > 0 &&
      [...changed.keys()].every((key) => key === 'cursor' || key === 'editing')
    ) {
      return;
    }
    if (this.renderer === undefined && this.canvas !== undefined) {
      this.renderer = this.createRenderer(this.canvas);
      this.dataset['backend'] = this.renderer.kind;
      if (this.beforeImage !== undefined && this.afterImage !== undefined) {
        this.renderer.setImages(this.beforeImage.image, this.afterImage.image);
      }
    } else if (
      (changed.has('beforeImage') || changed.has('afterImage')) &&
      this.beforeImage !== undefined &&
      this.afterImage !== undefined
    ) {
      this.renderer?.setImages(this.beforeImage.image, this.afterImage.image);
    }
    this.dataset['mode'] = this.mode;
    this.syncBlink();
    this.requestFrame();
    this.announceChange();
  }

  private createRenderer(canvas: HTMLCanvasElement): Renderer {
    if (this.gpu !== undefined) {
      const context = canvas.getContext('webgpu');
      if (context !== null) {
        return new WebGpuViewRenderer(
          this.gpu.device,
          context,
          navigator.gpu.getPreferredCanvasFormat(),
        );
      }
    }
    const context = canvas.getContext('2d');
    if (context === null) throw new Error('Neither WebGPU nor Canvas 2D can draw in this browser');
    return new Canvas2dViewRenderer(context);
  }

  /** Fires qw-view-change when the transform, the size or the state differ from the last one fired. */
  private announceChange(): void {
    const transform = this.viewTransform;
    if (transform === undefined) return;
    const detail: ViewChangeDetail = {
      transform,
      width: this.stageSize.width,
      height: this.stageSize.height,
      panes: this.panes,
      state: this.viewState,
    };
    const signature = JSON.stringify(detail);
    if (signature === this.lastChangeSignature) return;
    this.lastChangeSignature = signature;
    this.dispatchEvent(
      new CustomEvent('qw-view-change', { detail, bubbles: true, composed: true }),
    );
  }

  // ---- drawing ---------------------------------------------------------------------

  /** What each pane shows now. */
  private paneContents(): PaneContent[] {
    if (this.solo !== null) return [this.solo];
    switch (this.mode) {
      case 'swipe':
        return ['swipe'];
      case 'blink':
        return [this.blinkShowsAfter ? 'after' : 'before'];
      case 'side':
        return ['before', 'after'];
      case 'onion':
        return ['onion'];
    }
  }

  private requestFrame(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.drawNow();
    });
  }

  private drawNow(): void {
    const canvas = this.canvas;
    const transform = this.viewTransform;
    const image = this.imageSize();
    if (canvas === undefined || this.renderer === undefined) return;
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(this.stageSize.width * ratio));
    const height = Math.max(1, Math.round(this.stageSize.height * ratio));
    if (canvas.width !== width) canvas.width = width;
    if (canvas.height !== height) canvas.height = height;
    const contents = this.paneContents();
    const panes = this.panes.map((pane, index) => ({
      x: pane.x * ratio,
      y: pane.y * ratio,
      width: pane.width * ratio,
      height: pane.height * ratio,
      content: contents[index] ?? contents[0] ?? 'before',
    }));
    this.renderer.draw({
      canvasWidthPx: width,
      canvasHeightPx: height,
      panes,
      scale: (transform?.scale ?? 1) * ratio,
      originX: (transform?.originX ?? 0) * ratio,
      originY: (transform?.originY ?? 0) * ratio,
      imageWidthPx: image?.width ?? 1,
      imageHeightPx: image?.height ?? 1,
      dividerXPx: this.dividerFraction * this.stageSize.width * ratio,
      dividerHalfWidthPx: DIVIDER_HALF_WIDTH_CSS_PX * ratio,
      onionOpacity: this.onionOpacity,
      overlays: this.overlays,
    });
    this.dispatchEvent(new CustomEvent('qw-frame', { detail: this.renderer.kind }));
  }

  // ---- modes, blink, toggle ---------------------------------------------------------

  private setMode(mode: CompareMode): void {
    if (mode === this.mode && this.solo === null) return;
    this.mode = mode;
    this.solo = null;
    this.peekRestore = undefined;
    this.blinkShowsAfter = false;
  }

  private syncBlink(): void {
    const running =
      this.mode === 'blink' &&
      this.solo === null &&
      this.beforeImage !== undefined &&
      this.afterImage !== undefined &&
      this.isConnected;
    if (!running) {
      this.stopBlink();
      return;
    }
    if (this.blinkTimer !== undefined && this.blinkTimerRate === this.blinkRateHz) return;
    this.stopBlink();
    this.blinkTimerRate = this.blinkRateHz;
    this.blinkTimer = setInterval(() => {
      this.blinkShowsAfter = !this.blinkShowsAfter;
    }, 1000 / this.blinkRateHz);
  }

  private stopBlink(): void {
    if (this.blinkTimer !== undefined) clearInterval(this.blinkTimer);
    this.blinkTimer = undefined;
    this.blinkTimerRate = 0;
  }

  /** The date on screen full-frame now, if one is. */
  private shownDate(): DateRole | null {
    if (this.solo !== null) return this.solo;
    if (this.mode === 'blink') return this.blinkShowsAfter ? 'after' : 'before';
    return null;
  }

  /** The toggle key: the other date full-frame (after first, from a compare mode). */
  toggleDate(): void {
    this.solo = otherRole(this.shownDate() ?? 'before');
  }

  /** Back from the toggled date to the compare mode. */
  endToggle(): void {
    this.solo = null;
    this.peekRestore = undefined;
  }

  // ---- labels and dates ------------------------------------------------------------

  /** The label the view shows for an image: its own, or with the date the analyst typed. */
  shownLabel(role: DateRole): string {
    return this.labelOf(role);
  }

  /** The date the analyst typed for an image (YYYY-MM-DD), or null. */
  typedDate(role: DateRole): string | null {
    const image = role === 'before' ? this.beforeImage : this.afterImage;
    const override = this.dateOverrides[role];
    return override !== undefined && override.forLabel === (image?.label ?? role.toUpperCase())
      ? override.iso
      : null;
  }

  private labelOf(role: DateRole): string {
    const image = role === 'before' ? this.beforeImage : this.afterImage;
    const base = image?.label ?? role.toUpperCase();
    const override = this.dateOverrides[role];
    if (override === undefined || override.forLabel !== base) return base;
    const prefix = base.split(' · ')[0] ?? role.toUpperCase();
    return `${prefix} · ${formatDate(override.iso)}`;
  }

  private commitDate(role: DateRole, iso: string): void {
    this.editing = null;
    if (!TYPED_DATE.test(iso)) return;
    const image = role === 'before' ? this.beforeImage : this.afterImage;
    if (image === undefined) return;
    this.dateOverrides = { ...this.dateOverrides, [role]: { forLabel: image.label, iso } };
    const detail: DateChangeDetail = { role, date: iso, label: this.labelOf(role) };
    this.dispatchEvent(
      new CustomEvent('qw-date-change', { detail, bubbles: true, composed: true }),
    );
  }

  private describePicture(): string {
    const shown = this.shownDate();
    if (shown !== null) return `${this.labelOf(shown)}, full frame`;
    const before = this.labelOf('before');
    const after = this.labelOf('after');
    switch (this.mode) {
      case 'swipe':
        return `${before} left of the swipe divider, ${after} right of it`;
      case 'side':
        return `${before} on the left, ${after} on the right, same view`;
      case 'onion':
        return `${after} at ${Math.round(this.onionOpacity * 100)} % over ${before}`;
      case 'blink':
        return `${before} and ${after} blinking`;
    }
  }

  // ---- pointer input ---------------------------------------------------------------

  private onStagePointerDown = (event: PointerEvent): void => {
    const stage = event.currentTarget as HTMLElement;
    // Only presses on the picture itself: not on a slotted layer's shapes, buttons or the divider.
    const origin = event.composedPath()[0];
    if (event.defaultPrevented || (origin !== this.canvas && origin !== stage)) return;
    if (event.pointerType === 'mouse' && event.button !== 0) return;
    try {
      stage.setPointerCapture(event.pointerId);
    } catch {
      // A pointer that is no longer active (or a synthetic one): the drag works without capture.
    }
    stage.focus({ preventScroll: true });
    const point = this.stagePoint(event);
    this.pointers.set(event.pointerId, point);
    if (this.pointers.size === 1) {
      this.gesture = { startX: point.x, startY: point.y, moved: false, pinch: undefined };
    } else if (this.pointers.size === 2 && this.gesture !== undefined) {
      this.gesture.moved = true;
      this.gesture.pinch = this.pinchOf();
    }
  };

  private pinchOf(): { midX: number; midY: number; distance: number } | undefined {
    const [a, b] = [...this.pointers.values()];
    if (a === undefined || b === undefined) return undefined;
    return {
      midX: (a.x + b.x) / 2,
      midY: (a.y + b.y) / 2,
      distance: Math.max(1, Math.hypot(a.x - b.x, a.y - b.y)),
    };
  }

  private onStagePointerMove = (event: PointerEvent): void => {
    const point = this.stagePoint(event);
    if (this.pointers.size <= 1) this.cursor = this.imagePoint(point.x, point.y);
    const previous = this.pointers.get(event.pointerId);
    const gesture = this.gesture;
    if (previous === undefined || gesture === undefined) return;
    this.pointers.set(event.pointerId, point);
    const transform = this.viewTransform;
    const image = this.imageSize();
    if (transform === undefined || image === undefined) return;
    if (this.pointers.size === 1) {
      if (
        !gesture.moved &&
        Math.hypot(point.x - gesture.startX, point.y - gesture.startY) > CLICK_SLOP_PX
      ) {
        gesture.moved = true;
        // The whole way from the press, so the image stays under the pointer.
        previous.x = gesture.startX;
        previous.y = gesture.startY;
      }
      if (!gesture.moved) return;
      this.panning = true;
      this.applyTransform(panBy(transform, point.x - previous.x, point.y - previous.y));
    } else if (this.pointers.size === 2) {
      const last = gesture.pinch;
      const now = this.pinchOf();
      if (last === undefined || now === undefined) return;
      const mid = this.toPane(now.midX, now.midY);
      const panned = panBy(transform, now.midX - last.midX, now.midY - last.midY);
      this.applyTransform(
        zoomAt(
          panned,
          now.distance / last.distance,
          mid.x,
          mid.y,
          zoomLimits(this.paneSize(), image),
        ),
      );
      gesture.pinch = now;
    }
  };

  private onStagePointerUp = (event: PointerEvent): void => {
    if (!this.pointers.has(event.pointerId)) return;
    const single = this.pointers.size === 1;
    this.pointers.delete(event.pointerId);
    const gesture = this.gesture;
    if (this.pointers.size === 1 && gesture !== undefined) {
      // One finger of a pinch lifted: the other goes on panning from where it is.
      gesture.pinch = undefined;
    }
    if (this.pointers.size > 0) return;
    this.gesture = undefined;
    this.panning = false;
    if (!single || gesture === undefined || gesture.moved || event.type === 'pointercancel') return;
    const point = this.imagePoint(gesture.startX, gesture.startY);
    if (point === null) return;
    const detail: ImageClickDetail = { x: point[0], y: point[1] };
    this.dispatchEvent(
      new CustomEvent('qw-image-click', { detail, bubbles: true, composed: true }),
    );
  };

  private onStagePointerLeave = (): void => {
    if (this.pointers.size === 0) this.cursor = null;
  };

  private onWheel = (event: WheelEvent): void => {
    if (event.defaultPrevented) return;
    const transform = this.viewTransform;
    const image = this.imageSize();
    if (transform === undefined || image === undefined) return;
    event.preventDefault();
    const pane = this.paneSize();
    const unit = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? pane.height : 1;
    // Trackpad pinches arrive as wheel events with ctrlKey and small deltas.
    const delta = event.deltaY * unit * (event.ctrlKey ? 4 : 1);
    const point = this.stagePoint(event);
    const at = this.toPane(point.x, point.y);
    this.applyTransform(
      zoomAt(transform, wheelZoomFactor(delta), at.x, at.y, zoomLimits(pane, image)),
    );
    this.cursor = this.imagePoint(point.x, point.y);
  };

  // ---- divider ------------------------------------------------------------------------

  private setDivider(fraction: number): void {
    const clamped = clamp01(fraction);
    if (clamped === this.dividerFraction) return;
    this.dividerFraction = clamped;
    this.dispatchEvent(
      new CustomEvent('qw-divider-change', { detail: clamped, bubbles: true, composed: true }),
    );
  }

  private onDividerPointerDown = (event: PointerEvent): void => {
    event.stopPropagation();
    this.draggingDivider = true;
    (event.currentTarget as Element).setPointerCapture(event.pointerId);
    this.onDividerPointerMove(event);
  };

  private onDividerPointerMove = (event: PointerEvent): void => {
    if (!this.draggingDivider) return;
    event.stopPropagation();
    const point = this.stagePoint(event);
    this.setDivider(point.x / Math.max(1, this.stageSize.width));
  };

  private onDividerPointerUp = (event: PointerEvent): void => {
    event.stopPropagation();
    this.draggingDivider = false;
  };

  private onHandleKeyDown = (event: KeyboardEvent): void => {
    const moves: Record<string, number> = {
      ArrowLeft: this.dividerFraction - DIVIDER_KEY_STEP,
      ArrowRight: this.dividerFraction + DIVIDER_KEY_STEP,
      PageDown: this.dividerFraction - 5 * DIVIDER_KEY_STEP,
      PageUp: this.dividerFraction + 5 * DIVIDER_KEY_STEP,
      Home: 0,
      End: 1,
    };
    const next = moves[event.key];
    if (next === undefined) return;
    event.preventDefault();
    this.setDivider(next);
  };

  // ---- keyboard -------------------------------------------------------------------------

  /** Keys of the view: arrows pan, + − zoom, 0 fits, T / Space toggle the date, Esc back, 1–4 modes. */
  private onKeyDown = (event: KeyboardEvent): void => {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    const origin = event.composedPath()[0];
    const typing =
      origin instanceof HTMLInputElement && !['radio', 'range', 'checkbox'].includes(origin.type);
    if (typing || origin instanceof HTMLTextAreaElement || origin instanceof HTMLSelectElement) {
      return;
    }
    const onControl = origin instanceof HTMLInputElement || origin instanceof HTMLButtonElement;
    if (this.handleDateKeys(event, onControl)) return;
    if (onControl) return;
    const transform = this.viewTransform;
    const pane = this.paneSize();
    const step = (event.shiftKey ? 0.5 : KEY_PAN_FRACTION) * Math.min(pane.width, pane.height);
    const pans: Record<string, [number, number]> = {
      ArrowLeft: [step, 0],
      ArrowRight: [-step, 0],
      ArrowUp: [0, step],
      ArrowDown: [0, -step],
    };
    const pan = pans[event.key];
    const mode = COMPARE_MODES.find((entry) => entry.key === event.key);
    if (pan !== undefined && transform !== undefined) {
      this.applyTransform(panBy(transform, pan[0], pan[1]));
    } else if (event.key === '+' || event.key === '=') {
      this.zoomBy(KEY_ZOOM_FACTOR);
    } else if (event.key === '-' || event.key === '_') {
      this.zoomBy(1 / KEY_ZOOM_FACTOR);
    } else if (event.key === '0') {
      this.fit();
    } else if (mode !== undefined) {
      this.setMode(mode.mode);
    } else {
      return;
    }
    event.preventDefault();
  };

  /** T toggles the date, Space shows the other date while held, Esc goes back. */
  private handleDateKeys(event: KeyboardEvent, onControl: boolean): boolean {
    if (event.key === 't' || event.key === 'T') {
      if (!event.repeat) this.toggleDate();
    } else if (event.key === ' ' && !onControl) {
      if (!event.repeat && this.peekRestore === undefined) {
        this.peekRestore = { solo: this.solo };
        this.toggleDate();
      }
    } else if (event.key === 'Escape' && this.solo !== null) {
      this.endToggle();
    } else {
      return false;
    }
    event.preventDefault();
    return true;
  }

  private onKeyUp = (event: KeyboardEvent): void => {
    if (event.key !== ' ' || this.peekRestore === undefined) return;
    this.solo = this.peekRestore.solo;
    this.peekRestore = undefined;
    event.preventDefault();
  };

  /** The date keys also work when nothing on the page has the focus. */
  private onDocumentKey = (event: KeyboardEvent): void => {
    if (event.target !== document.body || this.beforeImage === undefined) return;
    if (!['t', 'T', ' ', 'Escape'].includes(event.key)) return;
    if (event.type === 'keydown') this.handleDateKeys(event, false);
    else this.onKeyUp(event);
  };

  // ---- rendering -------------------------------------------------------------------------

  private renderTag(role: DateRole, style: StyleProps, className = 'tag'): unknown {
    const label = this.labelOf(role);
    const editing = this.editing === role;
    return html`<div class=${className} style=${styleProps(style)} data-date=${role}>
      ${
        editing
          ? html`<input
              type="date"
              aria-label="Date of the ${role} image"
              @change=${(event: Event) => {
                this.commitDate(role, (event.target as HTMLInputElement).value);
              }}
              @keydown=${(event: KeyboardEvent) => {
                if (event.key === 'Escape') {
                  event.preventDefault();
                  this.editing = null;
                }
              }}
              @blur=${() => {
                this.editing = null;
              }}
            />`
          : html`<span class=${className === 'banner' ? 'date-banner' : 'label'} data-date=${role}
                >${label}</span
              ><button
                class="edit-date"
                aria-label="Type the date of the ${role} image"
                title="Type the date of the ${role} image"
                @click=${() => {
                  this.editing = role;
                  void this.updateComplete.then(() => {
                    this.renderRoot.querySelector<HTMLInputElement>('input[type="date"]')?.focus();
                  });
                }}
              >
                ✎
              </button>`
      }
    </div>`;
  }

  private renderLabels(): unknown {
    if (this.beforeImage === undefined || this.afterImage === undefined) return nothing;
    const shown = this.shownDate();
    if (shown !== null) {
      const hint =
        this.solo === null
          ? `blinking ${this.blinkRateHz.toFixed(1)} /s · T: hold a date`
          : `T: other date · Esc: back to ${COMPARE_MODES.find((entry) => entry.mode === this.mode)?.name ?? this.mode}`;
      return html`<div class="frame" data-date=${shown}></div>
        <div class="banner-wrap" aria-live="polite">${this.renderTag(shown, {}, 'banner')}</div>
        <div class="banner" style=${styleProps({ top: '3.2rem' })}>
          <span class="banner-hint">${hint}</span>
        </div>`;
    }
    const panes = this.panes;
    const right = panes[1];
    return html`${this.renderTag('before', { left: '0.6rem' })}
    ${
      right === undefined
        ? this.renderTag('after', { right: '0.6rem' })
        : this.renderTag('after', { left: `calc(${right.x}px + 0.6rem)` })
    }`;
  }

  private renderDivider(): unknown {
    if (this.mode !== 'swipe' || this.solo !== null || this.beforeImage === undefined) {
      return nothing;
    }
    const percent = Math.round(this.dividerFraction * 100);
    return html`<div
      class="divider"
      style=${styleProps({ left: `${this.dividerFraction * this.stageSize.width}px` })}
      @pointerdown=${this.onDividerPointerDown}
      @pointermove=${this.onDividerPointerMove}
      @pointerup=${this.onDividerPointerUp}
      @pointercancel=${this.onDividerPointerUp}
    >
      <div
        class="handle"
        role="slider"
        tabindex="0"
        aria-label="Swipe divider: before on the left, after on the right"
        aria-valuemin="0"
        aria-valuemax="100"
        aria-valuenow=${percent}
        aria-valuetext="${percent} % of the width shows the before image"
        @keydown=${this.onHandleKeyDown}
      ></div>
    </div>`;
  }

  private readoutText(): string {
    const cursor = this.cursor;
    if (cursor === null) return 'Point at the image for coordinates';
    const [col, row] = cursor;
    const pixel = `px ${col.toFixed(1)}, ${row.toFixed(1)}`;
    const geo = this.geo;
    const crs = this.beforeInfo?.crs;
    if (geo === undefined || crs == null) return `${pixel} (no georeference)`;
    const crsName = crsLabel(crs);
    const [x, y] = geo.mapXY(col, row);
    const lonLat = geo.lonLat(col, row);
    const grid = crs.geographic
      ? `${formatLonLat(x, y)} (${crsName})`
      : formatGridXY(x, y, crsName);
    return lonLat === null || crs.geographic
      ? `${grid} · ${pixel}`
      : `${grid} · ${formatLonLat(lonLat[0], lonLat[1])} · ${pixel}`;
  }

  private renderCompass(): unknown {
    const transform = this.viewTransform;
    const image = this.imageSize();
    const geo = this.geo;
    if (transform === undefined || image === undefined || geo === undefined) return nothing;
    const [cx, cy] = centreOf(transform, this.paneSize());
    const col = Math.min(image.width, Math.max(0, cx));
    const row = Math.min(image.height, Math.max(0, cy));
    const metres = geo.metresPerPixel(col, row);
    return html`<qw-view-compass
      .scaleBar=${metres === null ? null : niceScaleBar(metres / transform.scale)}
      .northDegrees=${geo.northDegrees(col, row)}
    ></qw-view-compass>`;
  }

  private renderModeControl(): unknown {
    if (this.mode === 'blink') {
      return html`<label class="mode-control"
        >Rate
        <input
          type="range"
          min=${BLINK_RATE_RANGE_HZ[0]}
          max=${BLINK_RATE_RANGE_HZ[1]}
          step="0.5"
          .value=${String(this.blinkRateHz)}
          aria-label="Blink rate, date changes per second"
          @input=${(event: Event) => {
            this.blinkRateHz = Number((event.target as HTMLInputElement).value);
          }}
        /><output>${this.blinkRateHz.toFixed(1)} /s</output></label
      >`;
    }
    if (this.mode === 'onion') {
      return html`<label class="mode-control"
        >After
        <input
          type="range"
          min="0"
          max="100"
          step="1"
          .value=${String(Math.round(this.onionOpacity * 100))}
          aria-label="Opacity of the after image over the before image, percent"
          @input=${(event: Event) => {
            this.onionOpacity = Number((event.target as HTMLInputElement).value) / 100;
          }}
        /><output>${Math.round(this.onionOpacity * 100)} %</output></label
      >`;
    }
    return html`<span class="mode-control hint"
      >${this.mode === 'swipe' ? 'Drag the yellow divider' : 'One view, both dates'}</span
    >`;
  }

  private renderToolbar(): unknown {
    const scale = this.viewTransform?.scale;
    const zoomText =
      scale === undefined
        ? '–'
        : scale >= 10
          ? `${Math.round(scale * 100)} %`
          : `${(scale * 100).toFixed(scale >= 1 ? 0 : 1)} %`;
    return html`<div class="toolbar">
      <fieldset class="modes">
        <legend>Compare mode</legend>
        ${COMPARE_MODES.map(
          (entry) =>
            html`<input
                type="radio"
                name="mode"
                id="mode-${entry.mode}"
                value=${entry.mode}
                .checked=${this.mode === entry.mode}
                @change=${() => {
                  this.setMode(entry.mode);
                }}
              /><label for="mode-${entry.mode}" title="${entry.name} (${entry.key})"
                >${entry.name}</label
              >`,
        )}
      </fieldset>
      ${this.renderModeControl()}
      <span class="zoom">
        <button
          aria-label="Zoom out (−)"
          title="Zoom out (−)"
          @click=${() => {
            this.zoomBy(1 / KEY_ZOOM_FACTOR);
          }}
        >
          −
        </button>
        <output aria-label="Zoom: CSS pixels per image pixel, percent">${zoomText}</output>
        <button
          aria-label="Zoom in (+)"
          title="Zoom in (+)"
          @click=${() => {
            this.zoomBy(KEY_ZOOM_FACTOR);
          }}
        >
          +
        </button>
        <button
          aria-label="Fit the whole image (0)"
          title="Fit the whole image (0)"
          @click=${() => {
            this.fit();
          }}
        >
          Fit
        </button>
        <button
          aria-label="Toggle dates (T)"
          title="Show the other date full-frame (T; hold Space for a peek; Esc goes back)"
          aria-pressed=${this.solo !== null ? 'true' : 'false'}
          @click=${() => {
            this.toggleDate();
          }}
        >
          T
        </button>
      </span>
    </div>`;
  }

  protected override render(): unknown {
    const right = this.panes[1];
    return html`
      ${this.renderToolbar()}
      <div
        class="stage ${this.panning ? 'panning' : ''}"
        tabindex="0"
        role="application"
        aria-roledescription="image view"
        aria-label="Image view. Arrow keys pan, plus and minus zoom, 0 fits, T toggles the date shown, 1 to 4 choose the compare mode."
        @pointerdown=${this.onStagePointerDown}
        @pointermove=${this.onStagePointerMove}
        @pointerup=${this.onStagePointerUp}
        @pointercancel=${this.onStagePointerUp}
        @pointerleave=${this.onStagePointerLeave}
        @wheel=${this.onWheel}
      >
        ${this.canvas}
        <div class="layer"><slot></slot></div>
        ${right === undefined ? nothing : html`<div class="separator" style=${styleProps({ left: `${right.x}px` })}></div>`}
        ${this.renderDivider()} ${this.renderLabels()}
        <qw-view-legend .overlays=${this.overlays}></qw-view-legend>
        <div class="readout" data-testid="cursor-readout">${this.readoutText()}</div>
        ${this.renderCompass()}
      </div>
    `;
  }
}

customElements.define('qw-compare-view', QwCompareView);

declare global {
  interface HTMLElementTagNameMap {
    'qw-compare-view': QwCompareView;
  }
}
