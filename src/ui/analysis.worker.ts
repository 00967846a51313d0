/**
 * The CPU analysis (the CPU twins of every kernel) off the main thread: the
 * fallback without WebGPU. One run at a time per worker, no state kept between
 * runs; a newer run terminates the worker of a stale one (analysis-client.ts),
 * so the latest change wins. The result's masks are transferred back; the
 * input arrived as a copy, so the page keeps its own for the next run.
 */
import * as Comlink from 'comlink';
import {
  analyzePairCpu,
  type AnalysisInput,
  type AnalysisResult,
} from '../core/analysis/cpu-pipeline.ts';
import type { AnalysisParams } from '../core/analysis/params.ts';

const api = {
  analyze(input: AnalysisInput, params: AnalysisParams): AnalysisResult {
    const result = analyzePairCpu(input, params);
    const masks = (Object.values(result.masks) as Uint8Array[]).map(
      (mask) => mask.buffer as ArrayBuffer,
    );
    return Comlink.transfer(result, [...masks, result.roiIndex.buffer as ArrayBuffer]);
  },
};

export type AnalysisWorkerApi = typeof api;

Comlink.expose(api);
