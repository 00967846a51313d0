/**
 * Runs the CPU analysis in a worker, latest run wins. A cancelled run's
 * promise rejects at once with an AbortError, so it can never repaint.
 *
 * The pair on screen (`keepInput`) has one worker, which keeps its input and
 * the stage outputs of its last runs (analysis.worker.ts). A run made stale
 * there is told to stop and does so at its next step, keeping the stages it
 * finished, so the next run (the slider's next position) starts from them.
 * Where the worker keeps no stage outputs (an input over STAGE_MEMO_MAX_PX),
 * or for any other run (a series date, on a worker of its own), a stale run
 * is killed with its worker instead: nothing would be kept, and a step can
 * take seconds there.
 *
 * The input is copied to the worker, not transferred: the caller keeps it to
 * re-run on the next parameter change without reading the imagery again. The
 * pair's worker keeps its copy, so a run on the same input object (the same
 * pair and pier area, another parameter) copies nothing; a killed worker takes
 * its copy with it, and the next run sends the input again. A series date's
 * worker keeps nothing: each date is another input.
 */
import * as Comlink from 'comlink';
import { STAGE_MEMO_MAX_PX, type AnalysisInput } from '../core/analysis/cpu-pipeline.ts';
import type { AnalysisParams } from '../core/analysis/params.ts';
import type { AnalysisWorkerApi, StepCallback, WorkerAnalysis } from './analysis.worker.ts';
import { raceWorkerCall, STALE_RUN_MESSAGE } from './worker-call.ts';

interface AnalysisWorker {
  readonly worker: Worker;
  readonly api: Comlink.Remote<AnalysisWorkerApi>;
  /** The id of the input the worker holds (it takes one as soon as a run sends it). */
  heldInputId: number | undefined;
  /** The last run sent to it. */
  lastRunId: number;
  /** Runs sent to it that have not settled. */
  inFlight: number;
  /** Whether the last run sent to it keeps stage outputs (an input up to STAGE_MEMO_MAX_PX). */
  lastKeepsStages: boolean;
  /** Rejects (AbortError) when the worker is stopped, so that no call to it waits forever. */
  readonly stopped: Promise<never>;
  readonly markStopped: (reason: Error) => void;
}

/** The pair's worker (keepInput runs), busy or not. */
let pairWorker: AnalysisWorker | undefined;
/** An idle worker for series dates. */
let spare: AnalysisWorker | undefined;

/** An id per input object, so a worker can tell it already holds one. */
const inputIds = new WeakMap<AnalysisInput, number>();
let nextInputId = 1;
let nextRunId = 1;

function idOf(input: AnalysisInput): number {
  let id = inputIds.get(input);
  if (id === undefined) {
    id = nextInputId++;
    inputIds.set(input, id);
  }
  return id;
}

const MESSAGES = { cancelled: 'Analysis was cancelled', crashed: 'The analysis crashed' };

function startWorker(): AnalysisWorker {
  const worker = new Worker(new URL('./analysis.worker.ts', import.meta.url), {
    type: 'module',
    name: 'quaywatch-analysis',
  });
  let markStopped: (reason: Error) => void = () => undefined;
  const stopped = new Promise<never>((_, reject) => {
    markStopped = reject;
  });
  // Only calls racing it hear of it.
  stopped.catch(() => undefined);
  return {
    worker,
    api: Comlink.wrap<AnalysisWorkerApi>(worker),
    heldInputId: undefined,
    lastRunId: 0,
    inFlight: 0,
    lastKeepsStages: true,
    stopped,
    markStopped,
  };
}

function stopWorker(analysis: AnalysisWorker): void {
  analysis.markStopped(new DOMException(MESSAGES.cancelled, 'AbortError'));
  analysis.api[Comlink.releaseProxy]();
  analysis.worker.terminate();
}

/** Stops the pair's worker; the next pair run starts another. */
function dropPairWorker(): void {
  if (pairWorker !== undefined) stopWorker(pairWorker);
  pairWorker = undefined;
}

/** One idle worker is enough: another is stopped. */
function keepAsSpare(analysis: AnalysisWorker): void {
  if (spare === undefined) spare = analysis;
  else stopWorker(analysis);
}

/** The pair's worker lets its held input go, if it holds one (after its run in progress stops). */
export function releaseWorkerInput(): void {
  if (pairWorker?.heldInputId === undefined) return;
  pairWorker.heldInputId = undefined;
  void pairWorker.api.forget(pairWorker.lastRunId);
}

/**
 * One run in a worker. With `keepInput` (the pair on screen) it runs on the
 * pair's worker, which keeps the input for the next run; without (a series
 * date) on a worker of its own.
 */
export async function analyzeInWorker(
  input: AnalysisInput,
  params: AnalysisParams,
  signal: AbortSignal,
  keepInput = true,
  onStep?: StepCallback,
): Promise<WorkerAnalysis> {
  if (signal.aborted) throw new DOMException(MESSAGES.cancelled, 'AbortError');
  const step = onStep === undefined ? undefined : Comlink.proxy(onStep);
  return keepInput
    ? runOnPairWorker(input, params, signal, step)
    : runOnSpare(input, params, signal, step);
}

function isCrash(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith(MESSAGES.crashed);
}

async function runOnPairWorker(
  input: AnalysisInput,
  params: AnalysisParams,
  signal: AbortSignal,
  onStep: StepCallback | undefined,
): Promise<WorkerAnalysis> {
  // Where either run keeps no stage outputs (a large input), waiting for the stale
  // run's next step, seconds there, gains nothing: its worker is replaced first.
  const keepsStages = input.widthPx * input.heightPx <= STAGE_MEMO_MAX_PX;
  if (
    pairWorker !== undefined &&
    pairWorker.inFlight > 0 &&
    !(keepsStages && pairWorker.lastKeepsStages)
  ) {
    dropPairWorker();
  }
  const analysis = pairWorker ?? (pairWorker = startWorker());
  const inputId = idOf(input);
  const runId = nextRunId++;
  const send = analysis.heldInputId === inputId ? undefined : input;
  const call = analysis.api.analyze(runId, inputId, send, params, true, onStep);
  analysis.heldInputId = inputId;
  analysis.lastRunId = runId;
  analysis.lastKeepsStages = keepsStages;
  analysis.inFlight++;
  const settled = (): void => {
    analysis.inFlight--;
  };
  call.then(settled, settled);
  try {
    return await raceWorkerCall(
      analysis.worker,
      () => Promise.race([call, analysis.stopped]),
      signal,
      MESSAGES,
    );
  } catch (error) {
    // A newer run (or a forget) made this one stale in the worker: it was superseded, not broken.
    if (error instanceof Error && error.message.includes(STALE_RUN_MESSAGE)) {
      throw new DOMException(MESSAGES.cancelled, 'AbortError');
    }
    const current = pairWorker === analysis;
    if (current && isCrash(error)) {
      // Every run queued on it hears the same error event.
      dropPairWorker();
    } else if (signal.aborted && keepsStages) {
      // It stops at its next step, keeping what it finished; its own rejection is no one's concern.
      call.catch(() => undefined);
      void analysis.api.cancel(runId);
    } else if (signal.aborted && current && analysis.lastRunId === runId) {
      dropPairWorker();
    }
    // Any other error was thrown by the run: the worker goes on to its next one.
    throw error;
  }
}

async function runOnSpare(
  input: AnalysisInput,
  params: AnalysisParams,
  signal: AbortSignal,
  onStep: StepCallback | undefined,
): Promise<WorkerAnalysis> {
  const analysis = spare ?? startWorker();
  spare = undefined;
  let reusable = false;
  try {
    const result = await raceWorkerCall(
      analysis.worker,
      () => analysis.api.analyze(nextRunId++, idOf(input), input, params, false, onStep),
      signal,
      MESSAGES,
    );
    reusable = true;
    return result;
  } finally {
    if (reusable) keepAsSpare(analysis);
    else stopWorker(analysis);
  }
}
