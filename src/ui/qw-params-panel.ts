/**
 * The analysis parameters as controls, one per AnalysisParams field (built
 * from PARAM_CONTROLS, src/core/analysis/params-schema.ts), in groups: a
 * slider over the useful range plus a numeric input that takes the whole
 * validation range for numbers, a select for enums. A valid change fires
 * `qw-params` with the whole new object at once (the slider on every move);
 * an invalid number shows its message next to its field and fires nothing,
 * so the table stays as it was.
 *
 * @fires qw-params - CustomEvent<AnalysisParams>, bubbles, composed
 */
import { css, html, LitElement } from 'lit';
import { controlStyles } from './shared-styles.ts';
import {
  analysisParamsProblems,
  DEFAULT_ANALYSIS_PARAMS,
  type AnalysisParams,
} from '../core/analysis/params.ts';
import {
  PARAM_CONTROLS,
  PARAM_GROUPS,
  type EnumControlSpec,
  type NumberControlSpec,
} from '../core/analysis/params-schema.ts';

type Key = keyof AnalysisParams;

/** Where the analysis runs: auto (the GPU on a hardware adapter, else the CPU worker), or forced. */
export type AnalysisBackend = 'auto' | 'webgpu' | 'cpu';

const BACKENDS: readonly { readonly value: AnalysisBackend; readonly label: string }[] = [
  { value: 'auto', label: 'Auto' },
  { value: 'webgpu', label: 'WebGPU' },
  { value: 'cpu', label: 'CPU worker' },
];

export class QwParamsPanel extends LitElement {
  static override properties = {
    params: { attribute: false },
    status: { attribute: false },
    statusDetail: { attribute: false },
    backend: { attribute: false },
    backendNote: { attribute: false },
    drafts: { state: true },
  };

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        font-size: 12px;
        color: #e6e8ee;
      }
      .top {
        display: flex;
        align-items: center;
        flex-wrap: wrap;
        gap: 0.3rem 0.8rem;
        margin-bottom: 0.3rem;
      }
      h2 {
        margin: 0;
        font-size: 13px;
      }
      .status {
        color: #9aa3b5;
        font-variant-numeric: tabular-nums;
        /* Wraps to a line of its own rather than into a column of single words. */
        flex: 1 0 9rem;
      }
      .groups {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(21rem, 1fr));
        gap: 0.3rem 1rem;
      }
      fieldset {
        margin: 0;
        padding: 0.2rem 0.4rem 0.3rem;
        border: 1px solid #262a35;
        border-radius: 3px;
        min-width: 0;
      }
      legend {
        color: #9aa3b5;
        padding: 0 0.3rem;
      }
      .field {
        display: grid;
        grid-template-columns: 8.5rem minmax(4rem, 1fr) 5.2rem 1.8rem;
        align-items: center;
        gap: 0 0.35rem;
        padding: 0.05rem 0;
      }
      .field.enum {
        grid-template-columns: 8.5rem minmax(0, 1fr);
      }
      label {
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      input[type='range'] {
        width: 100%;
        min-width: 0;
        margin: 0;
        accent-color: #7cc4ff;
      }
      input[type='number'],
      select {
        font: inherit;
        color: #e6e8ee;
        background: #151922;
        border: 1px solid #3d4459;
        border-radius: 3px;
        padding: 0 0.2rem;
        min-width: 0;
        font-variant-numeric: tabular-nums;
      }
      input[aria-invalid='true'] {
        border-color: #d05050;
      }
      .unit {
        color: #9aa3b5;
      }
      .backend-note {
        color: #9aa3b5;
      }
      .error {
        grid-column: 1 / -1;
        margin: 0.1rem 0 0.2rem;
        color: #ffb4b4;
      }
    `,
  ];

  /** The parameters in use; replacing them (reset, restore) drops any invalid drafts. */
  declare params: AnalysisParams;
  /** E.g. "update 123 ms (wall)" or "updating…". */
  declare status: string;
  /** Shown on hover over the status: e.g. the wall time of each pipeline stage. */
  declare statusDetail: string;
  declare backend: AnalysisBackend;
  /** What "auto" picked here and why (e.g. "software WebGPU adapter: …"); '' for none. */
  declare backendNote: string;
  /** Text typed into numeric inputs that is not (yet) valid, with its message. */
  declare drafts: ReadonlyMap<Key, { readonly text: string; readonly message: string }>;

  constructor() {
    super();
    this.params = DEFAULT_ANALYSIS_PARAMS;
    this.status = '';
    this.statusDetail = '';
    this.backend = 'auto';
    this.backendNote = '';
    this.drafts = new Map();
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('params') && this.drafts.size > 0) this.drafts = new Map();
  }

  private onBackend = (event: Event): void => {
    const value = (event.target as HTMLSelectElement).value;
    const backend = BACKENDS.find((option) => option.value === value)?.value ?? 'auto';
    this.dispatchEvent(
      new CustomEvent<AnalysisBackend>('qw-backend', {
        detail: backend,
        bubbles: true,
        composed: true,
      }),
    );
  };

  private emit(params: AnalysisParams): void {
    this.dispatchEvent(
      new CustomEvent<AnalysisParams>('qw-params', {
        detail: params,
        bubbles: true,
        composed: true,
      }),
    );
  }

  private withDraft(key: Key, draft: { text: string; message: string } | null): void {
    const next = new Map(this.drafts);
    if (draft === null) next.delete(key);
    else next.set(key, draft);
    this.drafts = next;
  }

  /** Validates `value` for `key` against the other fields in use; emits when valid. */
  private change(key: Key, value: AnalysisParams[Key], text: string): void {
    const next: AnalysisParams = { ...this.params, [key]: value };
    // The params in use are valid, so every problem comes from this change.
    const problems = analysisParamsProblems(next);
    if (problems.length > 0) {
      this.withDraft(key, { text, message: problems.join('; ') });
      return;
    }
    this.withDraft(key, null);
    if (next[key] !== this.params[key]) this.emit(next);
  }

  private onSlider(spec: NumberControlSpec, event: Event): void {
    const input = event.target as HTMLInputElement;
    this.change(spec.key, Number(input.value), input.value);
  }

  private onNumber(spec: NumberControlSpec, event: Event): void {
    const input = event.target as HTMLInputElement;
    const text = input.value.trim();
    // An empty or partial entry ("-", "1e") reads as '' in a number input.
    if (text.length === 0) {
      const message = input.validity.badInput
        ? `${spec.key}: not a number`
        : `${spec.key}: enter a number from ${spec.min} to ${spec.max}`;
      this.withDraft(spec.key, { text, message });
      return;
    }
    this.change(spec.key, Number(text), text);
  }

  private onSelect(spec: EnumControlSpec, event: Event): void {
    const select = event.target as HTMLSelectElement;
    this.change(spec.key, select.value as AnalysisParams[Key], select.value);
  }

  private reset = (): void => {
    this.drafts = new Map();
    this.emit(DEFAULT_ANALYSIS_PARAMS);
  };

  private renderNumber(spec: NumberControlSpec): unknown {
    const value = this.params[spec.key];
    const draft = this.drafts.get(spec.key);
    const id = `p-${spec.key}`;
    const messageId = `${id}-message`;
    return html`<div class="field" data-key=${spec.key} title=${spec.description}>
      <label for=${id}>${spec.label}</label>
      <input
        type="range"
        name=${spec.key}
        aria-label=${`${spec.label} (slider)`}
        min=${spec.sliderMin}
        max=${spec.sliderMax}
        step=${spec.step}
        .value=${String(value)}
        @input=${(event: Event) => {
          this.onSlider(spec, event);
        }}
      />
      <input
        id=${id}
        type="number"
        name=${spec.key}
        min=${spec.min}
        max=${spec.max}
        step="any"
        aria-describedby=${messageId}
        aria-invalid=${draft === undefined ? 'false' : 'true'}
        .value=${draft?.text ?? String(value)}
        @change=${(event: Event) => {
          this.onNumber(spec, event);
        }}
      />
      <span class="unit">${spec.unit}</span>
      ${
        draft === undefined
          ? html`<span id=${messageId} hidden></span>`
          : html`<p class="error" id=${messageId} role="alert">${draft.message}</p>`
      }
    </div>`;
  }

  private renderEnum(spec: EnumControlSpec): unknown {
    const value = this.params[spec.key];
    const id = `p-${spec.key}`;
    return html`<div class="field enum" data-key=${spec.key} title=${spec.description}>
      <label for=${id}>${spec.label}</label>
      <select
        id=${id}
        name=${spec.key}
        @change=${(event: Event) => {
          this.onSelect(spec, event);
        }}
      >
        ${spec.options.map(
          (option) =>
            html`<option value=${option.value} ?selected=${option.value === value}>
              ${option.label}
            </option>`,
        )}
      </select>
    </div>`;
  }

  protected override render(): unknown {
    return html`<div class="top">
        <h2>Parameters</h2>
        <span class="status" data-testid="update-time" aria-live="polite" title=${this.statusDetail}
          >${this.status}</span
        >
        <button type="button" @click=${this.reset}>Reset to defaults</button>
        <label class="backend"
          >Run on
          <select
            name="backend"
            .value=${this.backend}
            @change=${this.onBackend}
            title=${this.backendNote}
          >
            ${BACKENDS.map(
              (option) =>
                html`<option value=${option.value} ?selected=${option.value === this.backend}>
                  ${option.label}
                </option>`,
            )}
          </select></label
        >
        ${
          this.backendNote.length === 0
            ? null
            : html`<span class="backend-note" data-testid="backend-note">${this.backendNote}</span>`
        }
      </div>
      <div class="groups">
        ${PARAM_GROUPS.map(
          (group) =>
            html`<fieldset data-group=${group.id}>
              <legend>${group.label}</legend>
              ${PARAM_CONTROLS.filter((spec) => spec.group === group.id).map((spec) =>
                spec.kind === 'number' ? this.renderNumber(spec) : this.renderEnum(spec),
              )}
            </fieldset>`,
        )}
      </div>`;
  }
}

customElements.define('qw-params-panel', QwParamsPanel);

declare global {
  interface HTMLElementTagNameMap {
    'qw-params-panel': QwParamsPanel;
  }
}
