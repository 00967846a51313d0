/**
 * npm test: the three tiers in order (unit in Node, gpu in Chromium's WebGPU,
 * e2e against the production build), each with Vitest's JSON report, then one
 * closing line counted from those reports: `N passed, N failed[, N skipped]`.
 * A tier that crashes without a report counts as one failure.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { ensureChromium } from './chromium.ts';

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

interface VitestJsonReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
}

const TIERS = ['unit', 'gpu', 'e2e'] as const;

function runTier(tier: (typeof TIERS)[number]): Counts {
  const report = `reports/${tier}.json`;
  rmSync(report, { force: true });
  const started = performance.now();
  const result = spawnSync(
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
    { stdio: 'inherit' },
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (!existsSync(report)) {
    console.log(
      `[${tier}] no report (exit ${result.status ?? result.signal}): counted as 1 failure, ${seconds} s`,
    );
    return { passed: 0, failed: 1, skipped: 0 };
  }
  const json = JSON.parse(readFileSync(report, 'utf8')) as VitestJsonReport;
  const counts = {
    passed: json.numPassedTests,
    failed: json.numFailedTests,
    skipped: json.numPendingTests + json.numTodoTests,
  };
  // A non-zero exit with no failed test is a failure of the run itself (e.g. an error outside tests).
  if (result.status !== 0 && counts.failed === 0) counts.failed = 1;
  console.log(
    `[${tier}] ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped in ${seconds} s`,
  );
  return counts;
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
for (const tier of TIERS) {
  if (tier !== 'unit' && chromiumProblem !== undefined) {
    console.log(`[${tier}] not run: ${chromiumProblem}`);
    total.failed += 1;
    continue;
  }
  const counts = runTier(tier);
  total.passed += counts.passed;
  total.failed += counts.failed;
  total.skipped += counts.skipped;
}
console.log(`npm test took ${((performance.now() - started) / 1000).toFixed(1)} s`);
console.log(
  `${total.passed} passed, ${total.failed} failed${total.skipped > 0 ? `, ${total.skipped} skipped` : ''}`,
);
process.exit(total.failed > 0 ? 1 : 0);
