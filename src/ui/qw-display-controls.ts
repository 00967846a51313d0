/**
 * Which bands are shown as red, green and blue (or grey), and the percentile
 * stretch of the display. Analysis always reads the bands at their own
 * precision: these controls change only what is drawn.
 */
import { css, html, LitElement } from 'lit';
import { controlStyles } from './shared-styles.ts';

export interface DisplaySettings {
  /** Zero-based band per channel: three for RGB, one for grey. */
  readonly bands: readonly number[];
  /** Percentile stretch [low, high], or null for the default (identity for 8-bit data). */
  readonly stretchPercent: readonly [number, number] | null;
}

/**
 * @fires qw-display - detail: DisplaySettings.
 */
export class QwDisplayControls extends LitElement {
  static override properties = {
    bandCount: { attribute: false },
    settings: { attribute: false },
  };

  static override styles = [
    controlStyles,
    css`
      :host {
        display: flex;
        flex-wrap: wrap;
        gap: 0.3rem 0.8rem;
        align-items: center;
        font-size: 12px;
        color: #c9cfdb;
      }
      label {
        display: inline-flex;
        gap: 0.25rem;
        align-items: center;
      }
      select,
      input {
        font: inherit;
        color: #e6e8ee;
        background: #151922;
        border: 1px solid #3d4459;
        border-radius: 3px;
      }
      input[type='number'] {
        width: 3.5rem;
      }
      button {
        padding: 0.05rem 0.45rem;
      }
    `,
  ];

  /** Bands of the image with the fewest bands of the pair. */
  declare bandCount: number;
  declare settings: DisplaySettings;

  constructor() {
    super();
    this.bandCount = 3;
    this.settings = { bands: [0, 1, 2], stretchPercent: null };
  }

  private fire(settings: DisplaySettings): void {
    this.dispatchEvent(
      new CustomEvent('qw-display', { detail: settings, bubbles: true, composed: true }),
    );
  }

  private setBand(channel: number, band: number): void {
    const bands = [...this.settings.bands];
    bands[channel] = band;
    this.fire({ ...this.settings, bands });
  }

  private setStretch(which: 0 | 1, value: number): void {
    if (!Number.isFinite(value)) return;
    const [low, high] = this.settings.stretchPercent ?? [2, 98];
    const next: [number, number] =
      which === 0
        ? [Math.min(Math.max(0, value), high - 1), high]
        : [low, Math.max(Math.min(100, value), low + 1)];
    this.fire({ ...this.settings, stretchPercent: next });
  }

  protected override render(): unknown {
    const channels = this.settings.bands.length === 1 ? ['Grey'] : ['R', 'G', 'B'];
    const options = Array.from({ length: this.bandCount }, (_, b) => b);
    const [low, high] = this.settings.stretchPercent ?? [2, 98];
    return html`
      <strong>Display</strong>
      ${channels.map(
        (name, channel) =>
          html`<label
            >${name}
            <select
              aria-label="Band shown as ${name}"
              @change=${(event: Event) => {
                this.setBand(channel, Number((event.target as HTMLSelectElement).value));
              }}
            >
              ${options.map(
                (b) =>
                  html`<option value=${b} ?selected=${this.settings.bands[channel] === b}>
                    band ${b + 1}
                  </option>`,
              )}
            </select></label
          >`,
      )}
      <label
        >stretch
        <input
          type="number"
          min="0"
          max="49"
          step="0.5"
          .value=${String(low)}
          aria-label="Stretch low percentile"
          @change=${(event: Event) => {
            this.setStretch(0, Number((event.target as HTMLInputElement).value));
          }}
        />–<input
          type="number"
          min="51"
          max="100"
          step="0.5"
          .value=${String(high)}
          aria-label="Stretch high percentile"
          @change=${(event: Event) => {
            this.setStretch(1, Number((event.target as HTMLInputElement).value));
          }}
        />
        %</label
      >
      <button
        @click=${() => {
          this.fire({ bands: this.settings.bands, stretchPercent: null });
        }}
      >
        Default stretch
      </button>
    `;
  }
}

customElements.define('qw-display-controls', QwDisplayControls);

declare global {
  interface HTMLElementTagNameMap {
    'qw-display-controls': QwDisplayControls;
  }
}
