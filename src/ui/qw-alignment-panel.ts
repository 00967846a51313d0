/**
 * How the after image sits on the before image's grid: the geometric method,
 * the residual shift fine alignment estimated, and the shift in use — which
 * the analyst accepts, resets, or nudges with the arrow keys (0.1 px; 1 px
 * with Shift). Shifts are shown in before-image pixels.
 */
import { css, html, LitElement } from 'lit';
import { controlStyles } from './shared-styles.ts';

export interface AlignmentState {
  /** e.g. "Reprojected EPSG:4326 → EPSG:32652 (proj4, 32 px control grid)". */
  readonly method: string;
  /** Share of the before image the after image covers, 0..1. */
  readonly coverage: number;
  /** Estimated residual shift, before-image pixels; null until estimated. */
  readonly estimatePx: readonly [number, number] | null;
  /** Said after the estimate: its peak ratio, or why it is not to be trusted (unreliableShiftReason). */
  readonly estimateNote: string | null;
  /** The shift in use, before-image pixels. */
  readonly appliedPx: readonly [number, number];
  /** Set while a re-alignment runs. */
  readonly busy: boolean;
}

const NUDGE_PX = 0.1;

function formatShift([dx, dy]: readonly [number, number]): string {
  const f = (v: number): string => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(2)}`;
  return `(${f(dx)}, ${f(dy)}) px`;
}

/**
 * @fires qw-shift - detail: [dx, dy] in before-image pixels, the shift the analyst wants.
 */
export class QwAlignmentPanel extends LitElement {
  static override properties = { state: { attribute: false } };

  static override styles = [
    controlStyles,
    css`
      :host {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.3rem 0.8rem;
        font-size: 12px;
        color: #c9cfdb;
      }
      .group {
        display: inline-flex;
        gap: 0.3rem;
        align-items: center;
      }
      button {
        padding: 0.05rem 0.45rem;
      }
      :host(:focus-visible) {
        outline: 2px solid #7cc4ff;
        outline-offset: 1px;
      }
      strong {
        color: #e6e8ee;
        font-weight: 600;
      }
    `,
  ];

  declare state: AlignmentState | undefined;

  constructor() {
    super();
    this.state = undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.tabIndex = 0;
    this.setAttribute('role', 'group');
    this.setAttribute(
      'aria-label',
      'Alignment of the after image: arrow keys nudge by 0.1 pixel, with Shift by 1 pixel',
    );
    this.addEventListener('keydown', this.onKeyDown);
  }

  private fire(shift: readonly [number, number]): void {
    this.dispatchEvent(
      new CustomEvent('qw-shift', { detail: shift, bubbles: true, composed: true }),
    );
  }

  /** Moves the after image by (dx, dy) pixels. */
  nudge(dxPx: number, dyPx: number): void {
    if (this.state === undefined) return;
    const [x, y] = this.state.appliedPx;
    // Round to the nudge step so repeated nudges do not accumulate float noise.
    const round = (v: number): number => Math.round(v / 0.01) * 0.01;
    this.fire([round(x + dxPx), round(y + dyPx)]);
  }

  private onKeyDown = (event: KeyboardEvent): void => {
    const step = event.shiftKey ? 1 : NUDGE_PX;
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, -step],
      ArrowDown: [0, step],
    };
    const move = moves[event.key];
    if (move === undefined) return;
    event.preventDefault();
    this.nudge(move[0], move[1]);
  };

  protected override render(): unknown {
    const state = this.state;
    if (state === undefined) return null;
    const estimate = state.estimatePx;
    return html`
      <span
        ><strong>Alignment</strong> ${state.method}; covers ${Math.round(state.coverage * 100)}
        %</span
      >
      <span data-testid="estimate"
        >${
          estimate === null
            ? 'estimating residual shift…'
            : html`fine alignment estimates
              ${formatShift(estimate)}${
                state.estimateNote === null ? '' : ` (${state.estimateNote})`
              }`
        }</span
      >
      <span data-testid="applied"
        >shift in use <strong>${formatShift(state.appliedPx)}</strong></span
      >
      <span class="group">
        <button
          ?disabled=${estimate === null || state.busy}
          @click=${() => {
            if (estimate !== null) this.fire(estimate);
          }}
        >
          Accept estimate
        </button>
        <button
          ?disabled=${state.busy}
          @click=${() => {
            this.fire([0, 0]);
          }}
        >
          Reset
        </button>
        <button
          aria-label="Nudge after image left 0.1 px"
          @click=${() => {
            this.nudge(-NUDGE_PX, 0);
          }}
        >
          ←
        </button>
        <button
          aria-label="Nudge after image right 0.1 px"
          @click=${() => {
            this.nudge(NUDGE_PX, 0);
          }}
        >
          →
        </button>
        <button
          aria-label="Nudge after image up 0.1 px"
          @click=${() => {
            this.nudge(0, -NUDGE_PX);
          }}
        >
          ↑
        </button>
        <button
          aria-label="Nudge after image down 0.1 px"
          @click=${() => {
            this.nudge(0, NUDGE_PX);
          }}
        >
          ↓
        </button>
      </span>
    `;
  }
}

customElements.define('qw-alignment-panel', QwAlignmentPanel);

declare global {
  interface HTMLElementTagNameMap {
    'qw-alignment-panel': QwAlignmentPanel;
  }
}
