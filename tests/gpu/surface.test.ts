/**
 * shaders/surface-histogram.wgsl (with the bandRange reduction for the
 * ranges) against its CPU twin and against surfaceColours, which the CPU
 * pipeline runs. Tolerance: none. The ranges are min/max of f32 values, the
 * counts integers binned by integer comparisons of order keys, and the
 * medians come from those counts through the same CPU code, so ranges,
 * counts and medians must be equal (NaN for an ROI without pixels).
 */
import { describe, expect, test } from 'vitest';
import { surfaceColours } from '../../src/core/analysis/occupancy.ts';
import { rangeOf } from '../../src/core/analysis/quantiles.ts';
import { surfaceEdgeTable, surfaceHistogramsCpu } from '../../src/core/analysis/surface.ts';
import { Random } from '../../src/core/random.ts';
import { surfaceColoursGpu } from '../../src/gpu/surface.ts';
import { withDevice } from '../support/gpu-test.ts';

async function compare(
  device: GPUDevice,
  bands: readonly Float32Array[],
  roiIndex: Int32Array,
  valid: Uint8Array,
  roiCount: number,
): Promise<void> {
  const gpu = await surfaceColoursGpu(device, bands, roiIndex, valid, roiCount);
  const ranges = bands.map((band) => rangeOf(band, valid));
  expect(gpu.ranges).toEqual(ranges);
  const domainRoi = roiIndex.map((roi, i) => (valid[i] !== 0 && roi >= 0 ? roi : -1));
  const counts = surfaceHistogramsCpu(bands, domainRoi, surfaceEdgeTable(ranges), roiCount);
  expect(gpu.counts.length).toBe(counts.length);
  expect(gpu.counts.findIndex((c, i) => c !== counts[i])).toBe(-1);
  expect(gpu.surfaces).toEqual(surfaceColours(bands, roiIndex, valid, roiCount));
}

describe('surface-histogram.wgsl against its CPU twin and surfaceColours', () => {
  test('one pixel', async () => {
    await withDevice(async (device) => {
      const bands = [new Float32Array([12.5]), new Float32Array([200]), new Float32Array([-3])];
      await compare(device, bands, new Int32Array([0]), new Uint8Array([1]), 1);
      const gpu = await surfaceColoursGpu(
        device,
        bands,
        new Int32Array([0]),
        new Uint8Array([1]),
        1,
      );
      // One value v: range [v, v + 1], bin 0, the median half a bin above v.
      expect(gpu.surfaces[0]?.[0]).toBe(12.5 + 0.5 / 4096);
    });
  });

  test('random 8-bit, float and 16-bit bands with NaN, ∞, invalid pixels and an empty ROI', async () => {
    await withDevice(async (device) => {
      const random = new Random(77);
      const width = 67;
      const height = 45;
      const n = width * height;
      const roiCount = 4;
      const roiIndex = Int32Array.from({ length: n }, (_, i) => {
        const x = i % width;
        const y = Math.floor(i / width);
        if (y < 3) return -1;
        return x < 20 ? 0 : x < 45 ? 1 : y < 30 ? 2 : -1; // ROI 3 has no pixels
      });
      const valid = Uint8Array.from({ length: n }, () => (random.next() < 0.85 ? 1 : 0));
      const bands = [
        Float32Array.from({ length: n }, () => random.int(0, 255)),
        Float32Array.from({ length: n }, (_, i) =>
          i % 331 === 0 ? Number.NaN : i % 337 === 0 ? -Infinity : 140 + 25 * random.gaussian(),
        ),
        Float32Array.from({ length: n }, () => random.range(-250, 41000)),
      ];
      await compare(device, bands, roiIndex, valid, roiCount);
    });
  });

  test('a constant band and a band without a valid value', async () => {
    await withDevice(async (device) => {
      const n = 40 * 9;
      const roiIndex = Int32Array.from({ length: n }, (_, i) => (i % 40 < 20 ? 0 : 1));
      const bands = [
        new Float32Array(n).fill(87.25),
        Float32Array.from({ length: n }, (_, i) => i * 0.5),
        Float32Array.from({ length: n }, (_, i) => (i % 7) * 30),
      ];
      await compare(device, bands, roiIndex, new Uint8Array(n).fill(1), 2);
      await compare(device, bands, roiIndex, new Uint8Array(n), 2);
    });
  });
});
