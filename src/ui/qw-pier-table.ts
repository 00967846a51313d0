/**
 * Per-pier container counts in TEU: before, after, appeared, disappeared and
 * net, each with its low–high range, and a total row. Names are rendered as
 * text, never as HTML. A click on a pier's row, or Enter/Space on it, asks the
 * app to zoom the view to that pier (`qw-pier-zoom`).
 */
import { css, html, LitElement } from 'lit';
import { COVERED_SHARE, NO_PIXELS_NOTE } from '../core/analysis/coverage.ts';
import { DEFAULT_ANALYSIS_PARAMS } from '../core/analysis/params.ts';

export interface TeuCell {
  readonly teu: number;
  readonly lowTeu: number;
  readonly highTeu: number;
}

export interface PierRow {
  readonly name: string;
  readonly before: TeuCell;
  readonly after: TeuCell;
  readonly appeared: TeuCell;
  readonly disappeared: TeuCell;
  readonly net: TeuCell;
  /** Share of the pier that both images cover (0..1); its numbers count that part only. */
  readonly coverage?: number;
  /** No pixel centre lies inside the pier (piersWithoutPixels): nothing of it was analysed. */
  readonly withoutPixels?: boolean;
}

/** `qw-pier-zoom`: the chosen row, in the order of `rows` (the analysis's ROIs). */
export interface PierZoomDetail {
  readonly index: number;
  readonly name: string;
}

/** A row's TEU columns, without its name and notes. */
type TeuColumns = Pick<PierRow, 'before' | 'after' | 'appeared' | 'disappeared' | 'net'>;

function sum(rows: readonly PierRow[], key: keyof TeuColumns): TeuCell {
  return rows.reduce(
    (total, row) => ({
      teu: total.teu + row[key].teu,
      lowTeu: total.lowTeu + row[key].lowTeu,
      highTeu: total.highTeu + row[key].highTeu,
    }),
    { teu: 0, lowTeu: 0, highTeu: 0 },
  );
}

export class QwPierTable extends LitElement {
  static override properties = {
    rows: { attribute: false },
    caption: { attribute: false },
    warnings: { attribute: false },
    teuFootprintM2: { attribute: false },
  };

  static override styles = css`
    :host {
      display: block;
      font-size: 12px;
      color: #e6e8ee;
    }
    table {
      border-collapse: collapse;
      width: 100%;
    }
    caption {
      text-align: left;
      color: #9aa3b5;
      padding-bottom: 0.3rem;
    }
    th,
    td {
      padding: 0.2rem 0.25rem;
      border-bottom: 1px solid #262a35;
      text-align: right;
      font-variant-numeric: tabular-nums;
      white-space: nowrap;
    }
    th:first-child,
    td:first-child {
      text-align: left;
    }
    /* Headers and pier names wrap; the numbers never do. */
    th,
    td:first-child {
      white-space: normal;
    }
    th {
      font-size: 11px;
      font-weight: 600;
      vertical-align: bottom;
    }
    tfoot td {
      font-weight: 600;
      border-top: 1px solid #3d4459;
    }
    /* The range sits under its value: six columns fit the side column. */
    .range {
      display: block;
      color: #9aa3b5;
      font-size: 11px;
    }
    .coverage {
      display: block;
      color: #f0b45a;
      font-size: 11px;
    }
    tbody tr {
      cursor: zoom-in;
    }
    tbody tr:hover {
      background: #1c2130;
    }
    tbody tr:focus-visible {
      outline: 2px solid #7cc4ff;
      outline-offset: -2px;
      background: #1c2130;
    }
    .hint {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
    }
    .note {
      color: #9aa3b5;
      margin: 0.3rem 0 0;
    }
    .warning {
      color: #f0b45a;
      margin: 0.3rem 0 0;
    }
  `;

  declare rows: readonly PierRow[];
  declare caption: string;
  /** About the whole pair (e.g. a grey image against a colour one), shown under the table. */
  declare warnings: readonly string[];
  /** The footprint of one TEU the numbers were divided by (AnalysisParams.teuFootprintM2). */
  declare teuFootprintM2: number;

  constructor() {
    super();
    this.rows = [];
    this.caption = '';
    this.warnings = [];
    this.teuFootprintM2 = DEFAULT_ANALYSIS_PARAMS.teuFootprintM2;
  }

  private cell(value: TeuCell, signed = false): unknown {
    const round = (v: number): string => {
      const n = Math.round(v);
      return signed && n > 0 ? `+${n}` : String(n).replace('-', '−');
    };
    // A dash between signed bounds ("−88–−9") reads as arithmetic; "to" does not.
    const between = signed ? ' to ' : '–';
    return html`<td>
      ${round(value.teu)}
      <span class="range">${round(value.lowTeu)}${between}${round(value.highTeu)}</span>
    </td>`;
  }

  /** Under a pier's name when the images do not wholly cover it. */
  private coverageNote(coverage: number | undefined, withoutPixels = false): unknown {
    if (withoutPixels) {
      return html`<span class="coverage" data-coverage="0" title=${`The pier: ${NO_PIXELS_NOTE}.`}
        >no pixel of its own: not analysed</span
      >`;
    }
    if (coverage === undefined || coverage >= COVERED_SHARE) return null;
    const percent = Math.round(coverage * 100);
    return html`<span
      class="coverage"
      data-coverage=${percent}
      title="The numbers count only the part of the pier that both images cover and no pier listed before it takes."
      >${coverage <= 0 ? 'not in both images' : `only ${percent} % counted`}</span
    >`;
  }

  private cells(row: TeuColumns): unknown {
    return html`${this.cell(row.before)} ${this.cell(row.after)} ${this.cell(row.appeared)}
    ${this.cell(row.disappeared)} ${this.cell(row.net, true)}`;
  }

  /** A pier's row: focusable, and a click, Enter or Space zooms the view to the pier. */
  private pierRow(row: PierRow, index: number): unknown {
    const zoom = (): void => {
      this.dispatchEvent(
        new CustomEvent<PierZoomDetail>('qw-pier-zoom', {
          detail: { index, name: row.name },
          bubbles: true,
          composed: true,
        }),
      );
    };
    const onKey = (event: KeyboardEvent): void => {
      if (event.key !== 'Enter' && event.key !== ' ') return;
      event.preventDefault();
      zoom();
    };
    return html`<tr
      data-pier=${row.name}
      tabindex="0"
      aria-describedby="zoom-hint"
      @click=${zoom}
      @keydown=${onKey}
    >
      <td>${row.name}${this.coverageNote(row.coverage, row.withoutPixels)}</td>
      ${this.cells(row)}
    </tr>`;
  }

  protected override render(): unknown {
    if (this.rows.length === 0) return null;
    const total = {
      before: sum(this.rows, 'before'),
      after: sum(this.rows, 'after'),
      appeared: sum(this.rows, 'appeared'),
      disappeared: sum(this.rows, 'disappeared'),
      net: sum(this.rows, 'net'),
    };
    return html`<table>
        <caption>
          ${this.caption}
        </caption>
        <thead>
          <tr>
            <th scope="col">Pier</th>
            <th scope="col">Before TEU</th>
            <th scope="col">After TEU</th>
            <th scope="col" title="Containers where the after date shows one and a change">
              Ap&shy;peared
            </th>
            <th scope="col" title="Containers where the before date shows one and a change">
              Disap&shy;peared
            </th>
            <th
              scope="col"
              title="After − before. Appeared and disappeared are measured on their own, from what changed, so they need not add up to it."
            >
              Net
            </th>
          </tr>
        </thead>
        <tbody>
          ${this.rows.map((row, index) => this.pierRow(row, index))}
        </tbody>
        <tfoot>
          <tr data-pier="">
            <td>Total</td>
            ${this.cells(total)}
          </tr>
        </tfoot>
      </table>
      ${this.warnings.map((warning) => html`<p class="warning" role="note">${warning}</p>`)}
      <span class="hint" id="zoom-hint">Click, Enter or Space: zoom the view to this pier</span>
      <p class="note">
        TEU = 20-ft equivalents from blob area (area × fill factor ÷ ${this.teuFootprintM2} m²),
        low–high range under each value. Only the top tier of stacked containers can be seen from
        above.
      </p>`;
  }
}

customElements.define('qw-pier-table', QwPierTable);

declare global {
  interface HTMLElementTagNameMap {
    'qw-pier-table': QwPierTable;
  }
}
