import { beforeAll, describe, expect, test } from 'vitest';
import {
  analyzePairCpu,
  CpuStageMemo,
  type AnalysisInput,
  type AnalysisResult,
} from '../../src/core/analysis/cpu-pipeline.ts';
import { DEFAULT_ANALYSIS_PARAMS, type AnalysisParams } from '../../src/core/analysis/params.ts';
import { analysisInput, prepareScene, sceneSpecs } from '../../scripts/accuracy.ts';

/** A memo that lists the stages it computed (not reused) in each run. */
class RecordingMemo extends CpuStageMemo {
  computed: string[] = [];
  override stage<T>(
    input: AnalysisInput,
    name: string,
    deps: readonly unknown[],
    compute: () => T,
  ): T {
    return super.stage(input, name, deps, () => {
      this.computed.push(name);
      return compute();
    });
  }
}

/** What a run reports and draws: every pier's numbers and every mask. */
function outcome(result: AnalysisResult): unknown {
  return {
    rois: result.rois,
    masks: (Object.values(result.masks) as Uint8Array[]).map((mask) => Array.from(mask)),
    thresholds: result.thresholdsDn,
    roiIndex: Array.from(result.roiIndex),
  };
}

let input: AnalysisInput;

beforeAll(async () => {
  const spec = sceneSpecs(311, 1, 320, 240)[0];
  if (spec === undefined) throw new Error('no scene spec');
  input = analysisInput(await prepareScene(spec));
}, 60_000);

describe('CPU stage memo', () => {
  const ALL = [
    'roi raster',
    'sharpness match',
    'normalize',
    'smooth',
    'surface',
    'texture',
    'change',
  ];

  test('a parameter change reruns the stages that read it, and the result equals a fresh run', () => {
    const memo = new RecordingMemo();
    const steps: { change: Partial<AnalysisParams>; computed: string[] }[] = [
      { change: {}, computed: ALL },
      // After the stages kept: thresholds, morphology, areas.
      { change: { thresholdDn: 22, openRadiusPx: 1, minAreaM2: 30 }, computed: [] },
      { change: { thresholdDn: 22, blurRadiusPx: 2 }, computed: ['smooth', 'surface', 'change'] },
      { change: { thresholdDn: 22, blurRadiusPx: 2, textureRadiusPx: 3 }, computed: ['texture'] },
      {
        change: { invariantPct: 40 },
        computed: ['normalize', 'smooth', 'surface', 'texture', 'change'],
      },
      { change: { invariantPct: 40, matchRadiusPx: 2 }, computed: ['change'] },
      {
        change: { invariantPct: 40, matchRadiusPx: 2, sharpnessMatching: 'off' },
        computed: ALL.slice(1),
      },
    ];
    for (const { change, computed } of steps) {
      const params = { ...DEFAULT_ANALYSIS_PARAMS, ...change };
      memo.computed = [];
      const kept = analyzePairCpu(input, params, memo);
      expect(memo.computed, JSON.stringify(change)).toEqual(computed);
      expect(outcome(kept)).toEqual(outcome(analyzePairCpu(input, params)));
    }
  });

  test('another input (even with equal pixels) starts over', () => {
    const memo = new RecordingMemo();
    analyzePairCpu(input, DEFAULT_ANALYSIS_PARAMS, memo);
    memo.computed = [];
    analyzePairCpu({ ...input }, DEFAULT_ANALYSIS_PARAMS, memo);
    expect(memo.computed).toEqual(ALL);
  });

  test('a result handed over (its roiIndex detached) leaves the memo intact', () => {
    const memo = new CpuStageMemo();
    const first = analyzePairCpu(input, DEFAULT_ANALYSIS_PARAMS, memo);
    const expected = outcome(first);
    // What a worker's transfer does to the buffers it hands over.
    structuredClone(first.roiIndex.buffer, { transfer: [first.roiIndex.buffer] });
    expect(first.roiIndex.length).toBe(0);
    expect(outcome(analyzePairCpu(input, DEFAULT_ANALYSIS_PARAMS, memo))).toEqual(expected);
  });
});
