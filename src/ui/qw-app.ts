/**
 * Quaywatch's root element: opens the images in the io worker, gets a GPU
 * (or says why not), and shows the pair in the swipe view with a status line.
 */
import { css, html, LitElement } from 'lit';
import type { RasterInfo } from '../core/raster.ts';
import { adapterLabel, isGpuContext, requestGpu, type GpuContext } from '../gpu/device.ts';
import { createDecoderClient, type DecoderClient } from '../io/decoder-client.ts';
import type { RasterSource } from '../io/decoder.ts';
import { describeRaster, formatDate } from './format.ts';
import type { DatedImage } from './qw-swipe-view.ts';
import './qw-swipe-view.ts';

type Phase = 'loading' | 'ready' | 'error';

interface LoadedImage {
  readonly info: RasterInfo;
  readonly dated: DatedImage;
}

/** Display textures never exceed this side, whatever the GPU allows. */
const MAX_DISPLAY_SIDE_PX = 4096;

/** The bundled demo pair, relative to the page. */
export const DEMO_PAIR: readonly [string, string] = ['demo/before.tif', 'demo/after.tif'];

export class QwApp extends LitElement {
  static override properties = {
    phase: { state: true },
    progress: { state: true },
    errorMessage: { state: true },
    gpu: { state: true },
    gpuProblem: { state: true },
    images: { state: true },
  };

  static override styles = css`
    :host {
      display: grid;
      grid-template-rows: auto auto 1fr auto;
      height: 100vh;
      color: #e6e8ee;
      background: #0d0f14;
      font:
        14px/1.4 system-ui,
        sans-serif;
    }
    header {
      display: flex;
      align-items: baseline;
      gap: 1rem;
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
    }
    .banner {
      margin: 0;
      padding: 0.5rem 1rem;
      background: #4a3a10;
      color: #ffe9a8;
      border-bottom: 1px solid #7a6020;
    }
    .banner.error {
      background: #4a1414;
      color: #ffc9c9;
      border-color: #7a2020;
    }
    qw-swipe-view {
      min-height: 0;
    }
    .placeholder {
      display: grid;
      place-items: center;
      color: #9aa3b5;
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
  declare progress: string;
  declare errorMessage: string;
  declare gpu: GpuContext | undefined;
  /** Why the GPU path is not in use, when it is not. */
  declare gpuProblem: string | undefined;
  declare images: readonly [LoadedImage, LoadedImage] | undefined;

  private decoder: DecoderClient | undefined;

  constructor() {
    super();
    this.phase = 'loading';
    this.progress = 'Starting…';
    this.errorMessage = '';
    this.gpu = undefined;
    this.gpuProblem = undefined;
    this.images = undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.dataset['phase'] = this.phase;
    void this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.decoder?.terminate();
    this.decoder = undefined;
  }

  protected override updated(): void {
    this.dataset['phase'] = this.phase;
  }

  private async start(): Promise<void> {
    const gpuRequest = this.startGpu();
    try {
      this.decoder = createDecoderClient();
      const sources = DEMO_PAIR.map((path): RasterSource => ({
        kind: 'url',
        url: new URL(path, document.baseURI).href,
      }));
      const [before, after] = await Promise.all([
        this.load(sources[0], 'BEFORE'),
        this.load(sources[1], 'AFTER'),
      ]);
      await gpuRequest;
      this.images = [before, after];
      this.phase = 'ready';
      this.progress = '';
    } catch (error) {
      this.phase = 'error';
      this.errorMessage = error instanceof Error ? error.message : String(error);
    }
  }

  private async startGpu(): Promise<void> {
    if (new URLSearchParams(location.search).get('gpu') === 'off') {
      this.gpuProblem = 'WebGPU is switched off for this page (?gpu=off).';
      return;
    }
    const result = await requestGpu(navigator.gpu, {
      onUncapturedError: (message) => {
        console.error(`WebGPU error: ${message}`);
      },
      onLost: (message) => {
        // Not fatal: the view falls back to Canvas 2D and says why.
        if (this.gpu === undefined) return;
        this.gpu = undefined;
        this.gpuProblem = `The GPU device was lost (${message}); drawing on the CPU now.`;
      },
    });
    if (isGpuContext(result)) this.gpu = result;
    else this.gpuProblem = result.reason;
  }

  private async load(
    source: RasterSource | undefined,
    role: 'BEFORE' | 'AFTER',
  ): Promise<LoadedImage> {
    if (source === undefined || this.decoder === undefined) throw new Error('Nothing to load');
    const { api } = this.decoder;
    this.progress = `Decoding ${source.kind === 'url' ? (source.url.split('/').pop() ?? '') : ''}…`;
    const { handle, info } = await api.open(source);
    const image = await api.readDisplay(handle, MAX_DISPLAY_SIDE_PX);
    return { info, dated: { image, label: `${role} · ${formatDate(info.acquired)}` } };
  }

  protected override render(): unknown {
    const backend =
      this.gpu === undefined ? 'CPU (Canvas 2D)' : `WebGPU: ${adapterLabel(this.gpu.adapter)}`;
    return html`
      <header>
        <h1>Quaywatch</h1>
        <span class="tagline"
          >Containers on piers, before and after — computed in this tab, nothing uploaded.</span
        >
      </header>
      ${
        this.gpuProblem === undefined
          ? html`<div></div>`
          : html`<p class="banner" role="status">
              WebGPU is not available: ${this.gpuProblem} The images are shown and analysed on the
              CPU instead.
            </p>`
      }
      ${
        this.phase === 'error'
          ? html`<div class="placeholder">
              <p class="banner error" role="alert">${this.errorMessage}</p>
            </div>`
          : this.images === undefined
            ? html`<div class="placeholder" aria-busy="true">${this.progress}</div>`
            : html`<qw-swipe-view
                .beforeImage=${this.images[0].dated}
                .afterImage=${this.images[1].dated}
                .gpu=${this.gpu}
              ></qw-swipe-view>`
      }
      <footer>
        <span data-testid="backend">${backend}</span>
        ${this.images?.map((image) => html`<span>${describeRaster(image.info)}</span>`)}
      </footer>
    `;
  }
}

customElements.define('qw-app', QwApp);

declare global {
  interface HTMLElementTagNameMap {
    'qw-app': QwApp;
  }
}
