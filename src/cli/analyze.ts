/**
 * `quaywatch analyze`: the app's analysis from the command line, on the same
 * io and core code. Writes DIR/result.json, DIR/piers.csv (the pier table,
 * src/core/export/piers-csv.ts) and DIR/blobs.geojson (every kept blob,
 * src/io/export-blobs.ts) — the same functions as the app's export buttons.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { estimateShift, shiftToApply, toLuminance } from '../core/align/phase-correlation.ts';
import {
  analyzePairCpu,
  type AnalysisInput,
  type AnalysisResult,
} from '../core/analysis/cpu-pipeline.ts';
import { analyzePairGpu } from '../gpu/pipeline.ts';
import {
  analysisParamsFromJson,
  DEFAULT_ANALYSIS_PARAMS,
  type AnalysisParams,
} from '../core/analysis/params.ts';
import { coverageWarnings, piersWithoutPixels } from '../core/analysis/coverage.ts';
import { pierExportRows, piersCsv, type PierExportRow } from '../core/export/piers-csv.ts';
import type { RasterInfo } from '../core/raster.ts';
import { gridOf, readAligned, type AlignedBands } from '../io/align-read.ts';
import {
  CLI_WINDOW_LIMIT,
  analysisBands,
  pairInput,
  pairWarnings,
  planAnalysis,
  referenceData,
  referenceReadBands,
  type AnalysisPlan,
  type ReferenceData,
} from '../io/analysis-plan.ts';
import { openRaster, readWindow, type OpenRaster, type RasterSource } from '../io/decoder.ts';
import { blobsGeoJsonText } from '../io/export-blobs.ts';
import { TooManyBlobs } from '../core/export/blob-polygons.ts';
import { parseRoiGeoJson, textFileSizeProblem, type RoiSet } from '../io/geojson.ts';
import { parseCommandArgs, samePlace } from './args.ts';
import { dawnGpu } from './dawn.ts';
import { checkOutFolder, prepareOutFolder, removeOutFile, writeOutFile } from './out-folder.ts';
import { snapshotLayoutOption, writeCliSnapshot } from './snapshot.ts';

export const ANALYZE_USAGE =
  'usage: quaywatch analyze --before B.tif --after A.tif --rois piers.geojson --out DIR [--params params.json] [--backend auto|webgpu|cpu] [--shift DX,DY] [--title T] [--credit C] [--snapshot-layout single|side-by-side]';

export type OpenSource = (path: string) => Promise<RasterSource>;

/** A file's text, refused unread past textFileSizeProblem's size; a read error names the file. */
export function readText(path: string, what: string): string {
  const readError = (error: unknown): Error => {
    const code = (error as NodeJS.ErrnoException).code;
    return new Error(
      code === 'ENOENT'
        ? `${what} ${path}: no such file`
        : `${what} ${path}: cannot read (${code ?? String(error)})`,
      { cause: error },
    );
  };
  let sizeBytes: number;
  try {
    sizeBytes = statSync(path).size;
  } catch (error) {
    throw readError(error);
  }
  const tooLarge = textFileSizeProblem(basename(path), sizeBytes);
  if (tooLarge !== null) throw new Error(tooLarge);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw readError(error);
  }
}

/**
 * A hardware WebGPU device in Node through Dawn, or why not.
 * Software adapters do not count: the CPU twins are faster than SwiftShader.
 */
async function nodeGpu(): Promise<{ device: GPUDevice; label: string } | string> {
  // Dawn can throw at any step (no Vulkan driver, a device refused): that is a
  // reason not to use it, which `auto` answers with the CPU twins.
  try {
    const gpu = await dawnGpu();
    if (gpu === null) {
      return 'no WebGPU in this Node: install the npm package "webgpu" (Dawn) where a GPU is';
    }
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (adapter === null) return 'Dawn found no GPU adapter on this machine';
    const { vendor, architecture, description } = adapter.info;
    const label = [description, vendor, architecture].filter((part) => part.length > 0).join(' ');
    if (/swiftshader|llvmpipe|software/i.test(label)) return `only a software adapter (${label})`;
    const device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
      },
    });
    return { device, label };
  } catch (error) {
    return `Dawn failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** The analysis backend of a run: a hardware WebGPU device, or null for the CPU twins. */
export type Backend = { readonly device: GPUDevice; readonly label: string } | null;

/**
 * `--backend auto|webgpu|cpu` → the backend to run on, and a warning where auto
 * falls back because Dawn failed; throws for webgpu without a GPU.
 */
export async function openBackend(
  value: string | undefined,
): Promise<{ readonly backend: Backend; readonly warning: string | null }> {
  const backend = value ?? 'auto';
  if (backend !== 'auto' && backend !== 'cpu' && backend !== 'webgpu') {
    throw new Error(`--backend takes auto, webgpu or cpu (got "${backend}")`);
  }
  const gpu = backend === 'cpu' ? null : await nodeGpu();
  if (backend === 'webgpu' && typeof gpu === 'string') throw new Error(`--backend webgpu: ${gpu}`);
  // A missing package or no hardware adapter is what auto is for; Dawn
  // failing where it is installed is worth a line (result.json's backend says only "cpu").
  const warning =
    typeof gpu === 'string' && gpu.startsWith('Dawn failed')
      ? `--backend auto runs the CPU twins: ${gpu}`
      : null;
  return { backend: gpu !== null && typeof gpu !== 'string' ? gpu : null, warning };
}

export function backendName(backend: Backend): string {
  return backend === null ? 'cpu' : `webgpu:${backend.label}`;
}

export function runAnalysis(
  backend: Backend,
  input: AnalysisInput,
  params: AnalysisParams,
): Promise<AnalysisResult> {
  return backend === null
    ? Promise.resolve(analyzePairCpu(input, params))
    : analyzePairGpu(backend.device, input, params);
}

/** `--params FILE` (or the defaults), `--rois FILE`. */
export function readParams(path: string | undefined): AnalysisParams {
  if (path === undefined) return DEFAULT_ANALYSIS_PARAMS;
  const text = readText(path, '--params');
  try {
    return analysisParamsFromJson(text);
  } catch (error) {
    throw new Error(`--params ${path}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

export function readRois(path: string): RoiSet {
  return parseRoiGeoJson(readText(path, 'ROIs'), basename(path));
}

/** `--shift DX,DY` in before-image pixels; undefined: estimate it. */
export function parseShift(value: string | undefined): readonly [number, number] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',').map((part) => part.trim());
  const numbers = parts.map(Number);
  const [dx, dy] = numbers;
  // Decimal only: Number() also reads 0x10 and 0b1.
  const decimal = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
  if (
    parts.length !== 2 ||
    parts.some((part) => !decimal.test(part)) ||
    dx === undefined ||
    dy === undefined ||
    !Number.isFinite(dx) ||
    !Number.isFinite(dy)
  ) {
    throw new Error(`--shift takes two numbers DX,DY in before-image pixels (got "${value}")`);
  }
  return [dx, dy];
}

/** The reference (before) image read over the piers, once for any number of after images. */
export interface Reference extends ReferenceData {
  readonly raster: OpenRaster;
  readonly plan: AnalysisPlan;
}

export async function readReference(
  raster: OpenRaster,
  rois: RoiSet,
  roisPath: string,
): Promise<Reference> {
  const plan = planAnalysis(raster.info, rois.rois, basename(roisPath), CLI_WINDOW_LIMIT);
  const window = await readWindow(raster, {
    window: plan.window,
    bands: referenceReadBands(raster.info),
  });
  return { raster, plan, ...referenceData(raster.info, window.bands) };
}

export interface AlignedAfter {
  readonly aligned: AlignedBands;
  readonly shiftPx: readonly [number, number];
  /**
   * "given" (--shift), "estimated" (phase correlation on the pier window), or
   * "georeference" (an estimate that could not be trusted, not applied).
   */
  readonly shiftSource: 'given' | 'estimated' | 'georeference';
  readonly method: string;
  /** Why an estimate was not applied. */
  readonly warning?: string;
}

/** Geometry first, then the residual shift (given, or by phase correlation), applied. */
export async function alignAfter(
  reference: Reference,
  after: OpenRaster,
  givenShiftPx: readonly [number, number] | undefined,
): Promise<AlignedAfter> {
  const { plan } = reference;
  const bands = analysisBands(after.info);
  let shiftPx = givenShiftPx;
  let unreliable: string | null = null;
  // The read without residual shift, when the estimate was made on it.
  let geometric: AlignedBands | undefined;
  if (shiftPx === undefined) {
    geometric = await readAligned(after, plan.target, { shiftPx: [0, 0], bands });
    const shift = estimateShift(
      toLuminance(reference.bands),
      toLuminance(geometric.bands),
      plan.widthPx,
      plan.heightPx,
      // Not AND the before image's data mask: the correlation area is the
      // mask's bounding box, and with half the demo's before image empty that
      // box alone lost the peak (26 px off); empty pixels are flat and weigh little.
      { valid: geometric.valid },
    );
    // An estimate without agreeing tiles is a guess anywhere within ±32 px: not applied.
    ({ shiftPx, unreliable } = shiftToApply(shift));
  }
  // Without a residual shift to apply, the read the estimate was made on is the aligned image.
  const aligned =
    unreliable !== null && geometric !== undefined
      ? geometric
      : await readAligned(after, plan.target, { shiftPx, bands });
  const geometry =
    aligned.method === 'pixel-grid'
      ? 'pixel grid'
      : aligned.method === 'same-crs'
        ? 'same CRS (affine)'
        : 'proj4 control points (32 px)';
  if (unreliable !== null) {
    return {
      aligned,
      shiftPx,
      shiftSource: 'georeference',
      method: `${geometry} + no residual shift (phase correlation unreliable)`,
      warning: `${after.info.name}: the residual shift could not be measured: ${unreliable}; the image is placed by its ${aligned.method === 'pixel-grid' ? 'pixel position' : 'georeference'} alone (--shift dx,dy sets one)`,
    };
  }
  return {
    aligned,
    shiftPx,
    shiftSource: givenShiftPx === undefined ? 'estimated' : 'given',
    method: `${geometry} + ${givenShiftPx === undefined ? 'phase correlation' : 'given shift'}`,
  };
}

/**
 * DIR/piers.csv (from `rows`, result.json's too) and DIR/blobs.geojson of one
 * analysis; returns the paths written and warnings. Blobs too many to export
 * (MAX_EXPORT_BLOBS) leave no blobs.geojson and a warning, not a failed run:
 * the numbers are written all the same.
 */
export function writeDataExports(
  out: string,
  analysis: {
    readonly beforeInfo: RasterInfo;
    readonly plan: AnalysisPlan;
    readonly input: AnalysisInput;
    readonly result: AnalysisResult;
    readonly params: AnalysisParams;
    readonly rows: readonly PierExportRow[];
  },
): { readonly written: string[]; readonly warnings: string[] } {
  const { beforeInfo, plan, input, result, params, rows } = analysis;
  const georef = gridOf(beforeInfo);
  if (georef === null) throw new Error(`${beforeInfo.name} has no usable georeference`);
  const csvPath = join(out, 'piers.csv');
  const blobsPath = join(out, 'blobs.geojson');
  writeOutFile(csvPath, piersCsv(rows));
  let blobsText: string;
  try {
    blobsText = blobsGeoJsonText({ result, input, params, windowPx: plan.window }, georef);
  } catch (error) {
    if (!(error instanceof TooManyBlobs)) throw error;
    // An earlier run's blobs must not pass for this run's.
    removeOutFile(blobsPath);
    return { written: [csvPath], warnings: [`blobs.geojson not written: ${error.message}`] };
  }
  writeOutFile(blobsPath, blobsText);
  return { written: [csvPath, blobsPath], warnings: [] };
}

/** `promise`, with the file's name in front of an error that does not name it yet. */
export async function namingFile<T>(path: string, promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (message.includes(basename(path))) throw error;
    throw new Error(`${path}: ${message}`, { cause: error });
  }
}

interface AnalyzeOptions {
  readonly beforePath: string;
  readonly afterPath: string;
  readonly roisPath: string;
  readonly out: string;
  readonly givenShiftPx: readonly [number, number] | undefined;
  readonly params: AnalysisParams;
  readonly roiSet: RoiSet;
  readonly layout: 'single' | 'side-by-side';
  readonly title: string | undefined;
  readonly credit: string | undefined;
  /** openBackend's warning, printed and kept in result.json with the others. */
  readonly backendWarning: string | null;
}

/**
 * `--shift -1.5,2` as `--shift=-1.5,2`: parseArgs takes a value that starts
 * with a dash for a forgotten value (an option), but a shift is often negative.
 */
export function joinNegativeShift(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k] ?? '';
    const next = argv[k + 1];
    if (arg === '--shift' && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`--shift=${next}`);
      k++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

export async function analyze(argv: readonly string[], openSource: OpenSource): Promise<void> {
  const { values } = parseCommandArgs(
    'analyze',
    joinNegativeShift(argv),
    {
      before: { type: 'string' },
      after: { type: 'string' },
      rois: { type: 'string' },
      out: { type: 'string' },
      params: { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      shift: { type: 'string' },
      title: { type: 'string', mayBeEmpty: true },
      credit: { type: 'string', mayBeEmpty: true },
      'snapshot-layout': { type: 'string', default: 'single' },
    },
    false,
  );
  const { before: beforePath, after: afterPath, rois: roisPath, out } = values;
  if (
    beforePath === undefined ||
    afterPath === undefined ||
    roisPath === undefined ||
    out === undefined
  ) {
    const missing = Object.entries({
      before: beforePath,
      after: afterPath,
      rois: roisPath,
      out,
    }).flatMap(([flag, value]) => (value === undefined ? [`--${flag}`] : []));
    throw new Error(
      `analyze needs --before, --after, --rois and --out (missing: ${missing.join(', ')}). ${ANALYZE_USAGE}`,
    );
  }
  // Every option, and the output folder, is checked before any image is read.
  const options: Omit<AnalyzeOptions, 'backendWarning'> = {
    beforePath,
    afterPath,
    roisPath,
    out,
    givenShiftPx: parseShift(values.shift),
    layout: snapshotLayoutOption(values['snapshot-layout']),
    params: readParams(values.params),
    roiSet: readRois(roisPath),
    title: values.title,
    credit: values.credit,
  };
  checkOutFolder(out);
  const { backend, warning: backendWarning } = await openBackend(values.backend);
  try {
    await analyzeOn(backend, { ...options, backendWarning }, openSource);
  } finally {
    backend?.device.destroy();
  }
}

async function analyzeOn(
  backend: Backend,
  options: AnalyzeOptions,
  openSource: OpenSource,
): Promise<void> {
  const { beforePath, afterPath, roisPath, out, params, roiSet } = options;
  const timings = { decode: 0, align: 0, analyze: 0 };
  let started = performance.now();
  const [beforeRaster, afterRaster] = await Promise.all([
    namingFile(beforePath, openSource(beforePath).then(openRaster)),
    namingFile(afterPath, openSource(afterPath).then(openRaster)),
  ]);
  const reference = await namingFile(beforePath, readReference(beforeRaster, roiSet, roisPath));
  const { plan } = reference;
  timings.decode = performance.now() - started;

  started = performance.now();
  const { aligned, shiftPx, method, warning } = await namingFile(
    afterPath,
    alignAfter(reference, afterRaster, options.givenShiftPx),
  );
  timings.align = performance.now() - started;

  started = performance.now();
  const input = pairInput(reference.plan, reference, aligned);
  const result = await runAnalysis(backend, input, params);
  timings.analyze = performance.now() - started;

  const round = (value: number): number => Math.round(value * 100) / 100;
  const exportRows = pierExportRows(result, input);
  const output = {
    version: 1,
    backend: backendName(backend),
    before: beforeRaster.info,
    after: afterRaster.info,
    alignment: {
      // Unrounded: the numbers were measured with this shift, and --shift or a
      // snapshot loaded in the app must give them again.
      shiftPx: [shiftPx[0], shiftPx[1]],
      method,
    },
    params,
    rois: result.rois.map((roi, index) => ({
      name: roi.name,
      areaM2: round(exportRows[index]?.roiAreaM2 ?? Number.NaN),
      coverage: exportRows[index]?.coverage ?? 0,
      before_teu: round(roi.before.teu),
      after_teu: round(roi.after.teu),
      appeared_teu: round(roi.appeared.teu),
      disappeared_teu: round(roi.disappeared.teu),
      net_teu: round(roi.netTeu),
      range_teu: [round(roi.netLowTeu), round(roi.netHighTeu)],
    })),
    timings_ms: {
      decode: Math.round(timings.decode),
      align: Math.round(timings.align),
      analyze: Math.round(timings.analyze),
    },
  };
  prepareOutFolder(out);
  // An earlier run's result.json must not vouch for files this run may fail to finish.
  removeOutFile(join(out, 'result.json'));
  const exported = writeDataExports(out, {
    beforeInfo: beforeRaster.info,
    plan,
    input,
    result,
    params,
    rows: exportRows,
  });

  // The annotated snapshot: the same scene, layout and drawing code as the app's export.
  writeCliSnapshot({
    out,
    before: { info: beforeRaster.info, bands: input.before },
    after: { info: afterRaster.info, bands: input.after },
    valid: input.valid,
    windowPx: plan.window,
    rois: plan.rois,
    result,
    params,
    alignment: output.alignment,
    numbers: output.rois,
    ...(options.title === undefined ? {} : { title: options.title }),
    ...(options.credit === undefined ? {} : { credit: options.credit }),
    layout: options.layout,
  });
  const sameFile =
    samePlace(beforePath) === samePlace(afterPath)
      ? [`--before and --after name the same file (${beforePath}): nothing can have changed`]
      : [];
  const warnings = [
    ...(options.backendWarning === null ? [] : [options.backendWarning]),
    ...exported.warnings,
    ...roiSet.warnings,
    ...(warning === undefined ? [] : [warning]),
    ...sameFile,
    ...pairWarnings(beforeRaster.info, afterRaster.info),
    ...result.warnings,
    ...coverageWarnings(
      output.rois.map((roi) => roi.name),
      output.rois.map((roi) => roi.coverage),
      piersWithoutPixels(input, result.roiIndex),
    ),
  ];
  // Last: a result.json in the folder says that every file of this run was written. It
  // carries the warnings too, so that a caveat (pixels too coarse, a pier half covered)
  // stays with the numbers after the terminal is gone.
  writeOutFile(join(out, 'result.json'), `${JSON.stringify({ ...output, warnings }, null, 2)}\n`);

  for (const roi of output.rois) {
    console.log(
      `${roi.name}: before ${roi.before_teu} TEU, after ${roi.after_teu}, appeared ${roi.appeared_teu}, disappeared ${roi.disappeared_teu}, net ${roi.net_teu}`,
    );
  }
  for (const warning of warnings) console.error(`warning: ${warning}`);
}
