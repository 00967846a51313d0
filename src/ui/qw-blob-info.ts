/**
 * The picked blob's numbers (kind, area, TEU estimate, mean change, pier) and
 * the fill-factor calibration: the analyst types how many TEU the blob really
 * holds; a count that gives an impossible fill factor is refused next to the
 * field, and nothing else changes.
 *
 * @fires qw-calibrate - detail: CalibrateDetail (the new parameters and the
 *   session's calibration record), on a valid count.
 * @fires qw-blob-clear - when the analyst closes the picked blob.
 */
import { css, html, LitElement, nothing } from 'lit';
import { controlStyles } from './shared-styles.ts';
import { blobTeu, calibrateFillFactor, type PickedBlob } from '../core/analysis/blob-pick.ts';
import { BLOB_KIND_LABELS, blobKindHex } from '../core/analysis/overlays.ts';
import { DEFAULT_ANALYSIS_PARAMS, type AnalysisParams } from '../core/analysis/params.ts';
import type { SessionCalibration } from '../io/session.ts';
import { styleProps } from './style-props.ts';

export interface CalibrateDetail {
  readonly params: AnalysisParams;
  readonly calibration: SessionCalibration;
}

export class QwBlobInfo extends LitElement {
  static override properties = {
    blob: { attribute: false },
    params: { attribute: false },
    calibration: { attribute: false },
    message: { attribute: false },
    problem: { state: true },
  };

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        font-size: 13px;
      }
      section {
        padding: 0.3rem 0.6rem 0.5rem;
        border: 1px solid #3d4459;
        border-radius: 4px;
      }
      h2 {
        margin: 0 0 0.3rem;
        color: #9aa3b5;
        font-size: 12px;
        text-transform: uppercase;
        letter-spacing: 0.05em;
      }
      dl {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 0.1rem 0.8rem;
        margin: 0 0 0.4rem;
      }
      dt {
        color: #9aa3b5;
      }
      dd {
        margin: 0;
        font-variant-numeric: tabular-nums;
      }
      .swatch {
        display: inline-block;
        width: 0.7rem;
        height: 0.7rem;
        margin-right: 0.3rem;
        border-radius: 2px;
        vertical-align: -0.05rem;
      }
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        align-items: center;
      }
      input[type='number'] {
        width: 6rem;
      }
      .error {
        flex-basis: 100%;
        color: #ff8a80;
      }
      .hint,
      .fill {
        margin: 0.3rem 0 0;
        color: #9aa3b5;
      }
    `,
  ];

  declare blob: PickedBlob | null;
  declare params: AnalysisParams;
  declare calibration: SessionCalibration | null;
  /** Why the last click picked nothing; empty when it did. */
  declare message: string;
  declare private problem: string;

  constructor() {
    super();
    this.blob = null;
    this.params = DEFAULT_ANALYSIS_PARAMS;
    this.calibration = null;
    this.message = '';
    this.problem = '';
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('blob') && changed.get('blob') !== undefined) {
      const before = changed.get('blob') as PickedBlob | null;
      // Another blob: the old refusal no longer applies.
      if (before?.pixels[0] !== this.blob?.pixels[0]) this.problem = '';
    }
  }

  private onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    const blob = this.blob;
    if (blob === null) return;
    const form = event.currentTarget as HTMLFormElement;
    const field = form.elements.namedItem('containers') as HTMLInputElement;
    const text = field.value.trim();
    const containers = text === '' ? Number.NaN : Number(text);
    try {
      const params = calibrateFillFactor(this.params, blob.areaM2, containers);
      const where = blob.roiName === null ? '' : ` on ${blob.roiName}`;
      const note = `${containers} TEU counted in a blob of ${blob.areaM2.toFixed(0)} m² (${BLOB_KIND_LABELS[blob.kind]}${where})`;
      this.problem = '';
      this.dispatchEvent(
        new CustomEvent<CalibrateDetail>('qw-calibrate', {
          detail: { params, calibration: { fillFactor: params.fillFactor, note } },
          bubbles: true,
          composed: true,
        }),
      );
    } catch (error) {
      this.problem = error instanceof Error ? error.message : String(error);
    }
  };

  private renderFillFactor(): unknown {
    const fillFactor = this.params.fillFactor;
    const calibration = this.calibration;
    if (calibration === null) {
      return html`<p class="fill" data-testid="fill-factor">
        Fill factor
        ${fillFactor}${
          fillFactor === DEFAULT_ANALYSIS_PARAMS.fillFactor ? ' (default, not calibrated)' : ''
        }
      </p>`;
    }
    const moved = calibration.fillFactor !== fillFactor;
    return html`<p class="fill" data-testid="fill-factor">
      Fill factor ${fillFactor},
      calibrated${moved ? ` to ${calibration.fillFactor} (since changed)` : ''}:
      <span class="note">${calibration.note}</span>
    </p>`;
  }

  protected override render(): unknown {
    const blob = this.blob;
    if (blob === null) {
      return html`<section aria-label="Picked blob">
        <h2>Blob</h2>
        <p class="hint">
          ${
            this.message.length > 0
              ? this.message
              : 'Click a blob in the view for its area, TEU and change, and to calibrate the fill factor.'
          }
        </p>
        ${this.renderFillFactor()}
      </section>`;
    }
    const teu = blobTeu(blob, this.params);
    return html`<section aria-label="Picked blob">
      <h2>Blob</h2>
      <dl>
        <dt>Kind</dt>
        <dd data-testid="blob-kind">
          <span class="swatch" style=${styleProps({ background: blobKindHex(blob.kind) })}></span
          >${BLOB_KIND_LABELS[blob.kind]}
        </dd>
        <dt>Pier</dt>
        <dd>${blob.roiName ?? '—'}</dd>
        <dt>Area</dt>
        <dd data-testid="blob-area">${blob.areaM2.toFixed(0)} m² (${blob.areaPx} px)</dd>
        <dt>Estimate</dt>
        <dd data-testid="blob-teu">
          ${teu.teu.toFixed(1)} TEU (${teu.lowTeu.toFixed(1)}–${teu.highTeu.toFixed(1)}), top tier
        </dd>
        <dt>Mean change</dt>
        <dd data-testid="blob-change">${blob.meanChangeDn.toFixed(1)} DN</dd>
      </dl>
      <form @submit=${this.onSubmit}>
        <label
          >TEU really there
          <input
            type="number"
            name="containers"
            min="0"
            step="any"
            inputmode="decimal"
            aria-invalid=${this.problem.length > 0 ? 'true' : 'false'}
            aria-describedby="calibration-error"
        /></label>
        <button type="submit">Calibrate</button>
        ${
          this.problem.length > 0
            ? html`<span class="error" id="calibration-error" role="alert">${this.problem}</span>`
            : nothing
        }
      </form>
      ${this.renderFillFactor()}
      <button
        type="button"
        class="close"
        @click=${() => {
          this.dispatchEvent(new CustomEvent('qw-blob-clear', { bubbles: true, composed: true }));
        }}
      >
        Close
      </button>
    </section>`;
  }
}

customElements.define('qw-blob-info', QwBlobInfo);

declare global {
  interface HTMLElementTagNameMap {
    'qw-blob-info': QwBlobInfo;
  }
}
