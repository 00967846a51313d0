/**
 * The whole analysis pipeline, per stage, at 1, 4, 16 and 64 Mpx:
 *  - analyzePairCpu (the CPU twins) in Node;
 *  - analyzePairGpu on WebGPU in headless Chromium (SwiftShader, a CPU
 *    Vulkan, on a machine without a GPU; QW_GPU=hardware lets Chromium pick a
 *    real adapter), with analyzePairCpu in the same page as its browser peer.
 * Input: bench/pipeline-input.ts (a generated port scene, 1 Mpx tile, tiled),
 * DEFAULT_ANALYSIS_PARAMS. Per-stage figures are the pipelines' own
 * result.timingsMs laps (whatever stages each pipeline reports); "wall" is
 * the call from start to result, for the GPU with uploads and read-backs;
 * the WebGPU "gpu" row is GPU time from timestamp queries summed over the
 * pipeline's submissions (src/gpu/gpu-timer.ts; Chromium rounds each stamp
 * to 100 µs), where the adapter has them.
 * Medians over the runs; the first call of each backend is a warm-up (JIT,
 * WGSL compilation) and not counted. A size is skipped (and the output says
 * why) when one run is estimated over NODE_RUN_BUDGET_MS / GPU_RUN_BUDGET_MS
 * from the sizes before it, and WebGPU at 64 Mpx runs only with
 * QW_BENCH_LARGE=1, so `npm run bench` stays within minutes on two cores.
 * No timing here is a test.
 *
 *   npx tsx bench/pipeline.ts              both parts (part of `npm run bench`)
 *   npx tsx bench/pipeline.ts --node       CPU twins in Node only
 *   npx tsx bench/pipeline.ts --browser    Chromium only
 * QW_BENCH_MPX=1,4 limits the sizes (1 and 4 Mpx always run); QW_BENCH_LARGE=1
 * runs every size whatever the estimate, WebGPU at 64 Mpx included (when the
 * device's storage binding limit allows it), and the CPU peer in Chromium at
 * 16 Mpx too. Chromium: scripts/chromium.ts (CHROME_PATH, same flags as the
 * gpu tier).
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { chromium, type Browser } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { analyzePairCpu, CpuStageMemo } from '../src/core/analysis/cpu-pipeline.ts';
import { DEFAULT_ANALYSIS_PARAMS, type AnalysisParams } from '../src/core/analysis/params.ts';
import { CHROMIUM_ARGS, CHROMIUM_ARGS_HARDWARE, findChromium } from '../scripts/chromium.ts';
import {
  median,
  PIPELINE_SIZES_MPX,
  pipelineInput,
  type BenchRun,
  type GpuInfo,
  type SizeReport,
} from './pipeline-input.ts';

const SIZES_MPX: number[] = (process.env['QW_BENCH_MPX'] ?? PIPELINE_SIZES_MPX.join(','))
  .split(',')
  .map(Number)
  .filter((mpx) => (PIPELINE_SIZES_MPX as readonly number[]).includes(mpx));
const LARGE = process.env['QW_BENCH_LARGE'] === '1';
const HARDWARE = process.env['QW_GPU'] === 'hardware';
const onlyNode = process.argv.includes('--node');
const onlyBrowser = process.argv.includes('--browser');
const RUN_NODE = !onlyBrowser || onlyNode;
const RUN_BROWSER = !onlyNode || onlyBrowser;

/** Timed runs per size: fewer where one run takes long. */
const NODE_RUNS: Record<number, number> = { 1: 5, 4: 3, 16: 1, 64: 1 };
const GPU_RUNS: Record<number, number> = { 1: 3, 4: 1, 16: 1, 64: 1 };
const BROWSER_CPU_RUNS: Record<number, number> = { 1: 3, 4: 1, 16: 1 };
/**
 * A size runs (without QW_BENCH_LARGE=1) when one run is estimated to take less
 * than this, from the medians at the two sizes before it (growth extrapolated:
 * the pipelines need not scale linearly).
 */
const NODE_RUN_BUDGET_MS = 300_000;
const GPU_RUN_BUDGET_MS = 120_000;
const BYTES_PER_IMAGE_PX = 4;

type Backend = 'cpuNode' | 'cpuChromium' | 'webgpu';
const BACKENDS: readonly Backend[] = ['cpuNode', 'cpuChromium', 'webgpu'];
const results = new Map<string, SizeReport>();
const key = (backend: Backend, megapixels: number): string => `${backend} ${megapixels}`;
const notes: string[] = [];

/** One run at `megapixels` from the medians at the sizes before it; NaN without one. */
function estimateMs(backend: Backend, megapixels: number): number {
  const wall = (mpx: number): number => {
    const report = results.get(key(backend, mpx));
    return report === undefined ? Number.NaN : median(report.runs.map((run) => run.wallMs));
  };
  const last = wall(megapixels / 4);
  const before = wall(megapixels / 16);
  return last * (before > 0 ? Math.max(4, last / before) : 4);
}

/** Why `backend` skips `megapixels` (1 and 4 Mpx always run), or undefined. */
function overBudget(backend: Backend, megapixels: number, budgetMs: number): string | undefined {
  if (LARGE || megapixels <= 4) return undefined;
  const smaller = megapixels / 4;
  if (SIZES_MPX.includes(smaller) && !results.has(key(backend, smaller))) {
    return `${smaller} Mpx did not run (QW_BENCH_LARGE=1 runs it)`;
  }
  const estimate = estimateMs(backend, megapixels);
  return estimate > budgetMs
    ? `one run estimated at ${seconds(estimate)}, over ${seconds(budgetMs)} (QW_BENCH_LARGE=1 runs it)`
    : undefined;
}

const log = (line: string): void => {
  console.log(line);
};
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const load = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

function runNode(): void {
  // Warm-up at 1 Mpx (JIT), not counted.
  analyzePairCpu(pipelineInput(1), DEFAULT_ANALYSIS_PARAMS);
  for (const megapixels of SIZES_MPX) {
    const skip = overBudget('cpuNode', megapixels, NODE_RUN_BUDGET_MS);
    if (skip !== undefined) {
      notes.push(`CPU Node ${megapixels} Mpx: skipped — ${skip}`);
      continue;
    }
    const started = performance.now();
    const input = pipelineInput(megapixels);
    const buildMs = performance.now() - started;
    const runs: BenchRun[] = [];
    let teu = { before: Number.NaN, after: Number.NaN };
    for (let i = 0; i < (NODE_RUNS[megapixels] ?? 1); i++) {
      const t0 = performance.now();
      const result = analyzePairCpu(input, DEFAULT_ANALYSIS_PARAMS);
      runs.push({ wallMs: performance.now() - t0, timingsMs: { ...result.timingsMs } });
      teu = {
        before: result.rois.reduce((sum, roi) => sum + roi.before.teu, 0),
        after: result.rois.reduce((sum, roi) => sum + roi.after.teu, 0),
      };
    }
    results.set(key('cpuNode', megapixels), {
      megapixels,
      runs,
      inputBuildMs: buildMs,
      roiCount: input.rois.length,
      teu,
    });
    log(
      `  CPU Node ${megapixels} Mpx: ${runs.length} run(s), median ${seconds(median(runs.map((r) => r.wallMs)))}`,
    );
    if (megapixels <= 4) notes.push(parameterMoveNote(input, megapixels, runs));
  }
  notes.push(`Node peak RSS ${(process.resourceUsage().maxRSS / 1024 / 1024).toFixed(1)} GiB`);
}

/**
 * What the app's CPU worker does when the analyst moves a threshold or the
 * minimum area: the same input again, its earlier stages kept (CpuStageMemo).
 * Against the full runs just measured on the same input.
 */
function parameterMoveNote(
  input: ReturnType<typeof pipelineInput>,
  megapixels: number,
  fullRuns: readonly BenchRun[],
): string {
  const memo = new CpuStageMemo();
  analyzePairCpu(input, DEFAULT_ANALYSIS_PARAMS, memo);
  const time = (changes: readonly Partial<AnalysisParams>[]): number =>
    median(
      changes.map((change) => {
        const t0 = performance.now();
        analyzePairCpu(input, { ...DEFAULT_ANALYSIS_PARAMS, ...change }, memo);
        return performance.now() - t0;
      }),
    );
  const threshold = time([{ thresholdDn: 26 }, { thresholdDn: 34 }, { thresholdDn: 30 }]);
  const area = time([{ minAreaM2: 40 }, { minAreaM2: 80 }, { minAreaM2: 60 }]);
  const full = median(fullRuns.map((run) => run.wallMs));
  return `CPU Node ${megapixels} Mpx, on the held input with earlier stages kept (CpuStageMemo), medians of 3: thresholdDn moved ${seconds(threshold)} (${(full / threshold).toFixed(1)}× faster than a whole run, ${seconds(full)}), minAreaM2 moved ${seconds(area)} (${(full / area).toFixed(1)}×)`;
}

async function runBrowser(): Promise<void> {
  const executablePath = findChromium();
  if (executablePath === undefined) {
    notes.push('Chromium part skipped: no Chromium (set CHROME_PATH or install chromium)');
    return;
  }
  let server: ViteDevServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await createServer({
      logLevel: 'warn',
      appType: 'mpa',
      server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
      optimizeDeps: { noDiscovery: true, include: [] },
    });
    await server.listen();
    const url = server.resolvedUrls?.local[0];
    if (url === undefined) throw new Error('the Vite dev server did not report a URL');
    browser = await chromium.launch({
      executablePath,
      args: [...(HARDWARE ? CHROMIUM_ARGS_HARDWARE : CHROMIUM_ARGS)],
      headless: true,
    });
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => pageErrors.push(`page: ${error.message}`));
    await page.goto(new URL('bench/pipeline.html', url).href);
    await page.waitForFunction(() => window.qwPipelineBench !== undefined, null, {
      timeout: 120_000,
    });

    const run = async (
      backend: 'gpu' | 'cpu',
      megapixels: number,
      runs: number,
    ): Promise<SizeReport> => {
      const report = await page.evaluate(
        async ([b, m, r]) => {
          const api = window.qwPipelineBench;
          if (api === undefined) throw new Error('bench/pipeline-browser.ts did not load');
          return api.run(b, m, r);
        },
        [backend, megapixels, runs] as const,
      );
      for (const error of report.errors) notes.push(`WebGPU ${megapixels} Mpx: ${error}`);
      return report;
    };
    const release = (): Promise<void> =>
      page.evaluate(() => {
        window.qwPipelineBench?.release();
      });

    const gpu: GpuInfo = await page.evaluate(async () => {
      const api = window.qwPipelineBench;
      if (api === undefined) throw new Error('bench/pipeline-browser.ts did not load');
      return api.initGpu();
    });
    const ua = await page.evaluate(() => navigator.userAgent);
    log(`  Chromium: ${/Chrom(e|ium)\/[\d.]+/.exec(ua)?.[0] ?? ua}`);
    if (gpu.available) {
      log(
        `  WebGPU adapter: ${gpu.adapter}; maxStorageBufferBindingSize ${gpu.maxStorageBufferBindingSize}, maxBufferSize ${gpu.maxBufferSize}`,
      );
    } else {
      notes.push(`WebGPU part skipped: ${gpu.reason}`);
    }

    if (gpu.available) {
      const warm = await run('gpu', 1, 1);
      log(
        `  WebGPU warm-up, 1 Mpx (WGSL compilation included): ${seconds(warm.runs[0]?.wallMs ?? Number.NaN)}`,
      );
    }
    const cpuWarm = await run('cpu', 1, 1);
    log(`  CPU Chromium warm-up, 1 Mpx: ${seconds(cpuWarm.runs[0]?.wallMs ?? Number.NaN)}`);

    for (const megapixels of SIZES_MPX) {
      if (gpu.available) {
        const bindingBytes = megapixels * 1024 * 1024 * BYTES_PER_IMAGE_PX;
        let skip: string | undefined;
        if (bindingBytes > gpu.maxStorageBufferBindingSize) {
          skip = `binding size limit ${gpu.maxStorageBufferBindingSize} < ${bindingBytes} bytes`;
        } else if (megapixels === 64 && !LARGE) {
          skip = 'QW_BENCH_LARGE=1 runs it';
        } else {
          skip = overBudget('webgpu', megapixels, GPU_RUN_BUDGET_MS);
        }
        if (skip === undefined) {
          const report = await run('gpu', megapixels, GPU_RUNS[megapixels] ?? 1);
          results.set(key('webgpu', megapixels), report);
          log(
            `  WebGPU ${megapixels} Mpx: ${report.runs.length} run(s), median ${seconds(median(report.runs.map((r) => r.wallMs)))} (input built in ${seconds(report.inputBuildMs)})`,
          );
        } else {
          notes.push(`WebGPU ${megapixels} Mpx: skipped — ${skip}`);
        }
      }
      const cpuRuns =
        megapixels <= 4 || (megapixels === 16 && LARGE) ? BROWSER_CPU_RUNS[megapixels] : undefined;
      if (cpuRuns === undefined) {
        notes.push(
          `CPU Chromium ${megapixels} Mpx: skipped — ${megapixels === 16 ? 'QW_BENCH_LARGE=1 runs it' : 'Node covers it'}`,
        );
      } else {
        const report = await run('cpu', megapixels, cpuRuns);
        results.set(key('cpuChromium', megapixels), report);
        log(
          `  CPU Chromium ${megapixels} Mpx: ${report.runs.length} run(s), median ${seconds(median(report.runs.map((r) => r.wallMs)))}`,
        );
      }
      await release();
    }
    for (const error of pageErrors) notes.push(`Chromium ${error}`);
  } finally {
    await browser?.close();
    await server?.close();
  }
}

/** Stage names of both lists, in the order the pipelines lap them. */
function mergeStageOrder(lists: readonly (readonly string[])[]): string[] {
  const order: string[] = [];
  for (const list of lists) {
    let at = 0;
    for (const stage of list) {
      const found = order.indexOf(stage);
      if (found >= 0) {
        at = found + 1;
      } else {
        order.splice(at, 0, stage);
        at += 1;
      }
    }
  }
  return order;
}

function stageMedian(report: SizeReport | undefined, stage: string): number | undefined {
  if (report === undefined) return undefined;
  const values = report.runs
    .map((run) => run.timingsMs[stage])
    .filter((value): value is number => value !== undefined);
  return values.length === 0 ? undefined : median(values);
}

function printTable(): void {
  const header = [
    'size',
    'stage',
    'CPU Node ms',
    'CPU Chromium ms',
    'WebGPU ms',
    'WebGPU / CPU Node',
  ];
  const rows: string[][] = [header];
  const ms = (value: number | undefined): string =>
    value === undefined || Number.isNaN(value) ? '—' : value.toFixed(value < 100 ? 1 : 0);
  const ratio = (a: number | undefined, b: number | undefined): string =>
    a === undefined || b === undefined || !(b > 0)
      ? '—'
      : `${(a / b).toFixed(a / b >= 10 ? 0 : a / b >= 1 ? 1 : 2)}×`;
  for (const megapixels of SIZES_MPX) {
    const reports = BACKENDS.map((backend) => results.get(key(backend, megapixels)));
    if (reports.every((report) => report === undefined)) continue;
    const [node, browserCpu, webgpu] = reports;
    const side = 1024 * Math.round(Math.sqrt(megapixels));
    const size = `${megapixels} Mpx`;
    const stages = mergeStageOrder(
      reports.map((report) => Object.keys(report?.runs[0]?.timingsMs ?? {})),
    );
    const roiCount = reports.find((report) => report !== undefined)?.roiCount ?? 0;
    rows.push([`${size} (${side}², ${roiCount} ROIs)`, '', '', '', '', '']);
    for (const stage of stages) {
      const [a, b, c] = reports.map((report) => stageMedian(report, stage));
      rows.push(['', stage, ms(a), ms(b), ms(c), ratio(c, a)]);
    }
    const wall = reports.map((report) =>
      report === undefined ? undefined : median(report.runs.map((run) => run.wallMs)),
    );
    const [wa, wb, wc] = wall;
    rows.push(['', 'whole pipeline (wall)', ms(wa), ms(wb), ms(wc), ratio(wc, wa)]);
    const rate = (value: number | undefined): string =>
      value === undefined ? '—' : (megapixels / (value / 1000)).toFixed(2);
    rows.push(['', 'Mpx/s', rate(wa), rate(wb), rate(wc), '']);
    rows.push([
      '',
      'runs (median of)',
      ...reports.map((report) => (report === undefined ? '—' : String(report.runs.length))),
      '',
    ]);
    const teu = (report: SizeReport | undefined): string =>
      report === undefined ? '—' : `${report.teu.before.toFixed(0)}/${report.teu.after.toFixed(0)}`;
    rows.push(['', 'TEU before/after (all ROIs)', teu(node), teu(browserCpu), teu(webgpu), '']);
  }
  const widths = header.map((_, column) =>
    Math.max(...rows.map((row) => (row[column] ?? '').length)),
  );
  for (const row of rows) {
    log(
      row
        .map((cell, column) =>
          column >= 2 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
        )
        .join('  ')
        .trimEnd(),
    );
  }
  log(
    '— : not run at that size, or that pipeline does not lap that stage (the pipelines group stages differently).',
  );
  log(
    'WebGPU stage laps are host time: work a stage only submits is charged to the next stage that waits on a read-back; the wall row is the whole call.',
  );
}

const started = performance.now();
log('Whole analysis pipeline per stage, tiled generated port scene, DEFAULT_ANALYSIS_PARAMS');
log(
  `node ${process.version}, ${process.arch}, ${cpus().length}× ${cpus()[0]?.model.trim() ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; load average ${load()} (1, 5, 15 min) at start`,
);
if (RUN_NODE) runNode();
if (RUN_BROWSER) await runBrowser();
printTable();
for (const note of notes) log(note);
log(
  `medians; per stage: the pipeline's own timingsMs; load average ${load()} at end; bench took ${seconds(performance.now() - started)}`,
);
