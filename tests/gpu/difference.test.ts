import { describe, expect, test } from 'vitest';
import { differenceCpu, DIFFERENCE_PLANES, LUMA_WEIGHTS_RGB } from '../../src/core/difference.ts';
import { Random } from '../../src/core/random.ts';
import { differenceGpu } from '../../src/gpu/difference.ts';
import { withDevice } from '../support/gpu-test.ts';

/**
 * Tolerance per plane (stated in the kernel's CPU twin): plane 1 (max |d|) is
 * exact; planes 0 and 2 may differ by fused multiply-add and sqrt rounding, so
 * they must agree within 2⁻²⁰ of the larger of 1 and the input scale.
 */
function compare(
  gpu: Float32Array,
  cpu: Float32Array,
  pixelCount: number,
  inputScale: number,
): { worstLuma: number; worstCva: number } {
  expect(gpu.length).toBe(cpu.length);
  const tolerance = 2 ** -20 * Math.max(1, inputScale);
  let worstLuma = 0;
  let worstCva = 0;
  for (let i = 0; i < pixelCount; i++) {
    const maxGpu = gpu[pixelCount + i]!;
    const maxCpu = cpu[pixelCount + i]!;
    if (maxGpu !== maxCpu) {
      throw new Error(`max|d| differs at pixel ${i}: gpu ${maxGpu}, cpu ${maxCpu}`);
    }
    worstLuma = Math.max(worstLuma, Math.abs(gpu[i]! - cpu[i]!));
    worstCva = Math.max(worstCva, Math.abs(gpu[2 * pixelCount + i]! - cpu[2 * pixelCount + i]!));
  }
  expect(worstLuma).toBeLessThanOrEqual(tolerance);
  expect(worstCva).toBeLessThanOrEqual(tolerance);
  return { worstLuma, worstCva };
}

function randomImage(random: Random, samples: number, maxValue: number): Float32Array {
  const data = new Float32Array(samples);
  for (let i = 0; i < samples; i++) data[i] = Math.round(random.next() * maxValue);
  return data;
}

describe('difference.wgsl against its CPU twin', () => {
  test('hand-computed 2×1 RGB pair', async () => {
    await withDevice(async (device) => {
      // Pixel 0: +10 in red only. Pixel 1: −20 in every band.
      const before = new Float32Array([100, 50, 100, 50, 100, 50]);
      const after = new Float32Array([110, 30, 100, 30, 100, 30]);
      const input = { before, after, pixelCount: 2, bandCount: 3, weights: LUMA_WEIGHTS_RGB };
      const gpu = await differenceGpu(device, input);
      expect(gpu[0]).toBeCloseTo(2.99, 5);
      expect(gpu[1]).toBeCloseTo(-20, 4);
      expect(gpu[2]).toBe(10);
      expect(gpu[3]).toBe(20);
      expect(gpu[4]).toBeCloseTo(10, 5);
      expect(gpu[5]).toBeCloseTo(Math.sqrt(3 * 400), 4);
      compare(gpu, differenceCpu(input), 2, 255);
    });
  });

  const cases = [
    { width: 1, height: 1, bandCount: 3, maxValue: 255 },
    { width: 257, height: 129, bandCount: 3, maxValue: 255 },
    { width: 257, height: 129, bandCount: 1, maxValue: 65535 },
    { width: 31, height: 17, bandCount: 4, maxValue: 2047 },
    { width: 1024, height: 1024, bandCount: 3, maxValue: 65535 },
  ];
  for (const { width, height, bandCount, maxValue } of cases) {
    test(`${width}×${height}, ${bandCount} band(s), values 0..${maxValue}`, async () => {
      await withDevice(async (device) => {
        const random = new Random(width * 7919 + height * 31 + bandCount);
        const pixelCount = width * height;
        const before = randomImage(random, pixelCount * bandCount, maxValue);
        const after = randomImage(random, pixelCount * bandCount, maxValue);
        const weights = Array.from({ length: bandCount }, (_, b) => (b + 1) / (bandCount * 2));
        const input = { before, after, pixelCount, bandCount, weights };
        const gpu = await differenceGpu(device, input);
        const cpu = differenceCpu(input);
        expect(gpu.length).toBe(pixelCount * DIFFERENCE_PLANES);
        compare(gpu, cpu, pixelCount, maxValue * bandCount);
        // The comparison must be able to fail: the planes are not trivially zero.
        expect(cpu.some((value) => value !== 0)).toBe(true);
      });
    });
  }

  test('identical images give zero change everywhere', async () => {
    await withDevice(async (device) => {
      const random = new Random(5);
      const image = randomImage(random, 300 * 3, 255);
      const gpu = await differenceGpu(device, {
        before: image,
        after: image,
        pixelCount: 300,
        bandCount: 3,
        weights: LUMA_WEIGHTS_RGB,
      });
      expect(gpu.every((value) => value === 0)).toBe(true);
    });
  });
});
