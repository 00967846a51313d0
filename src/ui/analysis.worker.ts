/**
 * The CPU analysis (the CPU twins of every kernel) off the main thread: the
 * fallback without WebGPU. The worker keeps the last input it was sent (as a
 * copy: the page keeps its own) under the id the client gave it, so a
 * parameter change on the same pair sends only the parameters: copying ~25
 * bytes a pixel to the worker is main-thread work, hundreds of MB for a large
 * port. With it, its stage outputs (CpuStageMemo), so that a parameter change
 * reruns only the stages that read it. The result's masks are transferred back.
 *
 * Runs go one at a time, latest first: a run made stale (by `cancel`, or by a
 * newer run) stops at its next step (analyzePairCpuSteps) and keeps in the memo
 * the stages it finished. So while the analyst drags a slider, the stages
 * before the one the slider feeds are computed once, not once per position
 * (analysis-client.ts kills a worker instead only where it keeps no memo).
 */
import * as Comlink from 'comlink';
import {
  analyzePairCpuSteps,
  CpuStageMemo,
  type AnalysisInput,
  type AnalysisResult,
} from '../core/analysis/cpu-pipeline.ts';
import type { AnalysisParams } from '../core/analysis/params.ts';
import { STALE_RUN_MESSAGE } from './worker-call.ts';

/** A run's result, whether its input was the one the worker already held, and what it recomputed. */
export interface WorkerAnalysis {
  readonly result: AnalysisResult;
  readonly inputKept: boolean;
  /** The memo stages this run computed; undefined when it ran without the memo (an input not held). */
  readonly stagesComputed: readonly string[] | undefined;
}

let held: { readonly id: number; readonly input: AnalysisInput } | undefined;
const memo = new CpuStageMemo();
/** Runs with an id up to this one are stale. */
let staleUpTo = 0;
/** The run in progress, if any: the next one starts when it has stopped. */
let running: Promise<unknown> = Promise.resolve();

// A message to itself, not setTimeout(0): nested timers are clamped to 4 ms,
// about 40 ms over a run's 14 steps, most of a run that reuses every stage.
const wakeChannel = new MessageChannel();
let wake: (() => void) | undefined;
wakeChannel.port1.onmessage = (): void => {
  const resume = wake;
  wake = undefined;
  resume?.();
};

/** Lets queued messages (a cancel, a newer run) in before the next step. */
function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => {
    wake = resolve;
    wakeChannel.port2.postMessage(null);
  });
}

/** Told after each step of a run but the last: how many are done (of CPU_STEP_COUNT), and the last one's name. */
export type StepCallback = (stepsDone: number, step: string) => void;

async function run(
  runId: number,
  source: AnalysisInput,
  params: AnalysisParams,
  inputKept: boolean,
  onStep: StepCallback | undefined,
): Promise<WorkerAnalysis> {
  const stale = (): boolean => runId <= staleUpTo;
  if (stale()) throw new Error(STALE_RUN_MESSAGE);
  // The held input keeps its stage outputs: a parameter change reruns only the stages it touches.
  const memoOrNone = source === held?.input ? memo : undefined;
  const steps = analyzePairCpuSteps(source, params, memoOrNone);
  let step = steps.next();
  let stepsDone = 0;
  while (step.done !== true) {
    onStep?.(++stepsDone, step.value);
    await yieldToMessages();
    if (stale()) throw new Error(STALE_RUN_MESSAGE);
    step = steps.next();
  }
  const result = step.value;
  const masks = (Object.values(result.masks) as Uint8Array[]).map(
    (mask) => mask.buffer as ArrayBuffer,
  );
  const stagesComputed = memoOrNone === undefined ? undefined : [...memoOrNone.computed];
  return Comlink.transfer({ result, inputKept, stagesComputed }, [
    ...masks,
    result.roiIndex.buffer as ArrayBuffer,
  ]);
}

const api = {
  /**
   * Runs on `input`, or on the held input when `input` is undefined and
   * `inputId` is the held one, once the run before it has stopped; every
   * earlier run is stale from now on. With `keep` (the pair on screen), a
   * sent input replaces the held one; without (a series date, on a worker of
   * its own), nothing is held.
   */
  analyze(
    runId: number,
    inputId: number,
    input: AnalysisInput | undefined,
    params: AnalysisParams,
    keep: boolean,
    onStep?: StepCallback,
  ): Promise<WorkerAnalysis> {
    staleUpTo = Math.max(staleUpTo, runId - 1);
    if (input !== undefined && keep) held = { id: inputId, input };
    const source = input ?? (held?.id === inputId ? held.input : undefined);
    if (source === undefined)
      return Promise.reject(new Error(`internal: the worker does not hold input ${inputId}`));
    const result = running.then(() => run(runId, source, params, input === undefined, onStep));
    running = result.catch(() => undefined);
    return result;
  },

  /** Makes run `runId` (and every earlier one) stale: it stops at its next step. */
  cancel(runId: number): void {
    staleUpTo = Math.max(staleUpTo, runId);
  },

  /** Lets the held input go (the pair changed, or the GPU runs now), once the run in progress stops. */
  forget(lastRunId: number): Promise<void> {
    staleUpTo = Math.max(staleUpTo, lastRunId);
    held = undefined;
    running = running.then(() => {
      memo.clear();
    });
    return running as Promise<void>;
  },
};

export type AnalysisWorkerApi = typeof api;

Comlink.expose(api);
