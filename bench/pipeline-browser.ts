/**
 * The page side of bench/pipeline.ts (loaded by bench/pipeline.html, served
 * by Vite): builds the same tiled port scene as the Node side and runs
 * analyzePairGpu (WebGPU; SwiftShader in headless Chromium here) or
 * analyzePairCpu (the CPU twins, as the app's worker fallback runs them) on
 * it. Node drives it through window.qwPipelineBench and reads back plain
 * JSON: per-stage timingsMs of every run and the wall time of each call
 * (for the GPU: uploads, every submission and every read-back included).
 */
import { analyzePairCpu, type AnalysisInput } from '../src/core/analysis/cpu-pipeline.ts';
import { DEFAULT_ANALYSIS_PARAMS } from '../src/core/analysis/params.ts';
import { adapterLabel, isGpuContext, requestGpu } from '../src/gpu/device.ts';
import { analyzePairGpu } from '../src/gpu/pipeline.ts';
import { pipelineInput, type BenchRun, type GpuInfo, type SizeReport } from './pipeline-input.ts';

let device: GPUDevice | undefined;
const gpuErrors: string[] = [];
let input: { readonly megapixels: number; readonly value: AnalysisInput } | undefined;

async function initGpu(): Promise<GpuInfo> {
  const context = await requestGpu(navigator.gpu, {
    onUncapturedError: (message) => gpuErrors.push(`uncaptured: ${message}`),
    onLost: (message) => gpuErrors.push(`lost: ${message}`),
  });
  if (!isGpuContext(context)) return { available: false, reason: context.reason };
  device = context.device;
  return {
    available: true,
    adapter: adapterLabel(context.adapter),
    maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
    maxBufferSize: device.limits.maxBufferSize,
  };
}

function inputOf(megapixels: number): { value: AnalysisInput; buildMs: number } {
  const started = performance.now();
  if (input?.megapixels !== megapixels) {
    input = undefined; // let the previous size go before allocating the next
    input = { megapixels, value: pipelineInput(megapixels) };
  }
  return { value: input.value, buildMs: performance.now() - started };
}

function totalTeu(rois: readonly { before: { teu: number }; after: { teu: number } }[]): {
  before: number;
  after: number;
} {
  let before = 0;
  let after = 0;
  for (const roi of rois) {
    before += roi.before.teu;
    after += roi.after.teu;
  }
  return { before, after };
}

/** `runs` timed calls of one backend at one size (no warm-up: the caller does one). */
async function run(
  backend: 'gpu' | 'cpu',
  megapixels: number,
  runs: number,
): Promise<SizeReport & { errors: string[] }> {
  const { value, buildMs } = inputOf(megapixels);
  const results: BenchRun[] = [];
  let teu = { before: Number.NaN, after: Number.NaN };
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    let result;
    if (backend === 'gpu') {
      if (device === undefined) throw new Error('initGpu() first, and it must find an adapter');
      result = await analyzePairGpu(device, value, DEFAULT_ANALYSIS_PARAMS);
    } else {
      result = analyzePairCpu(value, DEFAULT_ANALYSIS_PARAMS);
    }
    results.push({ wallMs: performance.now() - started, timingsMs: { ...result.timingsMs } });
    teu = totalTeu(result.rois);
  }
  return {
    megapixels,
    runs: results,
    inputBuildMs: buildMs,
    roiCount: value.rois.length,
    teu,
    errors: gpuErrors.splice(0),
  };
}

function release(): void {
  input = undefined;
}

const api = { initGpu, run, release };
export type PipelineBenchApi = typeof api;

declare global {
  interface Window {
    qwPipelineBench?: PipelineBenchApi;
  }
}

window.qwPipelineBench = api;
