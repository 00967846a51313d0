import { describe, expect, it } from 'vitest';
import type { PixelMapping } from '../../src/core/align/grid-mapping.ts';
import { resampleBilinear } from '../../src/core/align/resample.ts';
import {
  meanBlurExcessPx2,
  resamplingBlurExcessPx2,
} from '../../src/core/align/resampling-blur.ts';
import { sharpnessMatch } from '../../src/core/analysis/cpu-pipeline.ts';
import { DEFAULT_ANALYSIS_PARAMS } from '../../src/core/analysis/params.ts';
import { blurCpu, varianceMatchWeights } from '../../src/core/blur.ts';

/** target (col, row) → source (scale·col + dx, scale·row + dy). */
function scaled(scale: number, dx: number, dy: number): PixelMapping {
  return {
    kind: 'affine',
    map: (col, row) => [scale * col + dx, scale * row + dy],
    mapRow(colStart, row, count, outCol, outRow) {
      for (let k = 0; k < count; k++) {
        outCol[k] = scale * (colStart + k) + dx;
        outRow[k] = scale * row + dy;
      }
    },
  };
}

describe('resamplingBlurExcessPx2', () => {
  it('is 0 for a whole-pixel shift on the same grid', () => {
    const [x, y] = resamplingBlurExcessPx2(scaled(1, 3, -2), 400, 300);
    expect(x).toBeCloseTo(0, 12);
    expect(y).toBeCloseTo(0, 12);
  });

  it('is f·(1 − f) per axis for a fractional shift on the same grid', () => {
    const [x, y] = resamplingBlurExcessPx2(scaled(1, 0.5, 0.2), 400, 300);
    expect(x).toBeCloseTo(0.25, 9);
    expect(y).toBeCloseTo(0.2 * 0.8, 9);
    expect(meanBlurExcessPx2([x, y])).toBeCloseTo((0.25 + 0.16) / 2, 9);
  });

  it('adds the larger source pixel and averages the interpolation for another GSD', () => {
    // 0.6 m pixels onto a 0.5 m grid: s = 5/6 source px per target px. The
    // fractional positions sweep [0, 1) evenly, so E[f(1 − f)] → 1/6.
    const s = 5 / 6;
    const [x] = resamplingBlurExcessPx2(scaled(s, 0.1, 0.1), 6000, 6000);
    const expected = (1 / (s * s)) * (1 / 12 + 1 / 6) - 1 / 12;
    expect(x).toBeCloseTo(expected, 2);
  });

  it('is negative when the source is finer than the target', () => {
    // A 2× finer source sampled on its pixel centres (f = 0): its pixels are
    // half as wide, variance (1/2)²/12 against the target's 1/12.
    const [x] = resamplingBlurExcessPx2(scaled(2, 0.5, 0.5), 300, 300);
    expect(x).toBeCloseTo(1 / 48 - 1 / 12, 9);
  });

  it('predicts the edge spread that bilinear resampling measurably adds', () => {
    // A vertical step edge with a linear ramp, resampled with a fractional
    // shift: the variance of the derivative profile grows by the prediction.
    const width = 64;
    const height = 4;
    const band = new Float32Array(width * height);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) band[y * width + x] = x >= 32 ? 100 : 0;
    const spread = (data: Float32Array): number => {
      let m0 = 0;
      let m1 = 0;
      let m2 = 0;
      for (let x = 1; x < width; x++) {
        const d = (data[width + x] ?? 0) - (data[width + x - 1] ?? 0);
        m0 += d;
        m1 += d * x;
        m2 += d * x * x;
      }
      return m2 / m0 - (m1 / m0) ** 2;
    };
    const mapping = scaled(1, 0.3, 0);
    const resampled = resampleBilinear(band, width, height, mapping, width - 2, height).data;
    const padded = new Float32Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width - 2; x++)
        padded[y * width + x] = resampled[y * (width - 2) + x] ?? 0;
      for (let x = width - 2; x < width; x++) padded[y * width + x] = 100;
    }
    const predicted = resamplingBlurExcessPx2(mapping, width - 2, height)[0];
    expect(spread(padded) - spread(band)).toBeCloseTo(predicted, 6);
  });
});

describe('varianceMatchWeights and the blur with explicit weights', () => {
  it('gives 3 normalized taps of the asked variance, clamped to 0.5', () => {
    const weights = Array.from(varianceMatchWeights(0.3));
    expect(weights[0]).toBeCloseTo(0.15, 7);
    expect(weights[1]).toBeCloseTo(0.7, 7);
    expect(weights[2]).toBeCloseTo(0.15, 7);
    const variance = (weights[0] ?? 0) + (weights[2] ?? 0);
    expect(variance).toBeCloseTo(0.3, 7);
    expect(Array.from(varianceMatchWeights(2))).toEqual([0.25, 0.5, 0.25]);
    expect(Array.from(varianceMatchWeights(-1))).toEqual([0, 1, 0]);
  });

  it('blurs with the given taps, both axes, edges replicated', () => {
    const image = Float32Array.from([0, 0, 10, 0, 0, 0, 0, 0, 0]);
    const out = blurCpu(image, 3, 3, { blurRadiusPx: 1, weights: varianceMatchWeights(0.5) });
    // Row pass: [0, 2.5, 7.5] on row 0 (right edge replicated); column pass weights 0.75/0.25.
    expect(out[2]).toBeCloseTo(7.5 * 0.75, 5);
    expect(out[1]).toBeCloseTo(2.5 * 0.75, 5);
    expect(out[5]).toBeCloseTo(7.5 * 0.25, 5);
    expect(out[8]).toBeCloseTo(0, 6);
    expect(() =>
      blurCpu(image, 3, 3, { blurRadiusPx: 2, weights: varianceMatchWeights(0.5) }),
    ).toThrow(/radius 2 px needs 5 weights \(got 3\)/);
  });
});

describe('sharpnessMatch (stage 1b)', () => {
  it('softens the sharper date by the excess, or nothing', () => {
    const on = DEFAULT_ANALYSIS_PARAMS;
    const softenBefore = sharpnessMatch({ afterBlurExcessPx2: 0.2 }, on);
    expect(softenBefore?.date).toBe('before');
    expect(Array.from(softenBefore?.weights ?? [])).toEqual(Array.from(varianceMatchWeights(0.2)));
    expect(sharpnessMatch({ afterBlurExcessPx2: -0.3 }, on)?.date).toBe('after');
    expect(sharpnessMatch({ afterBlurExcessPx2: 0.001 }, on)).toBeNull();
    expect(sharpnessMatch({}, on)).toBeNull();
    expect(sharpnessMatch({ afterBlurExcessPx2: 0.2 }, { sharpnessMatching: 'off' })).toBeNull();
  });
});
