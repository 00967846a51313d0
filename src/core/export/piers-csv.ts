/**
 * The pier table as CSV (RFC 4180): one row per pier, the table's columns
 * with their low–high ranges, units in the headers, plus the ground areas the
 * TEU come from. CRLF line ends; a field is quoted when it holds a comma, a
 * quote, a line break or edge spaces, quotes doubled inside; a name that a
 * spreadsheet would take for a formula gets a leading '. No total row (a
 * reader sums the column). Numbers carry 3 decimals at most; TEU count only
 * the top tier of stacked containers, as the table says. The last column is
 * the share of the pier both images cover, so that a pier half off the image
 * does not pass for a half-empty one.
 */
import type { AnalysisInput, AnalysisResult } from '../analysis/cpu-pipeline.ts';
import type { TeuEstimate } from '../analysis/estimate.ts';
import { pierCoverage } from '../analysis/coverage.ts';
import { analysedAreaPx } from '../analysis/roi-raster.ts';

export interface TeuRange {
  readonly teu: number;
  readonly lowTeu: number;
  readonly highTeu: number;
}

export interface PierExportRow {
  readonly name: string;
  /** Ground area of the pier polygon, m². */
  readonly roiAreaM2: number;
  readonly before: TeuEstimate;
  readonly after: TeuEstimate;
  readonly appeared: TeuEstimate;
  readonly disappeared: TeuEstimate;
  readonly net: TeuRange;
  /**
   * Share of the pier that both images cover (pierCoverage, 0–1): its numbers
   * count that part only, and 0 means nothing of it was analysed.
   */
  readonly coverage: number;
}

/** The export rows of an analysis: the pier table's numbers and areas, in ROI order. */
export function pierExportRows(
  result: Pick<AnalysisResult, 'rois' | 'roiIndex'>,
  input: AnalysisInput,
): PierExportRow[] {
  const coverage = pierCoverage(input, result.roiIndex);
  return result.rois.map((roi, index) => ({
    name: roi.name,
    coverage: coverage[index] ?? 0,
    roiAreaM2: analysedAreaPx(input.rois[index]?.rings ?? []) * input.pixelAreaM2,
    before: roi.before,
    after: roi.after,
    appeared: roi.appeared,
    disappeared: roi.disappeared,
    net: { teu: roi.netTeu, lowTeu: roi.netLowTeu, highTeu: roi.netHighTeu },
  }));
}

const TEU_COLUMNS = ['before', 'after', 'appeared', 'disappeared', 'net'] as const;
const AREA_COLUMNS = ['before', 'after', 'appeared', 'disappeared'] as const;

export const PIERS_CSV_HEADER: readonly string[] = [
  'pier',
  ...TEU_COLUMNS.flatMap((key) => [`${key}_teu`, `${key}_low_teu`, `${key}_high_teu`]),
  ...AREA_COLUMNS.map((key) => `${key}_area_m2`),
  'pier_area_m2',
  'coverage',
];

/** An RFC 4180 field: quoted when it must be. */
export function csvField(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A number for CSV: at most 3 decimals, no exponent for the sizes that occur, "-0" as "0". */
export function csvNumber(value: number): string {
  if (!Number.isFinite(value)) return '';
  const rounded = Math.round(value * 1000) / 1000;
  return String(rounded === 0 ? 0 : rounded);
}

/**
 * A text cell a spreadsheet will not run as a formula: text starting with
 * `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'` (the
 * OWASP advice on CSV injection), since pier and file names come from files
 * the analyst did not write. Only for names, never for numbers.
 */
export function spreadsheetText(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** CSV text from rows of fields, CRLF line ends, a final line end. */
export function csvText(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** The per-pier CSV: the header, then one row per pier in the table's order. */
export function piersCsv(rows: readonly PierExportRow[]): string {
  return csvText([
    PIERS_CSV_HEADER,
    ...rows.map((row) => [
      spreadsheetText(row.name),
      ...TEU_COLUMNS.flatMap((key) => {
        const cell = row[key];
        return [csvNumber(cell.teu), csvNumber(cell.lowTeu), csvNumber(cell.highTeu)];
      }),
      ...AREA_COLUMNS.map((key) => csvNumber(row[key].areaM2)),
      csvNumber(row.roiAreaM2),
      csvNumber(row.coverage),
    ]),
  ]);
}
