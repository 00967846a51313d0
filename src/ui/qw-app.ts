/**
 * Quaywatch's root element: takes images (drop, picker, URL, bundled demo),
 * opens each in its own io worker, gets a GPU (or says why not), and shows
 * the chosen pair in the swipe view. One file failing never costs the others.
 */
import { css, html, LitElement } from 'lit';
import { downloadBlob } from './download.ts';
import type { RasterInfo, Rgba8Image } from '../core/raster.ts';
import type { BandStretch } from '../core/display.ts';
import { adapterLabel, isGpuContext, requestGpu, type GpuContext } from '../gpu/device.ts';
import type { RasterSource } from '../io/decoder.ts';
import { RasterClient } from '../io/raster-client.ts';
import { groupDroppedFiles } from './file-intake.ts';
import { crsLabel, describeRaster, formatDate } from './format.ts';
import type { FileEntry } from './qw-file-list.ts';
import { QwCompareView, type DatedImage } from './qw-compare-view.ts';
import type { AlignmentState } from './qw-alignment-panel.ts';
import { gridOf, scaledGrid, sharesPixelGrid, type AlignTarget } from '../io/align-read.ts';
import type { CoveredLuminance, LuminanceImage } from '../io/decode.worker.ts';
import type { DisplaySettings } from './qw-display-controls.ts';
import { DEFAULT_ANALYSIS_PARAMS, type AnalysisParams } from '../core/analysis/params.ts';
import { describeParams, nonDefaultParams } from '../core/analysis/params-schema.ts';
import {
  CPU_STAGE_COUNT,
  CPU_STEP_COUNT,
  type AnalysisInput,
  type AnalysisResult,
} from '../core/analysis/cpu-pipeline.ts';
import {
  shiftToApply,
  unreliableShiftReason,
  type ShiftEstimate,
} from '../core/align/phase-correlation.ts';
import { analyzePairGpu, prepareGpuInput, type PreparedGpuInput } from '../gpu/pipeline.ts';
import {
  APP_WINDOW_LIMIT,
  analysisBands,
  coarsePixelCaveat,
  pairInput,
  pairWarnings,
  planAnalysis,
  referenceData,
  referenceReadBands,
  windowTarget,
  type AnalysisPlan,
  type ReferenceData,
} from '../io/analysis-plan.ts';
import { parseRoiGeoJson, textFileSizeProblem, type Roi } from '../io/geojson.ts';
import { analyzeInWorker, releaseWorkerInput } from './analysis-client.ts';
import { type PierRow, type PierZoomDetail } from './qw-pier-table.ts';
import { pierCoverage, piersWithoutPixels } from '../core/analysis/coverage.ts';
import { ringsBoundsPx } from '../core/analysis/roi-raster.ts';
import { roiSetToGeoJson } from '../io/geojson.ts';
import {
  looksLikeSession,
  parseSession,
  SESSION_FILE_NAME,
  sessionMatchesFiles,
  sessionToJson,
  type Session,
  type SessionCalibration,
  type SessionFileRef,
} from '../io/session.ts';
import {
  DebouncedSaver,
  loadImages,
  loadStoredSession,
  storeImages,
  storeSession,
  loadPairSession,
  pairSessionKey,
  type KeptImage,
} from './session-store.ts';
import { decodeHash, writeHash } from './url-state.ts';
import './qw-params-panel.ts';
import type { AnalysisBackend } from './qw-params-panel.ts';
import './qw-pier-table.ts';
import './qw-alignment-panel.ts';
import './qw-snapshot-panel.ts';
import { createViewGeo } from '../core/view-geo.ts';
import { ByteBudgetCache } from '../core/byte-budget-cache.ts';
import type { SnapshotMetadata } from '../core/export/snapshot-metadata.ts';
import {
  readSnapshotMetadata,
  SNAPSHOT_SHIFT_TOLERANCE_PX,
  type SnapshotSource,
} from './snapshot-export.ts';
import type { QwSnapshotPanel } from './qw-snapshot-panel.ts';
import './qw-display-controls.ts';
import './qw-file-list.ts';
import './qw-compare-view.ts';
import { RoiEditorController, type RoiChangeReason } from './roi-editor.ts';
import './qw-roi-layer.ts';
import './qw-roi-list.ts';
import { AnalysisOverlaysController } from './analysis-overlays.ts';
import type { OverlayChange } from './qw-overlay-controls.ts';
import type { CalibrateDetail } from './qw-blob-info.ts';
import './qw-overlay-controls.ts';
import './qw-blob-info.ts';
import { acquiredDay, distinctLabels, measuredTeu, orderDates, teuByPier } from '../core/series.ts';
import { SeriesController, type PairTeu } from './series.ts';
import './qw-series-chart.ts';
import './qw-data-exports.ts';

type Phase = 'empty' | 'loading' | 'ready' | 'error';

interface Entry extends FileEntry {
  readonly source: RasterSource;
  readonly client: RasterClient | null;
  readonly controller: AbortController;
}

/** Display textures never exceed this side, whatever the GPU allows. */
const MAX_DISPLAY_SIDE_PX = 4096;

/** A session waiting for its files to open: the autosaved one, or one loaded from a file. */
interface WaitingSession {
  readonly session: Session;
  readonly origin: 'autosave' | 'file';
}

/** The bundled demo pairs, relative to the page. */
export const DEMO_PAIRS: Record<string, readonly [string, string]> = {
  demo: ['demo/before.tif', 'demo/after.tif'],
  hard: ['demo/hard/before.tif', 'demo/hard/after.tif'],
};

const ANALYSIS_CANCELLED = 'Analysis cancelled.';

function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class QwApp extends LitElement {
  static override properties = {
    phase: { state: true },
    entries: { state: true },
    beforeId: { state: true },
    afterId: { state: true },
    pair: { state: true },
    pairProgress: { state: true },
    notice: { state: true },
    gpu: { state: true },
    gpuProblem: { state: true },
    dragging: { state: true },
    alignment: { state: true },
    pairError: { state: true },
    rois: { state: true },
    pierRows: { state: true },
    pierWarnings: { state: true },
    analysisStatus: { state: true },
    analysisRunning: { state: true },
    params: { state: true },
    updateTime: { state: true },
    updateStages: { state: true },
    sessionNotice: { state: true },
    keepImages: { state: true },
    analysisBackend: { state: true },
  };

  /*
   * Layout: header, banner, then the image view beside one scrollable side
   * column of panels, then the footer. The view takes what the header and the
   * side column leave (from 1280×720 up to 4K); nothing in the side column can
   * resize it, so a status line appearing while computing never moves the image.
   */
  static override styles = css`
    :host {
      display: grid;
      grid-template-rows: auto auto minmax(0, 1fr) auto;
      height: 100vh;
      overflow: hidden;
      color: #e6e8ee;
      background: #0d0f14;
      font:
        14px/1.4 system-ui,
        sans-serif;
    }
    :host([data-dragging]) {
      outline: 3px dashed #7cc4ff;
      outline-offset: -6px;
    }
    header {
      display: flex;
      align-items: center;
      flex-wrap: wrap;
      gap: 0.4rem 1rem;
      padding: 0.4rem 1rem;
      border-bottom: 1px solid #262a35;
    }
    h1 {
      margin: 0;
      font-size: 1.1rem;
      letter-spacing: 0.03em;
    }
    .tagline {
      color: #9aa3b5;
      flex: 1 1 12rem;
      min-width: 0;
      overflow: hidden;
      white-space: nowrap;
      text-overflow: ellipsis;
    }
    .actions {
      display: flex;
      gap: 0.5rem;
      align-items: center;
      flex-wrap: wrap;
    }
    button,
    .button {
      font: inherit;
      font-size: 13px;
      color: #e6e8ee;
      background: #2b3040;
      border: 1px solid #3d4459;
      border-radius: 3px;
      padding: 0.2rem 0.6rem;
      cursor: pointer;
    }
    button:focus-visible,
    .button:focus-within,
    .keep:focus-within,
    input:focus-visible,
    [tabindex]:focus-visible {
      outline: 2px solid #7cc4ff;
      outline-offset: 1px;
    }
    input[type='file'] {
      position: absolute;
      width: 1px;
      height: 1px;
      opacity: 0;
    }
    form {
      display: flex;
      gap: 0.3rem;
    }
    input[type='url'] {
      font: inherit;
      font-size: 13px;
      width: 15rem;
      color: #e6e8ee;
      background: #151922;
      border: 1px solid #3d4459;
      border-radius: 3px;
      padding: 0.15rem 0.4rem;
    }
    .banner {
      margin: 0;
      padding: 0.4rem 1rem;
      background: #4a3a10;
      color: #ffe9a8;
      border-bottom: 1px solid #7a6020;
    }
    .banner.error {
      background: #4a1414;
      color: #ffc9c9;
      border: 1px solid #7a2020;
    }
    .workspace {
      display: grid;
      grid-template-columns: minmax(0, 1fr) clamp(26rem, 34vw, 44rem);
      min-height: 0;
    }
    .view-area {
      display: grid;
      min-width: 0;
      min-height: 0;
    }
    .side {
      display: flex;
      flex-direction: column;
      min-width: 0;
      min-height: 0;
      overflow: hidden auto;
      border-left: 1px solid #262a35;
      scrollbar-gutter: stable;
    }
    .side > * {
      flex: none;
      min-width: 0;
    }
    .files {
      padding: 0.4rem 0.8rem;
      border-bottom: 1px solid #262a35;
    }
    .files:empty {
      display: none;
    }
    .alignment {
      display: grid;
      gap: 0.3rem;
      padding: 0.3rem 0.8rem;
      border-bottom: 1px solid #262a35;
    }
    .alignment:empty {
      display: none;
    }
    .notice {
      color: #ffb4b4;
      margin: 0.3rem 0 0;
      font-size: 12px;
    }
    qw-compare-view {
      min-height: 0;
    }
    .placeholder {
      display: grid;
      place-items: center;
      color: #9aa3b5;
      text-align: center;
      padding: 1rem;
    }
    .piers {
      display: flex;
      flex-direction: column;
      gap: 0.6rem;
      padding: 0.4rem 0.8rem 0.8rem;
    }
    .piers > * {
      flex: none;
      min-width: 0;
    }
    .view-stack {
      position: relative;
      display: grid;
      min-height: 0;
    }
    .view-stack > * {
      grid-area: 1 / 1;
      min-height: 0;
    }
    .pier-results {
      overflow-x: auto;
      /* One status line is always reserved: the caption arriving never shifts the panels below. */
      min-height: 1.6rem;
    }
    .session-notice {
      color: #b9e6c4;
      margin: 0.3rem 0 0;
      font-size: 12px;
    }
    .keep {
      display: flex;
      align-items: center;
      gap: 0.3rem;
      font-size: 13px;
      color: #9aa3b5;
    }
    .piers:empty {
      display: none;
    }
    .status {
      margin: 0;
      color: #9aa3b5;
      font-size: 12px;
    }
    footer {
      display: flex;
      flex-wrap: wrap;
      gap: 0.25rem 1.5rem;
      padding: 0.3rem 1rem;
      border-top: 1px solid #262a35;
      color: #9aa3b5;
      font-size: 12px;
      min-width: 0;
      overflow: hidden;
    }
  `;

  declare phase: Phase;
  declare entries: readonly Entry[];
  declare beforeId: number | null;
  declare afterId: number | null;
  /** The pair on screen. */
  declare pair: readonly [DatedImage, DatedImage] | undefined;
  /** 0..1 while the pair's display images are read, null when idle. */
  declare pairProgress: number | null;
  /** A message about the last drop or pick (files that were not taken). */
  declare notice: string;
  declare gpu: GpuContext | undefined;
  /** Why the GPU path is not in use, when it is not. */
  declare gpuProblem: string | undefined;
  declare dragging: boolean;
  declare alignment: AlignmentState | undefined;
  /** Why the pair cannot be shown (e.g. the images do not overlap). */
  declare pairError: string | null;
  /** The piers (ROIs) and the file they came from. */
  declare rois: { readonly source: string; readonly set: readonly Roi[] } | undefined;
  /** The per-pier table of the last analysis. */
  declare pierRows: readonly PierRow[];
  /**
   * Per-pier coverage (and which piers hold no pixel) of each analysis input: it depends on the input only,
   * and a slider move re-runs the analysis on the same input.
   */
  private readonly coverageByInput = new WeakMap<
    AnalysisInput,
    { readonly shares: readonly number[]; readonly withoutPixels: readonly boolean[] }
  >();
  /** Warnings about the analysed pair, under the pier table. */
  declare pierWarnings: readonly string[];
  /** What the analysis is doing or what went wrong, for the table's caption. */
  declare analysisStatus: string;
  /** An analysis is reading or running (the first one can be cancelled from the status line). */
  declare analysisRunning: boolean;
  /** The analysis parameters in use (the panel, the URL hash and the session carry them). */
  declare params: AnalysisParams;
  /** How long the last parameter update took, e.g. "update 123 ms (wall)". */
  declare updateTime: string;
  /** Wall time per pipeline stage of the last update, one "stage 12 ms" per line. */
  declare updateStages: string;
  /** "Session restored: …" and other news about the session; '' for none. */
  declare sessionNotice: string;
  /** Keep the image files in IndexedDB too (the analyst's choice). */
  declare keepImages: boolean;
  /** Where the analysis runs: the analyst's choice (or `?analysis=` in the URL). */
  declare analysisBackend: AnalysisBackend;

  private analysisController: AbortController | undefined;
  /** The last analysis input read back and what it was read for: a parameter change re-uses it. */
  private analysisInput:
    | {
        readonly beforeId: number;
        readonly afterId: number;
        readonly shiftPx: readonly [number, number];
        readonly rois: object;
        readonly input: AnalysisInput;
        /** The before image's bands and data mask the input was made of. */
        readonly reference: ReferenceData;
        /** [x0, y0, x1, y1) of the full-resolution before image that the input covers. */
        readonly windowPx: readonly [number, number, number, number];
      }
    | undefined;
  /**
   * The last analysis shown in the table: its result, input and where the input
   * lies in the before image (overlays, blob picking and calibration read it).
   */
  protected lastAnalysis:
    | {
        readonly result: AnalysisResult;
        readonly input: AnalysisInput;
        readonly params: AnalysisParams;
        readonly windowPx: readonly [number, number, number, number];
        /** The residual shift the input was read with (a nudge since then starts a new run). */
        readonly shiftPx: readonly [number, number];
      }
    | undefined;
  /** Settles when no GPU analysis is in flight (GPU runs cannot be cancelled, so they queue). */
  private gpuIdle: Promise<unknown> = Promise.resolve();
  /** The analysis input as uploaded for the GPU runs on it (one input at a time). */
  private gpuPrepared:
    { readonly device: GPUDevice; readonly prepared: PreparedGpuInput } | undefined;
  /** Params and view from the URL hash at load (they win over the autosaved session). */
  private readonly hashState = decodeHash(location.hash);
  /** The viewer's state as it last reported it (opaque JSON); undefined before it says. */
  private view: unknown = undefined;
  /** A view state to hand to the viewer once it is on screen. */
  private pendingView: unknown = undefined;
  /** The fill-factor calibration slot of the session (another part of the app fills it). */
  private calibration: SessionCalibration | null = null;
  /** A session waiting for the files it names: the autosaved one, or one loaded from a file. */
  private savedSession: WaitingSession | null = null;
  /** Autosave waits until the saved session has been matched (or not) against the first pair. */
  private sessionSettled = false;
  /** Pairs whose own autosaved session was looked up in this page (pairSession). */
  private readonly pairSessionsAsked = new Set<string>();
  /** Names and sizes of the images last kept in IndexedDB. */
  private keptImagesKey = '';
  private autosaveFailed = false;
  private readonly sessionReady: Promise<void>;
  private readonly saver = new DebouncedSaver(() => {
    void this.autosave();
  }, 500);
  private readonly hashWriter = new DebouncedSaver(() => {
    writeHash(this.params, this.view);
  }, 150);

  private target: AlignTarget | undefined;
  private beforeDisplay: DatedImage | undefined;
  private beforeLuminance: LuminanceImage | undefined;
  /** The stretches the display copies were made with (a snapshot reads pieces alike). */
  private displayStretches: {
    before?: readonly BandStretch[];
    after?: readonly BandStretch[];
  } = {};
  /** Before-image pixels per display pixel. */
  private displayToBeforePx = 1;
  private shiftController: AbortController | undefined;
  /** The before and after ids of the pair on screen, once its after image is read. */
  private shownPairIds: readonly [number, number] | undefined;
  /** Display bands and stretch the analyst chose; undefined for the defaults. */
  private display: DisplaySettings | undefined;

  private nextId = 1;
  private pairController: AbortController | undefined;
  private readonly gpuReady: Promise<void>;
  /** The pier editor: edits in before-image pixels, hands lon/lat piers to onRoisChanged. */
  private readonly roiEditor = new RoiEditorController(this, {
    onChange: (set, source, reason) => {
      this.onRoisChanged(set, source, reason);
    },
    onImportFile: (file) => {
      this.takeFiles([file]);
    },
  });
  private roiAnalysisTimer: ReturnType<typeof setTimeout> | undefined;
  /** Analysis overlays of the view (heat map, occupancy, blob outlines) and the picked blob. */
  private readonly analysisOverlays = new AnalysisOverlaysController(this);

  constructor() {
    super();
    this.phase = 'empty';
    this.entries = [];
    this.beforeId = null;
    this.afterId = null;
    this.pair = undefined;
    this.pairProgress = null;
    this.notice = '';
    this.gpu = undefined;
    this.gpuProblem = undefined;
    this.dragging = false;
    this.alignment = undefined;
    this.pairError = null;
    this.rois = undefined;
    this.pierRows = [];
    this.pierWarnings = [];
    this.analysisStatus = '';
    this.analysisRunning = false;
    this.params = this.hashState.params ?? DEFAULT_ANALYSIS_PARAMS;
    this.pendingView = this.hashState.view;
    this.updateTime = '';
    this.updateStages = '';
    this.sessionNotice = this.hashState.problems.join(' ');
    this.keepImages = false;
    this.analysisBackend = parseAnalysisBackend(
      new URLSearchParams(location.search).get('analysis'),
    );
    this.gpuReady = this.startGpu();
    this.sessionReady = this.loadSavedSession();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.dataset['phase'] = this.phase;
    this.addEventListener('dragover', this.onDragOver);
    this.addEventListener('dragleave', this.onDragLeave);
    this.addEventListener('drop', this.onDrop);
    this.addEventListener('qw-view-change', this.onViewChange);
    window.addEventListener('hashchange', this.onHashChange);
    window.addEventListener('pagehide', this.onPageHide);
    const demo = new URLSearchParams(location.search).get('demo');
    // Images the analyst kept in this browser open instead of the default demo.
    void this.sessionReady.then(async () => {
      if (demo === null && (await this.openKeptImages())) return;
      const pair = DEMO_PAIRS[demo ?? 'demo'];
      if (pair !== undefined) this.openDemo(pair);
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHashChange);
    window.removeEventListener('pagehide', this.onPageHide);
    this.saver.flush();
    for (const entry of this.entries) entry.client?.close();
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    this.dataset['phase'] = this.phase;
    this.toggleAttribute('data-dragging', this.dragging);
    this.sessionUpdated(changed);
  }

  private async startGpu(): Promise<void> {
    if (new URLSearchParams(location.search).get('gpu') === 'off') {
      this.gpuProblem = 'WebGPU is switched off for this page (?gpu=off).';
      return;
    }
    const result = await requestGpu(navigator.gpu, {
      onUncapturedError: (text) => {
        console.error(`WebGPU error: ${text}`);
      },
      onLost: (text) => {
        // Not fatal: the view falls back to Canvas 2D and says why.
        if (this.gpu === undefined) return;
        this.gpu = undefined;
        this.releaseGpuInput();
        this.gpuProblem = `The GPU device was lost (${text}); drawing on the CPU now.`;
      },
    });
    if (isGpuContext(result)) this.gpu = result;
    else this.gpuProblem = result.reason;
  }

  // ---- taking files in -------------------------------------------------

  private openDemo(paths: readonly [string, string]): void {
    this.addSources(
      // The bundled demo has no sidecars: not asked for.
      paths.map((path) => ({
        kind: 'url',
        url: new URL(path, document.baseURI).href,
        overviewUrl: null,
        maskUrl: null,
      })),
    );
    const folder = paths[0].slice(0, paths[0].lastIndexOf('/') + 1);
    void fetch(new URL(`${folder}piers.geojson`, document.baseURI))
      .then(async (response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        this.takeRois(await response.text(), 'piers.geojson');
      })
      .catch((error: unknown) => {
        this.notice = `The demo piers could not be loaded: ${message(error)}`;
      });
  }

  /** Piers from a GeoJSON text: replaces the current set, or says what is wrong with the file. */
  private takeRois(text: string, source: string): void {
    try {
      const parsed = parseRoiGeoJson(text, source);
      if (parsed.warnings.length > 0) this.notice = parsed.warnings.join(' ');
      this.roiEditor.importRois(parsed.rois, source); // → onRoisChanged
    } catch (error) {
      // The images, the pair and the previous piers stay as they were.
      this.notice = message(error);
    }
  }

  /** The piers changed (import, edit, undo/redo): analyse them, edits after a 300 ms pause. */
  private onRoisChanged(set: readonly Roi[], source: string, reason: RoiChangeReason): void {
    clearTimeout(this.roiAnalysisTimer);
    if (set.length === 0) {
      this.analysisController?.abort();
      this.analysisRunning = false;
      this.rois = undefined;
      this.forgetAnalysis();
      this.analysisStatus = 'No piers: draw one (Rectangle, Polygon) or import GeoJSON.';
      return;
    }
    this.rois = { source, set };
    if (reason === 'import') {
      void this.runAnalysis();
      return;
    }
    // A run of the piers as they were must not repaint over the edit; its table stays
    // until the new run lands.
    this.analysisController?.abort();
    this.analysisRunning = false;
    this.roiAnalysisTimer = setTimeout(() => {
      void this.runAnalysis();
    }, 300);
  }

  private onDragOver = (event: DragEvent): void => {
    event.preventDefault();
    this.dragging = true;
  };

  private onDragLeave = (): void => {
    this.dragging = false;
  };

  private onDrop = (event: DragEvent): void => {
    event.preventDefault();
    this.dragging = false;
    this.takeFiles(Array.from(event.dataTransfer?.files ?? []));
  };

  private onPick = (event: Event): void => {
    const input = event.target as HTMLInputElement;
    this.takeFiles(Array.from(input.files ?? []));
    input.value = '';
  };

  private onUrl = (event: SubmitEvent): void => {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const field = form.elements.namedItem('url') as HTMLInputElement;
    const text = field.value.trim();
    if (text.length === 0) return;
    let url: URL;
    try {
      url = new URL(text, document.baseURI);
    } catch {
      this.notice = `"${text}" is not a URL.`;
      return;
    }
    this.addSources([{ kind: 'url', url: url.href }]);
    field.value = '';
  };

  /** Files from a drop or the picker. */
  takeFiles(files: readonly File[]): void {
    // A PNG with a "quaywatch" chunk is a snapshot (its parameters are restored);
    // any other PNG is imagery, as before.
    if (files.some((file) => /\.png$/i.test(file.name))) {
      void this.takeSnapshotsThen(files);
      return;
    }
    this.takeNonSnapshotFiles(files);
  }

  private async takeSnapshotsThen(files: readonly File[]): Promise<void> {
    const rest: File[] = [];
    for (const file of files) {
      if (!/\.png$/i.test(file.name)) {
        rest.push(file);
        continue;
      }
      try {
        const metadata = await readSnapshotMetadata(file, file.name);
        if (metadata === null) rest.push(file);
        else this.restoreSnapshot(metadata, file.name);
      } catch (error) {
        this.sessionNotice = message(error);
      }
    }
    if (rest.length > 0) this.takeNonSnapshotFiles(rest);
  }

  private takeNonSnapshotFiles(files: readonly File[]): void {
    const geojson = files.filter((file) => /\.(geo)?json$/i.test(file.name));
    for (const file of geojson) {
      void textOfFile(file).then((read) => {
        // What is open stays as it was.
        if ('problem' in read) this.notice = read.problem;
        // A session file (marked "quaywatch-session") is a .json too.
        else if (looksLikeSession(read.text)) this.takeSessionText(read.text, file.name);
        else this.takeRois(read.text, file.name);
      });
    }
    const intake = groupDroppedFiles(files.filter((file) => !geojson.includes(file)));
    this.notice = intake.ignored.map((item) => `${item.name}: ${item.reason}.`).join(' ');
    this.addSources(intake.sources);
  }

  private update1(id: number, change: Partial<Entry>): void {
    this.entries = this.entries.map((entry) => (entry.id === id ? { ...entry, ...change } : entry));
  }

  private addSources(sources: readonly RasterSource[]): void {
    const added: Entry[] = sources.map((source) => {
      const name =
        source.kind === 'url'
          ? decodeURIComponent(new URL(source.url).pathname.split('/').pop() ?? source.url)
          : source.name;
      return {
        id: this.nextId++,
        name,
        sizeBytes: source.kind === 'blob' ? source.blob.size : 0,
        info: null,
        progress: 0,
        error: null,
        source,
        client: null,
        controller: new AbortController(),
      };
    });
    this.entries = [...this.entries, ...added];
    if (this.phase === 'empty') this.phase = 'loading';
    for (const entry of added) void this.openEntry(entry);
  }

  private async openEntry(entry: Entry): Promise<void> {
    try {
      const client = await RasterClient.open(entry.source, entry.name, {
        signal: entry.controller.signal,
        onProgress: (fraction) => {
          this.update1(entry.id, { progress: fraction });
        },
      });
      this.update1(entry.id, {
        client,
        info: client.info,
        sizeBytes: client.info.sizeBytes,
        progress: null,
      });
      this.choosePairIfNeeded();
    } catch (error) {
      if (isAbort(error)) {
        this.removeEntry(entry.id);
        return;
      }
      this.update1(entry.id, { progress: null, error: message(error) });
      this.settlePhase();
    }
  }

  private removeEntry(id: number): void {
    const entry = this.entries.find((candidate) => candidate.id === id);
    entry?.controller.abort();
    entry?.client?.close();
    this.entries = this.entries.filter((candidate) => candidate.id !== id);
    if (id === this.beforeId || id === this.afterId) {
      // Its reads and runs stop, and nothing of the pair it was in stays on screen.
      this.pairController?.abort();
      this.shiftController?.abort();
      this.analysisController?.abort();
      this.analysisRunning = false;
      this.pairProgress = null;
      this.alignment = undefined;
      this.shownPairIds = undefined;
      this.forgetAnalysis();
      this.pierWarnings = [];
      if (this.rois !== undefined)
        this.analysisStatus = 'Open one more image to analyse the piers.';
      this.beforeId = id === this.beforeId ? null : this.beforeId;
      this.afterId = id === this.afterId ? null : this.afterId;
      this.pair = undefined;
      this.choosePairIfNeeded();
    }
    this.settlePhase();
  }

  private settlePhase(): void {
    if (this.pair !== undefined) this.phase = 'ready';
    else if (this.entries.some((entry) => entry.progress !== null)) this.phase = 'loading';
    else if (this.entries.length === 0) this.phase = 'empty';
    else if (this.entries.every((entry) => entry.error !== null)) this.phase = 'error';
    else this.phase = 'loading';
  }

  /** Earliest and latest acquisition among the open images become before and after. */
  private choosePairIfNeeded(): void {
    const ready = this.entries.filter((entry) => entry.info !== null);
    if (ready.length < 2) {
      this.settlePhase();
      return;
    }
    if (this.beforeId !== null && this.afterId !== null && this.pair !== undefined) return;
    if (this.entries.some((entry) => entry.progress !== null && entry.info === null)) return;
    // Metadata date, else a date in the file name, else the order the files came in.
    const byDate = orderDates(
      ready.map((entry) => ({
        id: entry.id,
        name: entry.name,
        acquired: entry.info?.acquired ?? null,
      })),
    );
    this.beforeId = byDate[0]?.id ?? null;
    this.afterId = byDate[byDate.length - 1]?.id ?? null;
    void this.showPair();
  }

  private onRole = (event: CustomEvent<{ id: number; role: 'before' | 'after' }>): void => {
    const { id, role } = event.detail;
    if (role === 'before') {
      if (id === this.afterId) this.afterId = this.beforeId;
      this.beforeId = id;
    } else {
      if (id === this.beforeId) this.beforeId = this.afterId;
      this.afterId = id;
    }
    void this.showPair();
  };

  // ---- the pair on screen ---------------------------------------------------

  private entry(id: number | null): Entry | undefined {
    return this.entries.find((entry) => entry.id === id);
  }

  private displayMaxSide(): number {
    return Math.min(
      MAX_DISPLAY_SIDE_PX,
      this.gpu?.device.limits.maxTextureDimension2D ?? MAX_DISPLAY_SIDE_PX,
    );
  }

  /** Reads the before image for display, the after image onto its grid, then estimates the residual shift. */
  private async showPair(): Promise<void> {
    const before = this.entry(this.beforeId);
    const after = this.entry(this.afterId);
    if (before?.client == null || after?.client == null || before.info === null) return;
    this.pairController?.abort();
    this.shiftController?.abort();
    // A run of the old pair (or of the old display's read) must not repaint.
    this.analysisController?.abort();
    const controller = new AbortController();
    this.pairController = controller;
    this.pairProgress = 0;
    this.pairError = null;
    // The same pair shown again (display bands or stretch changed) keeps its shift.
    const samePair = this.shownPairIds?.[0] === before.id && this.shownPairIds[1] === after.id;
    const keptShiftPx = samePair ? this.alignment?.appliedPx : undefined;
    this.alignment = undefined;
    if (samePair) {
      // Its overlays are redrawn by the run that follows.
      this.lastAnalysis = undefined;
      this.analysisOverlays.clear();
    } else {
      // The old pair's table, overlays, exports and picked blob go with it.
      this.forgetAnalysis();
      this.pierWarnings = [];
      if (this.rois !== undefined) this.analysisStatus = 'Reading the pair…';
    }
    await this.gpuReady;
    try {
      const display = await before.client
        .readDisplay(
          {
            maxDimension: this.displayMaxSide(),
            bands: this.bandsFor(before.info),
            ...this.stretchRequest(),
          },
          {
            signal: controller.signal,
            onProgress: (fraction) => {
              this.pairProgress = fraction / 2;
            },
          },
        )
        .catch((error: unknown) => {
          if (!isAbort(error)) this.update1(before.id, { error: message(error) });
          throw error;
        });
      const { width, height } = display.image;
      const grid = gridOf(before.info);
      this.target = {
        grid: grid === null ? null : scaledGrid(grid, width, height),
        width,
        height,
        name: before.name,
      };
      this.beforeDisplay = {
        image: display.image,
        label: `BEFORE · ${formatDate(before.info.acquired)}`,
      };
      this.displayStretches = { before: display.stretches };
      this.beforeLuminance =
        display.luminance === undefined
          ? undefined
          : { width, height, luminance: display.luminance };
      this.displayToBeforePx = before.info.width / width;
      this.roiEditor.setImage(before.info);
      const appliedPx = (await this.restoreSession(before, after)) ?? keptShiftPx ?? [0, 0];
      const aligned = await this.showAfter(appliedPx, controller, { withLuminance: true });
      void this.runAnalysis();
      if (controller.signal.aborted || this.beforeLuminance === undefined) return;
      if (aligned === undefined) return;
      const estimate = await after.client.estimateShift(this.beforeLuminance, aligned, {
        signal: controller.signal,
      });
      controller.signal.throwIfAborted();
      // showAfter has set it since (flow analysis cannot see that).
      const alignment = this.alignment as AlignmentState | undefined;
      if (alignment === undefined) return;
      // The read carried the shift in use (a restored session's), so what is
      // estimated is the residual beyond it; the estimate shown is absolute.
      this.alignment = {
        ...alignment,
        estimatePx: [
          appliedPx[0] + estimate.dxPx * this.displayToBeforePx,
          appliedPx[1] + estimate.dyPx * this.displayToBeforePx,
        ],
        estimateNote: estimateNoteOf(estimate),
      };
    } catch (error) {
      // Errors of one file show next to it; this keeps the view as it was.
      if (!isAbort(error)) this.pairError = message(error);
    } finally {
      if (this.pairController === controller) this.pairProgress = null;
      this.settlePhase();
    }
  }

  /**
   * (Re)reads the after image onto the before grid with a residual shift in
   * before pixels; with `withLuminance`, returns the read's luminance to
   * estimate the shift from.
   */
  private async showAfter(
    shiftBeforePx: readonly [number, number],
    controller: AbortController,
    { withLuminance = false }: { readonly withLuminance?: boolean } = {},
  ): Promise<CoveredLuminance | undefined> {
    const after = this.entry(this.afterId);
    const before = this.entry(this.beforeId);
    const target = this.target;
    if (after?.client == null || after.info === null || target === undefined) return;
    if (this.alignment !== undefined) this.alignment = { ...this.alignment, busy: true };
    const scale = this.displayToBeforePx;
    try {
      const result = await after.client.readAlignedDisplay(
        {
          target,
          shiftPx: [shiftBeforePx[0] / scale, shiftBeforePx[1] / scale],
          maxDimension: Math.max(target.width, target.height),
          bands: this.bandsFor(after.info),
          ...this.stretchRequest(),
          withLuminance,
        },
        {
          signal: controller.signal,
          onProgress: (fraction) => {
            this.pairProgress = 0.5 + fraction / 2;
          },
        },
      );
      if (controller.signal.aborted || this.beforeDisplay === undefined) return;
      this.displayStretches = { ...this.displayStretches, after: result.stretches };
      this.pair = [
        this.beforeDisplay,
        { image: result.image, label: `AFTER · ${formatDate(after.info.acquired)}` },
      ];
      this.shownPairIds = [before?.id ?? -1, after.id];
      this.alignment = {
        method: describeMethod(result.method, before?.info ?? null, after.info),
        coverage: result.coverage,
        estimatePx: this.alignment?.estimatePx ?? null,
        estimateNote: this.alignment?.estimateNote ?? null,
        appliedPx: shiftBeforePx,
        busy: false,
      };
      return result.aligned;
    } catch (error) {
      if (!isAbort(error)) {
        this.update1(after.id, { error: message(error) });
        throw error;
      }
    }
  }

  /** The analyst's display bands, clamped to what this image has. */
  private bandsFor(info: RasterInfo): number[] {
    const chosen = this.display?.bands ?? displayBands(info);
    return chosen.map((band) => Math.min(band, info.bands - 1));
  }

  private stretchRequest(): { stretchPercent?: readonly [number, number] } {
    const percent = this.display?.stretchPercent ?? null;
    return percent === null ? {} : { stretchPercent: percent };
  }

  private onDisplay = (event: CustomEvent<DisplaySettings>): void => {
    this.display = event.detail;
    void this.showPair();
  };

  private onShift = (event: CustomEvent<readonly [number, number]>): void => {
    this.shiftController?.abort();
    const controller = new AbortController();
    this.shiftController = controller;
    // The shift asked for is the one in use from now: a nudge while the read runs
    // adds to it (three quick presses of → move 0.3 px, not 0.1).
    if (this.alignment !== undefined) {
      this.alignment = { ...this.alignment, appliedPx: event.detail, busy: true };
    }
    void this.showAfter(event.detail, controller)
      .then(() => this.runAnalysis())
      .catch((error: unknown) => {
        if (!isAbort(error)) this.pairError = message(error);
      });
  };

  /**
   * Reads the pier area at full resolution (before as is, after resampled onto
   * the before grid with the shift in use) and runs the analysis in a worker.
   * A newer run cancels an older one.
   */
  private async runAnalysis(): Promise<void> {
    const before = this.entry(this.beforeId);
    const after = this.entry(this.afterId);
    const rois = this.rois;
    if (
      before?.client == null ||
      after?.client == null ||
      before.info === null ||
      rois === undefined
    )
      return;
    if (this.alignment === undefined) return;
    this.analysisController?.abort();
    const controller = new AbortController();
    this.analysisController = controller;
    this.analysisRunning = true;
    // Until a later step names itself (a GPU run in flight is waited for first).
    if (this.pierRows.length === 0) this.analysisStatus = 'Analysing…';
    const params = this.params;
    const started = performance.now();
    try {
      const shiftPx = this.alignment.appliedPx;
      const cached = this.analysisInput;
      let input: AnalysisInput;
      let windowPx: readonly [number, number, number, number];
      if (
        cached?.beforeId === before.id &&
        cached.afterId === after.id &&
        cached.rois === rois &&
        cached.shiftPx[0] === shiftPx[0] &&
        cached.shiftPx[1] === shiftPx[1]
      ) {
        // A parameter change: the pixels read last time are still the input.
        input = cached.input;
        windowPx = cached.windowPx;
      } else {
        const plan = planAnalysis(before.info, rois.set, rois.source, APP_WINDOW_LIMIT);
        // The copies of the previous input in the worker and on the GPU are stale now.
        releaseWorkerInput();
        this.releaseGpuInputWhenIdle();
        this.analysisStatus = 'Reading the piers at full resolution…';
        const pair = await readPairInput(
          plan,
          { client: before.client, info: before.info },
          { client: after.client, info: after.info ?? before.info },
          shiftPx,
          controller.signal,
        );
        input = pair.input;
        windowPx = plan.window;
        this.analysisInput = {
          beforeId: before.id,
          afterId: after.id,
          shiftPx,
          rois,
          input,
          reference: pair.reference,
          windowPx: plan.window,
        };
      }
      controller.signal.throwIfAborted();
      this.updateTime = 'updating…';
      const { result, backend, wallMs, note } = await this.analyze(
        input,
        params,
        controller.signal,
      );
      // A run made stale by a newer change never repaints.
      if (controller.signal.aborted) return;
      this.lastAnalysis = { result, input, params, windowPx, shiftPx };
      this.onAnalysisShown();
      this.pierWarnings = [
        ...(after.info === null ? [] : pairWarnings(before.info, after.info)),
        ...result.warnings,
      ];
      const { shares, withoutPixels } = this.coverageOf(input, result.roiIndex);
      this.pierRows = result.rois.map((roi, index) => ({
        name: roi.name,
        coverage: shares[index] ?? 0,
        withoutPixels: withoutPixels[index] ?? false,
        before: roi.before,
        after: roi.after,
        appeared: roi.appeared,
        disappeared: roi.disappeared,
        net: { teu: roi.netTeu, lowTeu: roi.netLowTeu, highTeu: roi.netHighTeu },
      }));
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      this.analysisStatus = `${rois.source}: analysed on ${backend} in ${seconds} s, ${describeParams(params)}`;
      const gpuMs = result.timingsMs['gpu'];
      this.updateTime =
        gpuMs === undefined
          ? `update ${Math.round(wallMs)} ms (wall)`
          : `update ${Math.round(wallMs)} ms (wall), GPU ${gpuMs.toFixed(1)} ms`;
      this.updateStages = [
        ...Object.entries(result.timingsMs).map(([stage, ms]) => `${stage} ${Math.round(ms)} ms`),
        ...(note === undefined ? [] : [note]),
      ].join('\n');
    } catch (error) {
      // A cancelled run's late failure (a GPU run cannot be stopped) is not this run's news.
      if (!isAbort(error) && !controller.signal.aborted) {
        this.forgetAnalysis();
        this.analysisStatus = `Analysis failed: ${message(error)}`;
        this.updateTime = '';
      }
    } finally {
      if (this.analysisController === controller) this.analysisRunning = false;
    }
  }

  /**
   * The shown result no longer answers the piers or parameters in place (none
   * left, or their run failed): its table, overlays and exports go, so that no
   * export carries numbers of piers that are gone.
   */
  private forgetAnalysis(): void {
    this.lastAnalysis = undefined;
    this.analysisOverlays.clear();
    this.pierRows = [];
    // The series was of those piers and parameters too.
    this.series.clear();
  }

  /** Stops the analysis in progress; the table (if any) stays as it was. */
  private cancelAnalysis = (): void => {
    // A pier edit waiting for its pause would start the run again.
    clearTimeout(this.roiAnalysisTimer);
    this.analysisController?.abort();
    this.analysisRunning = false;
    if (this.pierRows.length === 0) this.analysisStatus = ANALYSIS_CANCELLED;
    this.updateTime = '';
  };

  private releaseGpuInput(): void {
    this.gpuPrepared?.prepared.destroy();
    this.gpuPrepared = undefined;
  }

  private releaseGpuInputWhenIdle(): void {
    const held = this.gpuPrepared;
    if (held === undefined) return;
    void this.gpuIdle.then(() => {
      if (this.gpuPrepared === held) this.releaseGpuInput();
    });
  }

  /**
   * The WebGPU pipeline when there is a device; the CPU twins in a worker
   * otherwise, or when the GPU run fails (a lost device, say) — the table
   * names the backend that produced it. `wallMs` is the wall time of the
   * analysis call alone (no reading, no waiting for an earlier GPU run).
   * A GPU run cannot be stopped once submitted: a newer one waits for it,
   * and one made stale while waiting never starts. A CPU run made stale stops
   * at its next stage, or is killed with its worker (analysis-client.ts).
   */
  private async analyze(
    input: AnalysisInput,
    params: AnalysisParams,
    signal: AbortSignal,
    keepInput = true,
  ): Promise<{ result: AnalysisResult; backend: string; wallMs: number; note?: string }> {
    const first = this.pierRows.length === 0;
    const gpu = this.gpu;
    if (gpu !== undefined && useGpuForAnalysis(this.analysisBackend, gpu)) {
      await this.gpuIdle;
      signal.throwIfAborted();
      if (first) this.analysisStatus = 'Analysing on the GPU…';
      try {
        const started = performance.now();
        // Uploaded once per input; a parameter change re-runs on the same buffers.
        // A series date (keepInput false) runs on its own upload, leaving the pair's.
        const kept =
          this.gpuPrepared?.device === gpu.device && this.gpuPrepared.prepared.input === input;
        if (keepInput && !kept) {
          this.releaseGpuInput();
          this.gpuPrepared = { device: gpu.device, prepared: prepareGpuInput(gpu.device, input) };
        }
        const prepared = keepInput || kept ? this.gpuPrepared?.prepared : undefined;
        // The GPU run reads its input arrays without taking them, so the CPU can retry with them.
        const run = analyzePairGpu(gpu.device, input, params, prepared && { prepared });
        this.gpuIdle = run.catch(() => undefined);
        const result = await run;
        // The worker's copy of an input is for CPU runs only.
        if (keepInput) releaseWorkerInput();
        return {
          result,
          backend: `WebGPU (${adapterLabel(gpu.adapter)})`,
          wallMs: performance.now() - started,
          note: kept ? 'input kept on the GPU' : 'input uploaded to the GPU',
        };
      } catch (error) {
        // A failed run may have left the device unusable: upload afresh next time.
        this.releaseGpuInput();
        if (signal.aborted) throw error;
        console.warn(`GPU analysis failed, running on the CPU: ${message(error)}`);
      }
    }
    // The CPU twins do not need the GPU copy of the input (freed once no GPU run uses it).
    if (keepInput) this.releaseGpuInputWhenIdle();
    const working = 'Analysing on the CPU (worker)…';
    if (first) this.analysisStatus = working;
    const started = performance.now();
    // The first table's wait (seconds for a large port) shows its steps; later runs keep their table.
    // Steps come on a port of their own: one may arrive after the run's result or error.
    let settled = false;
    const onStep = first
      ? (stepsDone: number): void => {
          if (!settled && !signal.aborted && this.pierRows.length === 0) {
            this.analysisStatus = `${working} step ${stepsDone + 1} of ${CPU_STEP_COUNT}`;
          }
        }
      : undefined;
    const { result, inputKept, stagesComputed } = await analyzeInWorker(
      input,
      params,
      signal,
      keepInput,
      onStep,
    ).finally(() => {
      settled = true;
    });
    const stages =
      stagesComputed === undefined
        ? ''
        : `, ${stagesComputed.length} of ${CPU_STAGE_COUNT} stages computed`;
    return {
      result,
      backend: 'the CPU (worker)',
      wallMs: performance.now() - started,
      note: `${inputKept ? 'input kept in the worker' : 'input copied to the worker'}${stages}`,
    };
  }

  // ---- parameters and session ----------------------------------------------------

  private onBackend = (event: CustomEvent<AnalysisBackend>): void => {
    this.analysisBackend = event.detail;
    void this.runAnalysis();
  };

  /** Which backend "auto" picks here, and why; '' when the choice is explicit. */
  private backendNote(): string {
    if (this.analysisBackend !== 'auto') return '';
    if (this.gpu === undefined) return 'no WebGPU device: the CPU worker runs it';
    return useGpuForAnalysis('auto', this.gpu)
      ? 'the GPU runs it'
      : 'software WebGPU adapter: the CPU worker is faster and runs it';
  }

  private onParams = (event: CustomEvent<AnalysisParams>): void => {
    this.params = event.detail;
    void this.runAnalysis();
  };

  /** A link's hash edited in place: its params and view apply. */
  private onHashChange = (): void => {
    const state = decodeHash(location.hash);
    if (state.problems.length > 0) this.sessionNotice = state.problems.join(' ');
    const params = state.params ?? DEFAULT_ANALYSIS_PARAMS;
    if (
      JSON.stringify(nonDefaultParams(params)) !== JSON.stringify(nonDefaultParams(this.params))
    ) {
      this.params = params;
      void this.runAnalysis();
    }
    if (state.view !== undefined) this.applyView(state.view);
  };

  private onPageHide = (): void => {
    this.saver.flush();
  };

  /** The viewer's `qw-view-change`: its `viewState` (or the event's detail) is kept as opaque JSON. */
  private onViewChange = (event: Event): void => {
    const source = event.composedPath()[0];
    const fromElement =
      source !== undefined && 'viewState' in source
        ? (source as { viewState: unknown }).viewState
        : undefined;
    const state =
      fromElement ?? (event instanceof CustomEvent ? (event.detail as unknown) : undefined);
    if (state === undefined) return;
    this.view = state;
    this.hashWriter.schedule();
    this.saver.schedule();
  };

  private viewer(): Element | null {
    return this.renderRoot.querySelector('qw-compare-view');
  }

  /** Gives the viewer a saved view state now, or once it is on screen. */
  private applyView(state: unknown): void {
    const viewer = this.viewer();
    if (viewer === null || !('viewState' in viewer)) {
      this.pendingView = state;
      return;
    }
    this.pendingView = undefined;
    try {
      (viewer as { viewState: unknown }).viewState = state;
      this.view = state;
    } catch (error) {
      console.warn(`The saved view could not be applied: ${message(error)}`);
    }
  }

  /** After each render: the hash and the autosave follow the state; a waiting view is applied. */
  private sessionUpdated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('params')) this.hashWriter.schedule();
    const saved = ['params', 'alignment', 'rois', 'beforeId', 'afterId', 'keepImages'];
    if (saved.some((key) => changed.has(key))) this.saver.schedule();
    if (this.pendingView !== undefined && this.viewer() !== null) this.applyView(this.pendingView);
  }

  /**
   * The autosaved session of exactly these files, once per pair opened in
   * this page (a pair opened again later in the page keeps what is on screen).
   */
  private async pairSession(files: readonly SessionFileRef[]): Promise<WaitingSession | null> {
    const key = pairSessionKey(files);
    if (this.pairSessionsAsked.has(key) || this.autosaveFailed) return null;
    this.pairSessionsAsked.add(key);
    try {
      const session = await loadPairSession(files);
      return session === null ? null : { session, origin: 'autosave' };
    } catch (error) {
      this.sessionNotice = `The autosaved session of these files was not restored: ${message(error)}`;
      return null;
    }
  }

  private async loadSavedSession(): Promise<void> {
    try {
      const session = await loadStoredSession();
      if (session !== null) this.savedSession = { session, origin: 'autosave' };
    } catch (error) {
      this.sessionNotice = `The autosaved session was not restored: ${message(error)}`;
    }
    if (this.savedSession === null) this.sessionSettled = true;
  }

  private pairFiles(before: Entry | undefined, after: Entry | undefined): SessionFileRef[] {
    return [
      ...(before === undefined
        ? []
        : [{ role: 'before' as const, name: before.name, sizeBytes: before.sizeBytes }]),
      ...(after === undefined
        ? []
        : [{ role: 'after' as const, name: after.name, sizeBytes: after.sizeBytes }]),
    ];
  }

  private currentSession(): Session {
    const rois = this.rois;
    return {
      savedAt: new Date().toISOString(),
      files: this.pairFiles(this.entry(this.beforeId), this.entry(this.afterId)),
      alignment: this.alignment === undefined ? null : { shiftPx: this.alignment.appliedPx },
      rois:
        rois === undefined
          ? null
          : { source: rois.source, geojson: JSON.stringify(roiSetToGeoJson(rois.set)) },
      params: this.params,
      view: this.view ?? null,
      calibration: this.calibration,
      overlays: this.analysisOverlays.settings,
      keepImages: this.keepImages,
    };
  }

  private async autosave(): Promise<void> {
    if (!this.sessionSettled || this.autosaveFailed) return;
    const session = this.currentSession();
    if (session.files.length < 2) return;
    try {
      await storeSession(session);
      const kept: KeptImage[] = [];
      if (this.keepImages) {
        for (const [role, entry] of [
          ['before', this.entry(this.beforeId)],
          ['after', this.entry(this.afterId)],
        ] as const) {
          if (entry?.source.kind === 'blob') {
            kept.push({ role, name: entry.name, blob: entry.source.blob });
          }
        }
      }
      const key = kept.map((image) => `${image.role}:${image.name}:${image.blob.size}`).join('|');
      if (key !== this.keptImagesKey) {
        await storeImages(kept);
        this.keptImagesKey = key;
      }
    } catch (error) {
      this.autosaveFailed = true;
      this.sessionNotice = `This session is not saved in the browser: ${message(error)}`;
    }
  }

  /** Opens the images the analyst kept in this browser; false when there are none to open. */
  private async openKeptImages(): Promise<boolean> {
    const session = this.savedSession?.session;
    if (session?.keepImages !== true) return false;
    let images: KeptImage[];
    try {
      images = await loadImages();
    } catch {
      return false;
    }
    const named = images.filter((image) =>
      session.files.some(
        (file) =>
          file.role === image.role &&
          file.name === image.name &&
          file.sizeBytes === image.blob.size,
      ),
    );
    if (named.length < 2) return false;
    this.keepImages = true;
    this.keptImagesKey = named
      .map((image) => `${image.role}:${image.name}:${image.blob.size}`)
      .join('|');
    this.addSources(named.map((image) => ({ kind: 'blob', blob: image.blob, name: image.name })));
    return true;
  }

  /**
   * When the pair on screen is the files a waiting session names (names and
   * sizes), applies its piers, parameters (unless the link's hash set them),
   * view and calibration, says so, and returns its shift; else [0, 0].
   */
  private async restoreSession(
    before: Entry,
    after: Entry,
  ): Promise<readonly [number, number] | null> {
    await this.sessionReady;
    const files = this.pairFiles(before, after);
    let waiting = this.savedSession;
    if (waiting === null || !sessionMatchesFiles(waiting.session, files)) {
      // The latest autosave was of other files: these may have their own.
      waiting = await this.pairSession(files);
    }
    if (waiting === null) {
      this.sessionSettled = true;
      return null;
    }
    const { session, origin } = waiting;
    this.savedSession = null;
    const applied = [`${before.name} and ${after.name}`];
    if (session.rois !== null) {
      this.takeRois(session.rois.geojson, session.rois.source);
      applied.push(`piers from ${session.rois.source}`);
    }
    if (origin === 'autosave') {
      if (this.hashState.params === null) {
        this.params = session.params;
        applied.push(`parameters (${describeParams(session.params)})`);
      } else {
        applied.push("parameters from the link's hash");
      }
      if (this.hashState.view === undefined && session.view !== null) {
        this.applyView(session.view);
        applied.push('view');
      }
      this.keepImages = session.keepImages;
      if (session.calibration !== null) this.calibration = session.calibration;
      if (session.overlays !== null) {
        this.analysisOverlays.restoreSettings(session.overlays);
        applied.push('overlays');
      }
    }
    const shift = session.alignment?.shiftPx ?? [0, 0];
    if (session.alignment !== null) {
      applied.push(`shift (${shift[0].toFixed(2)}, ${shift[1].toFixed(2)}) px`);
    }
    this.sessionNotice = `Session restored: ${applied.join(', ')}.`;
    this.sessionSettled = true;
    return shift;
  }

  /** A session file loaded or dropped: settings apply now, the alignment once its files are open. */
  private takeSessionText(text: string, source: string): void {
    let session: Session;
    try {
      session = parseSession(text, source);
    } catch (error) {
      this.sessionNotice = message(error);
      return;
    }
    this.params = session.params;
    this.calibration = session.calibration;
    if (session.view !== null) this.applyView(session.view);
    if (session.overlays !== null) this.analysisOverlays.restoreSettings(session.overlays);
    const applied = [`parameters (${describeParams(session.params)})`];
    if (session.rois !== null) {
      this.takeRois(session.rois.geojson, session.rois.source);
      applied.push(`piers from ${session.rois.source}`);
    } else {
      void this.runAnalysis();
    }
    const before = this.entry(this.beforeId);
    const after = this.entry(this.afterId);
    if (sessionMatchesFiles(session, this.pairFiles(before, after))) {
      this.savedSession = null;
      if (session.alignment !== null) {
        const shift = session.alignment.shiftPx;
        applied.push(`shift (${shift[0].toFixed(2)}, ${shift[1].toFixed(2)}) px`);
        this.onShift(new CustomEvent('qw-shift', { detail: shift }));
      }
    } else if (session.files.length > 0) {
      this.savedSession = { session, origin: 'file' };
      applied.push(
        `open ${session.files.map((file) => file.name).join(' and ')} to apply its alignment`,
      );
    }
    this.sessionNotice = `Session loaded from ${source}: ${applied.join(', ')}.`;
  }

  private saveSessionFile = (): void => {
    const blob = new Blob([sessionToJson(this.currentSession())], { type: 'application/json' });
    downloadBlob(blob, SESSION_FILE_NAME);
  };

  private pickSessionFile = (): void => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = '.json,application/json';
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      if (file === undefined) return;
      void textOfFile(file).then((read) => {
        if ('problem' in read) this.sessionNotice = read.problem;
        else this.takeSessionText(read.text, file.name);
      });
    });
    input.click();
  };

  private onKeepImages = (event: Event): void => {
    this.keepImages = (event.target as HTMLInputElement).checked;
  };

  /**
   * A pier-table row was chosen: the view zooms to that pier. Rows are the last
   * analysis's ROIs in order, so its input gives the pier's rings (window px).
   */
  private onPierZoom = (event: CustomEvent<PierZoomDetail>): void => {
    const analysis = this.lastAnalysis;
    const roi = analysis?.input.rois[event.detail.index];
    const viewer = this.viewer();
    if (analysis === undefined || roi === undefined || !(viewer instanceof QwCompareView)) return;
    const [x0, y0, x1, y1] = ringsBoundsPx(roi.rings);
    if (!(x1 > x0 && y1 > y0)) return;
    const [windowX, windowY] = analysis.windowPx;
    viewer.zoomToRect([windowX + x0, windowY + y0, x1 - x0, y1 - y0]);
  };

  // ---- rendering --------------------------------------------------------------

  /** Called after a new analysis result is stored in lastAnalysis (overlays, series hook in here). */
  private onAnalysisShown(): void {
    // Filled by the overlay and series work.
    if (this.lastAnalysis !== undefined) this.analysisOverlays.showAnalysis(this.lastAnalysis);
    this.startSeries();
  }

  /** Export CSV / Export blobs (GeoJSON) of the analysis on screen (qw-data-exports.ts). */
  private renderDataExports(): unknown {
    if (this.lastAnalysis === undefined) return null;
    return html`<qw-data-exports
      .analysis=${this.lastAnalysis}
      .beforeInfo=${this.entry(this.beforeId)?.info ?? null}
    ></qw-data-exports>`;
  }

  /** Overlay toggles and opacities (heat map, occupancy, blobs). */
  private renderOverlayControls(): unknown {
    if (this.lastAnalysis === undefined) return null;
    return html`<qw-overlay-controls
      .settings=${this.analysisOverlays.settings}
      @qw-overlay=${(event: CustomEvent<OverlayChange>) => {
        const { id, visible, opacity01 } = event.detail;
        this.analysisOverlays.setOverlay(id, { visible, opacity01 });
        this.saver.schedule();
      }}
    ></qw-overlay-controls>`;
  }

  /** "Export snapshot…" (the annotated PNG) and "Load snapshot…". */
  private renderSnapshotPanel(): unknown {
    if (this.lastAnalysis === undefined || this.pair === undefined) return null;
    const before = this.entry(this.beforeId);
    const after = this.entry(this.afterId);
    return html`<qw-snapshot-panel
      .collect=${this.collectSnapshot}
      .defaultTitle=${`Quaywatch — ${before?.name ?? 'before'} → ${after?.name ?? 'after'}`}
      @qw-snapshot-load=${(event: CustomEvent<File>) => {
        const file = event.detail;
        // The outcome shows next to "Load snapshot…" too, not only in the files column.
        const panel = event.target as QwSnapshotPanel;
        void readSnapshotMetadata(file, file.name)
          .then((metadata) => {
            if (metadata === null) {
              this.sessionNotice = `${file.name} carries no Quaywatch parameters (no "quaywatch" chunk): nothing restored.`;
            } else this.restoreSnapshot(metadata, file.name);
          })
          .catch((error: unknown) => {
            this.sessionNotice = message(error);
          })
          .finally(() => {
            panel.message = this.sessionNotice;
          });
      }}
    ></qw-snapshot-panel>`;
  }

  /** What is on screen now, for the snapshot renderer. */
  private collectSnapshot = (): SnapshotSource | null => {
    const shown = this.lastAnalysis;
    const pair = this.pair;
    const before = this.entry(this.beforeId);
    const after = this.entry(this.afterId);
    const viewer = this.renderRoot.querySelector('qw-compare-view');
    if (shown === undefined || pair === undefined || before?.info == null || viewer === null) {
      return null;
    }
    const pane = viewer.panes[0];
    if (pane === undefined) return null;
    const [x0, y0] = shown.windowPx;
    const coverage = this.coverageOf(shown.input, shown.result.roiIndex);
    const grid = gridOf(before.info);
    // A date the analyst typed in the view stands for the file's own, as the view shows it.
    const dateOf = (entry: Entry | undefined, role: 'before' | 'after'): string | null =>
      viewer.typedDate(role) ?? acquiredDay(entry?.info?.acquired);
    return {
      before: { image: pair[0].image, label: viewer.shownLabel('before') },
      after: { image: pair[1].image, label: viewer.shownLabel('after') },
      imageWidthPx: before.info.width,
      imageHeightPx: before.info.height,
      transform: viewer.transform,
      paneWidthPx: pane.width,
      paneHeightPx: pane.height,
      overlays: this.analysisOverlays.overlays(),
      piers: shown.input.rois.map((roi, index) => {
        const numbers = shown.result.rois[index];
        return {
          name: roi.name,
          rings: roi.rings.map((ring) => ring.map(([x, y]): [number, number] => [x + x0, y + y0])),
          beforeTeu: numbers?.before.teu ?? 0,
          afterTeu: numbers?.after.teu ?? 0,
          netTeu: numbers?.netTeu ?? 0,
          coverage: coverage.shares[index] ?? 1,
        };
      }),
      numbers: shown.result.rois.map((roi) => ({
        name: roi.name,
        beforeTeu: roi.before.teu,
        afterTeu: roi.after.teu,
        appearedTeu: roi.appeared.teu,
        disappearedTeu: roi.disappeared.teu,
        netTeu: roi.netTeu,
        netLowTeu: roi.netLowTeu,
        netHighTeu: roi.netHighTeu,
      })),
      geo: grid === null ? null : createViewGeo(grid),
      caveats: coarsePixelCaveat(after?.info == null ? [before.info] : [before.info, after.info]),
      params: shown.params,
      // The shift of the numbers shown, not a nudge whose run has not finished.
      shiftPx: shown.shiftPx,
      alignmentMethod: this.alignment?.method ?? '',
      files: this.pairFiles(before, after).map((file) => ({
        ...file,
        date: dateOf(file.role === 'before' ? before : after, file.role),
      })),
      viewState: viewer.viewState,
      readFullResolution: (windowPx, maxSidePx, signal) =>
        this.readSnapshotImagery(windowPx, maxSidePx, signal),
    };
  };

  /** pierCoverage and piersWithoutPixels of `input`, once per input. */
  private coverageOf(
    input: AnalysisInput,
    roiIndex: Int32Array,
  ): { readonly shares: readonly number[]; readonly withoutPixels: readonly boolean[] } {
    const known = this.coverageByInput.get(input);
    if (known !== undefined) return known;
    // Both scan the pier raster: once per input, not on every slider move; the
    // pixel-less piers only when asked (the series reads the shares alone).
    let withoutPixels: readonly boolean[] | undefined;
    const coverage = {
      shares: pierCoverage(input, roiIndex),
      get withoutPixels(): readonly boolean[] {
        return (withoutPixels ??= piersWithoutPixels(input, roiIndex));
      },
    };
    this.coverageByInput.set(input, coverage);
    return coverage;
  }

  /**
   * Both dates over a full-resolution window of the before image, as on
   * screen: the display's bands and stretches, the after image resampled with
   * the shift in use. Null without a georeference, or with an after image
   * without one and of another size (pixel-grid pairs keep their display copies).
   */
  private async readSnapshotImagery(
    windowPx: readonly [number, number, number, number],
    maxSidePx: number,
    signal?: AbortSignal,
  ): Promise<{ readonly before: Rgba8Image; readonly after: Rgba8Image } | null> {
    const before = this.entry(this.beforeId);
    const after = this.entry(this.afterId);
    const { before: beforeStretches, after: afterStretches } = this.displayStretches;
    if (before?.client == null || before.info === null || after?.client == null) return null;
    if (after.info === null || beforeStretches === undefined || afterStretches === undefined) {
      return null;
    }
    const grid = gridOf(before.info);
    if (grid === null) return null;
    // An after image without georeference is placed on the before grid only at
    // the before image's size (readAligned refuses others): keep the display copies.
    const afterPlaced =
      gridOf(after.info) !== null ||
      sharesPixelGrid(after.info, before.info.width, before.info.height);
    if (!afterPlaced) return null;
    const target = windowTarget(grid, windowPx, before.name, maxSidePx);
    // The shift is in full-resolution before px; the target may be coarser.
    const toTarget = target.width / (windowPx[2] - windowPx[0]);
    const shift = this.alignment?.appliedPx ?? [0, 0];
    const request = (stretches: readonly BandStretch[], info: RasterInfo) => ({
      target,
      maxDimension: Math.max(target.width, target.height),
      bands: this.bandsFor(info),
      stretches,
    });
    const options = signal === undefined ? {} : { signal };
    const [beforeRead, afterRead] = await Promise.all([
      before.client.readAlignedDisplay(
        { ...request(beforeStretches, before.info), shiftPx: [0, 0] },
        options,
      ),
      after.client.readAlignedDisplay(
        {
          ...request(afterStretches, after.info),
          shiftPx: [shift[0] * toTarget, shift[1] * toTarget],
        },
        options,
      ),
    ]);
    return { before: beforeRead.image, after: afterRead.image };
  }

  /** A snapshot PNG loaded or dropped: its parameters (and view, and shift for the same files) apply. */
  private restoreSnapshot(metadata: SnapshotMetadata, source: string): void {
    this.params = metadata.params;
    const applied = [`parameters (${describeParams(metadata.params)})`];
    if (metadata.view.viewState !== undefined && metadata.view.viewState !== null) {
      this.applyView(metadata.view.viewState);
      applied.push('view');
    }
    const files = this.pairFiles(this.entry(this.beforeId), this.entry(this.afterId));
    const sameFiles =
      files.length === 2 &&
      metadata.files.length === 2 &&
      files.every((file) =>
        metadata.files.some(
          (ref) =>
            ref.role === file.role && ref.name === file.name && ref.sizeBytes === file.sizeBytes,
        ),
      );
    const [dx = 0, dy = 0] = metadata.alignment.shiftPx;
    const current = this.alignment?.appliedPx;
    // A CLI snapshot rounds the shift to 0.01 px: within that, the shift in use stays.
    const sameShift =
      current !== undefined &&
      Math.abs(current[0] - dx) < SNAPSHOT_SHIFT_TOLERANCE_PX &&
      Math.abs(current[1] - dy) < SNAPSHOT_SHIFT_TOLERANCE_PX;
    if (sameFiles && !sameShift) {
      applied.push(`shift (${dx.toFixed(2)}, ${dy.toFixed(2)}) px`);
      this.onShift(new CustomEvent('qw-shift', { detail: [dx, dy] as const }));
    } else {
      void this.runAnalysis();
    }
    this.sessionNotice = `Snapshot ${source}: restored ${applied.join(', ')}.`;
  }

  /** The clicked blob's numbers and its calibration. */
  private renderBlobInfo(): unknown {
    if (this.lastAnalysis === undefined) return null;
    return html`<qw-blob-info
      .blob=${this.analysisOverlays.picked}
      .message=${this.analysisOverlays.pickMessage}
      .params=${this.params}
      .calibration=${this.calibration}
      @qw-calibrate=${this.onCalibrate}
      @qw-blob-clear=${() => {
        this.analysisOverlays.clearPick();
      }}
    ></qw-blob-info>`;
  }

  /** A click in the view that was not a drag: the blob under it. */
  private onImageClick = (event: CustomEvent<{ x: number; y: number }>): void => {
    this.analysisOverlays.click(event.detail.x, event.detail.y);
  };

  /** A calibrated fill factor: saved with the session, and the analysis re-runs as for a slider. */
  private onCalibrate = (event: CustomEvent<CalibrateDetail>): void => {
    this.calibration = event.detail.calibration;
    this.onParams(new CustomEvent('qw-params', { detail: event.detail.params }));
  };

  /** The N-date series: per-pier TEU across all dates. */
  private renderSeries(): unknown {
    const state = this.series.state;
    if (state === undefined || this.rois === undefined) return null;
    return html`<qw-series-chart
      .state=${state}
      .fineAlign=${this.series.fineAlign}
      @qw-series-cancel=${() => {
        this.series.cancel();
      }}
      @qw-series-rerun=${() => {
        this.series.rerun();
      }}
      @qw-series-fine-align=${(event: CustomEvent<boolean>) => {
        this.series.fineAlign = event.detail;
        this.startSeries();
      }}
    ></qw-series-chart>`;
  }

  // ---- the N-date series (src/ui/series.ts) ------------------------------------

  /** Each date against the before image; restarts when images are opened or removed. */
  private readonly series = new SeriesController(this, {
    datesKey: () =>
      this.seriesDates()
        .map((entry) => entry.id)
        .join(','),
    onDatesChanged: () => {
      this.startSeries();
    },
  });
  /** A number per pier set, so cached series results know which piers they were for. */
  private readonly roiSetIds = new WeakMap<object, number>();
  private nextRoiSetId = 1;
  /**
   * What the series keeps for one reference and pier set (the ones in use):
   * the reference's pier window, read once, and each date's aligned pier
   * window within a memory budget, so a parameter change re-runs the
   * analysis, not the reading.
   */
  private seriesKept: SeriesKept | undefined;
  /** Each date's estimated shift, per reference luminance (it changes with the display). */
  private readonly seriesShifts = new WeakMap<LuminanceImage, Map<number, SeriesShift>>();

  private seriesDates(): Entry[] {
    return this.entries.filter((entry) => entry.client !== null && entry.info !== null);
  }

  private roiSetId(rois: object): number {
    let id = this.roiSetIds.get(rois);
    if (id === undefined) {
      id = this.nextRoiSetId++;
      this.roiSetIds.set(rois, id);
    }
    return id;
  }

  /**
   * (Re)starts the series when three or more images are open and the analysis
   * on screen is current: every date against the before image (the reference)
   * with the current piers and parameters; the pair on screen is taken as is.
   */
  private startSeries(): void {
    const dates = this.seriesDates();
    const reference = this.entry(this.beforeId);
    const rois = this.rois;
    const shown = this.lastAnalysis;
    const input = this.analysisInput;
    if (dates.length < 3 || reference?.info == null || rois === undefined) {
      this.series.clear();
      this.seriesKept = undefined;
      return;
    }
    // Not current yet (a newer analysis is on its way): that one starts the series.
    if (
      shown === undefined ||
      input === undefined ||
      shown.params !== this.params ||
      input.rois !== rois ||
      input.beforeId !== reference.id
    ) {
      return;
    }
    const params = this.params;
    const ordered = orderDates(
      dates.map((entry) => ({
        id: entry.id,
        name: entry.name,
        acquired: entry.info?.acquired ?? null,
      })),
    );
    const labels = distinctLabels(ordered);
    const fineAlign = this.series.fineAlign;
    const common = `${reference.id}|${this.roiSetId(rois)}|${JSON.stringify(params)}`;
    const shownKey = `shown ${input.shiftPx[0]},${input.shiftPx[1]}`;
    this.series.start(
      {
        referenceId: reference.id,
        dates: ordered.map((date, index) => ({
          id: date.id,
          name: date.name,
          label: labels[index] ?? date.label,
        })),
        cacheKey: (dateId) =>
          `${common}|${dateId}|${dateId === input.afterId ? shownKey : fineAlign ? 'fine' : 'none'}`,
        known:
          input.afterId === reference.id
            ? []
            : [
                {
                  dateId: input.afterId,
                  value: {
                    ...this.measuredPairTeu(shown.input, shown.result),
                    shiftPx: input.shiftPx,
                    shiftSource: 'in use for the pair on screen',
                  },
                },
              ],
        runPair: (dateId, signal) =>
          this.runSeriesPair(reference, dateId, rois, params, fineAlign, signal),
      },
      () => this.params === params && this.rois === rois && this.beforeId === reference.id,
    );
  }

  /** The pair (reference, date) through the same reading and analysis as the pair on screen. */
  private async runSeriesPair(
    reference: Entry,
    dateId: number,
    rois: { readonly source: string; readonly set: readonly Roi[] },
    params: AnalysisParams,
    fineAlign: boolean,
    signal: AbortSignal,
  ): Promise<PairTeu> {
    const date = this.entry(dateId);
    if (date?.client == null || date.info === null)
      throw new Error('This image is no longer open.');
    if (reference.client === null || reference.info === null) {
      throw new Error(`${reference.name} is no longer open.`);
    }
    const plan = planAnalysis(reference.info, rois.set, rois.source, APP_WINDOW_LIMIT);
    const { shiftPx, shiftSource } = fineAlign
      ? await this.seriesShift(date, signal)
      : { shiftPx: [0, 0] as const, shiftSource: 'none (fine alignment per date is off)' };
    const bandsKey = `${reference.id}|${this.roiSetId(rois)}`;
    // What was kept for another reference or pier set can never be used again.
    if (this.seriesKept?.key !== bandsKey) {
      this.seriesKept = {
        key: bandsKey,
        reference: undefined,
        dates: new ByteBudgetCache(SERIES_INPUT_BUDGET_BYTES),
      };
    }
    const kept = this.seriesKept;
    const dateKey = `${date.id}|${shiftPx[0]},${shiftPx[1]}`;
    let input = kept.dates.get(dateKey);
    const fromMemory = input !== undefined;
    if (input === undefined) {
      const onScreen = this.analysisInput;
      const before =
        onScreen?.beforeId === reference.id && onScreen.rois === rois
          ? onScreen.reference
          : kept.reference;
      const pair = await readPairInput(
        plan,
        { client: reference.client, info: reference.info },
        { client: date.client, info: date.info },
        shiftPx,
        signal,
        before,
      );
      input = pair.input;
      kept.reference = pair.reference;
      // The reference's bands are shared by every date; a date holds its own and its coverage.
      const dateBytes =
        input.after.reduce((sum, band) => sum + band.byteLength, 0) + input.valid.byteLength;
      kept.dates.set(dateKey, input, dateBytes);
    }
    signal.throwIfAborted();
    // Not kept: a date of the series must not displace the pair on screen from the worker or GPU.
    const { result } = await this.analyze(input, params, signal, false);
    signal.throwIfAborted();
    return {
      ...this.measuredPairTeu(input, result),
      shiftPx,
      shiftSource: fromMemory ? `${shiftSource}; pier area kept in memory` : shiftSource,
    };
  }

  /** A pair's TEU per pier for the series, null where the pair covers none of a pier. */
  private measuredPairTeu(
    input: AnalysisInput,
    result: AnalysisResult,
  ): Pick<PairTeu, 'before' | 'after'> {
    const { before, after } = teuByPier(result);
    const { shares } = this.coverageOf(input, result.roiIndex);
    return { before: measuredTeu(before, shares), after: measuredTeu(after, shares) };
  }

  /**
   * A date's residual shift against the reference, estimated as showPair does
   * (display scale), once per reference luminance (it changes with the display).
   */
  private async seriesShift(date: Entry, signal: AbortSignal): Promise<SeriesShift> {
    const target = this.target;
    const luminance = this.beforeLuminance;
    if (
      date.client === null ||
      date.info === null ||
      target === undefined ||
      luminance === undefined
    ) {
      return { shiftPx: [0, 0], shiftSource: 'none (nothing to estimate it against)' };
    }
    const known = this.seriesShifts.get(luminance) ?? new Map<number, SeriesShift>();
    this.seriesShifts.set(luminance, known);
    const kept = known.get(date.id);
    if (kept !== undefined) return kept;
    const read = await date.client.readAlignedDisplay(
      {
        target,
        shiftPx: [0, 0],
        maxDimension: Math.max(target.width, target.height),
        bands: this.bandsFor(date.info),
        ...this.stretchRequest(),
        withLuminance: true,
      },
      { signal },
    );
    if (read.aligned === undefined)
      throw new Error('The aligned read came back without its luminance');
    const estimate = await date.client.estimateShift(luminance, read.aligned, { signal });
    // An estimate without agreeing tiles is a guess within ±32 px: the georeference alone places the date.
    const { shiftPx, unreliable } = shiftToApply(estimate, this.displayToBeforePx);
    const shift: SeriesShift = {
      shiftPx,
      shiftSource:
        unreliable === null
          ? `estimated (peak ratio ${estimate.peakRatio.toFixed(1)})`
          : `not measured (${unreliable})`,
    };
    known.set(date.id, shift);
    return shift;
  }

  /** Pier outlines over the view (image px of the before image → the view's CSS px). */
  private renderRoiLayer(): unknown {
    const editor = this.roiEditor;
    return html`<qw-roi-layer
      .rois=${editor.state.rois}
      .selectedKey=${editor.selectedKey}
      .tool=${editor.tool}
      .problems=${editor.problems}
      .imageWidth=${editor.imageSize.width}
      .imageHeight=${editor.imageSize.height}
      .transform=${editor.viewTransform}
      .panes=${editor.viewPanes}
      .visible=${editor.visible}
      .opacity=${editor.opacity}
    ></qw-roi-layer>`;
  }

  /** The pier list: tools, undo/redo, import/export, names, warnings. */
  private renderRoiList(): unknown {
    const editor = this.roiEditor;
    if (this.pair === undefined) return null;
    return html`<qw-roi-list
      class="pier-editor"
      .rois=${editor.state.rois}
      .selectedKey=${editor.selectedKey}
      .problems=${editor.problems}
      .tool=${editor.tool}
      .canUndo=${editor.canUndo}
      .canRedo=${editor.canRedo}
      .undoLabel=${editor.undoLabel}
      .redoLabel=${editor.redoLabel}
      .canDraw=${editor.georeferenced}
      .visible=${editor.visible}
      .opacity=${editor.opacity}
      .message=${editor.message}
    ></qw-roi-list>`;
  }

  private renderView(): unknown {
    if (this.pairError !== null) {
      return html`<div class="placeholder">
        <p class="banner error" role="alert">${this.pairError}</p>
      </div>`;
    }
    if (this.pair !== undefined) {
      return html`<div class="view-stack">
        <qw-compare-view
          .beforeImage=${this.pair[0]}
          .afterImage=${this.pair[1]}
          .gpu=${this.gpu}
          .beforeInfo=${this.entry(this.beforeId)?.info ?? null}
          .overlays=${this.analysisOverlays.overlays()}
          @qw-image-click=${this.onImageClick}
          >${this.renderRoiLayer()}</qw-compare-view
        >
      </div>`;
    }
    const text =
      this.pairProgress !== null
        ? html`<span
            >Reading the pair…
            <progress max="1" .value=${this.pairProgress} aria-label="Reading the pair"></progress>
            <button
              @click=${() => {
                this.pairController?.abort();
              }}
            >
              Cancel
            </button></span
          >`
        : this.entries.length === 0
          ? 'Drop two or more GeoTIFFs of the same place here, or use “Open images…”.'
          : this.entries.filter((entry) => entry.info !== null).length < 2
            ? 'Open one more image of the same place to compare.'
            : 'Opening…';
    return html`<div class="placeholder" aria-live="polite">${text}</div>`;
  }

  protected override render(): unknown {
    const backend =
      this.gpu === undefined ? 'CPU (Canvas 2D)' : `WebGPU: ${adapterLabel(this.gpu.adapter)}`;
    const shown = [this.entry(this.beforeId)?.info, this.entry(this.afterId)?.info].filter(
      (info): info is RasterInfo => info !== null && info !== undefined,
    );
    return html`
      <header>
        <h1>Quaywatch</h1>
        <span class="tagline"
          >Containers on piers, before and after — computed in this tab, nothing uploaded.</span
        >
        <div class="actions">
          <label class="button"
            >Open images…<input
              type="file"
              multiple
              accept=".tif,.tiff,.ovr,.msk,.png,.jpg,.jpeg,.geojson,.json,image/tiff,image/png,image/jpeg"
              @change=${this.onPick}
          /></label>
          <form @submit=${this.onUrl}>
            <input
              type="url"
              name="url"
              placeholder="https://…/image.tif (cloud-optimized)"
              aria-label="Open a GeoTIFF from a URL"
            />
            <button type="submit">Open URL</button>
          </form>
          <button
            @click=${() => {
              this.openDemo(DEMO_PAIRS['hard'] ?? ['', '']);
            }}
          >
            Hard demo pair
          </button>
          <button @click=${this.saveSessionFile}>Save session</button>
          <button @click=${this.pickSessionFile}>Load session…</button>
          <label
            class="keep"
            title="Keeps dropped or picked image files in this browser's storage, so a reload opens them again"
            ><input type="checkbox" .checked=${this.keepImages} @change=${this.onKeepImages} />Keep
            images in this browser</label
          >
        </div>
      </header>
      ${
        this.gpuProblem === undefined
          ? html`<div></div>`
          : html`<p class="banner" role="status">
              WebGPU is not available: ${this.gpuProblem} The images are shown and analysed on the
              CPU instead.
            </p>`
      }
      <div class="workspace">
        <main class="view-area">${this.renderView()}</main>
        <aside class="side" aria-label="Files, alignment, piers and parameters">
          <div class="files">
            ${
              this.entries.length === 0
                ? null
                : html`<qw-file-list
                    .entries=${this.entries}
                    .beforeId=${this.beforeId}
                    .afterId=${this.afterId}
                    @qw-cancel=${(event: CustomEvent<number>) => {
                      this.entry(event.detail)?.controller.abort();
                    }}
                    @qw-remove=${(event: CustomEvent<number>) => {
                      this.removeEntry(event.detail);
                    }}
                    @qw-role=${this.onRole}
                  ></qw-file-list>`
            }
            ${this.notice.length === 0 ? null : html`<p class="notice" role="alert">${this.notice}</p>`}
            ${
              this.sessionNotice.length === 0
                ? null
                : html`<p class="session-notice" role="status">${this.sessionNotice}</p>`
            }
          </div>
          ${
            this.alignment === undefined
              ? html`<div></div>`
              : html`<div class="alignment">
                  <qw-alignment-panel
                    .state=${this.alignment}
                    @qw-shift=${this.onShift}
                  ></qw-alignment-panel>
                  <qw-display-controls
                    .bandCount=${Math.min(
                      this.entry(this.beforeId)?.info?.bands ?? 3,
                      this.entry(this.afterId)?.info?.bands ?? 3,
                    )}
                    .settings=${
                      this.display ?? {
                        bands: displayBands(this.entry(this.beforeId)?.info ?? null),
                        stretchPercent: null,
                      }
                    }
                    @qw-display=${this.onDisplay}
                  ></qw-display-controls>
                </div>`
          }
          <section class="piers" aria-label="Piers">
            ${this.renderRoiList()}
            <div class="pier-results" aria-live="polite">
              ${
                this.pierRows.length === 0
                  ? this.analysisStatus.length === 0
                    ? null
                    : html`<p class="status">
                        <span class="status-text">${this.analysisStatus}</span>
                        ${
                          this.analysisRunning
                            ? html`<button @click=${this.cancelAnalysis}>Cancel</button>`
                            : this.analysisStatus === ANALYSIS_CANCELLED
                              ? html`<button
                                  @click=${() => {
                                    void this.runAnalysis();
                                  }}
                                >
                                  Run again
                                </button>`
                              : null
                        }
                      </p>`
                  : html`<qw-pier-table
                      .rows=${this.pierRows}
                      .caption=${this.analysisStatus}
                      .warnings=${this.pierWarnings}
                      .teuFootprintM2=${
                        this.lastAnalysis?.params.teuFootprintM2 ?? this.params.teuFootprintM2
                      }
                      @qw-pier-zoom=${this.onPierZoom}
                    ></qw-pier-table>`
              }
            </div>
            ${this.renderDataExports()} ${this.renderOverlayControls()}
            ${this.renderSnapshotPanel()} ${this.renderBlobInfo()} ${this.renderSeries()}
            ${
              this.rois === undefined && this.pair === undefined
                ? null
                : html`<qw-params-panel
                    .params=${this.params}
                    .status=${this.updateTime}
                    .statusDetail=${this.updateStages}
                    .backend=${this.analysisBackend}
                    .backendNote=${this.backendNote()}
                    @qw-params=${this.onParams}
                    @qw-backend=${this.onBackend}
                  ></qw-params-panel>`
            }
          </section>
        </aside>
      </div>
      <footer>
        <span data-testid="backend">${backend}</span>
        ${shown.map((info) => html`<span>${describeRaster(info)}</span>`)}
      </footer>
    `;
  }
}

/** The alignment panel's note on an estimate: its peak ratio, or why it should not be accepted. */
function estimateNoteOf(estimate: ShiftEstimate): string {
  const unreliable = unreliableShiftReason(estimate);
  return unreliable === null
    ? `peak ratio ${estimate.peakRatio.toFixed(1)}`
    : `not reliable: ${unreliable}`;
}

/**
 * Auto runs the analysis on the GPU only on a hardware adapter: on a software
 * one (SwiftShader, llvmpipe, WARP) the WGSL pipeline emulates the atomics of
 * its nine labellings slowly, and the CPU twins in a worker are 10–30× faster
 * (README, "Speed").
 */
function useGpuForAnalysis(backend: AnalysisBackend, gpu: GpuContext): boolean {
  return backend === 'webgpu' || (backend === 'auto' && !gpu.adapter.isFallback);
}

function parseAnalysisBackend(value: string | null): AnalysisBackend {
  return value === 'webgpu' || value === 'cpu' ? value : 'auto';
}

function describeMethod(
  method: 'same-crs' | 'proj4-control-points' | 'pixel-grid',
  before: RasterInfo | null,
  after: RasterInfo,
): string {
  switch (method) {
    case 'same-crs':
      return `same CRS (${crsLabel(after.crs)}), resampled onto the before grid`;
    case 'proj4-control-points':
      return `reprojected ${crsLabel(after.crs)} → ${crsLabel(before?.crs)} (proj4 on a 32 px control grid)`;
    case 'pixel-grid':
      return 'no usable georeference: matched by pixel position — nudge it or accept the estimate';
  }
}

/** How much memory the series may keep of its dates' pier windows (bands and coverage). */
const SERIES_INPUT_BUDGET_BYTES = 256 * 1024 * 1024;

interface SeriesKept {
  /** Reference id and pier set. */
  readonly key: string;
  reference: ReferenceData | undefined;
  /** Per date and shift. */
  readonly dates: ByteBudgetCache<AnalysisInput>;
}

interface SeriesShift {
  readonly shiftPx: readonly [number, number];
  readonly shiftSource: string;
}

/**
 * The analysis input of a pair: the pier window of the before image at full
 * resolution (or `beforeBands`, already read for the same window) and the
 * after image resampled onto it with the shift, read together.
 */
async function readPairInput(
  plan: AnalysisPlan,
  before: { readonly client: RasterClient; readonly info: RasterInfo },
  after: { readonly client: RasterClient; readonly info: RasterInfo },
  shiftPx: readonly [number, number],
  signal: AbortSignal,
  beforeData?: ReferenceData,
): Promise<PairInput> {
  const options = { signal };
  const [reference, afterBands] = await Promise.all([
    beforeData ??
      before.client
        .readBands(plan.window, 0, referenceReadBands(before.info), options)
        .then((window) => referenceData(before.info, window.bands)),
    after.client.readAlignedBands(plan.target, shiftPx, analysisBands(after.info), options),
  ]);
  return { input: pairInput(plan, reference, afterBands), reference };
}

/** An analysis input and the before image's data it was made of (kept for the next date). */
interface PairInput {
  readonly input: AnalysisInput;
  readonly reference: ReferenceData;
}

/** A pier or session file's text, or why it is not read: too large (unread), or unreadable. */
async function textOfFile(file: File): Promise<{ text: string } | { problem: string }> {
  const tooLarge = textFileSizeProblem(file.name, file.size);
  if (tooLarge !== null) return { problem: tooLarge };
  try {
    return { text: await file.text() };
  } catch (error) {
    return { problem: `${file.name} could not be read: ${message(error)}` };
  }
}

/** Default display bands: the first three (RGB) when there are three or more, else grey. */
export function displayBands(info: RasterInfo | null): number[] {
  if (info === null) return [0, 1, 2];
  if (info.rgbBands !== null) return [...info.rgbBands];
  return info.bands >= 3 && info.photometric !== 'palette' ? [0, 1, 2] : [0];
}

customElements.define('qw-app', QwApp);

declare global {
  interface HTMLElementTagNameMap {
    'qw-app': QwApp;
  }
}
