/**
 * Runs the CPU analysis in a worker, latest run wins: aborting a run
 * terminates its worker at once (the CPU twins have no cancellation points of
 * their own, so a stale run is killed, never waited for), and its promise
 * rejects with an AbortError, so a cancelled run can never repaint. A worker
 * whose run finished is kept as the spare for the next run, so a slider move
 * does not pay for loading the worker again.
 *
 * The input is copied to the worker, not transferred: the caller keeps it to
 * re-run on the next parameter change without reading the imagery again.
 */
import * as Comlink from 'comlink';
import type { AnalysisInput, AnalysisResult } from '../core/analysis/cpu-pipeline.ts';
import type { AnalysisParams } from '../core/analysis/params.ts';
import type { AnalysisWorkerApi } from './analysis.worker.ts';
import { raceWorkerCall } from './worker-call.ts';

interface AnalysisWorker {
  readonly worker: Worker;
  readonly api: Comlink.Remote<AnalysisWorkerApi>;
}

let spare: AnalysisWorker | undefined;

function startWorker(): AnalysisWorker {
  const worker = new Worker(new URL('./analysis.worker.ts', import.meta.url), {
    type: 'module',
    name: 'quaywatch-analysis',
  });
  return { worker, api: Comlink.wrap<AnalysisWorkerApi>(worker) };
}

function stopWorker(analysis: AnalysisWorker): void {
  analysis.api[Comlink.releaseProxy]();
  analysis.worker.terminate();
}

/** A worker that finished cleanly becomes the spare (one is enough); any other is stopped. */
function release(analysis: AnalysisWorker, reusable: boolean): void {
  if (reusable && spare === undefined) spare = analysis;
  else stopWorker(analysis);
}

export async function analyzeInWorker(
  input: AnalysisInput,
  params: AnalysisParams,
  signal: AbortSignal,
): Promise<AnalysisResult> {
  if (signal.aborted) throw new DOMException('Analysis was cancelled', 'AbortError');
  const analysis = spare ?? startWorker();
  spare = undefined;
  let reusable = false;
  try {
    const result = await raceWorkerCall(
      analysis.worker,
      () => analysis.api.analyze(input, params),
      signal,
      { cancelled: 'Analysis was cancelled', crashed: 'The analysis crashed' },
    );
    reusable = true;
    return result;
  } finally {
    release(analysis, reusable);
  }
}
