/**
 * Runs the CPU analysis in a worker, latest run wins: aborting a run
 * terminates its worker at once (the CPU twins have no cancellation points of
 * their own, so a stale run is killed, never waited for), and its promise
 * rejects with an AbortError, so a cancelled run can never repaint. A worker
 * whose run finished is kept as the spare for the next run, so a slider move
 * does not pay for loading the worker again.
 *
 * The input is copied to the worker, not transferred: the caller keeps it to
 * re-run on the next parameter change without reading the imagery again. The
 * spare worker keeps its copy too, so a run on the same input object (the
 * same pair and pier area, another parameter) copies nothing; a worker killed
 * by an abort takes its copy with it, and the next run sends the input again.
 */
import * as Comlink from 'comlink';
import type { AnalysisInput } from '../core/analysis/cpu-pipeline.ts';
import type { AnalysisParams } from '../core/analysis/params.ts';
import type { AnalysisWorkerApi, WorkerAnalysis } from './analysis.worker.ts';
import { raceWorkerCall } from './worker-call.ts';

interface AnalysisWorker {
  readonly worker: Worker;
  readonly api: Comlink.Remote<AnalysisWorkerApi>;
  /** The id of the input the worker holds from its last run, if any. */
  heldInputId: number | undefined;
}

let spare: AnalysisWorker | undefined;

/** An id per input object, so a worker can tell it already holds one. */
const inputIds = new WeakMap<AnalysisInput, number>();
let nextInputId = 1;

function idOf(input: AnalysisInput): number {
  let id = inputIds.get(input);
  if (id === undefined) {
    id = nextInputId++;
    inputIds.set(input, id);
  }
  return id;
}

function startWorker(): AnalysisWorker {
  const worker = new Worker(new URL('./analysis.worker.ts', import.meta.url), {
    type: 'module',
    name: 'quaywatch-analysis',
  });
  return { worker, api: Comlink.wrap<AnalysisWorkerApi>(worker), heldInputId: undefined };
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

/** The spare worker lets its held input go, if it holds one. */
export function releaseWorkerInput(): void {
  if (spare?.heldInputId === undefined) return;
  spare.heldInputId = undefined;
  void spare.api.forget();
}

/**
 * One run in a worker. With `keepInput` (the pair on screen) the worker keeps
 * the input for the next run; without (a series date) it keeps what it held.
 */
export async function analyzeInWorker(
  input: AnalysisInput,
  params: AnalysisParams,
  signal: AbortSignal,
  keepInput = true,
): Promise<WorkerAnalysis> {
  if (signal.aborted) throw new DOMException('Analysis was cancelled', 'AbortError');
  const analysis = spare ?? startWorker();
  spare = undefined;
  let reusable = false;
  try {
    const inputId = idOf(input);
    const heldBefore = analysis.heldInputId;
    const send = heldBefore === inputId ? undefined : input;
    // Only a run that finishes leaves the worker holding a known input.
    analysis.heldInputId = undefined;
    const result = await raceWorkerCall(
      analysis.worker,
      () => analysis.api.analyze(inputId, send, params, keepInput),
      signal,
      { cancelled: 'Analysis was cancelled', crashed: 'The analysis crashed' },
    );
    reusable = true;
    analysis.heldInputId = keepInput ? inputId : heldBefore;
    return result;
  } finally {
    release(analysis, reusable);
  }
}
