import { describe, expect, test } from 'vitest';
import { differenceCpu, LUMA_WEIGHTS_RGB } from '../../src/core/difference.ts';
import { Random } from '../../src/core/random.ts';

/** Independent oracle: the definitions in double precision, pixel by pixel. */
function oracle(
  before: Float32Array,
  after: Float32Array,
  n: number,
  bands: number,
  weights: readonly number[],
) {
  const out = { luma: [] as number[], maxAbs: [] as number[], cva: [] as number[] };
  for (let i = 0; i < n; i++) {
    const d = Array.from({ length: bands }, (_, b) => after[b * n + i]! - before[b * n + i]!);
    out.luma.push(d.reduce((sum, value, b) => sum + weights[b]! * value, 0));
    out.maxAbs.push(Math.max(...d.map(Math.abs)));
    out.cva.push(Math.hypot(...d));
  }
  return out;
}

describe('difference CPU twin', () => {
  test('matches the double-precision definition on random 16-bit images', () => {
    const random = new Random(42);
    const n = 999;
    const bands = 4;
    const before = new Float32Array(n * bands).map(() => random.int(0, 65535));
    const after = new Float32Array(n * bands).map(() => random.int(0, 65535));
    const weights = [0.1, 0.2, 0.3, 0.4];
    const got = differenceCpu({ before, after, pixelCount: n, bandCount: bands, weights });
    const want = oracle(before, after, n, bands, weights);
    for (let i = 0; i < n; i++) {
      expect(got[i]).toBeCloseTo(want.luma[i]!, 1);
      expect(got[n + i]).toBe(want.maxAbs[i]);
      expect(Math.abs(got[2 * n + i]! - want.cva[i]!) / Math.max(1, want.cva[i]!)).toBeLessThan(
        1e-6,
      );
    }
  });

  test('keeps the sign: brighter is positive, darker negative', () => {
    const before = new Float32Array([100, 100, 100, 100, 100, 100]);
    const after = new Float32Array([120, 80, 120, 80, 120, 80]);
    const got = differenceCpu({
      before,
      after,
      pixelCount: 2,
      bandCount: 3,
      weights: LUMA_WEIGHTS_RGB,
    });
    expect(got[0]).toBeCloseTo(20, 4);
    expect(got[1]).toBeCloseTo(-20, 4);
  });

  test('refuses mismatched shapes with a specific message', () => {
    const one = new Float32Array(3);
    expect(() =>
      differenceCpu({
        before: one,
        after: new Float32Array(2),
        pixelCount: 1,
        bandCount: 3,
        weights: [1, 1, 1],
      }),
    ).toThrow(/must hold 3 samples/);
    expect(() =>
      differenceCpu({ before: one, after: one, pixelCount: 1, bandCount: 3, weights: [1] }),
    ).toThrow(/one luminance weight per band/);
    expect(() =>
      differenceCpu({
        before: new Float32Array(5),
        after: new Float32Array(5),
        pixelCount: 1,
        bandCount: 5,
        weights: [1, 1, 1, 1, 1],
      }),
    ).toThrow(/1 to 4 bands/);
  });
});
