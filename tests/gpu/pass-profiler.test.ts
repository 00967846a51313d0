/**
 * PassProfiler: GPU time per compute pass while one is attached (the
 * benchmarks' QW_BENCH_PROFILE). Durations are not compared with
 * expectations; the checks are on which passes are recorded, in what order
 * and under which labels, that profiling leaves results unchanged, that a
 * full query set skips and counts passes instead of failing, and that
 * detaching stops the recording.
 */
import { describe, expect, test } from 'vitest';
import { labelComponentsCpu } from '../../src/core/ccl.ts';
import { Random } from '../../src/core/random.ts';
import { CCL_DISPATCHES, labelComponentsGpu } from '../../src/gpu/ccl.ts';
import { isProfiling, PassProfiler, passTimesByLabel } from '../../src/gpu/pass-profiler.ts';
import { withDevice } from '../support/gpu-test.ts';
import { randomMask } from '../support/masks.ts';

describe('per-pass GPU time (PassProfiler)', () => {
  test('labelling under a profiler: one timed pass per dispatch, in order, and the same labels', async (context) => {
    await withDevice(async (device) => {
      if (!device.features.has('timestamp-query'))
        context.skip('this adapter has no timestamp-query');
      const [width, height] = [97, 61];
      const mask = randomMask(new Random(7), width, height, 0.45);
      const profiler = PassProfiler.attach(device);
      expect(profiler).not.toBeNull();
      if (profiler === null) return;
      expect(isProfiling(device)).toBe(true);
      expect(() => PassProfiler.attach(device)).toThrow(/already has a pass profiler/);
      const profiled = await labelComponentsGpu(device, mask, width, height);
      expect(profiler.pendingPasses).toBe(CCL_DISPATCHES.length);
      const { passes, skipped } = await profiler.read();
      expect(profiler.pendingPasses).toBe(0);
      profiler.detach();
      expect(isProfiling(device)).toBe(false);

      expect(skipped).toBe(0);
      expect(passes.map((pass) => pass.label)).toEqual(
        CCL_DISPATCHES.map((dispatch) => `connected components: ${dispatch}`),
      );
      expect(passes.every((pass) => Number.isFinite(pass.ms) && pass.ms >= 0)).toBe(true);
      // Real timestamps: the labelling took some GPU time (a clamped or unwritten set reads 0).
      expect(passes.reduce((sum, pass) => sum + pass.ms, 0)).toBeGreaterThan(0);
      // Split into passes, the labelling gives the CPU twin's labels all the same.
      const cpu = labelComponentsCpu(mask, width, height);
      expect(profiled.count).toBe(cpu.count);
      expect(Array.from(profiled.labels)).toEqual(Array.from(cpu.labels));

      // Detached: nothing more is recorded, it cannot be read, and a new profiler starts empty.
      await labelComponentsGpu(device, mask, width, height);
      expect(profiler.pendingPasses).toBe(0);
      await expect(profiler.read()).rejects.toThrow(/detached/);
      const again = PassProfiler.attach(device);
      expect(again).not.toBeNull();
      expect((await again?.read())?.passes).toEqual([]);
      again?.detach();
    });
  });

  test('a full query set skips and counts the passes past it; reads start over', async (context) => {
    await withDevice(async (device) => {
      if (!device.features.has('timestamp-query'))
        context.skip('this adapter has no timestamp-query');
      const mask = randomMask(new Random(3), 40, 30, 0.5);
      const profiler = PassProfiler.attach(device, 4);
      if (profiler === null) throw new Error('no profiler despite timestamp-query');
      await labelComponentsGpu(device, mask, 40, 30);
      const first = await profiler.read();
      expect(first.passes.map((pass) => pass.label)).toEqual(
        CCL_DISPATCHES.slice(0, 4).map((dispatch) => `connected components: ${dispatch}`),
      );
      expect(first.skipped).toBe(CCL_DISPATCHES.length - 4);
      await labelComponentsGpu(device, mask, 40, 30);
      const second = await profiler.read();
      expect(second.passes).toHaveLength(4);
      expect(second.skipped).toBe(CCL_DISPATCHES.length - 4);
      profiler.detach();
      expect(() => PassProfiler.attach(device, 0)).toThrow(/1 to 2048 passes/);
      expect(isProfiling(device)).toBe(false);
    });
  });

  test('passTimesByLabel sums by label, counts passes and ranks by total', () => {
    expect(
      passTimesByLabel([
        { label: 'blur', ms: 1 },
        { label: 'labelling', ms: 2.5 },
        { label: 'blur', ms: 2 },
        { label: 'pack', ms: 0.25 },
      ]),
    ).toEqual([
      { label: 'blur', ms: 3, count: 2 },
      { label: 'labelling', ms: 2.5, count: 1 },
      { label: 'pack', ms: 0.25, count: 1 },
    ]);
  });
});
