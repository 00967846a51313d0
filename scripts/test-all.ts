/**
 * npm test: the three tiers (unit in Node and gpu in Chromium's WebGPU side by
 * side, then e2e against the production build alone), each with Vitest's JSON report, then one
 * closing line counted from those reports: `N passed, N failed[, N skipped]`.
 * A tier that crashes without a report counts as one failure.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { ensureChromium } from './chromium.ts';

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

/** A tier's counts and its closing line. */
interface TierResult extends Counts {
  readonly line: string;
}

interface VitestJsonReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
}

type Tier = 'unit' | 'gpu' | 'e2e';

/**
 * Runs one tier; its output goes to this process's, or to `logFile` (printed
 * later by the caller) for a tier that runs beside another.
 */
async function runTier(tier: Tier, logFile?: string): Promise<TierResult> {
  const report = `reports/${tier}.json`;
  rmSync(report, { force: true });
  const started = performance.now();
  const child = spawn(
    'npx',
    [
      'vitest',
      'run',
      '--project',
      tier,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${report}`,
    ],
    { stdio: logFile === undefined ? 'inherit' : ['ignore', 'pipe', 'pipe'] },
  );
  const log = logFile === undefined ? undefined : createWriteStream(logFile);
  if (log !== undefined) {
    // Two sources into one file: neither may end it; it ends after the child.
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
  }
  const status = await new Promise<number | string>((resolve) => {
    child.on('close', (code, signal) => {
      resolve(code ?? signal ?? 'unknown');
    });
  });
  if (log !== undefined) {
    await new Promise<void>((resolve) => {
      log.end(() => {
        resolve();
      });
    });
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (!existsSync(report)) {
    return {
      passed: 0,
      failed: 1,
      skipped: 0,
      line: `[${tier}] no report (exit ${status}): counted as 1 failure, ${seconds} s`,
    };
  }
  const json = JSON.parse(readFileSync(report, 'utf8')) as VitestJsonReport;
  const counts = {
    passed: json.numPassedTests,
    failed: json.numFailedTests,
    skipped: json.numPendingTests + json.numTodoTests,
  };
  // A non-zero exit with no failed test is a failure of the run itself (e.g. an error outside tests).
  if (status !== 0 && counts.failed === 0) counts.failed = 1;
  return {
    ...counts,
    line: `[${tier}] ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped in ${seconds} s`,
  };
}

function add(total: Counts, counts: Counts): void {
  total.passed += counts.passed;
  total.failed += counts.failed;
  total.skipped += counts.skipped;
}

const started = performance.now();
mkdirSync('reports', { recursive: true });
const total: Counts = { passed: 0, failed: 0, skipped: 0 };
let chromiumProblem: string | undefined;
try {
  console.log(`chromium: ${ensureChromium()}`);
} catch (error) {
  chromiumProblem = error instanceof Error ? error.message : String(error);
  console.error(chromiumProblem);
}
if (chromiumProblem !== undefined) {
  const unit = await runTier('unit');
  console.log(unit.line);
  add(total, unit);
  for (const tier of ['gpu', 'e2e'] as const) {
    console.log(`[${tier}] not run: ${chromiumProblem}`);
    total.failed += 1;
  }
} else {
  // The unit tier keeps about one core of two busy (127 % CPU, much of it
  // waiting on CLI child processes), so the gpu tier runs beside it, its
  // output held in a file and printed after. The e2e tier, timing-sensitive
  // (latest-wins slider runs, cancels), runs alone.
  const gpuLog = 'reports/gpu.log';
  const [unit, gpu] = await Promise.all([runTier('unit'), runTier('gpu', gpuLog)]);
  console.log(unit.line);
  console.log(`\n---- gpu tier (run beside the unit tier; ${gpuLog}) ----`);
  console.log(readFileSync(gpuLog, 'utf8'));
  console.log(gpu.line);
  const e2e = await runTier('e2e');
  console.log(e2e.line);
  for (const counts of [unit, gpu, e2e]) add(total, counts);
}
console.log(`npm test took ${((performance.now() - started) / 1000).toFixed(1)} s`);
console.log(
  `${total.passed} passed, ${total.failed} failed${total.skipped > 0 ? `, ${total.skipped} skipped` : ''}`,
);
process.exit(total.failed > 0 ? 1 : 0);
