/**
 * Per-pier container counts in TEU: before, after, appeared, disappeared and
 * net, each with its low–high range, and a total row. Names are rendered as
 * text, never as HTML.
 */
import { css, html, LitElement } from 'lit';

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
}

function sum(rows: readonly PierRow[], key: keyof Omit<PierRow, 'name'>): TeuCell {
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
      padding: 0.2rem 0.5rem;
      border-bottom: 1px solid #262a35;
      text-align: right;
      font-variant-numeric: tabular-nums;
      white-space: nowrap;
    }
    th:first-child,
    td:first-child {
      text-align: left;
    }
    tfoot td {
      font-weight: 600;
      border-top: 1px solid #3d4459;
    }
    .range {
      color: #9aa3b5;
    }
    .note {
      color: #9aa3b5;
      margin: 0.3rem 0 0;
    }
  `;

  declare rows: readonly PierRow[];
  declare caption: string;

  constructor() {
    super();
    this.rows = [];
    this.caption = '';
  }

  private cell(value: TeuCell, signed = false): unknown {
    const round = (v: number): string => {
      const n = Math.round(v);
      return signed && n > 0 ? `+${n}` : String(n).replace('-', '−');
    };
    return html`<td>
      ${round(value.teu)}
      <span class="range">(${round(value.lowTeu)} to ${round(value.highTeu)})</span>
    </td>`;
  }

  private row(name: string, row: Omit<PierRow, 'name'>, isTotal = false): unknown {
    return html`<tr data-pier=${isTotal ? '' : name}>
      <td>${name}</td>
      ${this.cell(row.before)} ${this.cell(row.after)} ${this.cell(row.appeared)}
      ${this.cell(row.disappeared)} ${this.cell(row.net, true)}
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
            <th scope="col">Appeared</th>
            <th scope="col">Disappeared</th>
            <th scope="col">Net</th>
          </tr>
        </thead>
        <tbody>
          ${this.rows.map((row) => this.row(row.name, row))}
        </tbody>
        <tfoot>
          ${this.row('Total', total, true)}
        </tfoot>
      </table>
      <p class="note">
        TEU = 20-ft equivalents from blob area (area × fill factor ÷ 14.77 m²), range in brackets.
        Only the top tier of stacked containers can be seen from above.
      </p>`;
  }
}

customElements.define('qw-pier-table', QwPierTable);

declare global {
  interface HTMLElementTagNameMap {
    'qw-pier-table': QwPierTable;
  }
}
