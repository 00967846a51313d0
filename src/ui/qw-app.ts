/**
 * Quaywatch's root element: takes images (drop, picker, URL, bundled demo),
 * opens each in its own io worker, gets a GPU (or says why not), and shows
 * the chosen pair in the swipe view. One file failing never costs the others.
 */
import { css, html, LitElement } from 'lit';
import type { RasterInfo } from '../core/raster.ts';
import { adapterLabel, isGpuContext, requestGpu, type GpuContext } from '../gpu/device.ts';
import type { RasterSource } from '../io/decoder.ts';
import { RasterClient } from '../io/raster-client.ts';
import { groupDroppedFiles } from './file-intake.ts';
import { describeRaster, formatDate } from './format.ts';
import type { FileEntry } from './qw-file-list.ts';
import type { DatedImage } from './qw-swipe-view.ts';
import type { AlignmentState } from './qw-alignment-panel.ts';
import { gridOf, scaledGrid, type AlignTarget } from '../io/align-read.ts';
import type { LuminanceImage } from '../io/decode.worker.ts';
import type { DisplaySettings } from './qw-display-controls.ts';
import { DEFAULT_ANALYSIS_PARAMS, type AnalysisParams } from '../core/analysis/params.ts';
import type { AnalysisInput, AnalysisResult } from '../core/analysis/cpu-pipeline.ts';
import { analyzePairGpu } from '../gpu/pipeline.ts';
import { meanBlurExcessPx2 } from '../core/align/resampling-blur.ts';
import { analysisBands, planAnalysis } from '../io/analysis-plan.ts';
import { parseRoiGeoJson, type Roi } from '../io/geojson.ts';
import { analyzeInWorker } from './analysis-client.ts';
import type { PierRow } from './qw-pier-table.ts';
import './qw-pier-table.ts';
import './qw-alignment-panel.ts';
import './qw-display-controls.ts';
import './qw-file-list.ts';
import './qw-swipe-view.ts';

type Phase = 'empty' | 'loading' | 'ready' | 'error';

interface Entry extends FileEntry {
  readonly source: RasterSource;
  readonly client: RasterClient | null;
  readonly controller: AbortController;
}

/** Display textures never exceed this side, whatever the GPU allows. */
const MAX_DISPLAY_SIDE_PX = 4096;

/** The bundled demo pairs, relative to the page. */
export const DEMO_PAIRS: Record<string, readonly [string, string]> = {
  demo: ['demo/before.tif', 'demo/after.tif'],
  hard: ['demo/hard/before.tif', 'demo/hard/after.tif'],
};

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
    analysisStatus: { state: true },
  };

  static override styles = css`
    :host {
      display: grid;
      grid-template-rows: auto auto auto auto 1fr auto auto;
      height: 100vh;
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
      gap: 0.5rem 1rem;
      padding: 0.5rem 1rem;
      border-bottom: 1px solid #262a35;
    }
    h1 {
      margin: 0;
      font-size: 1.1rem;
      letter-spacing: 0.03em;
    }
    .tagline {
      color: #9aa3b5;
      flex: 1;
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
    input:focus-visible {
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
      width: 16rem;
      color: #e6e8ee;
      background: #151922;
      border: 1px solid #3d4459;
      border-radius: 3px;
      padding: 0.15rem 0.4rem;
    }
    .banner {
      margin: 0;
      padding: 0.5rem 1rem;
      background: #4a3a10;
      color: #ffe9a8;
      border-bottom: 1px solid #7a6020;
    }
    .alignment {
      display: grid;
      gap: 0.3rem;
      padding: 0.3rem 1rem;
      border-bottom: 1px solid #262a35;
    }
    .banner.error {
      background: #4a1414;
      color: #ffc9c9;
      border: 1px solid #7a2020;
    }
    .files {
      padding: 0.4rem 1rem;
      border-bottom: 1px solid #262a35;
    }
    .files:empty {
      display: none;
    }
    .notice {
      color: #ffb4b4;
      margin: 0.3rem 0 0;
      font-size: 12px;
    }
    qw-swipe-view {
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
      padding: 0.3rem 1rem;
      border-top: 1px solid #262a35;
      max-height: 30vh;
      overflow: auto;
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
      padding: 0.35rem 1rem;
      border-top: 1px solid #262a35;
      color: #9aa3b5;
      font-size: 12px;
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
  /** What the analysis is doing or what went wrong, for the table's caption. */
  declare analysisStatus: string;

  private analysisController: AbortController | undefined;
  private params: AnalysisParams = DEFAULT_ANALYSIS_PARAMS;

  private target: AlignTarget | undefined;
  private beforeDisplay: DatedImage | undefined;
  private beforeLuminance: LuminanceImage | undefined;
  /** Before-image pixels per display pixel. */
  private displayToBeforePx = 1;
  private shiftController: AbortController | undefined;
  /** Display bands and stretch the analyst chose; undefined for the defaults. */
  private display: DisplaySettings | undefined;

  private nextId = 1;
  private pairController: AbortController | undefined;
  private readonly gpuReady: Promise<void>;

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
    this.analysisStatus = '';
    this.gpuReady = this.startGpu();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.dataset['phase'] = this.phase;
    this.addEventListener('dragover', this.onDragOver);
    this.addEventListener('dragleave', this.onDragLeave);
    this.addEventListener('drop', this.onDrop);
    const demo = new URLSearchParams(location.search).get('demo') ?? 'demo';
    const pair = DEMO_PAIRS[demo];
    if (pair !== undefined) this.openDemo(pair);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const entry of this.entries) entry.client?.close();
  }

  protected override updated(): void {
    this.dataset['phase'] = this.phase;
    this.toggleAttribute('data-dragging', this.dragging);
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
        this.gpuProblem = `The GPU device was lost (${text}); drawing on the CPU now.`;
      },
    });
    if (isGpuContext(result)) this.gpu = result;
    else this.gpuProblem = result.reason;
  }

  // ---- taking files in -------------------------------------------------

  private openDemo(paths: readonly [string, string]): void {
    this.addSources(
      paths.map((path) => ({ kind: 'url', url: new URL(path, document.baseURI).href })),
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
      this.rois = { source, set: parsed.rois };
      if (parsed.warnings.length > 0) this.notice = parsed.warnings.join(' ');
      void this.runAnalysis();
    } catch (error) {
      // The images, the pair and the previous piers stay as they were.
      this.notice = message(error);
    }
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
    const geojson = files.filter((file) => /\.(geo)?json$/i.test(file.name));
    for (const file of geojson) {
      void file.text().then((text) => {
        this.takeRois(text, file.name);
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
    const byDate = [...ready].sort((a, b) =>
      (a.info?.acquired ?? '').localeCompare(b.info?.acquired ?? ''),
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
    const controller = new AbortController();
    this.pairController = controller;
    this.pairProgress = 0;
    this.pairError = null;
    this.alignment = undefined;
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
      this.beforeLuminance =
        display.luminance === undefined
          ? undefined
          : { width, height, luminance: display.luminance };
      this.displayToBeforePx = before.info.width / width;
      await this.showAfter([0, 0], controller);
      void this.runAnalysis();
      if (controller.signal.aborted || this.beforeLuminance === undefined) return;
      const estimate = await after.client.estimateShiftAgainst(this.beforeLuminance, {
        signal: controller.signal,
      });
      // showAfter has set it since (flow analysis cannot see that).
      const alignment = this.alignment as AlignmentState | undefined;
      if (alignment === undefined) return;
      this.alignment = {
        ...alignment,
        estimatePx: [
          estimate.dxPx * this.displayToBeforePx,
          estimate.dyPx * this.displayToBeforePx,
        ],
        estimatePeakRatio: estimate.peakRatio,
      };
    } catch (error) {
      // Errors of one file show next to it; this keeps the view as it was.
      if (!isAbort(error)) this.pairError = message(error);
    } finally {
      if (this.pairController === controller) this.pairProgress = null;
      this.settlePhase();
    }
  }

  /** (Re)reads the after image onto the before grid with a residual shift in before pixels. */
  private async showAfter(
    shiftBeforePx: readonly [number, number],
    controller: AbortController,
  ): Promise<void> {
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
        },
        {
          signal: controller.signal,
          onProgress: (fraction) => {
            this.pairProgress = 0.5 + fraction / 2;
          },
        },
      );
      if (controller.signal.aborted || this.beforeDisplay === undefined) return;
      this.pair = [
        this.beforeDisplay,
        { image: result.image, label: `AFTER · ${formatDate(after.info.acquired)}` },
      ];
      this.alignment = {
        method: describeMethod(result.method, before?.info ?? null, after.info),
        coverage: result.coverage,
        estimatePx: this.alignment?.estimatePx ?? null,
        estimatePeakRatio: this.alignment?.estimatePeakRatio ?? null,
        appliedPx: shiftBeforePx,
        busy: false,
      };
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
    const started = performance.now();
    try {
      const plan = planAnalysis(before.info, rois.set, rois.source);
      this.analysisStatus = 'Reading the piers at full resolution…';
      const options = { signal: controller.signal };
      const [beforeWindow, afterBands] = await Promise.all([
        before.client.readBands(plan.window, 0, analysisBands(before.info), options),
        after.client.readAlignedBands(
          plan.target,
          this.alignment.appliedPx,
          analysisBands(after.info ?? before.info),
          options,
        ),
      ]);
      const input: AnalysisInput = {
        widthPx: plan.widthPx,
        heightPx: plan.heightPx,
        before: beforeWindow.bands.map((band) => Float32Array.from(band)),
        after: afterBands.bands,
        valid: afterBands.valid,
        rois: plan.rois,
        pixelAreaM2: plan.pixelAreaM2,
        afterBlurExcessPx2: meanBlurExcessPx2(afterBands.blurExcessPx2),
      };
      const { result, backend } = await this.analyze(input, controller.signal);
      if (controller.signal.aborted) return;
      this.pierRows = result.rois.map((roi) => ({
        name: roi.name,
        before: roi.before,
        after: roi.after,
        appeared: roi.appeared,
        disappeared: roi.disappeared,
        net: { teu: roi.netTeu, lowTeu: roi.netLowTeu, highTeu: roi.netHighTeu },
      }));
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      this.analysisStatus = `${rois.source}: analysed on ${backend} in ${seconds} s, default parameters`;
    } catch (error) {
      if (!isAbort(error)) this.analysisStatus = `Analysis failed: ${message(error)}`;
    }
  }

  /**
   * The WebGPU pipeline when there is a device; the CPU twins in a worker
   * otherwise, or when the GPU run fails (a lost device, say) — the table
   * names the backend that produced it.
   */
  private async analyze(
    input: AnalysisInput,
    signal: AbortSignal,
  ): Promise<{ result: AnalysisResult; backend: string }> {
    const gpu = this.gpu;
    if (gpu !== undefined) {
      this.analysisStatus = 'Analysing on the GPU…';
      try {
        // The GPU run reads its input arrays without taking them, so the CPU can retry with them.
        const result = await analyzePairGpu(gpu.device, input, this.params);
        return { result, backend: `WebGPU (${adapterLabel(gpu.adapter)})` };
      } catch (error) {
        if (signal.aborted) throw error;
        console.warn(`GPU analysis failed, running on the CPU: ${message(error)}`);
      }
    }
    this.analysisStatus = 'Analysing on the CPU (worker)…';
    return {
      result: await analyzeInWorker(input, this.params, signal),
      backend: 'the CPU (worker)',
    };
  }

  // ---- rendering --------------------------------------------------------------

  private renderView(): unknown {
    if (this.pairError !== null) {
      return html`<div class="placeholder">
        <p class="banner error" role="alert">${this.pairError}</p>
      </div>`;
    }
    if (this.pair !== undefined) {
      return html`<qw-swipe-view
        .beforeImage=${this.pair[0]}
        .afterImage=${this.pair[1]}
        .gpu=${this.gpu}
      ></qw-swipe-view>`;
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
      ${this.renderView()}
      <section class="piers" aria-live="polite">
        ${
          this.pierRows.length === 0
            ? this.analysisStatus.length === 0
              ? null
              : html`<p class="status">${this.analysisStatus}</p>`
            : html`<qw-pier-table
                .rows=${this.pierRows}
                .caption=${this.analysisStatus}
              ></qw-pier-table>`
        }
      </section>
      <footer>
        <span data-testid="backend">${backend}</span>
        ${shown.map((info) => html`<span>${describeRaster(info)}</span>`)}
      </footer>
    `;
  }
}

function crsLabel(info: RasterInfo | null): string {
  if (info?.crs == null) return 'no CRS';
  return info.crs.epsg === null ? info.crs.name : `EPSG:${info.crs.epsg}`;
}

function describeMethod(
  method: 'same-crs' | 'proj4-control-points' | 'pixel-grid',
  before: RasterInfo | null,
  after: RasterInfo,
): string {
  switch (method) {
    case 'same-crs':
      return `same CRS (${crsLabel(after)}), resampled onto the before grid`;
    case 'proj4-control-points':
      return `reprojected ${crsLabel(after)} → ${crsLabel(before)} (proj4 on a 32 px control grid)`;
    case 'pixel-grid':
      return 'no usable georeference: matched by pixel position — nudge it or accept the estimate';
  }
}

/** Default display bands: the first three (RGB) when there are three or more, else grey. */
export function displayBands(info: RasterInfo | null): number[] {
  if (info === null) return [0, 1, 2];
  return info.bands >= 3 && info.photometric !== 'palette' ? [0, 1, 2] : [0];
}

customElements.define('qw-app', QwApp);

declare global {
  interface HTMLElementTagNameMap {
    'qw-app': QwApp;
  }
}
