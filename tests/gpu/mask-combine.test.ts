import { describe, expect, test } from 'vitest';
import { combineMasksCpu, type MaskCombine } from '../../src/core/mask-combine.ts';
import { Random } from '../../src/core/random.ts';
import { combineMasksGpu } from '../../src/gpu/mask-combine.ts';
import { withDevice } from '../support/gpu-test.ts';

// Exact equality: masks are integers.
describe('mask-combine.wgsl against its CPU twin', () => {
  test('hand-computed truth table, nonzero bytes count as set', async () => {
    await withDevice(async (device) => {
      const a = new Uint8Array([0, 0, 1, 7]);
      const b = new Uint8Array([0, 255, 0, 1]);
      expect(Array.from(await combineMasksGpu(device, a, b, 'and'))).toEqual([0, 0, 0, 1]);
      expect(Array.from(await combineMasksGpu(device, a, b, 'or'))).toEqual([0, 1, 1, 1]);
      expect(Array.from(combineMasksCpu(a, b, 'and'))).toEqual([0, 0, 0, 1]);
      expect(Array.from(combineMasksCpu(a, b, 'or'))).toEqual([0, 1, 1, 1]);
      expect(Array.from(await combineMasksGpu(device, a, b, 'andNot'))).toEqual([0, 0, 1, 0]);
      expect(Array.from(combineMasksCpu(a, b, 'andNot'))).toEqual([0, 0, 1, 0]);
    });
  });

  for (const [pixels, operation] of [
    [1, 'and'],
    [257 * 129, 'or'],
    [1024 * 1024, 'and'],
    [301 * 77, 'andNot'],
  ] as [number, MaskCombine][]) {
    test(`${pixels} random pixels, ${operation}`, async () => {
      await withDevice(async (device) => {
        const random = new Random(pixels);
        const a = new Uint8Array(pixels).map(() => (random.next() < 0.5 ? 1 : 0));
        const b = new Uint8Array(pixels).map(() => (random.next() < 0.5 ? 1 : 0));
        const gpu = await combineMasksGpu(device, a, b, operation);
        const cpu = combineMasksCpu(a, b, operation);
        expect(gpu.length).toBe(cpu.length);
        const firstMismatch = gpu.findIndex((value, i) => value !== cpu[i]);
        expect(firstMismatch).toBe(-1);
        if (pixels > 1) expect(cpu.some((value) => value === 1)).toBe(true);
      });
    });
  }
});
