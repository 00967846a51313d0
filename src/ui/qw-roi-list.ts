/**
 * The pier list and its toolbar: tools (navigate, edit, rectangle, polygon),
 * undo and redo, GeoJSON import and export, the outline overlay's toggle and
 * opacity; per pier a name field (rename on Enter or leaving the field,
 * Escape puts the name back), a delete button and any warning (outside the
 * image, crossing itself). Names are Lit text and value bindings, never HTML.
 *
 * @fires qw-roi-action - detail: RoiAction (edit, select, tool, undo, redo, import, export, overlay).
 */
import { css, html, LitElement, nothing } from 'lit';
import { controlStyles } from './shared-styles.ts';
import { live } from 'lit/directives/live.js';
import { repeat } from 'lit/directives/repeat.js';
import type { EditRoi, RoiProblem } from '../core/roi-edit.ts';
import { fireRoiAction, type RoiAction, type RoiTool } from './roi-editor.ts';

const TOOLS: readonly { tool: RoiTool; label: string; title: string }[] = [
  {
    tool: 'navigate',
    label: 'Navigate',
    title: 'Pan, zoom and swipe; pier outlines do not catch the mouse',
  },
  { tool: 'edit', label: 'Edit', title: 'Select a pier, drag it or its vertices' },
  { tool: 'rectangle', label: 'Rectangle', title: 'Drag to draw a rectangular pier' },
  {
    tool: 'polygon',
    label: 'Polygon',
    title: 'Click the corners; double-click, Enter or the first corner closes; Escape cancels',
  },
];

export class QwRoiList extends LitElement {
  static override properties = {
    rois: { attribute: false },
    selectedKey: { attribute: false },
    problems: { attribute: false },
    tool: { attribute: false },
    canUndo: { attribute: false },
    canRedo: { attribute: false },
    undoLabel: { attribute: false },
    redoLabel: { attribute: false },
    canDraw: { attribute: false },
    visible: { attribute: false },
    opacity: { attribute: false },
    message: { attribute: false },
  };

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        font-size: 12px;
        color: #e6e8ee;
      }
      .toolbar {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.3rem 0.6rem;
        margin-bottom: 0.3rem;
      }
      .group {
        display: flex;
        gap: 0.2rem;
        align-items: center;
      }
      button {
        padding: 0.15rem 0.5rem;
      }
      button[aria-pressed='true'] {
        background: #345b7d;
        border-color: #7cc4ff;
      }
      button:disabled {
        opacity: 0.45;
      }
      input[type='range'] {
        width: 5rem;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li {
        display: flex;
        align-items: center;
        flex-wrap: wrap;
        gap: 0.4rem;
        padding: 0.15rem 0.3rem;
        border-left: 3px solid transparent;
        border-bottom: 1px solid #262a35;
      }
      li.selected {
        border-left-color: #7cc4ff;
        background: #1a2130;
      }
      .select {
        width: 1.4rem;
        padding: 0;
      }
      input.name {
        font: inherit;
        color: #e6e8ee;
        background: #151922;
        border: 1px solid #3d4459;
        border-radius: 3px;
        padding: 0.1rem 0.3rem;
        width: 11rem;
      }
      .warning {
        color: #ffb4a8;
      }
      .message {
        color: #ffb4b4;
        margin: 0.2rem 0;
      }
      .hint {
        color: #9aa3b5;
        margin: 0.2rem 0;
      }
    `,
  ];

  declare rois: readonly EditRoi[];
  declare selectedKey: number | null;
  declare problems: ReadonlyMap<number, readonly RoiProblem[]>;
  declare tool: RoiTool;
  declare canUndo: boolean;
  declare canRedo: boolean;
  declare undoLabel: string;
  declare redoLabel: string;
  /** Drawing and export need a georeferenced before image. */
  declare canDraw: boolean;
  declare visible: boolean;
  declare opacity: number;
  /** The editor's last error, '' when none. */
  declare message: string;

  constructor() {
    super();
    this.rois = [];
    this.selectedKey = null;
    this.problems = new Map();
    this.tool = 'navigate';
    this.canUndo = false;
    this.canRedo = false;
    this.undoLabel = '';
    this.redoLabel = '';
    this.canDraw = false;
    this.visible = true;
    this.opacity = 0.9;
    this.message = '';
  }

  private fire(action: RoiAction): void {
    fireRoiAction(this, action);
  }

  private rename(roi: EditRoi, input: HTMLInputElement): void {
    const name = input.value.trim();
    if (name === '' || name === roi.name) {
      input.value = roi.name;
      return;
    }
    this.fire({ kind: 'edit', command: { type: 'rename', key: roi.key, name } });
  }

  private onNameKey(roi: EditRoi, event: KeyboardEvent): void {
    const input = event.currentTarget as HTMLInputElement;
    if (event.key === 'Enter') {
      event.preventDefault();
      this.rename(roi, input);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      input.value = roi.name;
      input.blur();
    }
  }

  /** A file picker of its own, so the page keeps one file input (the images'). */
  private pickImport = (): void => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = '.geojson,.json,application/geo+json,application/json';
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      if (file !== undefined) this.fire({ kind: 'import', file });
    });
    input.click();
  };

  private renderRow(roi: EditRoi): unknown {
    const problems = this.problems.get(roi.key) ?? [];
    const selected = roi.key === this.selectedKey;
    return html`<li class=${selected ? 'selected' : ''} data-key=${roi.key} data-pier=${roi.name}>
      <button
        class="select"
        aria-pressed=${selected}
        aria-label="Select ${roi.name}"
        title="Select"
        @click=${() => {
          this.fire({ kind: 'select', key: selected ? null : roi.key });
        }}
      >
        ◎
      </button>
      <input
        class="name"
        type="text"
        .value=${live(roi.name)}
        aria-label="Name of ${roi.name}"
        @focus=${() => {
          if (!selected) this.fire({ kind: 'select', key: roi.key });
        }}
        @change=${(event: Event) => {
          this.rename(roi, event.currentTarget as HTMLInputElement);
        }}
        @keydown=${(event: KeyboardEvent) => {
          this.onNameKey(roi, event);
        }}
      />
      <button
        class="delete"
        aria-label="Delete ${roi.name}"
        @click=${() => {
          this.fire({ kind: 'edit', command: { type: 'delete', key: roi.key } });
        }}
      >
        Delete
      </button>
      ${problems.map(
        (problem) =>
          html`<span class="warning" role="status" data-kind=${problem.kind}
            >⚠ ${problem.message}</span
          >`,
      )}
    </li>`;
  }

  protected override render(): unknown {
    return html`<div class="toolbar" role="toolbar" aria-label="Pier tools">
        <div class="group">
          ${TOOLS.map(
            ({ tool, label, title }) =>
              html`<button
                data-tool=${tool}
                aria-pressed=${this.tool === tool}
                title=${title}
                ?disabled=${tool !== 'navigate' && !this.canDraw}
                @click=${() => {
                  this.fire({ kind: 'tool', tool });
                }}
              >
                ${label}
              </button>`,
          )}
        </div>
        <div class="group">
          <button
            data-action="undo"
            ?disabled=${!this.canUndo}
            title=${this.canUndo ? `Undo: ${this.undoLabel} (Ctrl+Z)` : 'Nothing to undo'}
            @click=${() => {
              this.fire({ kind: 'undo' });
            }}
          >
            Undo
          </button>
          <button
            data-action="redo"
            ?disabled=${!this.canRedo}
            title=${this.canRedo ? `Redo: ${this.redoLabel} (Ctrl+Shift+Z)` : 'Nothing to redo'}
            @click=${() => {
              this.fire({ kind: 'redo' });
            }}
          >
            Redo
          </button>
        </div>
        <div class="group">
          <button
            data-action="import"
            title="Replace the piers with the polygons of a GeoJSON file (undo brings them back)"
            @click=${this.pickImport}
          >
            Import GeoJSON…
          </button>
          <button
            data-action="export"
            ?disabled=${!this.canDraw || this.rois.length === 0}
            title="Download the piers as RFC 7946 GeoJSON (WGS 84 longitude/latitude)"
            @click=${() => {
              this.fire({ kind: 'export' });
            }}
          >
            Export GeoJSON
          </button>
        </div>
        <div class="group">
          <label
            ><input
              type="checkbox"
              .checked=${this.visible}
              @change=${(event: Event) => {
                const visible = (event.currentTarget as HTMLInputElement).checked;
                this.fire({ kind: 'overlay', visible, opacity: this.opacity });
              }}
            />
            Outlines</label
          >
          <input
            type="range"
            min="0"
            max="1"
            step="0.05"
            .value=${String(this.opacity)}
            aria-label="Outline opacity"
            @input=${(event: Event) => {
              const opacity = Number((event.currentTarget as HTMLInputElement).value);
              this.fire({ kind: 'overlay', visible: this.visible, opacity });
            }}
          />
        </div>
      </div>
      ${this.message === '' ? nothing : html`<p class="message" role="alert">${this.message}</p>`}
      ${
        this.rois.length === 0
          ? html`<p class="hint">No piers yet: draw one (Rectangle, Polygon) or import GeoJSON.</p>`
          : html`<ul aria-label="Piers">
              ${repeat(
                this.rois,
                (roi) => roi.key,
                (roi) => this.renderRow(roi),
              )}
            </ul>`
      }`;
  }
}

customElements.define('qw-roi-list', QwRoiList);

declare global {
  interface HTMLElementTagNameMap {
    'qw-roi-list': QwRoiList;
  }
}
