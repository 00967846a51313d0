/**
 * Each pier's TEU across all opened dates: an SVG line chart (x = date, by
 * time, y = TEU, a line per pier with a legend), so a ship visit shows
 * as a drop or a jump. Progress and Cancel while the dates are analysed, a
 * date's error next to that date, and a data table as the text alternative.
 * The chart takes keyboard focus: arrow keys walk the points and a live line
 * reads the focused one out. Names are rendered as text, never as HTML.
 */
import { css, html, LitElement, svg } from 'lit';
import { controlStyles } from './shared-styles.ts';
import {
  assembleSeries,
  axisTicks,
  dateAxisPositions,
  type SeriesLine,
  type TeuValue,
} from '../core/series.ts';
import type { SeriesState } from './series.ts';

/** Distinguishable on the dark background, and not by hue alone (each has its own marker). */
const PIER_COLOURS = ['#7cc4ff', '#ffb86b', '#9be38f', '#f38ba8', '#cba6f7', '#f9e2af', '#94e2d5'];
const MARKERS = ['circle', 'square', 'diamond', 'triangle'] as const;

const WIDTH_PX = 440;
const HEIGHT_PX = 210;
const MARGIN = { left: 44, right: 12, top: 22, bottom: 34 } as const;
/** A date label ("2023-10-13") is about 60 px wide; the first hangs right from its point. */
const DATE_LABEL_GAP_PX = 90;

function round(value: number): string {
  return String(Math.round(value)).replace('-', '−');
}

function describePoint(pier: string, date: string, value: TeuValue): string {
  return `${pier}, ${date}: ${round(value.teu)} TEU (${round(value.lowTeu)} to ${round(value.highTeu)})`;
}

/**
 * @fires qw-series-cancel - the analyst stopped the series.
 * @fires qw-series-rerun - run the stopped series again.
 * @fires qw-series-fine-align - detail: boolean, estimate each date's shift.
 */
export class QwSeriesChart extends LitElement {
  static override properties = {
    state: { attribute: false },
    fineAlign: { attribute: false },
    focusPoint: { state: true },
  };

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        font-size: 12px;
        color: #e6e8ee;
        flex: 1 1 28rem;
        min-width: 0;
      }
      h3 {
        margin: 0 0 0.2rem;
        font-size: 13px;
      }
      .sub,
      .status,
      .readout {
        margin: 0 0 0.3rem;
        color: #9aa3b5;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.3rem 0.6rem;
      }
      progress {
        width: 8rem;
        height: 0.6rem;
      }
      svg:focus-visible {
        outline: 2px solid #7cc4ff;
        outline-offset: 1px;
      }
      svg {
        display: block;
        max-width: 100%;
        height: auto;
        background: #11141b;
        border: 1px solid #262a35;
        border-radius: 3px;
      }
      .axis {
        fill: #9aa3b5;
        font-size: 10px;
      }
      .grid {
        stroke: #262a35;
      }
      .focus {
        fill: none;
        stroke: #ffffff;
        stroke-width: 2;
      }
      .legend {
        list-style: none;
        padding: 0;
        margin: 0.3rem 0;
        display: flex;
        flex-wrap: wrap;
        gap: 0.2rem 0.8rem;
      }
      svg.swatch {
        display: inline-block;
        width: 0.9rem;
        height: 0.25rem;
        margin-right: 0.3rem;
        vertical-align: middle;
        border: none;
      }
      .errors {
        margin: 0.2rem 0;
        padding-left: 1rem;
        color: #ffb4b4;
      }
      table {
        border-collapse: collapse;
        margin-top: 0.3rem;
      }
      th,
      td {
        padding: 0.15rem 0.4rem;
        border-bottom: 1px solid #262a35;
        text-align: right;
        font-variant-numeric: tabular-nums;
        white-space: nowrap;
      }
      th:first-child {
        text-align: left;
      }
      .range,
      .note {
        color: #9aa3b5;
      }
      td.error {
        color: #ffb4b4;
        white-space: normal;
      }
    `,
  ];

  declare state: SeriesState | undefined;
  declare fineAlign: boolean;
  /** The point the arrow keys are on: [pier index, date index]. */
  declare focusPoint: readonly [number, number] | null;

  constructor() {
    super();
    this.state = undefined;
    this.fineAlign = false;
    this.focusPoint = null;
  }

  private fire(type: string, detail?: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  private lines(): SeriesLine[] {
    return this.state === undefined ? [] : assembleSeries(this.state.outcomes);
  }

  private onKey = (event: KeyboardEvent): void => {
    const lines = this.lines();
    const dateCount = this.state?.dates.length ?? 0;
    if (lines.length === 0 || dateCount === 0) return;
    const [pier, date] = this.focusPoint ?? [0, -1];
    const moves: Record<string, readonly [number, number]> = {
      ArrowRight: [pier, date + 1],
      ArrowLeft: [pier, date - 1],
      ArrowUp: [pier - 1, Math.max(0, date)],
      ArrowDown: [pier + 1, Math.max(0, date)],
      Home: [pier, 0],
      End: [pier, dateCount - 1],
    };
    const next = moves[event.key];
    if (next === undefined) return;
    event.preventDefault();
    this.focusPoint = [
      Math.min(lines.length - 1, Math.max(0, next[0])),
      Math.min(dateCount - 1, Math.max(0, next[1])),
    ];
  };

  private renderStatus(state: SeriesState): unknown {
    const current = state.currentIndex === null ? undefined : state.dates[state.currentIndex];
    if (state.running) {
      return html`<div class="row status">
        <span
          >Analysing date ${Math.min(state.finished + 1, state.total)} of
          ${state.total}${current === undefined ? '' : `: ${current.label}`}…</span
        >
        <progress
          max=${state.total}
          .value=${state.finished}
          aria-label="Dates analysed for the series"
        ></progress>
        <button
          @click=${() => {
            this.fire('qw-series-cancel');
          }}
        >
          Cancel
        </button>
      </div>`;
    }
    const failed = state.outcomes.filter((outcome) => outcome.kind === 'error').length;
    if (state.stopped !== null) {
      return html`<div class="row status">
        <span
          >${
            state.stopped === 'cancelled'
              ? `Cancelled after ${state.finished} of ${state.total} dates.`
              : 'Stopped: the piers, parameters or pair changed; the new analysis restarts it.'
          }</span
        >
        ${
          state.stopped === 'cancelled'
            ? html`<button
                @click=${() => {
                  this.fire('qw-series-rerun');
                }}
              >
                Run again
              </button>`
            : null
        }
      </div>`;
    }
    return html`<p class="status">
      All ${state.dates.length} dates analysed${failed > 0 ? `; ${failed} failed (see below)` : ''}.
    </p>`;
  }

  private renderChart(state: SeriesState, lines: readonly SeriesLine[]): unknown {
    const dates = state.dates;
    const plotW = WIDTH_PX - MARGIN.left - MARGIN.right;
    const plotH = HEIGHT_PX - MARGIN.top - MARGIN.bottom;
    const maxTeu = Math.max(
      0,
      ...lines.flatMap((line) => line.points.map((point) => point?.teu ?? 0)),
    );
    const ticks = axisTicks(maxTeu);
    const top = ticks[ticks.length - 1] ?? 1;
    // By time; neighbours at least a label's width (about 90 px here) apart.
    const positions = dateAxisPositions(
      dates.map((date) => date.label),
      DATE_LABEL_GAP_PX / plotW,
    );
    const x = (index: number): number => MARGIN.left + plotW * (positions[index] ?? 0.5);
    const y = (teu: number): number => MARGIN.top + plotH * (1 - teu / top);
    const focus = this.focusPoint;
    const focused =
      focus === null ? null : { line: lines[focus[0]], date: dates[focus[1]], index: focus[1] };
    const focusValue = focused?.line?.points[focused.index] ?? null;
    const summary = `Line chart of TEU per pier across ${dates.length} dates; the table below has the same numbers. Arrow keys move between points.`;
    return html`<svg
        viewBox="0 0 ${WIDTH_PX} ${HEIGHT_PX}"
        width="100%"
        role="img"
        tabindex="0"
        aria-label=${summary}
        aria-describedby="readout"
        @keydown=${this.onKey}
      >
        ${ticks.map(
          (tick) =>
            svg`<line class="grid" x1=${MARGIN.left} x2=${WIDTH_PX - MARGIN.right} y1=${y(tick)} y2=${y(tick)}></line>
            <text class="axis" x=${MARGIN.left - 4} y=${y(tick) + 3} text-anchor="end">${tick}</text>`,
        )}
        <text class="axis" x="4" y="12" text-anchor="start">TEU</text>
        ${dates.map((date, index) => {
          const outcome = state.outcomes[index];
          const failed = outcome?.kind === 'error';
          // The outer labels hang inwards, so no date is cut at the chart's edges.
          const anchor =
            dates.length < 2
              ? 'middle'
              : index === 0
                ? 'start'
                : index === dates.length - 1
                  ? 'end'
                  : 'middle';
          return svg`<text class="axis" x=${x(index)} y=${HEIGHT_PX - MARGIN.bottom + 14}
              text-anchor=${anchor} fill=${failed ? '#ffb4b4' : '#9aa3b5'}
              >${failed ? `⚠ ${date.label}` : date.label}${
                failed ? svg`<title>${date.label}: ${outcome.message}</title>` : null
              }</text>${
                date.id === state.referenceId
                  ? svg`<text class="axis" x=${x(index)} y=${HEIGHT_PX - MARGIN.bottom + 26} text-anchor=${anchor}>reference</text>`
                  : null
              }`;
        })}
        ${lines.map((line, pierIndex) => {
          const colour = PIER_COLOURS[pierIndex % PIER_COLOURS.length] ?? '#ffffff';
          // A gap (a failed or pending date, or one whose image holds none of the pier)
          // breaks the line rather than bridging it.
          const segments: string[] = [];
          let current: string[] = [];
          line.points.forEach((point, index) => {
            if (point === null) {
              if (current.length > 1) segments.push(current.join(' '));
              current = [];
            } else current.push(`${x(index)},${y(point.teu)}`);
          });
          if (current.length > 1) segments.push(current.join(' '));
          return svg`<g data-pier=${line.pier}>
            ${segments.map(
              (points) =>
                svg`<polyline points=${points} fill="none" stroke=${colour} stroke-width="2"></polyline>`,
            )}
            ${line.points.map((point, index) => {
              const date = dates[index];
              if (point === null || date === undefined) return null;
              return this.marker(pierIndex, x(index), y(point.teu), colour, {
                title: describePoint(line.pier, date.label, point),
                dateId: date.id,
                teu: point.teu,
              });
            })}
          </g>`;
        })}
        ${
          focusValue === null || focus === null
            ? null
            : svg`<circle class="focus" cx=${x(focus[1])} cy=${y(focusValue.teu)} r="7"></circle>`
        }
      </svg>
      <p class="readout" id="readout" aria-live="polite">
        ${
          focusValue !== null && focused?.line !== undefined && focused.date !== undefined
            ? describePoint(focused.line.pier, focused.date.label, focusValue)
            : focused?.line !== undefined && focused.date !== undefined
              ? `${focused.line.pier}, ${focused.date.label}: no value`
              : ''
        }
      </p>`;
  }

  private marker(
    pierIndex: number,
    cx: number,
    cy: number,
    colour: string,
    point: { readonly title: string; readonly dateId: number; readonly teu: number },
  ): unknown {
    const shape = MARKERS[pierIndex % MARKERS.length] ?? 'circle';
    const r = 4;
    const title = svg`<title>${point.title}</title>`;
    const data = { date: String(point.dateId), teu: String(point.teu) };
    switch (shape) {
      case 'circle':
        return svg`<circle class="point" data-date=${data.date} data-teu=${data.teu} cx=${cx} cy=${cy} r=${r} fill=${colour}>${title}</circle>`;
      case 'square':
        return svg`<rect class="point" data-date=${data.date} data-teu=${data.teu} x=${cx - r} y=${cy - r} width=${2 * r} height=${2 * r} fill=${colour}>${title}</rect>`;
      case 'diamond':
        return svg`<polygon class="point" data-date=${data.date} data-teu=${data.teu} points="${cx},${cy - r - 1} ${cx + r + 1},${cy} ${cx},${cy + r + 1} ${cx - r - 1},${cy}" fill=${colour}>${title}</polygon>`;
      case 'triangle':
        return svg`<polygon class="point" data-date=${data.date} data-teu=${data.teu} points="${cx},${cy - r - 1} ${cx + r + 1},${cy + r} ${cx - r - 1},${cy + r}" fill=${colour}>${title}</polygon>`;
    }
  }

  private renderTable(state: SeriesState, lines: readonly SeriesLine[]): unknown {
    return html`<details>
      <summary>Table of the chart</summary>
      <table>
        <caption class="note">
          TEU per pier and date (range in brackets); each date measured against the reference.
        </caption>
        <thead>
          <tr>
            <th scope="col">Pier</th>
            ${state.dates.map(
              (date) =>
                html`<th scope="col" data-date=${date.id}>
                  ${date.label}${date.id === state.referenceId ? ' (reference)' : ''}
                </th>`,
            )}
          </tr>
        </thead>
        <tbody>
          ${lines.map(
            (line) =>
              html`<tr data-pier=${line.pier}>
                <th scope="row">${line.pier}</th>
                ${line.points.map((point, index) => {
                  const date = state.dates[index];
                  const outcome = state.outcomes[index];
                  return html`<td data-date=${date?.id ?? ''}>
                    ${
                      point === null
                        ? outcome?.kind === 'error'
                          ? 'failed'
                          : outcome?.kind === 'done'
                            ? html`<span
                                title="No part of the pier lies in both images of the pair this value comes from"
                                >not covered</span
                              >`
                            : '…'
                        : html`${round(point.teu)}
                            <span class="range"
                              >(${round(point.lowTeu)} to ${round(point.highTeu)})</span
                            >`
                    }
                  </td>`;
                })}
              </tr>`,
          )}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Notes</th>
            ${state.dates.map((date, index) => {
              const outcome = state.outcomes[index];
              return outcome?.kind === 'error'
                ? html`<td class="error" data-date=${date.id}>${outcome.message}</td>`
                : html`<td class="note" data-date=${date.id}>
                    ${state.notes[index] ?? (outcome?.kind === 'cancelled' ? 'cancelled' : '')}
                  </td>`;
            })}
          </tr>
        </tfoot>
      </table>
    </details>`;
  }

  protected override render(): unknown {
    const state = this.state;
    if (state === undefined) return null;
    const lines = this.lines();
    const reference = state.dates.find((date) => date.id === state.referenceId);
    const errors = state.dates.flatMap((date, index) => {
      const outcome = state.outcomes[index];
      return outcome?.kind === 'error' ? [{ date, text: outcome.message }] : [];
    });
    return html`<section aria-labelledby="series-heading">
      <h3 id="series-heading">TEU per pier across ${state.dates.length} dates</h3>
      <p class="sub">
        Each date is compared with ${reference?.label ?? 'the before image'} (the before image); a
        ship visit shows as a drop or a jump.
      </p>
      ${this.renderStatus(state)}
      <label class="row"
        ><input
          type="checkbox"
          .checked=${this.fineAlign}
          @change=${(event: Event) => {
            this.fire('qw-series-fine-align', (event.target as HTMLInputElement).checked);
          }}
        />Fine-align each date (estimate its shift; otherwise only the pair on screen uses
        one)</label
      >
      ${
        errors.length === 0
          ? null
          : html`<ul class="errors" role="alert">
              ${errors.map(
                ({ date, text }) =>
                  html`<li data-date=${date.id}>${date.label} (${date.name}): ${text}</li>`,
              )}
            </ul>`
      }
      ${lines.length === 0 ? null : this.renderChart(state, lines)}
      <ul class="legend" aria-label="Piers">
        ${lines.map(
          (line, index) =>
            html`<li>
              <svg class="swatch" viewBox="0 0 14 4" aria-hidden="true">
                <rect
                  width="14"
                  height="4"
                  fill=${PIER_COLOURS[index % PIER_COLOURS.length] ?? '#ffffff'}
                ></rect></svg
              >${line.pier} (${MARKERS[index % MARKERS.length]})
            </li>`,
        )}
      </ul>
      ${this.renderTable(state, lines)}
    </section>`;
  }
}

customElements.define('qw-series-chart', QwSeriesChart);

declare global {
  interface HTMLElementTagNameMap {
    'qw-series-chart': QwSeriesChart;
  }
}
