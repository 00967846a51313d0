/**
 * The pier editor's controller: owns the edit state (src/core/roi-edit.ts) in
 * pixels of the before image, the selection, the tool and the overlay
 * settings; applies what `qw-roi-layer` and `qw-roi-list` ask for (one
 * `qw-roi-action` event); handles the keyboard shortcuts (Ctrl+Z, Ctrl+Shift+Z
 * / Ctrl+Y, Delete, Escape); exports GeoJSON; and hands every change of the
 * piers to its host as WGS 84 lon/lat ROIs (io's `Roi`), the analysis's input.
 *
 * Pixel ↔ lon/lat goes through the before image's geotransform and proj4. An
 * ROI that has not been edited since it was imported is handed on as it was
 * read, so an import analyses exactly as before the editor existed.
 */
import { downloadBlob } from './download.ts';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { RasterInfo } from '../core/raster.ts';
import {
  applyEdit,
  canRedo,
  canUndo,
  createEditState,
  nextPierName,
  openRing,
  redo,
  roiProblems,
  undo,
  type EditPolygons,
  type EditRoi,
  type NewRoi,
  type RoiCommand,
  type RoiEditState,
  type RoiProblem,
} from '../core/roi-edit.ts';
import { lonLatRoisToPixel } from '../core/roi-raster.ts';
import type { PaneRect, ViewTransform } from '../core/view-transform.ts';
import { gridOf } from '../io/align-read.ts';
import { exportRoiGeoJson, pixelRoisToLonLat, type ImageGeoref, type Roi } from '../io/geojson.ts';

/** navigate: the layer lets pointer events through (pan, zoom, swipe) except on the selected pier's handles. */
export type RoiTool = 'navigate' | 'edit' | 'rectangle' | 'polygon';

/** What the layer and the list ask the controller to do (detail of `qw-roi-action`). */
export type RoiAction =
  | { readonly kind: 'edit'; readonly command: RoiCommand }
  /** A shape drawn on the layer: becomes a new pier, named and selected. */
  | { readonly kind: 'draw'; readonly polygons: EditPolygons }
  | { readonly kind: 'select'; readonly key: number | null }
  | { readonly kind: 'tool'; readonly tool: RoiTool }
  | { readonly kind: 'undo' }
  | { readonly kind: 'redo' }
  | { readonly kind: 'import'; readonly file: File }
  | { readonly kind: 'export' }
  | { readonly kind: 'overlay'; readonly visible: boolean; readonly opacity: number };

export const ROI_ACTION_EVENT = 'qw-roi-action';

/** Fires a `qw-roi-action` from `element` (bubbles, composed). */
export function fireRoiAction(element: HTMLElement, action: RoiAction): void {
  element.dispatchEvent(
    new CustomEvent<RoiAction>(ROI_ACTION_EVENT, { detail: action, bubbles: true, composed: true }),
  );
}

/** import: a new set replaced the piers; edit: the analyst changed them; history: undo or redo. */
export type RoiChangeReason = 'import' | 'edit' | 'history';

export interface RoiEditorOptions {
  /**
   * The piers changed: lon/lat ROIs in list order (empty when there are none)
   * and where they came from ("piers.geojson", "piers.geojson (edited)", "drawn piers").
   */
  readonly onChange: (rois: readonly Roi[], source: string, reason: RoiChangeReason) => void;
  /** The analyst picked a GeoJSON file to import. */
  readonly onImportFile: (file: File) => void;
}

interface EditorImage {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly georef: ImageGeoref | null;
}

function sameImage(a: EditorImage | null, b: EditorImage | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.name === b.name &&
    a.width === b.width &&
    a.height === b.height &&
    a.georef?.proj4 === b.georef?.proj4 &&
    JSON.stringify(a.georef?.geoTransform) === JSON.stringify(b.georef?.geoTransform)
  );
}

/** Whether keys typed at `target` are text (a name, a number): its own undo, not the piers'. */
function isEditable(target: EventTarget | undefined): boolean {
  if (!(target instanceof HTMLElement)) return false;
  const nonText = ['button', 'checkbox', 'color', 'file', 'radio', 'range', 'reset', 'submit'];
  return (
    (target instanceof HTMLInputElement && !nonText.includes(target.type)) ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    target.isContentEditable
  );
}

const EDITED = ' (edited)';

function panesIn(detail: unknown): PaneRect[] | undefined {
  if (typeof detail !== 'object' || detail === null || !('panes' in detail)) return undefined;
  const panes = detail.panes;
  if (!Array.isArray(panes)) return undefined;
  const valid = (panes as unknown[]).flatMap((pane): PaneRect[] => {
    if (typeof pane !== 'object' || pane === null) return [];
    const { x, y, width, height } = pane as Record<string, unknown>;
    return typeof x === 'number' &&
      typeof y === 'number' &&
      typeof width === 'number' &&
      typeof height === 'number'
      ? [{ x, y, width, height }]
      : [];
  });
  return valid.length > 0 ? valid : undefined;
}

/** A view transform in an event detail: `detail.transform`, or the detail itself. */
function transformIn(detail: unknown): ViewTransform | null {
  const candidate =
    typeof detail === 'object' && detail !== null && 'transform' in detail
      ? detail.transform
      : detail;
  if (typeof candidate !== 'object' || candidate === null) return null;
  const { scale, originX, originY } = candidate as Record<string, unknown>;
  return typeof scale === 'number' &&
    scale > 0 &&
    typeof originX === 'number' &&
    typeof originY === 'number' &&
    Number.isFinite(scale + originX + originY)
    ? { scale, originX, originY }
    : null;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class RoiEditorController implements ReactiveController {
  state: RoiEditState = createEditState();
  selectedKey: number | null = null;
  tool: RoiTool = 'navigate';
  /** Pier outlines and names on the layer. */
  visible = true;
  opacity = 0.9;
  /** Problems per pier key (outside the image, crossing itself). */
  problems: ReadonlyMap<number, readonly RoiProblem[]> = new Map();
  /** The last thing that went wrong (an export without georeference, say); '' when none. */
  message = '';
  /** Image px → CSS px of the view, from its last `qw-view-change`; undefined: fit to the view. */
  viewTransform: ViewTransform | undefined = undefined;
  /** The view's panes (side by side has two), CSS px of its stage; undefined: one, the whole view. */
  viewPanes: readonly PaneRect[] | undefined = undefined;
  /** Where the piers came from, for the table's caption. */
  source = '';
  /** Which file each set of piers in the history came from (undo restores the same arrays). */
  private readonly sourceOfRois = new WeakMap<readonly EditRoi[], string>();

  private image: EditorImage | null = null;
  /** The current piers in lon/lat: what the analysis reads. */
  private lonLat: readonly Roi[] = [];
  /** lon/lat of ROIs as imported, by edit ROI: unedited ROIs are handed on unchanged. */
  private imported = new WeakMap<EditRoi, Roi>();

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly options: RoiEditorOptions,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    window.addEventListener('keydown', this.onKeyDown);
    this.host.addEventListener(ROI_ACTION_EVENT, this.onAction as EventListener);
    this.host.addEventListener('qw-view-change', this.onViewChange);
  }

  hostDisconnected(): void {
    window.removeEventListener('keydown', this.onKeyDown);
    this.host.removeEventListener(ROI_ACTION_EVENT, this.onAction as EventListener);
    this.host.removeEventListener('qw-view-change', this.onViewChange);
  }

  private readonly onViewChange = (event: Event): void => {
    const detail: unknown = event instanceof CustomEvent ? event.detail : undefined;
    const transform = transformIn(detail);
    if (transform === null) return;
    this.viewTransform = transform;
    this.viewPanes = panesIn(detail);
    this.host.requestUpdate();
  };

  /** Width and height of the before image in pixels; 0 × 0 before one is set. */
  get imageSize(): { readonly width: number; readonly height: number } {
    return { width: this.image?.width ?? 0, height: this.image?.height ?? 0 };
  }

  /** Whether piers can be drawn and exported: the before image is georeferenced. */
  get georeferenced(): boolean {
    return this.image?.georef != null;
  }

  get canUndo(): boolean {
    return canUndo(this.state);
  }

  get canRedo(): boolean {
    return canRedo(this.state);
  }

  /** What undo would undo, e.g. "Rename Pier 4 to Crane quay". */
  get undoLabel(): string {
    return this.state.undo.at(-1)?.label ?? '';
  }

  get redoLabel(): string {
    return this.state.redo.at(-1)?.label ?? '';
  }

  /** The current piers in WGS 84 lon/lat. */
  get lonLatRois(): readonly Roi[] {
    return this.lonLat;
  }

  /**
   * The before image the piers are drawn on. A different image (another
   * before, or new display settings that reopened the same one are no change)
   * places the current piers on it afresh and forgets the edit history, whose
   * pixel positions belonged to the old image.
   */
  setImage(info: RasterInfo | null): void {
    const grid = info === null ? null : gridOf(info);
    const next: EditorImage | null =
      info === null
        ? null
        : {
            name: info.name,
            width: info.width,
            height: info.height,
            georef: grid === null ? null : { geoTransform: grid.geoTransform, proj4: grid.proj4 },
          };
    if (sameImage(this.image, next)) return;
    this.image = next;
    this.selectedKey = null;
    this.message = '';
    this.state = createEditState(this.toPixels(this.lonLat));
    this.seedImported(this.lonLat);
    this.afterStateChange();
  }

  /** A new set of piers (an import): replaces the current ones, undoably once there are any. */
  importRois(rois: readonly Roi[], source: string): void {
    this.lonLat = rois;
    // The piers being replaced keep their file's name for an undo back to them.
    this.sourceOfRois.set(this.state.rois, this.source);
    this.source = source.endsWith(EDITED) ? source.slice(0, -EDITED.length) : source;
    this.message = '';
    const pixels = this.toPixels(rois);
    const fresh = this.state.rois.length === 0 && !canUndo(this.state);
    this.state =
      this.image?.georef == null || fresh
        ? createEditState(pixels)
        : applyEdit(this.state, { type: 'replace-all', rois: pixels });
    this.sourceOfRois.set(this.state.rois, this.source);
    this.selectedKey = null;
    this.seedImported(rois);
    this.afterStateChange();
    this.options.onChange(this.lonLat, source, 'import');
  }

  /** The `qw-roi-action` listener (on the host, so the elements may sit anywhere in its tree). */
  readonly onAction = (event: CustomEvent<RoiAction>): void => {
    event.stopPropagation();
    this.perform(event.detail);
  };

  perform(action: RoiAction): void {
    switch (action.kind) {
      case 'edit':
        this.edit(action.command);
        break;
      case 'draw': {
        const key = this.state.nextKey;
        const name = nextPierName(this.state.rois);
        if (this.edit({ type: 'add', roi: { name, polygons: action.polygons } })) {
          this.selectedKey = key;
          this.tool = 'edit';
          this.host.requestUpdate();
        }
        break;
      }
      case 'select':
        this.selectedKey = action.key;
        this.host.requestUpdate();
        break;
      case 'tool':
        this.tool = action.tool;
        this.host.requestUpdate();
        break;
      case 'undo':
        this.history(undo);
        break;
      case 'redo':
        this.history(redo);
        break;
      case 'import':
        this.options.onImportFile(action.file);
        break;
      case 'export':
        this.exportGeoJson();
        break;
      case 'overlay':
        this.visible = action.visible;
        this.opacity = Math.min(1, Math.max(0, action.opacity));
        this.host.requestUpdate();
        break;
    }
  }

  /** Applies an edit; false (and a message) when it does not fit or cannot be placed on the map. */
  edit(command: RoiCommand): boolean {
    let next: RoiEditState;
    try {
      next = applyEdit(this.state, command);
    } catch (error) {
      this.message = message(error);
      this.host.requestUpdate();
      return false;
    }
    if (next === this.state) return true;
    return this.commit(next, 'edit');
  }

  private history(step: (state: RoiEditState) => RoiEditState): void {
    const next = step(this.state);
    if (next === this.state) return;
    // Undo and redo bring back earlier piers, and with them the file they came from.
    this.source = this.sourceOfRois.get(next.rois) ?? this.source;
    this.commit(next, 'history');
  }

  private commit(next: RoiEditState, reason: RoiChangeReason): boolean {
    let lonLat: Roi[];
    try {
      lonLat = this.toLonLat(next.rois);
    } catch (error) {
      this.message = message(error);
      this.host.requestUpdate();
      return false;
    }
    this.state = next;
    this.lonLat = lonLat;
    this.message = '';
    if (this.selectedKey !== null && !next.rois.some((roi) => roi.key === this.selectedKey)) {
      this.selectedKey = null;
    }
    this.afterStateChange();
    this.sourceOfRois.set(next.rois, this.source);
    const edited = this.source === '' ? 'drawn piers' : `${this.source}${EDITED}`;
    this.options.onChange(lonLat, next.undo.length === 0 ? this.source : edited, reason);
    return true;
  }

  private afterStateChange(): void {
    const { width, height } = this.imageSize;
    this.problems = new Map(
      width > 0 ? this.state.rois.map((roi) => [roi.key, roiProblems(roi, width, height)]) : [],
    );
    this.host.requestUpdate();
  }

  private seedImported(rois: readonly Roi[]): void {
    this.imported = new WeakMap();
    this.state.rois.forEach((roi, k) => {
      const source = rois[k];
      if (source?.name === roi.name) this.imported.set(roi, source);
    });
  }

  /** lon/lat ROIs → pixel ROIs to add; none without a georeferenced image. */
  private toPixels(rois: readonly Roi[]): NewRoi[] {
    const georef = this.image?.georef;
    if (georef == null || rois.length === 0) return [];
    const pixels = lonLatRoisToPixel(rois, {
      width: this.image?.width ?? 0,
      height: this.image?.height ?? 0,
      ...georef,
    });
    return pixels.map((roi, k) => ({
      name: roi.name,
      featureId: rois[k]?.id ?? null,
      polygons: roi.polygons.map((part) => part.map((ring) => openRing(ring))),
    }));
  }

  private toLonLat(rois: readonly EditRoi[]): Roi[] {
    const georef = this.image?.georef;
    if (georef == null) {
      if (rois.length === 0) return [];
      throw new Error('Piers need a georeferenced before image');
    }
    return rois.map((roi) => {
      const known = this.imported.get(roi);
      if (known !== undefined) return known;
      const [converted] = pixelRoisToLonLat(
        [{ name: roi.name, id: roi.featureId, polygons: roi.polygons }],
        georef,
      );
      if (converted === undefined) throw new Error(`${roi.name} cannot be placed on the map`);
      return converted;
    });
  }

  /** Downloads the piers as RFC 7946 GeoJSON (`piers.geojson`). */
  exportGeoJson(): void {
    const georef = this.image?.georef;
    if (georef == null) {
      this.message = 'Export needs a georeferenced before image.';
      this.host.requestUpdate();
      return;
    }
    let text: string;
    try {
      text = exportRoiGeoJson(
        this.state.rois.map((roi) => ({
          name: roi.name,
          id: roi.featureId,
          polygons: roi.polygons,
        })),
        georef,
      );
    } catch (error) {
      this.message = `Export failed: ${message(error)}`;
      this.host.requestUpdate();
      return;
    }
    downloadBlob(new Blob([text], { type: 'application/geo+json' }), 'piers.geojson');
  }

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    if (event.defaultPrevented || this.image === null) return;
    if (isEditable(event.composedPath()[0])) return; // typing a name: the input's own undo
    const mod = event.ctrlKey || event.metaKey;
    const key = event.key.toLowerCase();
    if (mod && !event.altKey && key === 'z') {
      event.preventDefault();
      this.history(event.shiftKey ? redo : undo);
    } else if (mod && !event.altKey && !event.shiftKey && key === 'y') {
      event.preventDefault();
      this.history(redo);
    } else if (event.key === 'Delete' && !mod && this.selectedKey !== null) {
      event.preventDefault();
      this.edit({ type: 'delete', key: this.selectedKey });
    } else if (event.key === 'Escape' && !mod) {
      if (this.selectedKey === null && this.tool === 'navigate') return;
      // The layer cancels a drawing or a drag first (capture phase) and prevents this.
      if (this.selectedKey !== null) this.selectedKey = null;
      else this.tool = 'navigate';
      this.host.requestUpdate();
    }
  };
}
