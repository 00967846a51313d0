// Browser tier: the CPU analysis worker protocol (analysis-client.ts, analysis.worker.ts)
// in a real browser: a stale run stops between steps and the next run starts from
// what the worker kept.
import { describe, expect, test } from 'vitest';
import { analyzePairCpu, type AnalysisResult } from '../../src/core/analysis/cpu-pipeline.ts';
import { DEFAULT_ANALYSIS_PARAMS } from '../../src/core/analysis/params.ts';
import { analyzeInWorker, releaseWorkerInput } from '../../src/ui/analysis-client.ts';
import { makeInput } from '../support/generated-port.ts';

/** What a run reports: every pier's numbers and the kept masks. */
function outcome(result: AnalysisResult): unknown {
  return {
    rois: result.rois,
    masks: (Object.values(result.masks) as Uint8Array[]).map((mask) => Array.from(mask)),
  };
}

describe('CPU analysis worker (latest run wins, stages kept)', () => {
  test('a run made stale after its first step stops; the next one keeps the input and the stages before the change', async () => {
    const input = makeInput();
    const first = await analyzeInWorker(
      input,
      DEFAULT_ANALYSIS_PARAMS,
      new AbortController().signal,
    );
    expect(first.inputKept).toBe(false);
    expect(first.stagesComputed).toHaveLength(13);

    // A smoothing change reruns most stages; it is cancelled as soon as it reports a step.
    const stale = new AbortController();
    const staleSteps: number[] = [];
    const staleRun = analyzeInWorker(
      input,
      { ...DEFAULT_ANALYSIS_PARAMS, blurRadiusPx: 2 },
      stale.signal,
      true,
      (done) => {
        staleSteps.push(done);
        stale.abort();
      },
    );
    await expect(staleRun).rejects.toMatchObject({ name: 'AbortError' });
    const params = { ...DEFAULT_ANALYSIS_PARAMS, blurRadiusPx: 2, thresholdDn: 24 };
    const latest = await analyzeInWorker(input, params, new AbortController().signal);
    expect(staleSteps.length).toBeGreaterThan(0);
    // Not killed: the worker still held the input and its stages up to normalization.
    expect(latest.inputKept).toBe(true);
    expect(latest.stagesComputed).not.toContain('roi raster');
    expect(latest.stagesComputed).not.toContain('normalize');
    expect(latest.stagesComputed).toContain('occupancy');
    expect(outcome(latest.result)).toEqual(outcome(analyzePairCpu(input, params)));
  });

  test('two runs sent back to back: the first is stale, the second answers; a forget drops the input', async () => {
    const input = makeInput();
    const signal = new AbortController().signal;
    await analyzeInWorker(input, DEFAULT_ANALYSIS_PARAMS, signal);
    // Not aborted by its caller, only superseded in the worker: still an AbortError.
    const superseded = analyzeInWorker(
      input,
      { ...DEFAULT_ANALYSIS_PARAMS, thresholdDn: 26 },
      signal,
    );
    const params = { ...DEFAULT_ANALYSIS_PARAMS, thresholdDn: 34 };
    const answered = analyzeInWorker(input, params, signal);
    await expect(superseded).rejects.toMatchObject({ name: 'AbortError' });
    const result = await answered;
    expect(result.inputKept).toBe(true);
    expect(outcome(result.result)).toEqual(outcome(analyzePairCpu(input, params)));

    releaseWorkerInput();
    const again = await analyzeInWorker(input, params, signal);
    expect(again.inputKept).toBe(false);
    expect(again.stagesComputed).toHaveLength(13);
  });
});
