/**
 * "Export CSV" and "Export blobs (GeoJSON)" for the analysis on screen: the
 * pier table as piers.csv and every kept blob as blobs.geojson, made by the
 * same functions as `quaywatch analyze` (src/core/export/piers-csv.ts,
 * src/io/export-blobs.ts), so the files of the app and the CLI agree. The
 * blobs are traced in a worker (export.worker.ts) and can be cancelled. A
 * failure shows its message next to the buttons; nothing else changes.
 */
import * as Comlink from 'comlink';
import { css, html, LitElement } from 'lit';
import { controlStyles } from './shared-styles.ts';
import { downloadBlob } from './download.ts';
import type { AnalysisInput, AnalysisResult } from '../core/analysis/cpu-pipeline.ts';
import type { AnalysisParams } from '../core/analysis/params.ts';
import { pierExportRows, piersCsv } from '../core/export/piers-csv.ts';
import type { RasterInfo } from '../core/raster.ts';
import { gridOf } from '../io/align-read.ts';
import type { BlobExportSource } from '../io/export-blobs.ts';
import type { ImageGeoref } from '../io/geojson.ts';
import type { ExportWorkerApi } from './export.worker.ts';
import { raceWorkerCall } from './worker-call.ts';

/** What qw-app keeps of the analysis on screen (its `lastAnalysis`). */
export interface ExportedAnalysis {
  readonly result: AnalysisResult;
  readonly input: AnalysisInput;
  readonly params: AnalysisParams;
  readonly windowPx: readonly [number, number, number, number];
}

export const PIERS_CSV_FILE_NAME = 'piers.csv';
export const BLOBS_GEOJSON_FILE_NAME = 'blobs.geojson';

function download(text: string, type: string, fileName: string): void {
  downloadBlob(new Blob([text], { type }), fileName);
}

/**
 * blobsGeoJsonText in a worker of its own; aborting terminates it. Only what
 * the tracing reads is copied over (not the imagery).
 */
async function blobsGeoJsonInWorker(
  analysis: ExportedAnalysis,
  georef: ImageGeoref,
  signal: AbortSignal,
): Promise<string> {
  const worker = new Worker(new URL('./export.worker.ts', import.meta.url), {
    type: 'module',
    name: 'quaywatch-export',
  });
  const api = Comlink.wrap<ExportWorkerApi>(worker);
  const { result, input, params, windowPx } = analysis;
  const source: BlobExportSource = {
    result: {
      rois: result.rois,
      masks: result.masks,
      changeMagnitude: result.changeMagnitude,
      roiIndex: result.roiIndex,
    },
    input: { widthPx: input.widthPx, heightPx: input.heightPx, pixelAreaM2: input.pixelAreaM2 },
    params: {
      fillFactor: params.fillFactor,
      fillFactorSpread: params.fillFactorSpread,
      teuFootprintM2: params.teuFootprintM2,
      minAreaM2: params.minAreaM2,
    },
    windowPx,
  };
  try {
    return await raceWorkerCall(worker, () => api.blobsGeoJsonText(source, georef), signal, {
      cancelled: 'Blob export was cancelled',
      crashed: 'The export worker stopped',
    });
  } finally {
    api[Comlink.releaseProxy]();
    worker.terminate();
  }
}

export class QwDataExports extends LitElement {
  static override properties = {
    analysis: { attribute: false },
    beforeInfo: { attribute: false },
    message: { state: true },
    tracing: { state: true },
  };

  static override styles = [
    controlStyles,
    css`
      :host {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        align-items: center;
        font-size: 12px;
        color: #c9cfdb;
        margin: 0.4rem 0;
      }
      button {
        padding: 0.15rem 0.55rem;
      }
      .error {
        color: #ff8a80;
        flex-basis: 100%;
        margin: 0;
      }
    `,
  ];

  declare analysis: ExportedAnalysis | undefined;
  /** The before image the analysis window lies in (its georeference places the blobs). */
  declare beforeInfo: RasterInfo | null;
  declare message: string;
  /** Set while the blobs are traced; aborting it cancels the export. */
  declare tracing: AbortController | null;

  constructor() {
    super();
    this.analysis = undefined;
    this.beforeInfo = null;
    this.message = '';
    this.tracing = null;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.tracing?.abort();
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    // A message is about the analysis it was made for.
    if (changed.has('analysis')) this.message = '';
  }

  private exportCsv = (): void => {
    const analysis = this.analysis;
    if (analysis === undefined) return;
    try {
      download(
        piersCsv(pierExportRows(analysis.result, analysis.input)),
        'text/csv',
        PIERS_CSV_FILE_NAME,
      );
      this.message = '';
    } catch (error) {
      this.message = `CSV export failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  };

  private exportBlobs = async (): Promise<void> => {
    const analysis = this.analysis;
    if (analysis === undefined || this.tracing !== null) return;
    const georef = this.beforeInfo === null ? null : gridOf(this.beforeInfo);
    if (georef === null) {
      this.message = `Blobs need a georeferenced before image: ${this.beforeInfo?.name ?? 'it'} has no usable georeference.`;
      return;
    }
    const controller = new AbortController();
    this.tracing = controller;
    this.message = '';
    try {
      const text = await blobsGeoJsonInWorker(analysis, georef, controller.signal);
      download(text, 'application/geo+json', BLOBS_GEOJSON_FILE_NAME);
    } catch (error) {
      if (!controller.signal.aborted) {
        this.message = `Blob export failed: ${error instanceof Error ? error.message : String(error)}`;
      }
    } finally {
      if (this.tracing === controller) this.tracing = null;
    }
  };

  private cancelBlobs = (): void => {
    this.tracing?.abort();
    this.tracing = null;
  };

  protected override render(): unknown {
    const disabled = this.analysis === undefined;
    return html`<button
        type="button"
        ?disabled=${disabled}
        title="The pier table as CSV: one row per pier, TEU with low–high ranges, areas in m²"
        @click=${this.exportCsv}
      >
        Export CSV
      </button>
      ${
        this.tracing === null
          ? html`<button
              type="button"
              ?disabled=${disabled}
              title="Every kept blob as GeoJSON (WGS 84): area, TEU, kind, mean change, pier"
              @click=${() => void this.exportBlobs()}
            >
              Export blobs (GeoJSON)
            </button>`
          : html`<span role="status">Tracing blobs…</span>
              <button type="button" @click=${this.cancelBlobs}>Cancel</button>`
      }
      ${this.message.length > 0 ? html`<p class="error" role="alert">${this.message}</p>` : null}`;
  }
}

customElements.define('qw-data-exports', QwDataExports);

declare global {
  interface HTMLElementTagNameMap {
    'qw-data-exports': QwDataExports;
  }
}
