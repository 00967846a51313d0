/**
 * Where everything of an annotated snapshot goes, as pure numbers: the title
 * and dates above, the imagery pane (or before and after side by side), the
 * scale bar and north arrow inside the panes, the legend and per-pier table in
 * a column to the right, the credit line below. The app and the CLI both lay
 * out through this, so the same inputs give the same figure.
 *
 * Sizes are whole output pixels. Everything but the panes scales with the
 * integer `textScale` (1 at screen resolution, 2 at 2×), so a 2× snapshot is
 * exactly twice the screen one in each direction.
 */

export type SnapshotLayoutKind = 'single' | 'side-by-side';

export interface LayoutRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface SnapshotLayoutInput {
  readonly layout: SnapshotLayoutKind;
  /** One pane's size in output px (the view's area times the output scale). */
  readonly paneWidthPx: number;
  readonly paneHeightPx: number;
  /** Integer ≥ 1: text, margins and marks are this many output px per CSS px. */
  readonly textScale: number;
  /** Rows of the legend (overlay colour keys and the pier outline key). */
  readonly legendRows: number;
  /** Rows of the per-pier table. */
  readonly pierRows: number;
  /** Lines of caveats under the table (e.g. pixels too coarse to count containers); 0 when none. */
  readonly caveatRows?: number;
}

export interface SnapshotLayout {
  readonly widthPx: number;
  readonly heightPx: number;
  /** Imagery panes: one, or before then after. */
  readonly panes: readonly LayoutRect[];
  readonly title: { readonly x: number; readonly y: number; readonly fontPx: number };
  readonly dates: { readonly x: number; readonly y: number; readonly fontPx: number };
  /** Font of pane labels, pier names and numbers in the panes. */
  readonly labelFontPx: number;
  /** Bottom-left of the bar in the first pane; the bar is at most `maxWidthPx` long. */
  readonly scaleBar: { readonly x: number; readonly y: number; readonly maxWidthPx: number };
  /** Centre and radius of the north arrow in the last pane's top-right corner. */
  readonly north: { readonly x: number; readonly y: number; readonly radiusPx: number };
  /** The right column: legend rows, then the table's header and rows. */
  readonly legend: {
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly rowHeightPx: number;
    readonly rowYs: readonly number[];
  };
  readonly table: {
    readonly x: number;
    readonly headerY: number;
    readonly rowYs: readonly number[];
    /** Right edges of the number columns (before, after, net). */
    readonly columnRightXs: readonly [number, number, number];
  };
  /** Caveat lines under the table, left-aligned in the column (baselines; empty when none). */
  readonly caveats: { readonly x: number; readonly rowYs: readonly number[] };
  readonly credit: { readonly x: number; readonly y: number; readonly fontPx: number };
  readonly footnote: { readonly x: number; readonly y: number; readonly fontPx: number };
  readonly fontPx: number;
}

/** Base sizes at textScale 1, CSS px. */
const MARGIN = 12;
const PANE_GAP = 8;
const HEADER = 64;
const FOOTER = 36;
const COLUMN_WIDTH = 300;
const ROW = 18;
const SECTION_GAP = 14;

export function snapshotLayout(input: SnapshotLayoutInput): SnapshotLayout {
  const { layout, textScale: k } = input;
  if (!Number.isInteger(k) || k < 1) throw new Error(`textScale must be an integer ≥ 1 (${k})`);
  const paneWidth = Math.max(1, Math.round(input.paneWidthPx));
  const paneHeight = Math.max(1, Math.round(input.paneHeightPx));
  const paneCount = layout === 'side-by-side' ? 2 : 1;
  const top = HEADER * k;
  const panes: LayoutRect[] = [];
  for (let i = 0; i < paneCount; i++) {
    panes.push({
      x: MARGIN * k + i * (paneWidth + PANE_GAP * k),
      y: top,
      width: paneWidth,
      height: paneHeight,
    });
  }
  const lastPane = panes[panes.length - 1] ?? {
    x: 0,
    y: top,
    width: paneWidth,
    height: paneHeight,
  };
  const firstPane = panes[0] ?? lastPane;
  const columnX = lastPane.x + lastPane.width + MARGIN * k;
  const row = ROW * k;
  const legendTop = top + row; // under the "Legend" heading
  const legendRowYs = Array.from({ length: input.legendRows }, (_, i) => legendTop + i * row);
  const tableHeaderY = legendTop + input.legendRows * row + SECTION_GAP * k + row;
  const tableRowYs = Array.from({ length: input.pierRows }, (_, i) => tableHeaderY + (i + 1) * row);
  const caveatRows = input.caveatRows ?? 0;
  const caveatTop = tableHeaderY + input.pierRows * row + SECTION_GAP * k + row;
  const caveatRowYs = Array.from({ length: caveatRows }, (_, i) => caveatTop + i * row);
  const columnBottom =
    caveatRows > 0 ? caveatTop + caveatRows * row : tableHeaderY + (input.pierRows + 1) * row;
  const bodyBottom = Math.max(top + paneHeight, columnBottom);
  const widthPx = columnX + COLUMN_WIDTH * k + MARGIN * k;
  const heightPx = bodyBottom + FOOTER * k;
  const columnRight = columnX + COLUMN_WIDTH * k;
  return {
    widthPx,
    heightPx,
    panes,
    title: { x: MARGIN * k, y: 30 * k, fontPx: 20 * k },
    dates: { x: MARGIN * k, y: 52 * k, fontPx: 14 * k },
    labelFontPx: 13 * k,
    scaleBar: {
      x: firstPane.x + MARGIN * k,
      y: firstPane.y + paneHeight - MARGIN * k,
      maxWidthPx: Math.max(1, Math.min(160 * k, Math.floor(paneWidth / 3))),
    },
    north: { x: lastPane.x + lastPane.width - 28 * k, y: lastPane.y + 32 * k, radiusPx: 18 * k },
    legend: { x: columnX, y: top, width: COLUMN_WIDTH * k, rowHeightPx: row, rowYs: legendRowYs },
    table: {
      x: columnX,
      headerY: tableHeaderY,
      rowYs: tableRowYs,
      columnRightXs: [columnRight - 130 * k, columnRight - 70 * k, columnRight],
    },
    caveats: { x: columnX, rowYs: caveatRowYs },
    credit: { x: MARGIN * k, y: bodyBottom + 22 * k, fontPx: 12 * k },
    footnote: { x: widthPx - MARGIN * k, y: bodyBottom + 22 * k, fontPx: 11 * k },
    fontPx: 13 * k,
  };
}
