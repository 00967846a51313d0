/**
 * The legend of the view's overlays: each visible overlay by name with its
 * colour keys. Thin: the overlays carry their own legend entries.
 */
import { css, html, LitElement, nothing } from 'lit';
import { styleProps } from './style-props.ts';
import type { ViewOverlay } from '../core/view-transform.ts';

export class QwViewLegend extends LitElement {
  static override properties = {
    overlays: { attribute: false },
  };

  static override styles = css`
    :host {
      display: block;
      pointer-events: none;
      color: #e6e8ee;
      font:
        12px/1.3 system-ui,
        sans-serif;
    }
    section {
      padding: 0.3rem 0.5rem;
      background: rgb(13 15 20 / 0.82);
      border: 1px solid #3d4459;
      border-radius: 3px;
      max-width: 16rem;
    }
    h2 {
      margin: 0 0 0.2rem;
      font-size: 11px;
      letter-spacing: 0.05em;
      text-transform: uppercase;
      color: #9aa3b5;
    }
    ul {
      margin: 0;
      padding: 0;
      list-style: none;
    }
    .overlay-name {
      font-weight: 600;
    }
    .keys {
      display: flex;
      flex-wrap: wrap;
      gap: 0.1rem 0.6rem;
      margin: 0.1rem 0 0.2rem;
    }
    .swatch {
      display: inline-block;
      width: 0.8rem;
      height: 0.8rem;
      margin-right: 0.25rem;
      vertical-align: -0.1rem;
      border: 1px solid rgb(255 255 255 / 0.6);
      border-radius: 2px;
    }
  `;

  declare overlays: readonly ViewOverlay[];

  constructor() {
    super();
    this.overlays = [];
  }

  protected override render(): unknown {
    const shown = this.overlays.filter((overlay) => overlay.visible);
    if (shown.length === 0) return nothing;
    return html`<section aria-label="Legend of the overlays">
      <h2>Overlays</h2>
      <ul>
        ${shown.map(
          (overlay) =>
            html`<li data-overlay=${overlay.id}>
              <span class="overlay-name">${overlay.label}</span>
              ${
                overlay.legend === undefined || overlay.legend.length === 0
                  ? nothing
                  : html`<div class="keys">
                      ${overlay.legend.map(
                        (key) =>
                          html`<span
                            ><span
                              class="swatch"
                              style=${styleProps({ background: key.colour })}
                            ></span
                            >${key.text}</span
                          >`,
                      )}
                    </div>`
              }
            </li>`,
        )}
      </ul>
    </section>`;
  }
}

customElements.define('qw-view-legend', QwViewLegend);

declare global {
  interface HTMLElementTagNameMap {
    'qw-view-legend': QwViewLegend;
  }
}
