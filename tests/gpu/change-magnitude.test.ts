import { describe, expect, test } from 'vitest';
import { changeLevelsPerDn, changeMagnitudeCpu } from '../../src/core/analysis/change-magnitude.ts';
import { Random } from '../../src/core/random.ts';
import { changeMagnitudeGpu } from '../../src/gpu/change-magnitude.ts';
import { withDevice } from '../support/gpu-test.ts';

// Exact equality: max, one correctly rounded f32 product, floor and min.
describe('change-magnitude.wgsl against its CPU twin', () => {
  test('hand-computed levels at and around the threshold, saturation, odd lengths', async () => {
    await withDevice(async (device) => {
      const levelsPerDn = changeLevelsPerDn({ changeBefore: 20, changeAfter: 40 });
      const after = Float32Array.from([0, 40, 10, 39.99, 500, 0, 1e30]);
      const before = Float32Array.from([0, 0, 20, 0, 0, 80, 0]);
      const gpu = await changeMagnitudeGpu(device, after, before, levelsPerDn);
      expect(Array.from(gpu)).toEqual([0, 64, 32, 63, 255, 128, 255]);
      expect(Array.from(changeMagnitudeCpu(after, before, levelsPerDn))).toEqual(Array.from(gpu));
    });
  });

  for (const [pixels, thresholdDn] of [
    [257 * 129, 30],
    [1024 * 1024 + 3, 7.3],
  ] as const) {
    test(`${pixels} random pixels, threshold ${thresholdDn} DN`, async () => {
      await withDevice(async (device) => {
        const random = new Random(pixels);
        const levelsPerDn = changeLevelsPerDn({ changeBefore: thresholdDn, changeAfter: 1 });
        // Scores on exact level edges too (k / levelsPerDn), where a division would flip.
        const score = (): number =>
          random.next() < 0.3
            ? Math.fround(random.int(0, 300) / levelsPerDn)
            : random.next() * 5 * thresholdDn;
        const after = Float32Array.from({ length: pixels }, score);
        const before = Float32Array.from({ length: pixels }, score);
        const gpu = await changeMagnitudeGpu(device, after, before, levelsPerDn);
        const cpu = changeMagnitudeCpu(after, before, levelsPerDn);
        expect(gpu.length).toBe(cpu.length);
        expect(gpu.findIndex((value, i) => value !== cpu[i])).toBe(-1);
      });
    });
  }
});
