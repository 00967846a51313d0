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
  const CLEAN = ['clean before', 'clean after', 'clean appeared', 'clean disappeared'];
  const ALL = [
    'roi raster',
    'sharpness match',
    'normalize',
    'smooth',
    'surface',
    'texture',
    'occupancy',
    'change',
    ...CLEAN,
    'clean change',
  ];

  test('a parameter change reruns the stages that read it, and the result equals a fresh run', () => {
    const memo = new RecordingMemo();
    // Each step adds to the one before it.
    const steps: { change: Partial<AnalysisParams>; computed: string[] }[] = [
      { change: {}, computed: ALL },
      // Stage 9 only: the cleaned masks are kept.
      { change: { minAreaM2: 30, fillFactor: 0.9 }, computed: [] },
      {
        change: { changeThresholdDn: 40 },
        computed: ['clean appeared', 'clean disappeared', 'clean change'],
      },
      { change: { thresholdDn: 22 }, computed: ['occupancy', ...CLEAN] },
      { change: { openRadiusPx: 1 }, computed: [...CLEAN, 'clean change'] },
      { change: { thresholdMode: 'otsu' }, computed: [...CLEAN, 'clean change'] },
      {
        change: { blurRadiusPx: 2 },
        computed: ['smooth', 'surface', 'occupancy', 'change', ...CLEAN, 'clean change'],
      },
      { change: { textureRadiusPx: 3 }, computed: ['texture', 'occupancy', ...CLEAN] },
      { change: { invariantPct: 40 }, computed: ALL.slice(2) },
      {
        change: { matchRadiusPx: 2 },
        computed: ['change', 'clean appeared', 'clean disappeared', 'clean change'],
      },
      { change: { sharpnessMatching: 'off' }, computed: ALL.slice(1) },
    ];
    let params = DEFAULT_ANALYSIS_PARAMS;
    for (const { change, computed } of steps) {
      params = { ...params, ...change };
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

  test('a result handed over (its masks and roiIndex detached) leaves the memo intact', () => {
    const memo = new CpuStageMemo();
    const first = analyzePairCpu(input, DEFAULT_ANALYSIS_PARAMS, memo);
    const expected = outcome(first);
    // What the worker's transfer does to the buffers it hands over.
    const masks = Object.values(first.masks) as Uint8Array[];
    const buffers = [...masks.map((mask) => mask.buffer), first.roiIndex.buffer];
    structuredClone(buffers, { transfer: buffers });
    expect(first.roiIndex.length).toBe(0);
    expect(first.masks.change.length).toBe(0);
    // Stage 9 only (the masks kept), then everything kept.
    const areaMoved = { ...DEFAULT_ANALYSIS_PARAMS, minAreaM2: 30 };
    expect(outcome(analyzePairCpu(input, areaMoved, memo))).toEqual(
      outcome(analyzePairCpu(input, areaMoved)),
    );
    expect(outcome(analyzePairCpu(input, DEFAULT_ANALYSIS_PARAMS, memo))).toEqual(expected);
  });
});
