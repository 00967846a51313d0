/**
 * CPU twins of the raster stages (blur, histogram + Otsu, threshold,
 * morphology) against independent oracles: a naive 2-D convolution, a bin
 * count in f64, a brute-force Otsu from the textbook formula, and brute-force
 * morphology over every element offset.
 */
import { describe, expect, test } from 'vitest';
import { blurCpu, blurWeights, gaussianSigmaPx } from '../../src/core/blur.ts';
import {
  histogramBin,
  histogramBinning,
  histogramCpu,
  otsuThreshold,
} from '../../src/core/histogram.ts';
import { HISTOGRAM_BINS } from '../../src/core/kernel-layout.ts';
import {
  elementHalfWidths,
  morphologyCpu,
  packMaskBitsCpu,
  unpackMaskBitsCpu,
  type MorphologyOperation,
  type StructuringElement,
} from '../../src/core/morphology.ts';
import { Random } from '../../src/core/random.ts';
import {
  occupiedWithConsensusCpu,
  thresholdCombinedCpu,
  thresholdCpu,
} from '../../src/core/threshold.ts';

function randomImage(random: Random, length: number, scale: number): Float32Array {
  return Float32Array.from({ length }, () => random.range(-scale, scale));
}

function randomBlobs(random: Random, width: number, height: number, blobs: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let b = 0; b < blobs; b++) {
    const x0 = random.int(-3, width - 1);
    const y0 = random.int(-3, height - 1);
    const w = random.int(1, 9);
    const h = random.int(1, 9);
    for (let y = Math.max(0, y0); y < Math.min(height, y0 + h); y++) {
      for (let x = Math.max(0, x0); x < Math.min(width, x0 + w); x++) mask[y * width + x] = 1;
    }
  }
  // Salt and pepper so opening and closing both have something to do.
  for (let i = 0; i < mask.length; i++) if (random.next() < 0.04) mask[i] = 1 - (mask[i] ?? 0);
  return mask;
}

describe('blur (CPU twin)', () => {
  test('weights are normalized, symmetric, and follow the stated kernel', () => {
    for (const r of [0, 1, 2, 5, 64]) {
      for (const kernel of ['box', 'gaussian'] as const) {
        const w = blurWeights(r, kernel);
        expect(w.length).toBe(2 * r + 1);
        expect(Math.abs(w.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-6);
        for (let k = 0; k <= 2 * r; k++) expect(w[k]).toBe(w[2 * r - k]);
      }
    }
    expect(blurWeights(0, 'gaussian')).toEqual(new Float32Array([1]));
    expect(gaussianSigmaPx(1)).toBeCloseTo(0.8, 12);
    const g = blurWeights(2, 'gaussian');
    const sigma = gaussianSigmaPx(2);
    expect(g[0]! / g[2]!).toBeCloseTo(Math.exp(-4 / (2 * sigma * sigma)), 6);
    expect(blurWeights(3, 'box').every((w) => w === Math.fround(1 / 7))).toBe(true);
  });

  test('radius 0 is the identity; a constant image stays constant at every radius', () => {
    const random = new Random(1);
    const image = randomImage(random, 13 * 7, 1000);
    expect(blurCpu(image, 13, 7, { blurRadiusPx: 0 })).toEqual(image);
    const flat = new Float32Array(9 * 4).fill(42);
    for (const r of [1, 3, 10]) {
      const out = blurCpu(flat, 9, 4, { blurRadiusPx: r, kernel: 'box' });
      for (const v of out) expect(Math.abs(v - 42)).toBeLessThan(42 * 1e-6);
    }
  });

  test('matches a naive 2-D convolution with replicated edges', () => {
    const random = new Random(2);
    const cases = [
      { width: 1, height: 1, r: 3, kernel: 'gaussian' },
      { width: 17, height: 1, r: 2, kernel: 'box' },
      { width: 1, height: 23, r: 4, kernel: 'gaussian' },
      { width: 3, height: 2, r: 5, kernel: 'box' },
      { width: 41, height: 29, r: 6, kernel: 'gaussian' },
    ] as const;
    for (const { width, height, r, kernel } of cases) {
      const image = randomImage(random, width * height, 5000);
      const w = Array.from(blurWeights(r, kernel));
      const got = blurCpu(image, width, height, { blurRadiusPx: r, kernel });
      const clamp = (v: number, hi: number): number => Math.min(Math.max(v, 0), hi - 1);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          let sum = 0;
          for (let j = -r; j <= r; j++) {
            for (let i = -r; i <= r; i++) {
              const value = image[clamp(y + j, height) * width + clamp(x + i, width)]!;
              sum += w[j + r]! * w[i + r]! * value;
            }
          }
          expect(Math.abs(got[y * width + x]! - sum)).toBeLessThan(5000 * 1e-5);
        }
      }
    }
  });

  test('an impulse spreads into the outer product of the weights', () => {
    const image = new Float32Array(7 * 7);
    image[3 * 7 + 3] = 1;
    const out = blurCpu(image, 7, 7, { blurRadiusPx: 1, kernel: 'box' });
    const third = Math.fround(1 / 3);
    for (let y = 0; y < 7; y++) {
      for (let x = 0; x < 7; x++) {
        const inside = Math.abs(x - 3) <= 1 && Math.abs(y - 3) <= 1;
        expect(out[y * 7 + x]).toBe(inside ? Math.fround(third * third) : 0);
      }
    }
  });

  test('NaN spreads to the pixels whose taps reach it', () => {
    const image = new Float32Array(5 * 5).fill(1);
    image[0] = Number.NaN;
    const out = blurCpu(image, 5, 5, { blurRadiusPx: 1, kernel: 'box' });
    expect(Number.isNaN(out[0])).toBe(true);
    expect(Number.isNaN(out[6])).toBe(true);
    expect(Number.isNaN(out[2])).toBe(false);
  });

  test('refuses bad radii and sizes', () => {
    const image = new Float32Array(4);
    expect(() => blurCpu(image, 2, 2, { blurRadiusPx: -1 })).toThrow(/blurRadiusPx/);
    expect(() => blurCpu(image, 2, 2, { blurRadiusPx: 65 })).toThrow(/blurRadiusPx/);
    expect(() => blurCpu(image, 2, 2, { blurRadiusPx: 1.5 })).toThrow(/blurRadiusPx/);
    expect(() => blurCpu(image, 3, 2, { blurRadiusPx: 1 })).toThrow(/expected 6/);
  });
});

describe('histogram (CPU twin)', () => {
  test('bins integers exactly, clamps out-of-range values, skips NaN and masked pixels', () => {
    // 0 … 255 over [0, 256): each integer is its own bin, in f32 and in f64.
    const values = Float32Array.from({ length: 256 }, (_, i) => i);
    expect(Array.from(histogramCpu(values, { minValue: 0, maxValue: 256 }))).toEqual(
      new Array<number>(256).fill(1),
    );
    const odd = new Float32Array([-5, -Infinity, 0, 1e30, Infinity, 256, Number.NaN, 128.5]);
    const counts = histogramCpu(odd, { minValue: 0, maxValue: 256 });
    expect(counts[0]).toBe(3);
    expect(counts[255]).toBe(3);
    expect(counts[128]).toBe(1);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(7);
    const masked = histogramCpu(
      odd,
      { minValue: 0, maxValue: 256 },
      new Uint8Array([0, 0, 1, 0, 0, 0, 1, 1]),
    );
    expect(masked.reduce((a, b) => a + b, 0)).toBe(2);
  });

  test('agrees with an f64 bin count away from bin edges', () => {
    const random = new Random(3);
    const range = { minValue: -100, maxValue: 412 }; // 2 DN per bin
    const values = Float32Array.from({ length: 5000 }, () => random.int(-150, 450) + 0.5);
    const expected = new Array<number>(HISTOGRAM_BINS).fill(0);
    for (const v of values) {
      const bin = Math.min(255, Math.max(0, Math.floor((v + 100) / 2)));
      expected[bin]!++;
    }
    expect(Array.from(histogramCpu(values, range))).toEqual(expected);
  });

  test('the top of the range lands in the last bin, never past it', () => {
    const binning = histogramBinning({ minValue: 0.1, maxValue: 0.7 });
    expect(histogramBin(Math.fround(0.7), binning)).toBe(255);
    expect(histogramBin(Math.fround(0.7) - 1e-7, binning)).toBe(255);
    expect(histogramBin(Math.fround(0.1), binning)).toBe(0);
    expect(() => histogramBinning({ minValue: 1, maxValue: 1 })).toThrow(/minValue < maxValue/);
    expect(() => histogramBinning({ minValue: 0, maxValue: Number.NaN })).toThrow();
  });
});

/** Textbook Otsu (1979): σ_B²(k) = ω0 ω1 (μ0 − μ1)² in f64, argmax over k (first of ties within 1e-12). */
function bruteOtsu(counts: ArrayLike<number>): { k: number; variance: number } {
  const n = Array.from(counts).reduce((a, b) => a + b, 0);
  const variances: number[] = [];
  for (let k = 0; k < 255; k++) {
    let n0 = 0;
    let m0 = 0;
    let m1 = 0;
    for (let i = 0; i < 256; i++) {
      const c = counts[i] ?? 0;
      if (i <= k) {
        n0 += c;
        m0 += i * c;
      } else {
        m1 += i * c;
      }
    }
    const n1 = n - n0;
    variances.push(n0 === 0 || n1 === 0 ? -1 : (n0 / n) * (n1 / n) * (m0 / n0 - m1 / n1) ** 2);
  }
  const best = Math.max(...variances);
  const k = variances.findIndex((v) => v >= best * (1 - 1e-12));
  return { k, variance: best };
}

describe('Otsu threshold', () => {
  test('matches brute-force between-class variance on random bimodal histograms', () => {
    const random = new Random(4);
    for (let trial = 0; trial < 40; trial++) {
      const counts = new Uint32Array(256);
      const modes = [
        { mean: random.range(20, 110), sd: random.range(4, 25), n: random.int(200, 20000) },
        { mean: random.range(130, 235), sd: random.range(4, 25), n: random.int(200, 20000) },
      ];
      for (const { mean, sd, n } of modes) {
        for (let i = 0; i < n; i++) {
          const bin = Math.min(255, Math.max(0, Math.round(mean + sd * random.gaussian())));
          counts[bin]!++;
        }
      }
      const range = { minValue: 0, maxValue: 256 };
      const got = otsuThreshold(counts, range);
      const oracle = bruteOtsu(counts);
      expect(got.thresholdBin, `trial ${trial}`).toBe(oracle.k);
      expect(got.betweenClassVariance).toBeCloseTo(oracle.variance, 6);
      expect(got.thresholdDn).toBe(got.thresholdBin + 1);
      // The threshold falls between the two means.
      expect(got.thresholdBin).toBeGreaterThan(modes[0]!.mean - modes[0]!.sd);
      expect(got.thresholdBin).toBeLessThan(modes[1]!.mean + modes[1]!.sd);
    }
  });

  test('two spikes: the first bin of the gap plateau, its upper edge in DN', () => {
    const counts = new Uint32Array(256);
    counts[50] = 1000;
    counts[200] = 3000;
    const got = otsuThreshold(counts, { minValue: -1, maxValue: 1 });
    expect(got.thresholdBin).toBe(50);
    expect(got.thresholdDn).toBeCloseTo(-1 + (51 * 2) / 256, 12);
    expect(bruteOtsu(counts).k).toBe(50);
  });

  test('degenerate histograms put the threshold above every occupied bin', () => {
    const single = new Uint32Array(256);
    single[77] = 12;
    expect(otsuThreshold(single, { minValue: 0, maxValue: 256 })).toEqual({
      thresholdBin: 77,
      thresholdDn: 78,
      betweenClassVariance: 0,
    });
    expect(otsuThreshold(new Uint32Array(256), { minValue: 0, maxValue: 256 }).thresholdDn).toBe(
      256,
    );
    expect(() => otsuThreshold(new Uint32Array(10), { minValue: 0, maxValue: 1 })).toThrow(/256/);
  });

  test('histogram + Otsu + threshold separate a bimodal image', () => {
    const random = new Random(5);
    const width = 64;
    const truth = new Uint8Array(width * width);
    const image = new Float32Array(width * width);
    for (let i = 0; i < image.length; i++) {
      truth[i] = i % width > 40 ? 1 : 0;
      image[i] = (truth[i] === 1 ? 800 : 200) + 40 * random.gaussian();
    }
    const range = { minValue: 0, maxValue: 1024 };
    const { thresholdDn } = otsuThreshold(histogramCpu(image, range), range);
    expect(thresholdDn).toBeGreaterThan(350);
    expect(thresholdDn).toBeLessThan(650);
    expect(thresholdCpu(image, thresholdDn)).toEqual(truth);
  });
});

describe('threshold (CPU twin)', () => {
  test('strict >, compared in f32; NaN and invalid pixels are background', () => {
    const values = new Float32Array([0.1, 0.2, Number.NaN, Infinity, -Infinity, 0.3, 5]);
    const t = 0.2; // f32(0.2) equals values[1] exactly, so it is background
    expect(Array.from(thresholdCpu(values, t))).toEqual([0, 0, 0, 1, 0, 1, 1]);
    expect(Array.from(thresholdCpu(values, t, new Uint8Array([1, 1, 1, 1, 1, 0, 1])))).toEqual([
      0, 0, 0, 1, 0, 0, 1,
    ]);
    expect(() => thresholdCpu(values, Number.NaN)).toThrow(/NaN/);
    expect(() => thresholdCpu(values, 1, new Uint8Array(2))).toThrow(/validity mask/);
  });

  test('unchanged pixels take one decision for both dates: the sum of the scores against the sum of the thresholds', () => {
    const own = new Float32Array([20, 20, 40, 40, 20, 20]);
    const other = new Float32Array([45, 45, 10, 10, 45, Number.NaN]);
    // Pixels 0, 2, 4, 5 unchanged (change below both limits); 1 and 3 changed after; 4 sits
    // on the limit, which is not below it.
    const changeAfter = new Float32Array([1, 9, 1, 9, 5, 1]);
    const changeBefore = new Float32Array([1, 1, 1, 1, 1, 1]);
    const consensus = {
      other,
      otherThresholdDn: 30,
      changeAfter,
      unchangedAfterDn: 5,
      changeBefore,
      unchangedBeforeDn: 5,
    };
    // Own threshold 30: alone [0, 0, 1, 1, 0, 0]; summed, 65 > 60 sets 0, 50 < 60 clears 2,
    // and the NaN of the other date leaves pixel 5 unset.
    expect([...occupiedWithConsensusCpu(own, 30, consensus)]).toEqual([1, 0, 0, 1, 0, 0]);
    // The other date's mask agrees on every unchanged pixel: one decision for both.
    const otherMask = occupiedWithConsensusCpu(other, 30, { ...consensus, other: own });
    expect([...otherMask]).toEqual([1, 1, 0, 0, 1, 0]);
    // Limits of 0 leave every pixel to its own date (change scores are never below 0).
    const off = { ...consensus, unchangedAfterDn: 0, unchangedBeforeDn: 0 };
    expect(occupiedWithConsensusCpu(own, 30, off)).toEqual(thresholdCpu(own, 30));
  });

  test('a second image ANDs or ORs its own threshold in (the raw appeared and change masks)', () => {
    const a = new Float32Array([1, 9, 9, 1, Number.NaN, 5]);
    const b = new Float32Array([1, 1, 9, 9, 9, 5]);
    const t = 5; // 5 itself is background in both
    expect([...thresholdCombinedCpu(a, t)]).toEqual([0, 1, 1, 0, 0, 0]);
    const and = { values: b, thresholdDn: t, combine: 'and' } as const;
    expect([...thresholdCombinedCpu(a, t, and)]).toEqual([0, 0, 1, 0, 0, 0]);
    expect([...thresholdCombinedCpu(a, t, { ...and, combine: 'or' })]).toEqual([0, 1, 1, 1, 1, 0]);
    expect(() => thresholdCombinedCpu(a, t, { ...and, values: new Float32Array(2) })).toThrow(
      /second thresholded image holds 2 values, expected 6/,
    );
  });
});

/** Brute force: every offset of the element, clipped to the image. */
function bruteMorphology(
  mask: Uint8Array,
  width: number,
  height: number,
  operation: MorphologyOperation,
  r: number,
  element: StructuringElement,
): Uint8Array {
  const inside = (dx: number, dy: number): boolean =>
    element === 'square' ? true : dx * dx + dy * dy <= r * r;
  const step = (input: Uint8Array, dilate: boolean): Uint8Array => {
    const out = new Uint8Array(input.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let any = false;
        let all = true;
        for (let dy = -r; dy <= r; dy++) {
          for (let dx = -r; dx <= r; dx++) {
            const xx = x + dx;
            const yy = y + dy;
            if (!inside(dx, dy) || xx < 0 || yy < 0 || xx >= width || yy >= height) continue;
            if (input[yy * width + xx] !== 0) any = true;
            else all = false;
          }
        }
        out[y * width + x] = (dilate ? any : all) ? 1 : 0;
      }
    }
    return out;
  };
  switch (operation) {
    case 'erode':
      return step(mask, false);
    case 'dilate':
      return step(mask, true);
    case 'open':
      return step(step(mask, false), true);
    case 'close':
      return step(step(mask, true), false);
  }
}

const OPERATIONS: readonly MorphologyOperation[] = ['erode', 'dilate', 'open', 'close'];
const ELEMENTS: readonly StructuringElement[] = ['square', 'disc'];

describe('morphology (CPU twin)', () => {
  test('masks pack to bits a row at a time and back: pixel (32q + b, y) is bit b of word (y, q)', () => {
    // 33 px wide: two words a row, the second holding one pixel.
    const width = 33;
    const mask = new Uint8Array(width * 2);
    mask[0] = 1; // (0, 0): bit 0 of word 0
    mask[31] = 7; // (31, 0): bit 31 of word 0, any nonzero is foreground
    mask[32] = 1; // (32, 0): bit 0 of word 1
    mask[width + 5] = 1; // (5, 1): bit 5 of word 2
    const words = packMaskBitsCpu(mask, width, 2);
    expect([...words]).toEqual([0x80000001, 1, 1 << 5, 0]);
    expect([...unpackMaskBitsCpu(words, width, 2)]).toEqual(
      [...mask].map((v) => (v !== 0 ? 1 : 0)),
    );
    const random = new Random(5);
    for (const w of [1, 31, 32, 64, 65, 100]) {
      const m = Uint8Array.from({ length: w * 3 }, () => (random.next() < 0.5 ? 1 : 0));
      expect(unpackMaskBitsCpu(packMaskBitsCpu(m, w, 3), w, 3)).toEqual(m);
    }
  });

  test('element half-widths: squares are flat, discs are exact integer circles', () => {
    expect(Array.from(elementHalfWidths(3, 'square'))).toEqual([3, 3, 3, 3]);
    expect(Array.from(elementHalfWidths(5, 'disc'))).toEqual([5, 4, 4, 4, 3, 0]);
    for (let r = 0; r <= 64; r++) {
      const hw = elementHalfWidths(r, 'disc');
      for (let dy = 0; dy <= r; dy++) {
        const h = hw[dy]!;
        expect(h * h + dy * dy).toBeLessThanOrEqual(r * r);
        expect((h + 1) * (h + 1) + dy * dy).toBeGreaterThan(r * r);
      }
    }
  });

  test('matches brute force for every operation, element and small radius', () => {
    const random = new Random(6);
    const sizes = [
      [1, 1],
      [1, 9],
      [11, 1],
      [4, 3],
      [37, 23],
    ] as const;
    for (const [width, height] of sizes) {
      const mask = randomBlobs(random, width, height, 6);
      for (const operation of OPERATIONS) {
        for (const element of ELEMENTS) {
          for (const r of [0, 1, 2, 3, 5]) {
            const got = morphologyCpu(mask, width, height, { operation, radiusPx: r, element });
            const expected = bruteMorphology(mask, width, height, operation, r, element);
            expect(got, `${operation} ${element} r=${r} on ${width}×${height}`).toEqual(expected);
          }
        }
      }
    }
  });

  test('opening only removes and is idempotent; closing only adds and is idempotent; duality', () => {
    const random = new Random(7);
    const width = 48;
    const height = 40;
    const mask = randomBlobs(random, width, height, 12);
    const not = (m: Uint8Array): Uint8Array => m.map((v) => 1 - v);
    for (const element of ELEMENTS) {
      for (const r of [1, 2, 4]) {
        const opened = morphologyCpu(mask, width, height, {
          operation: 'open',
          radiusPx: r,
          element,
        });
        const closed = morphologyCpu(mask, width, height, {
          operation: 'close',
          radiusPx: r,
          element,
        });
        for (let i = 0; i < mask.length; i++) {
          expect(opened[i]! <= mask[i]!).toBe(true);
          expect(closed[i]! >= mask[i]!).toBe(true);
        }
        expect(
          morphologyCpu(opened, width, height, { operation: 'open', radiusPx: r, element }),
        ).toEqual(opened);
        expect(
          morphologyCpu(closed, width, height, { operation: 'close', radiusPx: r, element }),
        ).toEqual(closed);
        // Outside is foreground for erosion and background for dilation: exact duals.
        const eroded = morphologyCpu(mask, width, height, {
          operation: 'erode',
          radiusPx: r,
          element,
        });
        const dilatedComplement = morphologyCpu(not(mask), width, height, {
          operation: 'dilate',
          radiusPx: r,
          element,
        });
        expect(eroded).toEqual(not(dilatedComplement));
      }
    }
  });

  test('a block cut off by the image edge survives opening; a speck does not', () => {
    const width = 20;
    const height = 12;
    const mask = new Uint8Array(width * height);
    for (let y = 0; y < 6; y++) for (let x = 0; x < 5; x++) mask[y * width + x] = 1; // corner block
    mask[8 * width + 15] = 1; // isolated speck
    const opened = morphologyCpu(mask, width, height, {
      operation: 'open',
      radiusPx: 2,
      element: 'square',
    });
    const expected = new Uint8Array(mask);
    expected[8 * width + 15] = 0;
    expect(opened).toEqual(expected);
  });

  test('radius 0 is the identity (nonzero normalized to 1); bad input is refused', () => {
    const mask = new Uint8Array([0, 3, 1, 0, 255, 0]);
    for (const operation of OPERATIONS) {
      expect(Array.from(morphologyCpu(mask, 3, 2, { operation, radiusPx: 0 }))).toEqual([
        0, 1, 1, 0, 1, 0,
      ]);
    }
    expect(() => morphologyCpu(mask, 3, 2, { operation: 'open', radiusPx: 65 })).toThrow(/radius/);
    expect(() => morphologyCpu(mask, 4, 2, { operation: 'open', radiusPx: 1 })).toThrow(
      /expected 8/,
    );
  });
});
