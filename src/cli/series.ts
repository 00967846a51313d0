/**
 * `quaywatch series`: per-pier TEU over many dates of one place, without the
 * browser. The images are put in date order as the app's series does
 * (src/core/series.ts: the TIFF DateTime tag, else a date in the file name);
 * the earliest is the reference, and every other date is analysed as the
 * "after" of the pair (reference, date) with the same piers and parameters,
 * exactly as the app's series runs each pair (src/ui/series.ts). The
 * reference's own TEU is its "before" in its pair with the next date, and for
 * a pier that pair does not cover, in the first later pair that does
 * (mergeReference, shared with the app).
 *
 * Writes DIR/series.csv (one row per pier per date, see SERIES_CSV_HEADER),
 * DIR/series.json (the same with the dates, shifts and any per-date error)
 * and DIR/series.png (the chart, src/cli/series-chart.ts).
 *
 * Residual shift per date: estimated against the reference on the pier
 * window, as `analyze` does (--fine-align on, the default), or none
 * (--fine-align off: the app's series with "fine alignment per date" off,
 * which gives the app's numbers exactly).
 *
 * A date that cannot be analysed does not stop the others: its error is in
 * series.json, the rest is written, and the command ends with that error.
 */
import { basename, join, resolve } from 'node:path';
import { parseCommandArgs, samePlace } from './args.ts';
import { checkOutFolder, prepareOutFolder, removeOutFile, writeOutFile } from './out-folder.ts';
import { coverageWarnings, pierCoverage, piersWithoutPixels } from '../core/analysis/coverage.ts';
import { bandMismatchWarning, coarsePixelWarning, pairInput } from '../io/analysis-plan.ts';
import { csvNumber, csvText, spreadsheetText } from '../core/export/piers-csv.ts';
import {
  assembleSeries,
  distinctLabels,
  orderDates,
  teuByPier,
  ReferenceValues,
  type DateOutcome,
  type SeriesLine,
  type TeuValue,
} from '../core/series.ts';
import { openRaster, type OpenRaster } from '../io/decoder.ts';
import {
  alignAfter,
  backendName,
  openBackend,
  namingFile,
  readParams,
  readReference,
  readRois,
  runAnalysis,
  type Backend,
  type OpenSource,
} from './analyze.ts';
import type { AnalysisParams } from '../core/analysis/params.ts';
import type { RoiSet } from '../io/geojson.ts';
import { renderSeriesChartPng } from './series-chart.ts';

export const SERIES_USAGE =
  'usage: quaywatch series --rois piers.geojson --out DIR [--params params.json] [--backend auto|webgpu|cpu] [--fine-align on|off] IMAGE...';

/** Columns of series.csv: TEU of the date, then its change against the reference date. */
export const SERIES_CSV_HEADER: readonly string[] = [
  'date',
  'image',
  'date_source',
  'pier',
  'teu',
  'low_teu',
  'high_teu',
  'appeared_vs_reference_teu',
  'disappeared_vs_reference_teu',
  'net_vs_reference_teu',
  'reference_in_pair_teu',
  'shift_x_px',
  'shift_y_px',
  'shift_source',
  'coverage',
];

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

interface PierNumbers {
  readonly value: TeuValue;
  /** Against the reference; null for the reference itself. */
  readonly appearedTeu: number | null;
  readonly disappearedTeu: number | null;
  readonly netTeu: number | null;
  /**
   * The reference's TEU as this date's pair measured it (its "before"), so
   * that netTeu = value − referenceTeu on the row; the reference's own row
   * comes from its first pair, and a date's "before" varies a little with the
   * pair (the shift, sharpness matching). Null for the reference itself.
   */
  readonly referenceTeu: number | null;
  /**
   * Share of the pier both images of the pair cover (pierCoverage): a date's
   * TEU counts that part only, so 0 is no measurement, not an empty pier.
   */
  readonly coverage: number;
}

interface DateRun {
  readonly path: string;
  readonly name: string;
  /** ISO date (or date-time) the series places the image at. */
  readonly iso: string;
  readonly label: string;
  readonly source: string;
  readonly isReference: boolean;
  shiftPx: readonly [number, number] | null;
  shiftSource: string | null;
  /** Per pier, in the ROI file's order; null until analysed or when it failed. */
  piers: Map<string, PierNumbers> | null;
  error: string | null;
}

/**
 * The chart's lines: a pier no part of which both images of a date's pair
 * cover has no value that date, a gap rather than a point at 0 (series.csv
 * keeps the 0 beside its coverage).
 */
export function measuredOnly(
  lines: readonly SeriesLine[],
  coverageOf: (dateIndex: number, pier: string) => number | undefined,
): SeriesLine[] {
  return lines.map((line) => ({
    ...line,
    points: line.points.map((point, index) => (coverageOf(index, line.pier) === 0 ? null : point)),
  }));
}

export async function series(argv: readonly string[], openSource: OpenSource): Promise<void> {
  const { values, positionals } = parseCommandArgs(
    'series',
    argv,
    {
      rois: { type: 'string' },
      out: { type: 'string' },
      params: { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      'fine-align': { type: 'string', default: 'on' },
    },
    true,
  );
  const { rois: roisPath, out } = values;
  if (roisPath === undefined || out === undefined) {
    throw new Error(`series needs --rois and --out. ${SERIES_USAGE}`);
  }
  if (positionals.length < 2) {
    throw new Error(
      `series needs at least two images of the same place (got ${positionals.length}). ${SERIES_USAGE}`,
    );
  }
  const fineAlign = values['fine-align'];
  if (fineAlign !== 'on' && fineAlign !== 'off') {
    throw new Error(`--fine-align takes on or off (got "${fineAlign}")`);
  }
  for (const [k, path] of positionals.entries()) {
    const earlier = positionals.slice(0, k).find((other) => samePlace(other) === samePlace(path));
    if (earlier === undefined) continue;
    throw new Error(
      resolve(earlier) === resolve(path)
        ? `${path} is given twice; give each image once`
        : `${path} is ${earlier} again (the same file); give each image once`,
    );
  }
  const params = readParams(values.params);
  const roiSet = readRois(roisPath);
  checkOutFolder(out);
  // Every option is checked before any image is read (the dates are read to order them).
  const { backend, warning: backendWarning } = await openBackend(values.backend);
  if (backendWarning !== null) console.error(`warning: ${backendWarning}`);
  try {
    await seriesOn(backend, { roisPath, out, fineAlign, params, roiSet, positionals }, openSource);
  } finally {
    backend?.device.destroy();
  }
}

async function seriesOn(
  backend: Backend,
  options: {
    readonly roisPath: string;
    readonly out: string;
    readonly fineAlign: 'on' | 'off';
    readonly params: AnalysisParams;
    readonly roiSet: RoiSet;
    readonly positionals: readonly string[];
  },
  openSource: OpenSource,
): Promise<void> {
  const { roisPath, out, fineAlign, params, roiSet, positionals } = options;
  const rasters = new Map<string, OpenRaster>();
  for (const path of positionals) {
    const source = await openSource(path);
    try {
      rasters.set(path, await openRaster(source));
    } catch (error) {
      throw new Error(`${path}: ${message(error)}`, { cause: error });
    }
  }
  const ordered = orderDates(
    positionals.map((path, id) => ({
      id,
      name: basename(path),
      acquired: rasters.get(path)?.info.acquired ?? null,
    })),
  );
  const undated = ordered.find((date) => date.iso === null);
  if (undated !== undefined) {
    throw new Error(
      `${positionals[undated.id] ?? undated.name}: no date (no TIFF DateTime tag, no date like 2023-10-13 in the file name); the series places every image by its date`,
    );
  }
  const labels = distinctLabels(ordered);
  const runs: DateRun[] = ordered.map((date, index) => ({
    path: positionals[date.id] ?? date.name,
    name: date.name,
    iso: date.iso ?? '',
    label: labels[index] ?? date.label,
    source: date.source,
    isReference: index === 0,
    shiftPx: null,
    shiftSource: null,
    piers: null,
    error: null,
  }));
  const [referenceRun] = runs;
  if (referenceRun === undefined) throw new Error('internal: no reference date');

  // Per date: coverage and band warnings, printed with the ROI file's.
  const pairWarnings: string[] = runs.flatMap((run) => {
    const info = rasters.get(run.path)?.info;
    const coarse = info === undefined ? null : coarsePixelWarning(info);
    return coarse === null ? [] : [coarse];
  });
  const referenceRaster = rasters.get(referenceRun.path);
  if (referenceRaster === undefined) throw new Error('internal: reference not open');
  const reference = await namingFile(
    referenceRun.path,
    readReference(referenceRaster, roiSet, roisPath),
  );
  // Every pair measures the reference as its "before": the first pair's values, and a
  // pier it did not cover from the first later pair that did (as the app has it).
  const referenceValues = new ReferenceValues<PierNumbers>((numbers) => numbers.coverage > 0);
  for (const run of runs.slice(1)) {
    const raster = rasters.get(run.path);
    try {
      if (raster === undefined) throw new Error('internal: image not open');
      const aligned = await alignAfter(reference, raster, fineAlign === 'on' ? undefined : [0, 0]);
      const input = pairInput(reference.plan, reference, aligned.aligned);
      const result = await runAnalysis(backend, input, params);
      const bandWarning = bandMismatchWarning(referenceRaster.info, raster.info);
      const coverage = pierCoverage(input, result.roiIndex);
      pairWarnings.push(
        ...(aligned.warning === undefined ? [] : [aligned.warning]),
        ...(bandWarning === null ? [] : [bandWarning]),
        ...result.warnings.map((warning) => `${run.name}: ${warning}`),
        ...coverageWarnings(
          result.rois.map((roi) => roi.name),
          coverage,
          piersWithoutPixels(input, result.roiIndex),
        ).map((warning) => `${run.name}: ${warning}`),
      );
      run.shiftPx = aligned.shiftPx;
      run.shiftSource = aligned.shiftSource;
      // Keyed as the app keys them: a repeated pier name must not overwrite the first.
      const teu = teuByPier(result);
      run.piers = new Map(
        [...teu.after].map(([name, value], index) => {
          const roi = result.rois[index];
          return [
            name,
            {
              value,
              appearedTeu: roi?.appeared.teu ?? null,
              disappearedTeu: roi?.disappeared.teu ?? null,
              netTeu: roi?.netTeu ?? null,
              referenceTeu: roi?.before.teu ?? null,
              coverage: coverage[index] ?? 0,
            },
          ];
        }),
      );
      referenceRun.piers = referenceValues.add(
        run.label,
        new Map(
          [...teu.before].map(([name, value], index): [string, PierNumbers] => [
            name,
            {
              value,
              appearedTeu: null,
              disappearedTeu: null,
              netTeu: null,
              referenceTeu: null,
              coverage: coverage[index] ?? 0,
            },
          ]),
        ),
      );
      referenceRun.shiftSource = referenceValues.note;
    } catch (error) {
      run.error = `${run.path}: ${message(error)}`;
    }
  }
  if (referenceRun.piers === null) {
    referenceRun.error = 'No pair with the reference could be analysed, so it has no value either.';
  }

  const outcomes: DateOutcome[] = runs.map((run) =>
    run.piers === null
      ? { kind: 'error', message: run.error ?? 'not analysed' }
      : {
          kind: 'done',
          teuByPier: new Map([...run.piers].map(([pier, numbers]) => [pier, numbers.value])),
        },
  );
  const lines = assembleSeries(outcomes);
  const optional = (value: number | null | undefined): string =>
    value === null || value === undefined ? '' : csvNumber(value);
  const csvRows: string[][] = [];
  for (const run of runs) {
    for (const [pier, numbers] of run.piers ?? []) {
      csvRows.push([
        run.iso,
        spreadsheetText(run.name),
        run.source,
        spreadsheetText(pier),
        csvNumber(numbers.value.teu),
        csvNumber(numbers.value.lowTeu),
        csvNumber(numbers.value.highTeu),
        optional(numbers.appearedTeu),
        optional(numbers.disappearedTeu),
        optional(numbers.netTeu),
        optional(numbers.referenceTeu),
        optional(run.isReference ? null : run.shiftPx?.[0]),
        optional(run.isReference ? null : run.shiftPx?.[1]),
        // A 0, 0 from an estimate not applied must not read as a measured one.
        run.isReference ? '' : (run.shiftSource ?? ''),
        csvNumber(numbers.coverage),
      ]);
    }
  }
  const round = (value: number): number => Number(csvNumber(value));
  const summary = {
    version: 1,
    backend: backendName(backend),
    rois: basename(roisPath),
    params,
    fine_align: fineAlign === 'on',
    dates: runs.map((run) => ({
      image: run.name,
      date: run.iso,
      label: run.label,
      date_source: run.source,
      reference: run.isReference,
      shift_px: run.shiftPx === null ? null : [round(run.shiftPx[0]), round(run.shiftPx[1])],
      shift_source: run.shiftSource,
      error: run.error,
    })),
    piers: lines.map((line) => ({
      name: line.pier,
      points: line.points.map((point, index) => {
        if (point === null) return null;
        const coverage = runs[index]?.piers?.get(line.pier)?.coverage ?? null;
        return {
          teu: round(point.teu),
          low_teu: round(point.lowTeu),
          high_teu: round(point.highTeu),
          coverage: coverage === null ? null : round(coverage),
        };
      }),
    })),
  };
  prepareOutFolder(out);
  // series.json comes last, as result.json does for analyze: an earlier run's
  // files are removed first, so a run that stops part-way leaves no set that
  // looks whole (a new series.csv beside an old chart).
  for (const name of ['series.json', 'series.csv', 'series.png']) removeOutFile(join(out, name));
  writeOutFile(join(out, 'series.csv'), csvText([SERIES_CSV_HEADER, ...csvRows]));
  const measuredLines = measuredOnly(
    lines,
    (dateIndex, pier) => runs[dateIndex]?.piers?.get(pier)?.coverage,
  );
  const png = renderSeriesChartPng({
    dates: runs.map((run) => run.label),
    lines: measuredLines,
    title: `Quaywatch — TEU per pier, ${basename(roisPath)}`,
  });
  writeOutFile(join(out, 'series.png'), png);
  writeOutFile(join(out, 'series.json'), `${JSON.stringify(summary, null, 2)}\n`);

  // As the chart: a pier a date's pair does not cover is "—", not 0 TEU.
  for (const line of measuredLines) {
    const points = line.points.map((point, index) =>
      point === null
        ? `${runs[index]?.label ?? ''} —`
        : `${runs[index]?.label ?? ''} ${csvNumber(point.teu)}`,
    );
    console.log(`${line.pier}: ${points.join(', ')} TEU`);
  }
  for (const warning of [...roiSet.warnings, ...pairWarnings]) console.error(`warning: ${warning}`);
  const failed = runs.filter((run) => !run.isReference && run.error !== null);
  if (failed.length > 0) {
    const others =
      failed.length > 1 ? ` (and ${failed.length - 1} more date(s), see series.json)` : '';
    // The first error without its full stop, as the sentence goes on.
    const first = (failed[0]?.error ?? '').replace(/\.$/, '');
    throw new Error(`${first}${others}; the other dates are in ${out}`);
  }
}
