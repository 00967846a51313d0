/**
 * The raster stages on WebGPU against their CPU twins: blur (floats within
 * blurTolerance = 2⁻²⁰·(2r + 1)·max(1, max|x|)), histogram counts and Otsu's
 * threshold (exact), threshold masks (exact), morphology masks (exact), and
 * the stages chained in one command encoder without read-back in between.
 */
import { describe, expect, test } from 'vitest';
import {
  blurCpu,
  blurTolerance,
  varianceMatchWeights,
  type BlurKernel,
} from '../../src/core/blur.ts';
import { histogramCpu, otsuThreshold } from '../../src/core/histogram.ts';
import {
  morphologyCpu,
  packMaskBitsCpu,
  type MorphologyOperation,
  type StructuringElement,
} from '../../src/core/morphology.ts';
import { Random } from '../../src/core/random.ts';
import {
  occupiedWithConsensusCpu,
  thresholdCombinedCpu,
  thresholdCpu,
} from '../../src/core/threshold.ts';
import { blurGpu, createBlurStage } from '../../src/gpu/blur.ts';
import { createStorageBufferFrom, readBuffer } from '../../src/gpu/buffers.ts';
import { histogramGpu } from '../../src/gpu/histogram.ts';
import { createMorphologyStage, morphologyGpu, packMaskBitsGpu } from '../../src/gpu/morphology.ts';
import { createThresholdStage, thresholdGpu } from '../../src/gpu/threshold.ts';
import { withDevice } from '../support/gpu-test.ts';

function randomImage(random: Random, length: number, scale: number): Float32Array {
  return Float32Array.from({ length }, () => random.range(-scale, scale));
}

/** Rectangles of foreground up to `maxSizePx` on a side, plus `noise` salt and pepper. */
function randomBlobs(
  random: Random,
  width: number,
  height: number,
  blobs: number,
  maxSizePx = 12,
  noise = 0.04,
): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let b = 0; b < blobs; b++) {
    const x0 = random.int(-3, width - 1);
    const y0 = random.int(-3, height - 1);
    const w = random.int(1, maxSizePx);
    const h = random.int(1, maxSizePx);
    for (let y = Math.max(0, y0); y < Math.min(height, y0 + h); y++) {
      for (let x = Math.max(0, x0); x < Math.min(width, x0 + w); x++) mask[y * width + x] = 1;
    }
  }
  for (let i = 0; i < mask.length; i++) if (random.next() < noise) mask[i] = 1 - (mask[i] ?? 0);
  return mask;
}

/** Worst |gpu − cpu|; NaN must sit at the same pixels in both. */
function worstBlurError(gpu: Float32Array, cpu: Float32Array): number {
  expect(gpu.length).toBe(cpu.length);
  let worst = 0;
  for (let i = 0; i < cpu.length; i++) {
    const g = gpu[i]!;
    const c = cpu[i]!;
    if (Number.isNaN(c) || Number.isNaN(g)) {
      if (Number.isNaN(c) !== Number.isNaN(g))
        throw new Error(`NaN mismatch at ${i}: ${g} vs ${c}`);
      continue;
    }
    worst = Math.max(worst, Math.abs(g - c));
  }
  return worst;
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

describe('blur.wgsl against its CPU twin', () => {
  test('hand case: a box impulse spreads to 1/9 over a 3 × 3 block', async () => {
    await withDevice(async (device) => {
      const image = new Float32Array(5 * 5);
      image[2 * 5 + 2] = 9;
      const gpu = await blurGpu(device, image, 5, 5, { blurRadiusPx: 1, kernel: 'box' });
      for (let y = 0; y < 5; y++) {
        for (let x = 0; x < 5; x++) {
          const inside = Math.abs(x - 2) <= 1 && Math.abs(y - 2) <= 1;
          expect(gpu[y * 5 + x]).toBeCloseTo(inside ? 1 : 0, 5);
        }
      }
      expect(worstBlurError(gpu, blurCpu(image, 5, 5, { blurRadiusPx: 1, kernel: 'box' }))).toBe(0);
    });
  });

  const cases: { width: number; height: number; r: number; kernel: BlurKernel; scale: number }[] = [
    { width: 1, height: 1, r: 3, kernel: 'gaussian', scale: 100 },
    { width: 1, height: 37, r: 2, kernel: 'box', scale: 100 },
    { width: 53, height: 1, r: 4, kernel: 'gaussian', scale: 100 },
    { width: 3, height: 2, r: 9, kernel: 'box', scale: 65535 },
    { width: 257, height: 129, r: 0, kernel: 'gaussian', scale: 65535 },
    { width: 257, height: 129, r: 3, kernel: 'box', scale: 1 },
    { width: 257, height: 129, r: 8, kernel: 'gaussian', scale: 65535 },
    { width: 67, height: 45, r: 64, kernel: 'gaussian', scale: 1000 },
    { width: 1024, height: 1024, r: 4, kernel: 'gaussian', scale: 10000 },
  ];
  for (const { width, height, r, kernel, scale } of cases) {
    test(`${width}×${height}, ${kernel} r=${r}, values ±${scale}`, async () => {
      await withDevice(async (device) => {
        const random = new Random(width * 7919 + height * 31 + r);
        const image = randomImage(random, width * height, scale);
        const options = { blurRadiusPx: r, kernel };
        const gpu = await blurGpu(device, image, width, height, options);
        const cpu = blurCpu(image, width, height, options);
        const worst = worstBlurError(gpu, cpu);
        expect(worst).toBeLessThanOrEqual(blurTolerance(r, scale));
        if (r === 0) expect(worst).toBe(0);
        // The comparison must be able to fail: the blur changed the image.
        if (r > 0 && width * height > 1) expect(cpu).not.toEqual(image);
      });
    });
  }

  test('explicit 3-tap weights (sharpness matching), 131×77', async () => {
    await withDevice(async (device) => {
      const random = new Random(4242);
      const image = randomImage(random, 131 * 77, 255);
      const options = { blurRadiusPx: 1, weights: varianceMatchWeights(0.23) };
      const gpu = await blurGpu(device, image, 131, 77, options);
      const cpu = blurCpu(image, 131, 77, options);
      expect(worstBlurError(gpu, cpu)).toBeLessThanOrEqual(blurTolerance(1, 255));
      // Not the Gaussian of radius 1: the weights were used.
      const gaussian = blurCpu(image, 131, 77, { blurRadiusPx: 1 });
      expect(worstBlurError(cpu, gaussian)).toBeGreaterThan(1);
    });
  });

  test('NaN spreads identically', async () => {
    await withDevice(async (device) => {
      const random = new Random(11);
      const image = randomImage(random, 40 * 30, 10);
      image[5 * 40 + 7] = Number.NaN;
      const options = { blurRadiusPx: 2, kernel: 'gaussian' } as const;
      const gpu = await blurGpu(device, image, 40, 30, options);
      const cpu = blurCpu(image, 40, 30, options);
      expect(worstBlurError(gpu, cpu)).toBeLessThanOrEqual(blurTolerance(2, 10));
      expect(gpu.filter((v) => Number.isNaN(v)).length).toBe(25);
    });
  });
});

describe('histogram.wgsl against its CPU twin (exact counts, exact Otsu)', () => {
  test('edge values: out of range, infinities, NaN, the exact range ends', async () => {
    await withDevice(async (device) => {
      const values = new Float32Array([
        -5,
        -Infinity,
        0,
        1e30,
        Infinity,
        256,
        Number.NaN,
        128.5,
        255.99998,
        Math.fround(0.1),
      ]);
      const range = { minValue: 0, maxValue: 256 };
      const gpu = await histogramGpu(device, values, range);
      expect(gpu).toEqual(histogramCpu(values, range));
      expect(gpu.reduce((a, b) => a + b, 0)).toBe(9);
    });
  });

  const cases = [
    { length: 1, masked: false },
    { length: 4095, masked: false },
    { length: 4097, masked: true },
    { length: 300_001, masked: true },
    { length: 1024 * 1024, masked: false },
  ];
  for (const { length, masked } of cases) {
    test(`${length} random values${masked ? ', with a validity mask' : ''}`, async () => {
      await withDevice(async (device) => {
        const random = new Random(length + (masked ? 1 : 0));
        // Bimodal, partly outside the range, with some NaN.
        const values = Float32Array.from({ length }, () => {
          const u = random.next();
          if (u < 0.01) return Number.NaN;
          return (u < 0.6 ? 0.25 : 0.7) + 0.15 * random.gaussian();
        });
        const validMask = masked
          ? Uint8Array.from({ length }, () => (random.next() < 0.8 ? 1 : 0))
          : undefined;
        const range = { minValue: 0, maxValue: 1 };
        const gpu = await histogramGpu(device, values, range, validMask);
        const cpu = histogramCpu(values, range, validMask);
        expect(gpu).toEqual(cpu);
        expect(otsuThreshold(gpu, range)).toEqual(otsuThreshold(cpu, range));
        if (length > 1000) expect(cpu.filter((c) => c > 0).length).toBeGreaterThan(100);
      });
    });
  }
});

describe('threshold.wgsl against its CPU twin (exact)', () => {
  test('strict >, NaN and infinities, a value equal to the threshold, validity mask', async () => {
    await withDevice(async (device) => {
      const values = new Float32Array([0.1, 0.2, Number.NaN, Infinity, -Infinity, 0.3, 5, -0]);
      const valid = new Uint8Array([1, 1, 1, 1, 1, 0, 1, 1]);
      expect(Array.from(await thresholdGpu(device, values, 0.2))).toEqual([0, 0, 0, 1, 0, 1, 1, 0]);
      expect(await thresholdGpu(device, values, 0.2, valid)).toEqual(
        thresholdCpu(values, 0.2, valid),
      );
      expect(await thresholdGpu(device, values, -1)).toEqual(thresholdCpu(values, -1));
    });
  });

  test('random 1000 × 700 image with a validity mask', async () => {
    await withDevice(async (device) => {
      const random = new Random(21);
      const values = randomImage(random, 1000 * 700, 100);
      const valid = Uint8Array.from(values, () => (random.next() < 0.9 ? 1 : 0));
      const gpu = await thresholdGpu(device, values, 12.5, valid);
      const cpu = thresholdCpu(values, 12.5, valid);
      expect(firstDifference(gpu, cpu)).toBe(-1);
      expect(cpu.some((v) => v === 1) && cpu.some((v) => v === 0)).toBe(true);
    });
  });
});

describe('morphology.wgsl against its CPU twin (exact)', () => {
  const OPERATIONS: readonly MorphologyOperation[] = ['erode', 'dilate', 'open', 'close'];
  const ELEMENTS: readonly StructuringElement[] = ['square', 'disc'];

  test('every operation × element × radius on small and thin masks', async () => {
    await withDevice(async (device) => {
      const random = new Random(31);
      const sizes = [
        [1, 1],
        [1, 19],
        [23, 1],
        [5, 4],
        [45, 33],
      ] as const;
      for (const [width, height] of sizes) {
        const mask = randomBlobs(random, width, height, 8);
        for (const operation of OPERATIONS) {
          for (const element of ELEMENTS) {
            for (const radiusPx of [0, 1, 2, 5]) {
              const options = { operation, radiusPx, element };
              const gpu = await morphologyGpu(device, mask, width, height, options);
              const cpu = morphologyCpu(mask, width, height, options);
              const where = `${operation} ${element} r=${radiusPx} ${width}×${height}`;
              expect(firstDifference(gpu, cpu), where).toBe(-1);
            }
          }
        }
      }
    });
  });

  test('rows of 32 px ± 1 and radii across a word: the packed steps meet at word edges', async () => {
    // The GPU works on 32-pixel words; these widths put a row's end inside, at and just
    // past a word, and these radii reach one and two words away.
    await withDevice(async (device) => {
      const random = new Random(43);
      for (const width of [31, 32, 33, 64, 65]) {
        const height = 9;
        const mask = randomBlobs(random, width, height, 6, 12, 0.05);
        expect(await packMaskBitsGpu(device, mask, width, height)).toEqual(
          packMaskBitsCpu(mask, width, height),
        );
        for (const operation of OPERATIONS) {
          for (const radiusPx of [1, 31, 32, 33]) {
            for (const element of ELEMENTS) {
              const options = { operation, radiusPx, element };
              const gpu = await morphologyGpu(device, mask, width, height, options);
              const cpu = morphologyCpu(mask, width, height, options);
              const where = `${operation} ${element} r=${radiusPx} ${width}×${height}`;
              expect(firstDifference(gpu, cpu), where).toBe(-1);
            }
          }
        }
      }
    });
  });

  test('scores threshold straight to bits, alone, ANDed, ORed or with the unchanged consensus, and unpack unchanged by an empty chain', async () => {
    await withDevice(async (device) => {
      const random = new Random(53);
      for (const [width, height] of [
        [1, 1],
        [33, 7],
        [64, 5],
        [97, 13],
      ] as const) {
        const n = width * height;
        // Whole DN from 0 to 9 around a threshold of 4.5 and of 5 (ties are background),
        // with NaN here and there (never above a threshold).
        const scores = () =>
          Float32Array.from({ length: n }, () =>
            random.next() < 0.05 ? Number.NaN : random.int(0, 9),
          );
        const a = scores();
        const b = scores();
        const stage = createMorphologyStage(device, width, height, []);
        const aBuffer = createStorageBufferFrom(device, 'threshold bits a', a);
        const bBuffer = createStorageBufferFrom(device, 'threshold bits b', b);
        const bits = createStorageBufferFrom(
          device,
          'threshold bits',
          new Uint32Array(stage.wordCount).fill(0xdeadbeef),
        );
        const unpacked = createStorageBufferFrom(device, 'unpacked', new Uint32Array(n));
        try {
          for (const combine of [undefined, 'and', 'or'] as const) {
            const second =
              combine === undefined ? undefined : { values: b, thresholdDn: 5, combine };
            const encoder = device.createCommandEncoder({ label: 'threshold bits' });
            stage.encodeThreshold(
              encoder,
              aBuffer,
              4.5,
              bits,
              second === undefined ? undefined : { ...second, values: bBuffer },
            );
            stage.encodeFromBits(encoder, bits, unpacked);
            device.queue.submit([encoder.finish()]);
            const cpu = thresholdCombinedCpu(a, 4.5, second);
            const where = `${combine ?? 'alone'} ${width}×${height}`;
            const words = new Uint32Array(await readBuffer(device, bits, stage.wordCount * 4));
            expect([...words], where).toEqual([...packMaskBitsCpu(cpu, width, height)]);
            const gpu = Uint8Array.from(new Uint32Array(await readBuffer(device, unpacked, n * 4)));
            expect(firstDifference(gpu, cpu), where).toBe(-1);
          }
          // The consensus: where both change scores lie below their limits, a + b > 4.5 + 5.
          const changeA = scores();
          const changeB = scores();
          const changeABuffer = createStorageBufferFrom(device, 'change a', changeA);
          const changeBBuffer = createStorageBufferFrom(device, 'change b', changeB);
          try {
            const encoder = device.createCommandEncoder({ label: 'threshold consensus' });
            const limits = { unchangedAfterDn: 6, unchangedBeforeDn: 4.5 };
            stage.encodeThreshold(encoder, aBuffer, 4.5, bits, {
              ...limits,
              other: bBuffer,
              otherThresholdDn: 5,
              changeAfter: changeABuffer,
              changeBefore: changeBBuffer,
            });
            device.queue.submit([encoder.finish()]);
            const cpu = occupiedWithConsensusCpu(a, 4.5, {
              ...limits,
              other: b,
              otherThresholdDn: 5,
              changeAfter: changeA,
              changeBefore: changeB,
            });
            const words = new Uint32Array(await readBuffer(device, bits, stage.wordCount * 4));
            const where = `consensus ${width}×${height}`;
            expect([...words], where).toEqual([...packMaskBitsCpu(cpu, width, height)]);
            if (n > 1) expect(firstDifference(cpu, thresholdCpu(a, 4.5)), where).not.toBe(-1);
          } finally {
            changeABuffer.destroy();
            changeBBuffer.destroy();
          }
          // The three differ on these scores: the combine was applied.
          const alone = thresholdCombinedCpu(a, 4.5);
          const both = thresholdCombinedCpu(a, 4.5, { values: b, thresholdDn: 5, combine: 'and' });
          if (n > 1) expect(firstDifference(alone, both)).not.toBe(-1);
        } finally {
          stage.destroy();
          aBuffer.destroy();
          bBuffer.destroy();
          bits.destroy();
          unpacked.destroy();
        }
      }
    });
  });

  test('an opening then a closing as one stage equals the two operations in turn', async () => {
    await withDevice(async (device) => {
      const random = new Random(47);
      const [width, height] = [157, 83];
      const mask = randomBlobs(random, width, height, 40, 14, 0.05);
      const chain = [
        { operation: 'open', radiusPx: 2, element: 'disc' },
        { operation: 'close', radiusPx: 3, element: 'disc' },
      ] as const;
      const stage = createMorphologyStage(device, width, height, chain);
      const buffer = createStorageBufferFrom(device, 'chain mask', Uint32Array.from(mask));
      try {
        const encoder = device.createCommandEncoder({ label: 'chain' });
        stage.encode(encoder, buffer, buffer);
        device.queue.submit([encoder.finish()]);
        const gpu = Uint8Array.from(
          new Uint32Array(await readBuffer(device, buffer, width * height * 4)),
        );
        const opened = morphologyCpu(mask, width, height, chain[0]);
        const cpu = morphologyCpu(opened, width, height, chain[1]);
        expect(firstDifference(gpu, cpu)).toBe(-1);
        // Both operations changed something: neither one alone gives the result.
        expect(firstDifference(cpu, opened)).not.toBe(-1);
        expect(firstDifference(cpu, morphologyCpu(mask, width, height, chain[1]))).not.toBe(-1);
      } finally {
        stage.destroy();
        buffer.destroy();
      }
    });
  });

  test('a clip mask ANDs every operation in its last pass, in place or not', async () => {
    await withDevice(async (device) => {
      const random = new Random(37);
      const [width, height] = [53, 41];
      const mask = randomBlobs(random, width, height, 20);
      // A clip with holes and a ragged edge, as a domain of piers is.
      const clip = randomBlobs(random, width, height, 12, 30, 0.02);
      const maskBuffer = createStorageBufferFrom(device, 'clip test mask', Uint32Array.from(mask));
      const clipBuffer = createStorageBufferFrom(device, 'clip test clip', Uint32Array.from(clip));
      const outBuffer = createStorageBufferFrom(
        device,
        'clip test out',
        new Uint32Array(width * height),
      );
      try {
        for (const operation of OPERATIONS) {
          for (const inPlace of [false, true]) {
            const options = { operation, radiusPx: 2, element: 'disc' } as const;
            const stage = createMorphologyStage(device, width, height, options);
            device.queue.writeBuffer(maskBuffer, 0, Uint32Array.from(mask));
            const output = inPlace ? maskBuffer : outBuffer;
            const encoder = device.createCommandEncoder({ label: 'clip test' });
            stage.encode(encoder, maskBuffer, output, clipBuffer);
            device.queue.submit([encoder.finish()]);
            const gpu = Uint8Array.from(
              new Uint32Array(await readBuffer(device, output, width * height * 4)),
            );
            stage.destroy();
            const unclipped = morphologyCpu(mask, width, height, options);
            const cpu = unclipped.map((v, i) => (v !== 0 && clip[i] !== 0 ? 1 : 0));
            const where = `${operation}${inPlace ? ' in place' : ''}`;
            expect(firstDifference(gpu, cpu), where).toBe(-1);
            // The clip took something away: the comparison is not the unclipped result's.
            expect(firstDifference(cpu, unclipped), where).not.toBe(-1);
          }
        }
      } finally {
        maskBuffer.destroy();
        clipBuffer.destroy();
        outBuffer.destroy();
      }
    });
  });

  // Blob sizes scale with the radius so every result keeps structure (neither
  // empty nor full), which the last two checks insist on.
  const large = [
    {
      width: 301,
      height: 257,
      operation: 'open',
      element: 'disc',
      radiusPx: 7,
      blobs: 60,
      noise: 0.001,
    },
    {
      width: 301,
      height: 257,
      operation: 'close',
      element: 'square',
      radiusPx: 4,
      blobs: 300,
      noise: 0.04,
    },
    {
      width: 97,
      height: 61,
      operation: 'dilate',
      element: 'disc',
      radiusPx: 64,
      blobs: 1,
      noise: 0,
    },
    {
      width: 130,
      height: 140,
      operation: 'erode',
      element: 'disc',
      radiusPx: 64,
      blobs: 0,
      noise: 0,
    },
    {
      width: 1024,
      height: 1024,
      operation: 'open',
      element: 'disc',
      radiusPx: 3,
      blobs: 5000,
      noise: 0.04,
    },
    {
      width: 1024,
      height: 1024,
      operation: 'close',
      element: 'square',
      radiusPx: 2,
      blobs: 5000,
      noise: 0.04,
    },
  ] as const;
  for (const { width, height, operation, element, radiusPx, blobs, noise } of large) {
    test(`${width}×${height} ${operation} ${element} r=${radiusPx}`, async () => {
      await withDevice(async (device) => {
        const random = new Random(width + height + radiusPx);
        const mask =
          blobs === 0
            ? new Uint8Array(width * height).fill(1).map((v, i) => (i === 70 * width + 65 ? 0 : v))
            : randomBlobs(random, width, height, blobs, 3 * radiusPx + 2, noise);
        const options = { operation, radiusPx, element };
        const gpu = await morphologyGpu(device, mask, width, height, options);
        const cpu = morphologyCpu(mask, width, height, options);
        expect(firstDifference(gpu, cpu)).toBe(-1);
        expect(cpu).not.toEqual(mask);
        expect(cpu.some((v) => v === 0) && cpu.some((v) => v === 1)).toBe(true);
      });
    });
  }
});

describe('an 8192 × 8192 image (the largest the app takes)', () => {
  test('threshold (dispatch folded into 2-D) and histogram agree exactly', async () => {
    await withDevice(async (device) => {
      const side = 8192;
      const n = side * side;
      const values = new Float32Array(n);
      // Knuth's multiplicative hash: cheap, well spread over [0, 1).
      for (let i = 0; i < n; i++) values[i] = Math.imul(i, 2654435761) >>> 0;
      for (let i = 0; i < n; i++) values[i] = values[i]! / 4294967296;
      if (device.limits.maxStorageBufferBindingSize < n * 4) {
        // Too small an adapter: the wrapper must say so rather than bind a short buffer.
        await expect(thresholdGpu(device, values, 0.5)).rejects.toThrow(/storage binding/);
        return;
      }
      const gpu = await thresholdGpu(device, values, 0.5);
      const cpu = thresholdCpu(values, 0.5);
      expect(firstDifference(gpu, cpu)).toBe(-1);
      const range = { minValue: 0, maxValue: 1 };
      expect(await histogramGpu(device, values, range)).toEqual(histogramCpu(values, range));
    });
  });
});

describe('stages chained in one command encoder', () => {
  test('blur → threshold → opening on GPU buffers equals the CPU chain', async () => {
    await withDevice(async (device) => {
      // Blocks of 0 and 1000 DN: box-blurred values stay far from the 500 DN
      // threshold, so float rounding cannot flip a pixel.
      const width = 200;
      const height = 150;
      const random = new Random(41);
      const image = new Float32Array(width * height);
      for (let b = 0; b < 40; b++) {
        const x0 = random.int(0, width - 1);
        const y0 = random.int(0, height - 1);
        const w = random.int(1, 20);
        const h = random.int(1, 20);
        for (let y = y0; y < Math.min(height, y0 + h); y++) {
          for (let x = x0; x < Math.min(width, x0 + w); x++) image[y * width + x] = 1000;
        }
      }
      const blurOptions = { blurRadiusPx: 1, kernel: 'box' } as const;
      const openOptions = { operation: 'open', radiusPx: 2, element: 'disc' } as const;
      const thresholdDn = 500;

      const blur = createBlurStage(device, width, height, blurOptions);
      const threshold = createThresholdStage(device, {
        pixelCount: width * height,
        thresholdDn: 0,
        useValidMask: false,
      });
      const open = createMorphologyStage(device, width, height, openOptions);
      const values = createStorageBufferFrom(device, 'chain values', image);
      const mask = createStorageBufferFrom(device, 'chain mask', new Uint32Array(width * height));
      try {
        threshold.setThresholdDn(thresholdDn);
        const encoder = device.createCommandEncoder({ label: 'chain' });
        blur.encode(encoder, values, values);
        threshold.encode(encoder, values, mask);
        open.encode(encoder, mask, mask);
        device.queue.submit([encoder.finish()]);
        const gpu = Uint8Array.from(
          new Uint32Array(await readBuffer(device, mask, width * height * 4)),
        );
        const cpu = morphologyCpu(
          thresholdCpu(blurCpu(image, width, height, blurOptions), thresholdDn),
          width,
          height,
          openOptions,
        );
        expect(firstDifference(gpu, cpu)).toBe(-1);
        expect(cpu.some((v) => v === 1)).toBe(true);
      } finally {
        blur.destroy();
        threshold.destroy();
        open.destroy();
        values.destroy();
        mask.destroy();
      }
    });
  });
});
