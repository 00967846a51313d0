/**
 * The view's scale bar and north arrow. Thin: the view computes the numbers
 * (src/core/view-geo.ts) and this draws them.
 */
import { css, html, LitElement, nothing } from 'lit';
import { styleProps } from './style-props.ts';
import type { ScaleBar } from '../core/view-geo.ts';

/** "0.9° clockwise from up" — how the arrow's angle reads to a screen reader and on hover. */
export function describeNorth(degrees: number): string {
  const rounded = Math.round(Math.abs(degrees) * 10) / 10;
  if (rounded === 0) return 'North is up';
  return `North is ${rounded}° ${degrees > 0 ? 'clockwise' : 'anticlockwise'} from up`;
}

export class QwViewCompass extends LitElement {
  static override properties = {
    scaleBar: { attribute: false },
    northDegrees: { attribute: false },
  };

  static override styles = css`
    :host {
      display: flex;
      align-items: flex-end;
      gap: 0.6rem;
      pointer-events: none;
      color: #fff;
      font:
        600 11px/1.2 system-ui,
        sans-serif;
    }
    .scale-bar {
      display: grid;
      justify-items: start;
      gap: 2px;
      padding: 0.2rem 0.4rem;
      background: rgb(0 0 0 / 0.6);
      border-radius: 3px;
    }
    .bar {
      box-sizing: border-box;
      height: 5px;
      border: 2px solid #fff;
      border-top: none;
      box-shadow: 0 1px 0 #000;
    }
    .north-arrow {
      display: grid;
      place-items: center;
      width: 2.4rem;
      height: 2.4rem;
      background: rgb(0 0 0 / 0.6);
      border-radius: 50%;
    }
    svg {
      width: 2rem;
      height: 2rem;
    }
  `;

  declare scaleBar: ScaleBar | null;
  /** True north, degrees clockwise from up; null without a georeference. */
  declare northDegrees: number | null;

  constructor() {
    super();
    this.scaleBar = null;
    this.northDegrees = null;
  }

  protected override render(): unknown {
    const bar = this.scaleBar;
    const north = this.northDegrees;
    return html`
      ${
        bar === null
          ? nothing
          : html`<div class="scale-bar" role="img" aria-label="Scale bar: ${bar.label}">
              <span class="scale-label">${bar.label}</span>
              <span
                class="bar"
                style=${styleProps({ width: `${bar.widthCssPx.toFixed(1)}px` })}
              ></span>
            </div>`
      }
      ${
        north === null
          ? nothing
          : html`<div
              class="north-arrow"
              role="img"
              aria-label=${describeNorth(north)}
              title=${describeNorth(north)}
              data-degrees=${north.toFixed(2)}
            >
              <svg viewBox="-16 -16 32 32" aria-hidden="true">
                <g transform="rotate(${north.toFixed(2)})">
                  <path d="M0 -13 L6 5 L0 1 L-6 5 Z" fill="#fff" stroke="#000" stroke-width="1" />
                  <text
                    y="13"
                    text-anchor="middle"
                    fill="#fff"
                    font-size="9"
                    font-weight="700"
                    font-family="system-ui, sans-serif"
                  >
                    N
                  </text>
                </g>
              </svg>
            </div>`
      }
    `;
  }
}

customElements.define('qw-view-compass', QwViewCompass);

declare global {
  interface HTMLElementTagNameMap {
    'qw-view-compass': QwViewCompass;
  }
}
