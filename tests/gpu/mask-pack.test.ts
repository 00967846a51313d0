import { describe, expect, test } from 'vitest';
import { packMaskCpu } from '../../src/core/mask-combine.ts';
import { Random } from '../../src/core/random.ts';
import { packMaskGpu } from '../../src/gpu/mask-pack.ts';
import { withDevice } from '../support/gpu-test.ts';

// Exact equality: one 0/1 byte per pixel, whatever the nonzero word was.
describe('mask-pack.wgsl against its CPU twin', () => {
  test('hand-computed: nonzero words give 1, lengths not a multiple of four', async () => {
    await withDevice(async (device) => {
      const mask = new Uint32Array([0, 1, 7, 0, 0xffffffff, 0, 2]);
      const packed = await packMaskGpu(device, mask);
      expect(Array.from(packed)).toEqual([0, 1, 1, 0, 1, 0, 1]);
      expect(Array.from(packMaskCpu(mask))).toEqual([0, 1, 1, 0, 1, 0, 1]);
      expect(Array.from(await packMaskGpu(device, new Uint32Array([5])))).toEqual([1]);
    });
  });

  for (const pixels of [257 * 129, 1024 * 1024 + 3]) {
    test(`${pixels} random pixels`, async () => {
      await withDevice(async (device) => {
        const random = new Random(pixels);
        const mask = new Uint32Array(pixels).map(() =>
          random.next() < 0.5 ? random.int(1, 9) : 0,
        );
        const gpu = await packMaskGpu(device, mask);
        const cpu = packMaskCpu(mask);
        expect(gpu.length).toBe(cpu.length);
        expect(gpu.findIndex((value, i) => value !== cpu[i])).toBe(-1);
      });
    });
  }
});
