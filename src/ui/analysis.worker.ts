/**
 * The CPU analysis (the CPU twins of every kernel) off the main thread: the
 * fallback without WebGPU. One run at a time per worker; a newer run
 * terminates the worker of a stale one (analysis-client.ts), so the latest
 * change wins. The worker keeps the last input it was sent (as a copy: the page
 * keeps its own) under the id the client gave it, so a parameter change on the
 * same pair sends only the parameters: copying ~25 bytes a pixel to the worker
 * is main-thread work, hundreds of MB for a large port. With it, its stage
 * outputs (CpuStageMemo), so that a parameter change reruns only the stages
 * that read it. The result's masks are transferred back.
 */
import * as Comlink from 'comlink';
import {
  analyzePairCpu,
  CpuStageMemo,
  type AnalysisInput,
  type AnalysisResult,
} from '../core/analysis/cpu-pipeline.ts';
import type { AnalysisParams } from '../core/analysis/params.ts';

/** A run's result, and whether its input was the one the worker already held. */
export interface WorkerAnalysis {
  readonly result: AnalysisResult;
  readonly inputKept: boolean;
}

let held: { readonly id: number; readonly input: AnalysisInput } | undefined;
const memo = new CpuStageMemo();

const api = {
  /**
   * Runs on `input`, or on the held input when `input` is undefined and
   * `inputId` is the held one. With `keep`, a sent input replaces the held
   * one; without, the held one stays (a series date runs beside the pair on
   * screen without displacing it).
   */
  analyze(
    inputId: number,
    input: AnalysisInput | undefined,
    params: AnalysisParams,
    keep: boolean,
  ): WorkerAnalysis {
    const inputKept = input === undefined;
    if (input !== undefined && keep) held = { id: inputId, input };
    const source = input ?? (held?.id === inputId ? held.input : undefined);
    if (source === undefined)
      throw new Error(`internal: the worker does not hold input ${inputId}`);
    // The held input keeps its stage outputs: a parameter change reruns only the stages it touches.
    const result = analyzePairCpu(source, params, source === held?.input ? memo : undefined);
    const masks = (Object.values(result.masks) as Uint8Array[]).map(
      (mask) => mask.buffer as ArrayBuffer,
    );
    return Comlink.transfer({ result, inputKept }, [
      ...masks,
      result.roiIndex.buffer as ArrayBuffer,
    ]);
  },

  /** Lets the held input go (the pair changed, or the GPU runs now). */
  forget(): void {
    held = undefined;
    memo.clear();
  },
};

export type AnalysisWorkerApi = typeof api;

Comlink.expose(api);
