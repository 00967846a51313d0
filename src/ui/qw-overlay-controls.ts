/**
 * Toggles and opacity sliders of the analysis overlays (change heat map,
 * occupancy per date, blob outlines). Thin: the settings come in as a
 * property and every change goes out as `qw-overlay`.
 *
 * @fires qw-overlay - detail: OverlayChange, on a toggle or a slider move.
 */
import { css, html, LitElement } from 'lit';
import { controlStyles } from './shared-styles.ts';
import {
  OVERLAY_LABELS,
  OVERLAY_ORDER,
  DEFAULT_OVERLAY_SETTINGS,
  type AnalysisOverlayId,
  type OverlaySetting,
  type OverlaySettings,
} from './analysis-overlays.ts';

export interface OverlayChange extends OverlaySetting {
  readonly id: AnalysisOverlayId;
}

export class QwOverlayControls extends LitElement {
  static override properties = {
    settings: { attribute: false },
  };

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        font-size: 13px;
      }
      fieldset {
        margin: 0;
        padding: 0.3rem 0.6rem 0.5rem;
        border: 1px solid #3d4459;
        border-radius: 4px;
      }
      legend {
        color: #9aa3b5;
        font-size: 12px;
        text-transform: uppercase;
        letter-spacing: 0.05em;
      }
      .row {
        display: grid;
        grid-template-columns: 1fr 7rem;
        align-items: center;
        gap: 0.5rem;
      }
      input[type='range'] {
        width: 100%;
      }
      input[type='range']:disabled {
        opacity: 0.4;
      }
    `,
  ];

  declare settings: OverlaySettings;

  constructor() {
    super();
    this.settings = DEFAULT_OVERLAY_SETTINGS;
  }

  private fire(change: OverlayChange): void {
    this.dispatchEvent(
      new CustomEvent<OverlayChange>('qw-overlay', {
        detail: change,
        bubbles: true,
        composed: true,
      }),
    );
  }

  protected override render(): unknown {
    return html`<fieldset>
      <legend>Analysis overlays</legend>
      ${OVERLAY_ORDER.map((id) => {
        const setting = this.settings[id];
        const label = OVERLAY_LABELS[id];
        return html`<div class="row" data-overlay=${id}>
          <label
            ><input
              type="checkbox"
              name=${id}
              .checked=${setting.visible}
              @change=${(event: Event) => {
                const visible = (event.currentTarget as HTMLInputElement).checked;
                this.fire({ id, visible, opacity01: setting.opacity01 });
              }}
            />
            ${label}</label
          >
          <input
            type="range"
            name=${`${id}-opacity`}
            min="0"
            max="1"
            step="0.05"
            .value=${String(setting.opacity01)}
            ?disabled=${!setting.visible}
            aria-label=${`${label} opacity`}
            @input=${(event: Event) => {
              const opacity01 = Number((event.currentTarget as HTMLInputElement).value);
              this.fire({ id, visible: setting.visible, opacity01 });
            }}
          />
        </div>`;
      })}
    </fieldset>`;
  }
}

customElements.define('qw-overlay-controls', QwOverlayControls);

declare global {
  interface HTMLElementTagNameMap {
    'qw-overlay-controls': QwOverlayControls;
  }
}
