/**
 * analyzePairGpu against analyzePairCpu on one small generated port scene
 * (400 × 300 px at 0.6 m, after image with its own gain, haze, sun and
 * misregistration; a strip without after data), both threshold modes; and
 * a hand-made ring of boxes around a block that stood (the appeared mask's
 * holes fill only off the before mask).
 *
 * Tolerances: floats may flip a few pixels at a threshold (fused multiply–add,
 * a few ULP in division and square root on real GPUs), so
 * - per-ROI TEU (before, after, appeared, disappeared): |gpu − cpu| ≤
 *   max(TEU_TOLERANCE, TEU_RELATIVE_TOLERANCE · cpu);
 * - thresholds: within THRESHOLD_TOLERANCE_DN (Otsu picks a bin edge; a
 *   flipped pixel may move it one bin);
 * - every mask: at most MAX_MASK_DIFF_SHARE of the pixels differ;
 * - change magnitude (a byte per pixel): where both used the same change
 *   thresholds, every level within 1 (a change score an ULP apart may cross a
 *   level edge) and at most MAX_MASK_DIFF_SHARE of the levels differ at all;
 *   where Otsu picked other thresholds, compared in DN within one level plus
 *   what the other scale moves a saturated level (255 · |Δ DN per level|).
 * Each run logs the actual differences (on SwiftShader they are 0).
 *
 * Exact check: a mask's per-ROI estimate (area, rim, blobs, TEU and range)
 * is a function of its kept mask alone (a kept pixel's 4-neighbours in the
 * mask are in its component, so kept too), so wherever GPU and CPU kept
 * masks agree the estimates must agree bit for bit: stages 8b and 9 on the
 * GPU compute the CPU's integers. (Stage 4's exactness given equal bands is
 * tests/gpu/surface.test.ts; here the normalization's f32 sums may move the
 * after bands by an ULP, so the medians are compared within the tolerance.)
 */
import { describe, expect, test } from 'vitest';
import {
  analyzePairCpu,
  type AnalysisInput,
  type AnalysisResult,
} from '../../src/core/analysis/cpu-pipeline.ts';
import { DEFAULT_ANALYSIS_PARAMS, type AnalysisParams } from '../../src/core/analysis/params.ts';
import type { PixelPolygon } from '../../src/core/analysis/roi-raster.ts';
import { readBuffer } from '../../src/gpu/buffers.ts';
import { PassProfiler, passTimesByLabel } from '../../src/gpu/pass-profiler.ts';
import { analyzePairGpu, prepareGpuInput } from '../../src/gpu/pipeline.ts';
import { makeInput } from '../support/generated-port.ts';
import { withDevice } from '../support/gpu-test.ts';

const TEU_TOLERANCE = 0.5;
const TEU_RELATIVE_TOLERANCE = 0.01;
const THRESHOLD_TOLERANCE_DN = 1;
const MAX_MASK_DIFF_SHARE = 1e-3;

function countDifferent(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

function compare(gpu: AnalysisResult, cpu: AnalysisResult, pixelCount: number): void {
  const teuDiffs: string[] = [];
  let worstTeu = 0;
  expect(gpu.rois.map((r) => r.name)).toEqual(cpu.rois.map((r) => r.name));
  cpu.rois.forEach((c, k) => {
    const g = gpu.rois[k];
    if (g === undefined) throw new Error(`no GPU result for ${c.name}`);
    for (const key of ['before', 'after', 'appeared', 'disappeared'] as const) {
      const diffTeu = Math.abs(g[key].teu - c[key].teu);
      worstTeu = Math.max(worstTeu, diffTeu);
      teuDiffs.push(`${c.name} ${key} ${c[key].teu.toFixed(2)}/${g[key].teu.toFixed(2)}`);
      expect(diffTeu).toBeLessThanOrEqual(
        Math.max(TEU_TOLERANCE, TEU_RELATIVE_TOLERANCE * c[key].teu),
      );
    }
    for (let b = 0; b < 3; b++) {
      expect(g.surfaceBefore[b]).toBeCloseTo(c.surfaceBefore[b] ?? Number.NaN, 2);
      expect(g.surfaceAfter[b]).toBeCloseTo(c.surfaceAfter[b] ?? Number.NaN, 2);
    }
  });
  for (const key of ['before', 'after', 'changeBefore', 'changeAfter'] as const) {
    expect(Math.abs(gpu.thresholdsDn[key] - cpu.thresholdsDn[key])).toBeLessThanOrEqual(
      THRESHOLD_TOLERANCE_DN,
    );
  }
  gpu.normalization.forEach((band, b) => {
    const c = cpu.normalization[b];
    expect(band.gain).toBeCloseTo(c?.gain ?? Number.NaN, 3);
    expect(band.offset).toBeCloseTo(c?.offset ?? Number.NaN, 1);
  });
  const maskDiffs: string[] = [];
  for (const key of Object.keys(cpu.masks) as (keyof AnalysisResult['masks'])[]) {
    const different = countDifferent(gpu.masks[key], cpu.masks[key]);
    maskDiffs.push(`${key} ${different}`);
    expect(different).toBeLessThanOrEqual(MAX_MASK_DIFF_SHARE * pixelCount);
  }
  expect(Array.from(gpu.roiIndex)).toEqual(Array.from(cpu.roiIndex));
  const magnitudeDiff = compareChangeMagnitude(gpu, cpu, pixelCount);
  maskDiffs.push(`changeMagnitude ${magnitudeDiff}`);
  const estimates = ['before', 'after', 'appeared', 'disappeared'] as const;
  for (const key of estimates) {
    if (countDifferent(gpu.masks[key], cpu.masks[key]) !== 0) continue;
    expect(gpu.rois.map((roi) => roi[key])).toEqual(cpu.rois.map((roi) => roi[key]));
  }
  console.info(
    `GPU vs CPU: worst |ΔTEU| ${worstTeu.toFixed(3)}; TEU cpu/gpu: ${teuDiffs.join(', ')}; ` +
      `differing mask pixels: ${maskDiffs.join(', ')}; thresholds cpu ${JSON.stringify(cpu.thresholdsDn)} gpu ${JSON.stringify(gpu.thresholdsDn)}`,
  );
}

/** Checks the change magnitudes (tolerance in the header); returns how many levels differ. */
function compareChangeMagnitude(gpu: AnalysisResult, cpu: AnalysisResult, pixelCount: number) {
  const g = gpu.changeMagnitude;
  const c = cpu.changeMagnitude;
  expect(g.levels.length).toBe(pixelCount);
  expect(c.levels.length).toBe(pixelCount);
  // The scene changes: the comparison is not between two empty images.
  expect(c.levels.some((level) => level >= 64)).toBe(true);
  const sameScale = g.dnPerLevel === c.dnPerLevel;
  const toleranceDn =
    Math.max(g.dnPerLevel, c.dnPerLevel) + 255 * Math.abs(g.dnPerLevel - c.dnPerLevel);
  let different = 0;
  let worst = 0;
  for (let i = 0; i < pixelCount; i++) {
    const gl = g.levels[i] ?? 0;
    const cl = c.levels[i] ?? 0;
    if (gl !== cl) different++;
    worst = Math.max(
      worst,
      sameScale ? Math.abs(gl - cl) : Math.abs(gl * g.dnPerLevel - cl * c.dnPerLevel),
    );
  }
  if (sameScale) {
    expect(worst).toBeLessThanOrEqual(1);
    expect(different).toBeLessThanOrEqual(MAX_MASK_DIFF_SHARE * pixelCount);
  } else {
    expect(worst).toBeLessThanOrEqual(toleranceDn);
  }
  return different;
}

describe('analyzePairGpu on a generated port scene', () => {
  const input = makeInput();
  const pixelCount = input.widthPx * input.heightPx;
  const cases: readonly [string, AnalysisParams][] = [
    ['manual thresholds (defaults)', DEFAULT_ANALYSIS_PARAMS],
    ['Otsu thresholds', { ...DEFAULT_ANALYSIS_PARAMS, thresholdMode: 'otsu' }],
  ];
  // The CPU pipeline on `input`, run once per parameter object (the tests share them).
  const cpuResults = new Map<AnalysisParams, AnalysisResult>();
  const cpuOn = (params: AnalysisParams): AnalysisResult => {
    let result = cpuResults.get(params);
    if (result === undefined) {
      result = analyzePairCpu(input, params);
      cpuResults.set(params, result);
    }
    return result;
  };
  const timed = async (
    device: GPUDevice,
    what: string,
    params: AnalysisParams,
  ): Promise<AnalysisResult> => {
    const started = performance.now();
    const gpu = await analyzePairGpu(device, input, params);
    console.info(
      `analyzePairGpu ${what}: ${(performance.now() - started).toFixed(0)} ms; ` +
        JSON.stringify(gpu.timingsMs, (_, v: unknown) =>
          typeof v === 'number' ? Math.round(v) : v,
        ),
    );
    return gpu;
  };
  for (const [what, params] of cases) {
    test(`${what}: per-ROI TEU and masks match the CPU pipeline`, async () => {
      const cpu = cpuOn(params);
      await withDevice(async (device) => {
        const gpu = await timed(device, what, params);
        compare(gpu, cpu, pixelCount);
      });
    });
  }

  test('a second run on the same device (a slider move) with stages switched off matches too', async () => {
    // No blur, no opening or closing (the raw masks only unpacked and clipped), no hole
    // filling, no minimum area, a lower threshold: the stages the first run had are
    // skipped or re-parameterized.
    const moved: AnalysisParams = {
      ...DEFAULT_ANALYSIS_PARAMS,
      blurRadiusPx: 0,
      openRadiusPx: 0,
      closeRadiusPx: 0,
      maxHoleM2: 0,
      minAreaM2: 0,
      thresholdDn: DEFAULT_ANALYSIS_PARAMS.thresholdDn - 5,
    };
    const cpu = analyzePairCpu(input, moved);
    await withDevice(async (device) => {
      await timed(device, 'defaults (first run)', DEFAULT_ANALYSIS_PARAMS);
      const gpu = await timed(device, 'moved (second run)', moved);
      compare(gpu, cpu, pixelCount);
    });
  });

  test('sharpness matching (stage 1b) softens the same date as on the CPU', async () => {
    // The after image carries 0.22 px² more blur: the before bands are softened.
    const softer: AnalysisInput = { ...input, afterBlurExcessPx2: 0.22 };
    const cpu = analyzePairCpu(softer, DEFAULT_ANALYSIS_PARAMS);
    const cpuUnmatched = cpuOn(DEFAULT_ANALYSIS_PARAMS);
    await withDevice(async (device) => {
      const matched = await analyzePairGpu(device, softer, DEFAULT_ANALYSIS_PARAMS);
      compare(matched, cpu, pixelCount);
      // The comparison can fail: without the stage the masks are further from the CPU's.
      const distance = (a: AnalysisResult, b: AnalysisResult): number =>
        (['before', 'after', 'appeared', 'disappeared'] as const).reduce(
          (sum, key) => sum + countDifferent(a.masks[key], b.masks[key]),
          0,
        );
      expect(distance(matched, cpu)).toBeLessThan(distance(matched, cpuUnmatched));
    });
  });

  test('a prepared input serves several runs, sharpness matching included, and stays as uploaded', async () => {
    // 0.22 px² more blur after: each run softens the before bands, into buffers of its own.
    const softer: AnalysisInput = { ...input, afterBlurExcessPx2: 0.22 };
    const runs: AnalysisParams[] = [
      DEFAULT_ANALYSIS_PARAMS,
      { ...DEFAULT_ANALYSIS_PARAMS, thresholdMode: 'otsu' },
      DEFAULT_ANALYSIS_PARAMS,
    ];
    await withDevice(async (device) => {
      const prepared = prepareGpuInput(device, softer);
      // A fresh run per parameter object: the third run repeats the first's.
      const freshRuns = new Map<AnalysisParams, AnalysisResult>();
      try {
        for (const params of runs) {
          const reused = await analyzePairGpu(device, softer, params, { prepared });
          const fresh = freshRuns.get(params) ?? (await analyzePairGpu(device, softer, params));
          freshRuns.set(params, fresh);
          expect(reused.rois).toEqual(fresh.rois);
          for (const key of ['before', 'after', 'appeared', 'disappeared', 'change'] as const) {
            expect(countDifferent(reused.masks[key], fresh.masks[key]), key).toBe(0);
          }
        }
        const uploaded = new Float32Array(
          await readBuffer(device, prepared.before[0], pixelCount * 4),
        );
        const band = softer.before[0] ?? new Float32Array(0);
        expect(uploaded.every((value, i) => value === band[i])).toBe(true);
        await expect(
          analyzePairGpu(device, input, DEFAULT_ANALYSIS_PARAMS, { prepared }),
        ).rejects.toThrow(/another analysis input/);
      } finally {
        prepared.destroy();
      }
    });
  });

  test('piers that touch: blobs counted per group of ROIs, as on the CPU; apart: in one pass', async () => {
    // The first pier cut across its middle into two halves that share the cut,
    // so a blob over the cut lies in both (the CPU counts it in each).
    const [pier, ...others] = input.rois;
    const ring = pier?.rings[0];
    if (pier === undefined || ring?.length !== 4) throw new Error('a four-cornered pier expected');
    const [c0, c1, c2, c3] = ring as [
      readonly [number, number],
      readonly [number, number],
      readonly [number, number],
      readonly [number, number],
    ];
    const mid = (a: readonly [number, number], b: readonly [number, number]) =>
      [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2] as const;
    const halves: PixelPolygon[] = [
      { name: `${pier.name} a`, rings: [[c0, mid(c0, c1), mid(c2, c3), c3]] },
      { name: `${pier.name} b`, rings: [[mid(c0, c1), c1, c2, mid(c2, c3)]] },
    ];
    const split: AnalysisInput = { ...input, rois: [...halves, ...others] };
    const cpu = analyzePairCpu(split, DEFAULT_ANALYSIS_PARAMS);
    await withDevice(async (device) => {
      const prepared = prepareGpuInput(device, split);
      try {
        expect(prepared.componentsInOneRoi).toBe(false);
        // The demo's piers are apart: the other tests here run the one-pass count.
        const apart = prepareGpuInput(device, input);
        expect(apart.componentsInOneRoi).toBe(true);
        apart.destroy();
        const gpu = await analyzePairGpu(device, split, DEFAULT_ANALYSIS_PARAMS, { prepared });
        compare(gpu, cpu, pixelCount);
        // Some blob lies over the cut: the halves' blob counts exceed the whole pier's.
        const whole = cpuOn(DEFAULT_ANALYSIS_PARAMS).rois[0];
        const [a, b] = cpu.rois;
        expect((a?.before.blobs ?? 0) + (b?.before.blobs ?? 0)).toBeGreaterThan(
          whole?.before.blobs ?? Number.NaN,
        );
      } finally {
        prepared.destroy();
      }
    });
  });

  test('dispatches per run: as many for 40 piers apart as for 3; touching piers add the per-group blob passes', async (context) => {
    // 40 squares of 30 px in a grid, 6 px apart or touching.
    const squares = (gapPx: number): PixelPolygon[] =>
      Array.from({ length: 40 }, (_, k) => {
        const x = 20 + (k % 8) * (30 + gapPx);
        const y = 20 + Math.floor(k / 8) * (30 + gapPx);
        return {
          name: `square ${k + 1}`,
          rings: [
            [
              [x, y],
              [x + 30, y],
              [x + 30, y + 30],
              [x, y + 30],
            ],
          ],
        };
      });
    await withDevice(async (device) => {
      if (!device.features.has('timestamp-query'))
        context.skip('this adapter has no timestamp-query');
      const profiler = PassProfiler.attach(device);
      if (profiler === null) throw new Error('no profiler despite timestamp-query');
      const dispatches = async (rois: readonly PixelPolygon[]): Promise<Map<string, number>> => {
        await analyzePairGpu(device, { ...input, rois }, DEFAULT_ANALYSIS_PARAMS);
        const { passes, skipped } = await profiler.read();
        expect(skipped).toBe(0);
        return new Map(passTimesByLabel(passes).map(({ label, count }) => [label, count]));
      };
      try {
        const three = await dispatches(input.rois);
        const apart = await dispatches(squares(6));
        const touching = await dispatches(squares(0));
        expect(apart).toEqual(three);
        expect(three.get('component-estimate blobs at roots')).toBe(4);
        // Touching: per mask, two groups of 32 ROIs of two passes instead of the one pass.
        expect(touching.get('component-estimate blobs at roots')).toBeUndefined();
        expect(touching.get('component-estimate ROI bits')).toBe(8);
        expect(touching.get('component-estimate blobs')).toBe(8);
        const total = (counts: Map<string, number>): number =>
          [...counts.values()].reduce((sum, count) => sum + count, 0);
        expect(total(touching) - total(three)).toBe(12);
      } finally {
        profiler.detach();
      }
    });
  });

  test('boxes that came (went) around a block that stood: the appeared (disappeared) mask leaves the block out, as on the CPU', async () => {
    // A grey deck; a red 20 × 20 px block at both dates; at the after date a
    // blue ring 10 px wide around it. The appeared mask is the ring, and its
    // hole (the block, 100 m²) is under the 150 m² limit: hole filling must
    // leave it, since the block stood before (the before mask holds it).
    const size = 120;
    const n = size * size;
    const deck = [150, 148, 144];
    const band = (b: number, ring: boolean): Float32Array =>
      Float32Array.from({ length: n }, (_, i) => {
        const x = i % size;
        const y = (i - x) / size;
        const inBlock = x >= 50 && x < 70 && y >= 50 && y < 70;
        const inRing = ring && !inBlock && x >= 40 && x < 80 && y >= 40 && y < 80;
        // Deterministic texture so that the normalization has a spread to fit.
        const grain = ((x * 7 + y * 13) % 5) - 2;
        if (inBlock) return [170, 40, 36][b] ?? 0;
        if (inRing) return [38, 86, 150][b] ?? 0;
        return (deck[b] ?? 0) + grain;
      });
    const ringInput: AnalysisInput = {
      widthPx: size,
      heightPx: size,
      before: [0, 1, 2].map((b) => band(b, false)),
      after: [0, 1, 2].map((b) => band(b, true)),
      valid: new Uint8Array(n).fill(1),
      rois: [
        {
          name: 'Yard',
          rings: [
            [
              [10, 10],
              [110, 10],
              [110, 110],
              [10, 110],
            ],
          ],
        },
      ],
      pixelAreaM2: 0.25,
    };
    // The same with the dates swapped: the ring went, and the disappeared mask
    // leaves out the block that stayed (the after mask holds it).
    const goneInput: AnalysisInput = {
      ...ringInput,
      before: ringInput.after,
      after: ringInput.before,
    };
    const centre = 60 * size + 60;
    const cases = [
      { input: ringInput, key: 'appeared', standing: 'before' },
      { input: goneInput, key: 'disappeared', standing: 'after' },
    ] as const;
    const cpus = cases.map(({ input: caseInput, key, standing }) => {
      const cpu = analyzePairCpu(caseInput, DEFAULT_ANALYSIS_PARAMS);
      const ringPx = cpu.masks[key].reduce((sum, v) => sum + v, 0);
      // About the ring (40² − 20² = 1200 px; the closing rounds its inner
      // corners in), not the filled square (1600 px).
      expect(ringPx, key).toBeGreaterThan(1100);
      expect(ringPx, key).toBeLessThan(1400);
      expect(cpu.masks[key][centre], key).toBe(0);
      expect(cpu.masks[standing][centre], key).toBe(1);
      return cpu;
    });
    await withDevice(async (device) => {
      for (const [k, { input: caseInput, key }] of cases.entries()) {
        const cpu = cpus[k];
        if (cpu === undefined) throw new Error('internal: CPU result');
        const gpu = await analyzePairGpu(device, caseInput, DEFAULT_ANALYSIS_PARAMS);
        // A pixel or two may flip at a threshold on a real GPU (the header's
        // tolerances); the block left in or out is 300 px.
        expect(countDifferent(gpu.masks[key], cpu.masks[key]), key).toBeLessThanOrEqual(
          MAX_MASK_DIFF_SHARE * n,
        );
        expect(gpu.masks[key][centre], key).toBe(0);
        const diffTeu = Math.abs((gpu.rois[0]?.[key].teu ?? NaN) - (cpu.rois[0]?.[key].teu ?? NaN));
        expect(diffTeu, key).toBeLessThanOrEqual(TEU_TOLERANCE);
      }
    });
  });

  test('refuses invalid parameters before touching the GPU', async () => {
    await withDevice(async (device) => {
      await expect(
        analyzePairGpu(device, input, { ...DEFAULT_ANALYSIS_PARAMS, blurRadiusPx: -1 }),
      ).rejects.toThrow(/blurRadiusPx/);
    });
  });
});
