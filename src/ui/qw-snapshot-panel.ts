/**
 * "Export snapshot…": layout (single or before/after side by side), scale
 * (screen, 2×, full resolution of the area), title and credit line, then an
 * annotated PNG download (quaywatch-snapshot.png) with the parameters in its
 * "quaywatch" chunk. "Load snapshot…" hands a PNG back to the app, which
 * restores its parameters.
 *
 * @fires qw-snapshot-load - detail: File, a PNG picked to restore its parameters.
 */
import { css, html, LitElement } from 'lit';
import { controlStyles } from './shared-styles.ts';
import { downloadBlob } from './download.ts';
import {
  renderSnapshotPng,
  type SnapshotOptions,
  type SnapshotScale,
  type SnapshotSource,
} from './snapshot-export.ts';

const CREDIT_KEY = 'quaywatch-snapshot-credit';

function storedCredit(): string {
  try {
    return localStorage.getItem(CREDIT_KEY) ?? '';
  } catch {
    return '';
  }
}

export class QwSnapshotPanel extends LitElement {
  static override properties = {
    collect: { attribute: false },
    defaultTitle: { attribute: false },
    message: { attribute: false },
    layout: { state: true },
    scale: { state: true },
    title: { state: true },
    credit: { state: true },
    busy: { state: true },
    status: { state: true },
  };

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        font-size: 13px;
      }
      details {
        border: 1px solid #3d4459;
        border-radius: 4px;
        padding: 0.3rem 0.6rem;
      }
      summary {
        cursor: pointer;
        color: #c9d1e0;
      }
      label {
        display: flex;
        gap: 0.4rem;
        align-items: center;
        margin: 0.3rem 0;
      }
      input[type='text'] {
        flex: 1;
        min-width: 0;
      }
      .row {
        display: flex;
        gap: 0.4rem;
        flex-wrap: wrap;
        margin-top: 0.4rem;
      }
      .status {
        color: #9aa3b5;
        margin: 0.3rem 0 0;
      }
    `,
  ];

  /** The state on screen now, or null when there is nothing to export. */
  declare collect: (() => SnapshotSource | null) | undefined;
  declare defaultTitle: string;
  /** What the app says about the last loaded snapshot. */
  declare message: string;
  declare layout: SnapshotOptions['layout'];
  declare scale: SnapshotScale;
  /** '' means the default title. */
  declare title: string;
  declare credit: string;
  declare busy: boolean;
  declare status: string;
  private controller: AbortController | undefined;

  constructor() {
    super();
    this.collect = undefined;
    this.defaultTitle = 'Quaywatch';
    this.message = '';
    this.layout = 'single';
    this.scale = 'screen';
    this.title = '';
    this.credit = storedCredit();
    this.busy = false;
    this.status = '';
  }

  private async export(): Promise<void> {
    const source = this.collect?.() ?? null;
    if (source === null) {
      this.status = 'Nothing to export yet: open a pair and its piers first.';
      return;
    }
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    this.busy = true;
    this.status =
      this.scale === 'full'
        ? 'Reading the area and rendering the snapshot…'
        : 'Rendering the snapshot…';
    try {
      const { png, imagery } = await renderSnapshotPng(
        source,
        {
          layout: this.layout,
          scale: this.scale,
          title: this.title.trim() === '' ? this.defaultTitle : this.title,
          credit: this.credit,
        },
        controller.signal,
      );
      downloadBlob(
        new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' }),
        'quaywatch-snapshot.png',
      );
      const detail = imagery === 'full resolution' ? ', imagery read at full resolution' : '';
      this.status = `Saved quaywatch-snapshot.png (${Math.round(png.length / 1024)} KiB${detail}).`;
    } catch (error) {
      this.status = controller.signal.aborted
        ? 'Snapshot cancelled.'
        : `The snapshot failed: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      if (this.controller === controller) {
        this.busy = false;
        this.controller = undefined;
      }
    }
  }

  private onCredit = (event: Event): void => {
    this.credit = (event.target as HTMLInputElement).value;
    try {
      localStorage.setItem(CREDIT_KEY, this.credit);
    } catch {
      // Private mode: the credit lives for this page only.
    }
  };

  private onLoad = (event: Event): void => {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (file === undefined) return;
    this.dispatchEvent(
      new CustomEvent('qw-snapshot-load', { detail: file, bubbles: true, composed: true }),
    );
  };

  override render(): unknown {
    return html`<details>
      <summary>Export snapshot…</summary>
      <label
        >Layout
        <select
          aria-label="Snapshot layout"
          .value=${this.layout}
          @change=${(event: Event) => {
            this.layout =
              (event.target as HTMLSelectElement).value === 'side-by-side'
                ? 'side-by-side'
                : 'single';
          }}
        >
          <option value="single">Single (after, with overlays)</option>
          <option value="side-by-side">Before and after side by side</option>
        </select></label
      >
      <label
        >Scale
        <select
          aria-label="Snapshot scale"
          .value=${this.scale}
          @change=${(event: Event) => {
            const value = (event.target as HTMLSelectElement).value;
            this.scale = value === '2x' ? '2x' : value === 'full' ? 'full' : 'screen';
          }}
        >
          <option value="screen">Screen resolution</option>
          <option value="2x">2×</option>
          <option value="full">Full resolution of the area</option>
        </select></label
      >
      <label
        >Title
        <input
          type="text"
          aria-label="Snapshot title"
          placeholder=${this.defaultTitle}
          .value=${this.title}
          @input=${(event: Event) => {
            this.title = (event.target as HTMLInputElement).value;
          }}
      /></label>
      <label
        >Credit
        <input
          type="text"
          aria-label="Snapshot credit line"
          placeholder="Imagery © 2023 Maxar Technologies"
          .value=${this.credit}
          @input=${this.onCredit}
      /></label>
      <div class="row">
        <button type="button" ?disabled=${this.busy} @click=${() => void this.export()}>
          Export PNG
        </button>
        ${
          this.busy
            ? html`<button type="button" @click=${() => this.controller?.abort()}>Cancel</button>`
            : null
        }
        <label
          >Load snapshot…
          <input
            type="file"
            accept=".png,image/png"
            aria-label="Load snapshot PNG"
            @change=${this.onLoad}
        /></label>
      </div>
      <p class="status" role="status">${this.status} ${this.message}</p>
    </details>`;
  }
}

customElements.define('qw-snapshot-panel', QwSnapshotPanel);

declare global {
  interface HTMLElementTagNameMap {
    'qw-snapshot-panel': QwSnapshotPanel;
  }
}
