/**
 * The whole analysis pipeline (analyzePairGpu, the app's and the CLI's WebGPU
 * path) through Dawn (the npm `webgpu` package) on a hardware adapter, at 16
 * and 64 Mpx, against the CPU twins (analyzePairCpu) on the same input.
 * Not part of `npm run bench` (this machine has no GPU); run where one is,
 * e.g. through scripts/device-bench.sh:
 *
 *   QW_BENCH_MPX=16,64 node --import tsx bench/pipeline-dawn.ts
 *
 * Input: bench/pipeline-input.ts (the generated port tile, tiled), default
 * parameters. Per size: one warm-up call (WGSL compilation), then
 * QW_BENCH_RUNS timed calls. Each row gives medians of
 *  - GPU time: timestamp queries around every submission of the call,
 *    summed (src/gpu/gpu-timer.ts); the host round trips between
 *    submissions (Otsu and histogram read-backs, CPU fits) are not in it;
 *  - wall: the call from start to result, with uploads and read-backs;
 *  - the call's own stage laps (host clock).
 *  - the GPU time of each submission, by its label (summed where a label
 *    recurs in one call);
 * Then the CPU twins once on the same input, and the two results compared:
 * per-pier TEU (largest difference) and each mask (pixels that differ).
 * QW_BENCH_PROFILE=1: then QW_BENCH_RUNS more calls with every compute pass
 * timed (src/gpu/pass-profiler.ts), and per pass label the median over calls
 * of its summed GPU time and its pass count per call, largest first: which
 * kernels take the time. Kept apart from the timed calls above, which stay
 * unperturbed by the extra timestamps.
 * QW_DAWN_FLAGS as in bench/gpu-dawn.ts (default: no timestamp quantization).
 */
import {
  analyzePairCpu,
  type AnalysisInput,
  type AnalysisResult,
} from '../src/core/analysis/cpu-pipeline.ts';
import { DEFAULT_ANALYSIS_PARAMS, type AnalysisParams } from '../src/core/analysis/params.ts';
import { benchDawnFlags, dawnGpu } from '../src/cli/dawn.ts';
import { adapterLabel, isGpuContext, requestGpu } from '../src/gpu/device.ts';
import { PassProfiler, passTimesByLabel } from '../src/gpu/pass-profiler.ts';
import { analyzePairGpu, prepareGpuInput, type GpuRunOptions } from '../src/gpu/pipeline.ts';
import { median, pipelineInput } from './pipeline-input.ts';

const RUNS = Number(process.env['QW_BENCH_RUNS'] ?? 7);
const SIZES_MPX = (process.env['QW_BENCH_MPX'] ?? '16,64').split(',').map(Number);
const DAWN_FLAGS = benchDawnFlags();
const MASK_NAMES = [
  'before',
  'after',
  'appeared',
  'disappeared',
  'change',
  'shadowBefore',
  'shadowAfter',
] as const;
const QUANTITIES = ['before', 'after', 'appeared', 'disappeared'] as const;
/** The CPU twins (and the comparison) run up to this size only. */
const CPU_MAX_MPX = Number(process.env['QW_BENCH_CPU_MAX_MPX'] ?? 64);
const PROFILE = process.env['QW_BENCH_PROFILE'] === '1';
/**
 * QW_BENCH_HOLD_CLOCKS=1: then the timed calls (and the profile) again on a
 * prepared input with the SM clock held up (holdClocks); =only: those alone. Between a call's
 * submissions the GPU idles through the host's work (read-backs, CPU fits),
 * and nvidia-smi showed an H100 running most of those submissions at 495–630 MHz of
 * its 1980: the GPU time then measures the clock governor as much as the
 * kernels.
 */
const HOLD_CLOCKS: 'no' | 'yes' | 'only' =
  process.env['QW_BENCH_HOLD_CLOCKS'] === 'only'
    ? 'only'
    : process.env['QW_BENCH_HOLD_CLOCKS'] === '1'
      ? 'yes'
      : 'no';
/** Spin iterations of one holder submission: about 2 ms on one SM at 1980 MHz. */
const HOLD_SPIN_ITERATIONS = 800_000;
/** Holder submissions kept queued ahead: the GPU stays busy through host work this long. */
const HOLD_DEPTH = 32;
/** Timed calls per ablation (after a warm-up). */
const ABLATION_RUNS = 3;
/** QW_BENCH_ABLATE=1: also time the pipeline with one stage group switched off at a time. */
const ABLATIONS: readonly { readonly name: string; readonly params: Partial<AnalysisParams> }[] =
  process.env['QW_BENCH_ABLATE'] === '1'
    ? [
        { name: 'no hole filling (maxHoleM2 0)', params: { maxHoleM2: 0 } },
        { name: 'no opening or closing (radii 0)', params: { openRadiusPx: 0, closeRadiusPx: 0 } },
      ]
    : [];

function differingPixels(a: Uint8Array, b: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < a.length; i++) if ((a[i] !== 0) !== (b[i] !== 0)) count++;
  return count + Math.abs(a.length - b.length);
}

/** The GPU result against the CPU twins': per-pier TEU and every mask. */
function compare(gpu: AnalysisResult, cpu: AnalysisResult): string {
  let maxTeuDiff = 0;
  const sums = { gpu: 0, cpu: 0 };
  for (const [k, roi] of gpu.rois.entries()) {
    const twin = cpu.rois[k];
    if (twin === undefined) return `pier ${roi.name} missing from the CPU result`;
    for (const quantity of QUANTITIES) {
      maxTeuDiff = Math.max(maxTeuDiff, Math.abs(roi[quantity].teu - twin[quantity].teu));
      sums.gpu += roi[quantity].teu;
      sums.cpu += twin[quantity].teu;
    }
  }
  const masks = MASK_NAMES.map(
    (name) => `${name} ${differingPixels(gpu.masks[name], cpu.masks[name])}`,
  ).join(', ');
  return (
    `${gpu.rois.length} piers, largest per-pier TEU difference ${maxTeuDiff.toFixed(4)}, ` +
    `TEU summed over piers and quantities GPU ${sums.gpu.toFixed(2)} / CPU ${sums.cpu.toFixed(2)}; ` +
    `mask pixels differing: ${masks}`
  );
}

/** `calls` + 1 calls in turn; the first warms up (pipeline creation, WGSL compilation) and is dropped. */
async function afterWarmUp<T>(calls: number, call: () => Promise<T>): Promise<T[]> {
  await call();
  const results: T[] = [];
  for (let k = 0; k < calls; k++) results.push(await call());
  return results;
}

/**
 * Keeps the GPU busy, so that its governor keeps the SM clock up, with a queue
 * of HOLD_DEPTH submissions of one workgroup spinning on integer arithmetic
 * (one SM of an H100's 132). The pipeline's submissions queue behind them
 * (wall times grow), while its timestamps bracket its own command buffers only.
 */
function holdClocks(device: GPUDevice): { stop(): Promise<void> } {
  const module = device.createShaderModule({
    label: 'clock holder',
    code: `
@group(0) @binding(0) var<storage, read_write> sink: array<u32>;
@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) lid: u32) {
  var x = lid;
  for (var k = 0u; k < ${HOLD_SPIN_ITERATIONS}u; k++) {
    x = x * 1664525u + 1013904223u;
  }
  sink[lid] = x;
}`,
  });
  const pipeline = device.createComputePipeline({
    label: 'clock holder',
    layout: 'auto',
    compute: { module, entryPoint: 'main' },
  });
  const sink = device.createBuffer({ size: 256, usage: GPUBufferUsage.STORAGE });
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [{ binding: 0, resource: { buffer: sink } }],
  });
  let stopped = false;
  let queued = 0;
  let drained: Promise<void> = Promise.resolve();
  const pump = (): void => {
    while (!stopped && queued < HOLD_DEPTH) {
      const encoder = device.createCommandEncoder({ label: 'clock holder' });
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(1);
      pass.end();
      device.queue.submit([encoder.finish()]);
      queued++;
      drained = device.queue.onSubmittedWorkDone().then(() => {
        queued--;
        pump();
      });
    }
  };
  pump();
  return {
    async stop() {
      stopped = true;
      await drained;
      sink.destroy();
    },
  };
}

/** QW_BENCH_PROFILE: per pass label, the median summed GPU time and pass count per call. */
async function profileRows(
  device: GPUDevice,
  input: AnalysisInput,
  label: string,
  options: GpuRunOptions = {},
): Promise<string[]> {
  const profiler = PassProfiler.attach(device);
  if (profiler === null) return [`${label}, pass profile: n/a (no timestamp-query)`];
  const byLabel = new Map<string, { ms: number[]; counts: number[] }>();
  const totals: number[] = [];
  let skipped = 0;
  try {
    const reads = await afterWarmUp(RUNS, async () => {
      await analyzePairGpu(device, input, DEFAULT_ANALYSIS_PARAMS, options);
      return profiler.read();
    });
    for (const read of reads) {
      skipped = Math.max(skipped, read.skipped);
      totals.push(read.passes.reduce((sum, pass) => sum + pass.ms, 0));
      for (const { label: pass, ms, count } of passTimesByLabel(read.passes)) {
        const entry = byLabel.get(pass) ?? { ms: [], counts: [] };
        entry.ms.push(ms);
        entry.counts.push(count);
        byLabel.set(pass, entry);
      }
    }
  } finally {
    profiler.detach();
  }
  const rows = [
    `${label}, pass profile: all passes summed, ${median(totals).toFixed(3)}, ${RUNS}` +
      (skipped > 0 ? ` (${skipped} passes per call untimed: the query set was full)` : ''),
  ];
  const ranked = [...byLabel.entries()].sort(([, a], [, b]) => median(b.ms) - median(a.ms));
  for (const [pass, { ms, counts }] of ranked) {
    // Passes per call (the median, should calls differ) and the calls the label occurred in.
    rows.push(
      `${label},   pass "${pass}" ×${median(counts)}, ${median(ms).toFixed(3)}, ${ms.length}`,
    );
  }
  return rows;
}

/** RUNS timed calls after a warm-up: the whole-pipeline rows, per submission and per host lap. */
async function timedRows(
  device: GPUDevice,
  input: AnalysisInput,
  label: string,
  options: GpuRunOptions = {},
): Promise<{ rows: string[]; last: AnalysisResult | undefined }> {
  const rows: string[] = [];
  const calls = await afterWarmUp(RUNS, async () => {
    const callStarted = performance.now();
    const runSpans = new Map<string, number>();
    const result = await analyzePairGpu(device, input, DEFAULT_ANALYSIS_PARAMS, {
      ...options,
      onGpuSpans: (timed) => {
        for (const { label, ms } of timed) runSpans.set(label, (runSpans.get(label) ?? 0) + ms);
      },
    });
    return { result, runSpans, wallMs: performance.now() - callStarted };
  });
  const last = calls.at(-1)?.result;
  const wall = calls.map((call) => call.wallMs);
  const laps = new Map<string, number[]>();
  const spans = new Map<string, number[]>();
  const append = (into: Map<string, number[]>, key: string, ms: number): void => {
    const values = into.get(key) ?? [];
    values.push(ms);
    into.set(key, values);
  };
  for (const { result, runSpans } of calls) {
    for (const [span, ms] of runSpans) append(spans, span, ms);
    for (const [stage, ms] of Object.entries(result.timingsMs)) append(laps, stage, ms);
  }
  const gpuMs = laps.get('gpu');
  rows.push(
    `${label}, whole pipeline GPU time (timestamps), ${median(gpuMs ?? []).toFixed(3)}, ${RUNS}`,
  );
  rows.push(`${label}, whole pipeline wall (call → result), ${median(wall).toFixed(1)}, ${RUNS}`);
  for (const [span, values] of spans) {
    rows.push(`${label},   GPU time of "${span}", ${median(values).toFixed(3)}, ${RUNS}`);
  }
  for (const [stage, values] of laps) {
    if (stage !== 'gpu')
      rows.push(`${label},   host lap ${stage}, ${median(values).toFixed(1)}, ${RUNS}`);
  }
  return { rows, last };
}

async function main(): Promise<void> {
  const gpu = await dawnGpu(DAWN_FLAGS);
  if (gpu === null) throw new Error('This benchmark needs the npm package "webgpu" (Dawn)');
  const errors: string[] = [];
  const context = await requestGpu(gpu, {
    onUncapturedError: (message) => errors.push(`uncaptured: ${message}`),
    onLost: (message) => errors.push(`lost: ${message}`),
  });
  if (!isGpuContext(context)) throw new Error(context.reason);
  const { device } = context;
  console.log(`adapter: ${adapterLabel(context.adapter)}`);
  console.log(
    device.features.has('timestamp-query')
      ? `GPU time: timestamp queries (Dawn flags: ${DAWN_FLAGS.join(' ') || 'none'})`
      : 'GPU time: n/a (no timestamp-query); wall clock only',
  );
  const rows = ['size, what, median ms, runs'];
  for (const megapixels of SIZES_MPX) {
    const label = `${megapixels} Mpx`;
    const started = performance.now();
    const input = pipelineInput(megapixels);
    console.log(
      `${label}: ${input.widthPx}×${input.heightPx}, ${input.rois.length} piers, input made in ` +
        `${(performance.now() - started).toFixed(0)} ms`,
    );
    let last: AnalysisResult | undefined;
    if (HOLD_CLOCKS !== 'only') {
      const timed = await timedRows(device, input, label);
      rows.push(...timed.rows);
      last = timed.last;
      if (PROFILE) rows.push(...(await profileRows(device, input, label)));
    }
    if (HOLD_CLOCKS !== 'no') {
      // The same calls on a prepared input (no ROI raster, no uploads) with the SM clock held up.
      const prepared = prepareGpuInput(device, input);
      const holder = holdClocks(device);
      try {
        const held = `${label} held`;
        const timed = await timedRows(device, input, held, { prepared });
        rows.push(...timed.rows);
        last ??= timed.last;
        if (PROFILE) rows.push(...(await profileRows(device, input, held, { prepared })));
      } finally {
        await holder.stop();
        prepared.destroy();
      }
    }
    for (const ablation of ABLATIONS) {
      const params = { ...DEFAULT_ANALYSIS_PARAMS, ...ablation.params };
      const ablatedGpuMs = await afterWarmUp(ABLATION_RUNS, async () => {
        const result = await analyzePairGpu(device, input, params);
        return result.timingsMs['gpu'] ?? Number.NaN;
      });
      rows.push(
        `${label}, whole pipeline GPU time, ${ablation.name}, ${median(ablatedGpuMs).toFixed(3)}, ${ABLATION_RUNS}`,
      );
    }
    if (megapixels <= CPU_MAX_MPX) {
      const cpuStarted = performance.now();
      const cpu = analyzePairCpu(input, DEFAULT_ANALYSIS_PARAMS);
      rows.push(
        `${label}, CPU twins wall (one thread), ${(performance.now() - cpuStarted).toFixed(0)}, 1`,
      );
      if (last !== undefined) rows.push(`${label}, GPU vs CPU: ${compare(last, cpu)}`);
    }
    console.log(rows.slice(-3).join('\n'));
  }
  console.log(rows.join('\n'));
  if (errors.length > 0) {
    console.error(`WebGPU errors: ${errors.join('; ')}`);
    process.exitCode = 1;
  }
  device.destroy();
}

await main();
