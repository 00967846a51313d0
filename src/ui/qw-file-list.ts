/**
 * The list of opened images: name, size, date, grid; progress with a Cancel
 * button while reading; the error next to the file that caused it; and which
 * two images are compared (before / after): with three or more, any two.
 * The checks are bound with live(): a radio the browser unchecked by itself
 * (another in its group was picked) always shows the app's choice again.
 */
import { css, html, LitElement } from 'lit';
import { controlStyles } from './shared-styles.ts';
import { live } from 'lit/directives/live.js';
import { describeRaster, formatDate } from './format.ts';
import type { RasterInfo } from '../core/raster.ts';

export interface FileEntry {
  readonly id: number;
  readonly name: string;
  readonly sizeBytes: number;
  /** Null until opened. */
  readonly info: RasterInfo | null;
  /** 0..1 while opening or reading, null when idle. */
  readonly progress: number | null;
  readonly error: string | null;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

/**
 * @fires qw-cancel - detail: entry id; the analyst cancelled its read.
 * @fires qw-remove - detail: entry id.
 * @fires qw-role - detail: { id, role: 'before' | 'after' }.
 */
export class QwFileList extends LitElement {
  static override properties = {
    entries: { attribute: false },
    beforeId: { attribute: false },
    afterId: { attribute: false },
  };

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        font-size: 12px;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
      }
      li {
        display: grid;
        gap: 0.2rem;
        min-width: 16rem;
        max-width: 30rem;
        padding: 0.35rem 0.5rem;
        border: 1px solid #2b3040;
        border-radius: 4px;
        background: #151922;
      }
      li.error {
        border-color: #7a2020;
      }
      .name {
        font-weight: 600;
        overflow-wrap: anywhere;
      }
      .meta {
        color: #9aa3b5;
      }
      .error-text {
        color: #ffb4b4;
      }
      .row {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        flex-wrap: wrap;
      }
      progress {
        flex: 1;
        min-width: 6rem;
        height: 0.6rem;
      }
      label {
        display: inline-flex;
        gap: 0.25rem;
        align-items: center;
      }
    `,
  ];

  declare entries: readonly FileEntry[];
  declare beforeId: number | null;
  declare afterId: number | null;

  constructor() {
    super();
    this.entries = [];
    this.beforeId = null;
    this.afterId = null;
  }

  private fire(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  private renderEntry(entry: FileEntry): unknown {
    const busy = entry.progress !== null;
    return html`<li class=${entry.error === null ? '' : 'error'} data-name=${entry.name}>
      <span class="name">${entry.name}</span>
      <span class="meta"
        >${formatBytes(entry.sizeBytes)}${
          entry.info === null
            ? ''
            : html` · ${formatDate(entry.info.acquired)} ·
              ${describeRaster(entry.info).split(': ').slice(1).join(': ')}`
        }</span
      >
      ${
        busy
          ? html`<div class="row">
              <progress
                max="1"
                .value=${entry.progress}
                aria-label="Reading ${entry.name}"
              ></progress>
              <button
                @click=${() => {
                  this.fire('qw-cancel', entry.id);
                }}
              >
                Cancel
              </button>
            </div>`
          : null
      }
      ${
        entry.error === null
          ? null
          : html`<span class="error-text" role="alert">${entry.error}</span>`
      }
      <div class="row">
        ${
          entry.info === null
            ? null
            : html`<label
                  ><input
                    type="radio"
                    name="before"
                    aria-label="Before: ${entry.name}"
                    .checked=${live(this.beforeId === entry.id)}
                    @change=${() => {
                      this.fire('qw-role', { id: entry.id, role: 'before' });
                    }}
                  />Before</label
                >
                <label
                  ><input
                    type="radio"
                    name="after"
                    aria-label="After: ${entry.name}"
                    .checked=${live(this.afterId === entry.id)}
                    @change=${() => {
                      this.fire('qw-role', { id: entry.id, role: 'after' });
                    }}
                  />After</label
                >`
        }
        <button
          aria-label="Remove ${entry.name}"
          @click=${() => {
            this.fire('qw-remove', entry.id);
          }}
        >
          Remove
        </button>
      </div>
    </li>`;
  }

  protected override render(): unknown {
    return html`<ul aria-label="Opened images">
      ${this.entries.map((entry) => this.renderEntry(entry))}
    </ul>`;
  }
}

customElements.define('qw-file-list', QwFileList);

declare global {
  interface HTMLElementTagNameMap {
    'qw-file-list': QwFileList;
  }
}
