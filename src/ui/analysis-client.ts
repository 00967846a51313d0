/**
 * Runs the CPU analysis in a worker. Each run gets a fresh worker; starting a
 * new run or aborting terminates the old one, so sliders never queue stale work.
 */
import * as Comlink from 'comlink';
import type { AnalysisInput, AnalysisResult } from '../core/analysis/cpu-pipeline.ts';
import type { AnalysisParams } from '../core/analysis/params.ts';
import type { AnalysisWorkerApi } from './analysis.worker.ts';

export async function analyzeInWorker(
  input: AnalysisInput,
  params: AnalysisParams,
  signal: AbortSignal,
): Promise<AnalysisResult> {
  const worker = new Worker(new URL('./analysis.worker.ts', import.meta.url), {
    type: 'module',
    name: 'quaywatch-analysis',
  });
  const api = Comlink.wrap<AnalysisWorkerApi>(worker);
  const stop = (): void => {
    api[Comlink.releaseProxy]();
    worker.terminate();
  };
  try {
    return await new Promise<AnalysisResult>((resolve, reject) => {
      const onAbort = (): void => {
        reject(new DOMException('Analysis was cancelled', 'AbortError'));
      };
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      worker.addEventListener('error', (event) => {
        event.preventDefault();
        reject(new Error(`The analysis crashed${event.message ? `: ${event.message}` : ''}`));
      });
      const transfer = [...input.before, ...input.after].map((band) => band.buffer as ArrayBuffer);
      api
        .analyze(Comlink.transfer(input, [...transfer, input.valid.buffer as ArrayBuffer]), params)
        .then(resolve, (error: unknown) => {
          reject(error instanceof Error ? error : new Error(String(error)));
        });
    });
  } finally {
    stop();
  }
}
