/**
 * `quaywatch analyze`: the app's analysis from the command line, on the same
 * io and core code. Writes DIR/result.json.
 */
import { meanBlurExcessPx2 } from '../core/align/resampling-blur.ts';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { estimateShift, toLuminance } from '../core/align/phase-correlation.ts';
import { analyzePairCpu, type AnalysisInput } from '../core/analysis/cpu-pipeline.ts';
import { analyzePairGpu } from '../gpu/pipeline.ts';
import {
  analysisParamsFromJson,
  DEFAULT_ANALYSIS_PARAMS,
  type AnalysisParams,
} from '../core/analysis/params.ts';
import { roiAreaPx } from '../core/roi-raster.ts';
import { readAligned } from '../io/align-read.ts';
import { analysisBands, planAnalysis } from '../io/analysis-plan.ts';
import { openRaster, readWindow, type RasterSource } from '../io/decoder.ts';
import { parseRoiGeoJson } from '../io/geojson.ts';

export const ANALYZE_USAGE =
  'usage: quaywatch analyze --before B.tif --after A.tif --rois piers.geojson --out DIR [--params params.json] [--backend auto|webgpu|cpu]';

export type OpenSource = (path: string) => Promise<RasterSource>;

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? `${what} ${path}: no such file`
        : `${what} ${path}: cannot read (${code ?? String(error)})`,
      {
        cause: error,
      },
    );
  }
}

interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

/**
 * A hardware WebGPU device in Node through Dawn (the npm package `webgpu`,
 * not a dependency of Quaywatch: install it where a GPU is), or why not.
 * Software adapters do not count: the CPU twins are faster than SwiftShader.
 */
async function nodeGpu(): Promise<{ device: GPUDevice; label: string } | string> {
  let dawn: DawnModule;
  try {
    dawn = (await import(process.env['QW_DAWN_MODULE'] ?? 'webgpu')) as DawnModule;
  } catch {
    return 'no WebGPU in this Node: install the npm package "webgpu" (Dawn) where a GPU is';
  }
  Object.assign(globalThis, dawn.globals);
  const adapter = await dawn.create([]).requestAdapter({ powerPreference: 'high-performance' });
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
}

export async function analyze(argv: readonly string[], openSource: OpenSource): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      before: { type: 'string' },
      after: { type: 'string' },
      rois: { type: 'string' },
      out: { type: 'string' },
      params: { type: 'string' },
      backend: { type: 'string', default: 'auto' },
    },
    strict: true,
  });
  const { before: beforePath, after: afterPath, rois: roisPath, out } = values;
  if (
    beforePath === undefined ||
    afterPath === undefined ||
    roisPath === undefined ||
    out === undefined
  ) {
    throw new Error(`analyze needs --before, --after, --rois and --out. ${ANALYZE_USAGE}`);
  }
  const backend = values.backend;
  if (backend !== 'auto' && backend !== 'cpu' && backend !== 'webgpu') {
    throw new Error(`--backend takes auto, webgpu or cpu (got "${backend}")`);
  }
  const gpu = backend === 'cpu' ? null : await nodeGpu();
  if (backend === 'webgpu' && typeof gpu === 'string') throw new Error(`--backend webgpu: ${gpu}`);
  const params: AnalysisParams =
    values.params === undefined
      ? DEFAULT_ANALYSIS_PARAMS
      : analysisParamsFromJson(readText(values.params, 'params'));
  const roiSet = parseRoiGeoJson(readText(roisPath, 'ROIs'), basename(roisPath));

  const timings = { decode: 0, align: 0, analyze: 0 };
  let started = performance.now();
  const [beforeRaster, afterRaster] = await Promise.all([
    openSource(beforePath).then(openRaster),
    openSource(afterPath).then(openRaster),
  ]);
  const plan = planAnalysis(beforeRaster.info, roiSet.rois, basename(roisPath));
  const beforeWindow = await readWindow(beforeRaster, {
    window: plan.window,
    bands: analysisBands(beforeRaster.info),
  });
  timings.decode = performance.now() - started;

  // Geometry first, then the residual shift by phase correlation, applied.
  started = performance.now();
  const afterBands = analysisBands(afterRaster.info);
  const geometric = await readAligned(afterRaster, plan.target, {
    shiftPx: [0, 0],
    bands: afterBands,
  });
  const beforeBands = beforeWindow.bands.map((band) => Float32Array.from(band));
  const shift = estimateShift(
    toLuminance(beforeBands),
    toLuminance(geometric.bands),
    plan.widthPx,
    plan.heightPx,
    { valid: geometric.valid },
  );
  const aligned = await readAligned(afterRaster, plan.target, {
    shiftPx: [shift.dxPx, shift.dyPx],
    bands: afterBands,
  });
  timings.align = performance.now() - started;

  started = performance.now();
  const input: AnalysisInput = {
    widthPx: plan.widthPx,
    heightPx: plan.heightPx,
    before: beforeBands,
    after: aligned.bands,
    valid: aligned.valid,
    rois: plan.rois,
    pixelAreaM2: plan.pixelAreaM2,
    afterBlurExcessPx2: meanBlurExcessPx2(aligned.blurExcessPx2),
  };
  const onGpu = gpu !== null && typeof gpu !== 'string' ? gpu : null;
  const result =
    onGpu === null
      ? analyzePairCpu(input, params)
      : await analyzePairGpu(onGpu.device, input, params);
  timings.analyze = performance.now() - started;
  onGpu?.device.destroy();

  const round = (value: number): number => Math.round(value * 100) / 100;
  const output = {
    version: 1,
    backend: onGpu === null ? 'cpu' : `webgpu:${onGpu.label}`,
    before: beforeRaster.info,
    after: afterRaster.info,
    alignment: {
      shiftPx: [round(shift.dxPx), round(shift.dyPx)],
      method: `${aligned.method === 'pixel-grid' ? 'pixel grid' : aligned.method === 'same-crs' ? 'same CRS (affine)' : 'proj4 control points (32 px)'} + phase correlation`,
    },
    params,
    rois: result.rois.map((roi, index) => ({
      name: roi.name,
      areaM2: round(
        roiAreaPx({
          name: roi.name,
          polygons: [(plan.rois[index]?.rings ?? []).map((ring) => [...ring])],
        }) * plan.pixelAreaM2,
      ),
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
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'result.json'), `${JSON.stringify(output, null, 2)}\n`);
  for (const roi of output.rois) {
    console.log(
      `${roi.name}: before ${roi.before_teu} TEU, after ${roi.after_teu}, appeared ${roi.appeared_teu}, disappeared ${roi.disappeared_teu}, net ${roi.net_teu}`,
    );
  }
  for (const warning of roiSet.warnings) console.error(`warning: ${warning}`);
}
