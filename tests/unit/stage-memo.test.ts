import { beforeAll, describe, expect, test } from 'vitest';
import {
  analyzePairCpu,
  analyzePairCpuSteps,
  CPU_STAGE_COUNT,
  CPU_STEP_COUNT,
  CpuStageMemo,
  type AnalysisInput,
  type AnalysisResult,
} from '../../src/core/analysis/cpu-pipeline.ts';
import { DEFAULT_ANALYSIS_PARAMS, type AnalysisParams } from '../../src/core/analysis/params.ts';
import { analysisInput, prepareScene, sceneSpecs } from '../../scripts/accuracy.ts';

/** What a run reports and draws: every pier's numbers and every mask. */
function outcome(result: AnalysisResult): unknown {
  return {
    rois: result.rois,
    masks: (Object.values(result.masks) as Uint8Array[]).map((mask) => Array.from(mask)),
    thresholds: result.thresholdsDn,
    normalization: result.normalization,
    changeMagnitude: Array.from(result.changeMagnitude.levels),
    roiIndex: Array.from(result.roiIndex),
  };
}

let input: AnalysisInput;
/** A part of `input` holding containers at both dates, for the tests that run often. */
let part: AnalysisInput;

/** The window [x0, x0 + w) × [y0, y0 + h) of an input, its ROIs moved with it. */
function crop(whole: AnalysisInput, x0: number, y0: number, w: number, h: number): AnalysisInput {
  const cut = <T extends Float32Array | Uint8Array>(band: T): T => {
    const out = new (band.constructor as new (length: number) => T)(w * h);
    for (let y = 0; y < h; y++) {
      out.set(
        band.subarray((y0 + y) * whole.widthPx + x0, (y0 + y) * whole.widthPx + x0 + w),
        y * w,
      );
    }
    return out;
  };
  return {
    ...whole,
    widthPx: w,
    heightPx: h,
    before: whole.before.map(cut),
    after: whole.after.map(cut),
    valid: cut(whole.valid),
    rois: whole.rois.map((roi) => ({
      ...roi,
      rings: roi.rings.map((ring) => ring.map(([x, y]): [number, number] => [x - x0, y - y0])),
    })),
  };
}

beforeAll(async () => {
  const spec = sceneSpecs(311, 1, 400, 300)[0];
  if (spec === undefined) throw new Error('no scene spec');
  input = analysisInput(await prepareScene(spec));
  part = crop(input, 100, 75, 200, 150);
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

  test('a parameter change reruns the stages that read it', () => {
    const memo = new CpuStageMemo();
    // Each step adds to the one before it.
    const steps: { change: Partial<AnalysisParams>; computed: string[] }[] = [
      { change: {}, computed: ALL },
      // Stage 9 only: the cleaned masks are kept.
      { change: { minAreaM2: 30, fillFactor: 0.9 }, computed: [] },
      // The occupied masks read the change too (unchangedChangeFraction).
      { change: { changeThresholdDn: 40 }, computed: [...CLEAN, 'clean change'] },
      { change: { unchangedChangeFraction: 0.5 }, computed: CLEAN },
      { change: { thresholdDn: 22 }, computed: ['occupancy', ...CLEAN] },
      { change: { openRadiusPx: 1 }, computed: [...CLEAN, 'clean change'] },
      { change: { thresholdMode: 'otsu' }, computed: [...CLEAN, 'clean change'] },
      {
        change: { blurRadiusPx: 2 },
        computed: ['smooth', 'surface', 'occupancy', 'change', ...CLEAN, 'clean change'],
      },
      { change: { textureRadiusPx: 3 }, computed: ['texture', 'occupancy', ...CLEAN] },
      { change: { invariantPct: 40 }, computed: ALL.slice(2) },
      { change: { matchRadiusPx: 2 }, computed: ['change', ...CLEAN, 'clean change'] },
      { change: { sharpnessMatching: 'off' }, computed: ALL.slice(1) },
    ];
    let params = DEFAULT_ANALYSIS_PARAMS;
    for (const { change, computed } of steps) {
      params = { ...params, ...change };
      analyzePairCpu(input, params, memo);
      expect(memo.computed, JSON.stringify(change)).toEqual(computed);
    }
  });

  test('every parameter changed alone, on a memo of the defaults, gives the result of a fresh run', () => {
    // Another valid value for every field, chosen to change something where it can.
    const other: { [K in keyof AnalysisParams]: AnalysisParams[K] } = {
      normalizeLowPct: 5,
      normalizeHighPct: 95,
      invariantPct: 30,
      sharpnessMatching: 'off',
      blurRadiusPx: 0,
      matchRadiusPx: 2,
      thresholdMode: 'otsu',
      thresholdDn: 20,
      brightnessWeight: 1,
      textureThresholdDn: 0,
      textureRadiusPx: 1,
      changeThresholdDn: 20,
      unchangedChangeFraction: 0.8,
      shadowHandling: 'off',
      shadowMinLumRatio: 0.4,
      shadowMaxLumRatio: 0.8,
      shadowChromaTolerance: 0.05,
      openRadiusPx: 1,
      closeRadiusPx: 1,
      maxHoleM2: 20,
      minAreaM2: 20,
      fillFactor: 0.8,
      teuFootprintM2: 29.5,
      fillFactorSpread: 0.2,
    };
    expect(Object.keys(other).sort()).toEqual(Object.keys(DEFAULT_ANALYSIS_PARAMS).sort());
    const memo = new CpuStageMemo();
    const first = analyzePairCpu(part, DEFAULT_ANALYSIS_PARAMS, memo);
    // The part holds containers at both dates, and some that changed.
    for (const mask of [first.masks.before, first.masks.after, first.masks.change]) {
      expect(mask.reduce((sum, v) => sum + v, 0)).toBeGreaterThan(500);
    }
    // Each field against the defaults (alternating two changed fields would hide
    // a missing key wherever the other field reruns the same stage).
    for (const key of Object.keys(other) as (keyof AnalysisParams)[]) {
      analyzePairCpu(part, DEFAULT_ANALYSIS_PARAMS, memo);
      const params = { ...DEFAULT_ANALYSIS_PARAMS, [key]: other[key] };
      expect(outcome(analyzePairCpu(part, params, memo)), key).toEqual(
        outcome(analyzePairCpu(part, params)),
      );
    }
  });

  test('stopped between steps (as a worker stops a stale run), a run leaves what it finished to the next', () => {
    expect(ALL).toHaveLength(CPU_STAGE_COUNT);
    const memo = new CpuStageMemo();
    const steps = analyzePairCpuSteps(part, DEFAULT_ANALYSIS_PARAMS, memo);
    const done: string[] = [];
    for (let step = steps.next(); step.done !== true; step = steps.next()) {
      done.push(step.value);
      if (step.value === 'change') break;
    }
    steps.return(undefined as never);
    // Up to 'change', a step is a stage.
    expect(done).toEqual(ALL.slice(0, 8));
    // A whole run yields after every step but the last (the app counts them out of CPU_STEP_COUNT).
    expect([...analyzePairCpuSteps(part, DEFAULT_ANALYSIS_PARAMS)]).toHaveLength(
      CPU_STEP_COUNT - 1,
    );
    expect(memo.computed).toEqual(ALL.slice(0, 8));
    // The next run, with a threshold moved meanwhile, computes only what is left or changed.
    const moved = { ...DEFAULT_ANALYSIS_PARAMS, thresholdDn: 24 };
    const result = analyzePairCpu(part, moved, memo);
    expect(memo.computed).toEqual(['occupancy', ...CLEAN, 'clean change']);
    expect(outcome(result)).toEqual(outcome(analyzePairCpu(part, moved)));
  });

  test('another input (even with equal pixels) starts over', () => {
    const memo = new CpuStageMemo();
    analyzePairCpu(input, DEFAULT_ANALYSIS_PARAMS, memo);
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
