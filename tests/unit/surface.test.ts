/**
 * The surface colour in the GPU's steps (src/core/analysis/surface.ts: ranges,
 * bin edges, edge-binned histograms, medians) against surfaceColours, which
 * the CPU pipeline runs: equal bit for bit (toEqual; NaN for an ROI without
 * pixels on both sides), and the bin edges against histogramBin itself at
 * and next to every edge.
 */
import { describe, expect, test } from 'vitest';
import { surfaceColours } from '../../src/core/analysis/occupancy.ts';
import {
  histogramBin,
  histogramOf,
  histogramScale,
  quantilesOf,
  QUANTILE_BINS,
  rangeOf,
  type ValueRange,
} from '../../src/core/analysis/quantiles.ts';
import {
  binByEdges,
  f32FromOrderKey,
  f32OrderKey,
  NO_EDGE_KEY,
  surfaceBinEdges,
  surfaceEdgeTable,
  surfaceHistogramsCpu,
  surfaceMediansFromHistograms,
} from '../../src/core/analysis/surface.ts';
import { Random } from '../../src/core/random.ts';

function viaEdges(
  bands: readonly Float32Array[],
  roiIndex: Int32Array,
  valid: Uint8Array,
  roiCount: number,
): ReturnType<typeof surfaceColours> {
  const ranges = bands.slice(0, 3).map((band) => rangeOf(band, valid));
  const domainRoi = roiIndex.map((roi, i) => (valid[i] !== 0 && roi >= 0 ? roi : -1));
  const counts = surfaceHistogramsCpu(bands, domainRoi, surfaceEdgeTable(ranges), roiCount);
  return surfaceMediansFromHistograms(counts, ranges, roiCount);
}

function checkEdges(range: ValueRange): void {
  const edges = surfaceBinEdges(range);
  const scale = histogramScale(range);
  const bin = (v: number): number => histogramBin(v, range.minValue, scale);
  for (let k = 1; k < QUANTILE_BINS; k++) {
    const key = edges[k] ?? 0;
    expect(key).toBeGreaterThanOrEqual(edges[k - 1] ?? 0);
    if (key === NO_EDGE_KEY) continue;
    const at = f32FromOrderKey(key);
    const below = f32FromOrderKey(key - 1);
    expect(bin(at), `edge ${k}`).toBeGreaterThanOrEqual(k);
    expect(bin(below), `below edge ${k}`).toBeLessThan(k);
    // The kernel's binary search agrees with histogramBin at and next to the edge.
    for (const v of [below, at, f32FromOrderKey(key + 1)]) {
      if (Number.isFinite(v) && v >= range.minValue && v <= range.maxValue) {
        expect(binByEdges(edges, 0, v), `value ${v}`).toBe(bin(v));
      }
    }
  }
}

describe('surface colour through bin edges (the GPU steps) equals surfaceColours', () => {
  test('order keys sort like the numbers and invert exactly', () => {
    const values = [-3.4e38, -1e9, -1, -1e-30, -0, 0, 1e-30, 0.5, 1, 255, 65535, 3.4e38];
    const keys = values.map(f32OrderKey);
    for (let k = 1; k < keys.length; k++) {
      expect(keys[k] ?? 0).toBeGreaterThan(keys[k - 1] ?? 0);
    }
    for (const v of values) expect(f32FromOrderKey(f32OrderKey(v))).toBe(Math.fround(v));
  });

  test.each<[string, ValueRange]>([
    ['8-bit', { minValue: 0, maxValue: 255 }],
    ['odd f32 ends', { minValue: Math.fround(3.7), maxValue: Math.fround(241.3) }],
    ['16-bit', { minValue: 112, maxValue: 61234 }],
    ['negative to positive', { minValue: -1000.5, maxValue: 17.25 }],
    ['constant band [v, v + 1]', { minValue: 87, maxValue: 88 }],
    ['no values [0, 1]', { minValue: 0, maxValue: 1 }],
    ['narrow', { minValue: 100, maxValue: Math.fround(100.001) }],
  ])('edges of a %s range reproduce histogramBin', (_, range) => {
    checkEdges(range);
  });

  test('random bands with NaN, ∞, invalid pixels, ties and an ROI without pixels', () => {
    const random = new Random(20240);
    const width = 97;
    const height = 61;
    const n = width * height;
    const roiCount = 4;
    const roiIndex = Int32Array.from({ length: n }, (_, i) => {
      const x = i % width;
      const y = Math.floor(i / width);
      if (y < 5) return -1;
      return x < 30 ? 0 : x < 60 ? 1 : y < 40 ? 2 : -1; // ROI 3 has no pixels
    });
    const valid = Uint8Array.from({ length: n }, () => (random.next() < 0.9 ? 1 : 0));
    const bands = [
      // 8-bit integers: many values sit exactly on bin edges.
      Float32Array.from({ length: n }, () => random.int(0, 255)),
      // Smooth floats with a few non-finite values.
      Float32Array.from({ length: n }, (_, i) =>
        i % 997 === 0 ? Number.NaN : i % 1009 === 0 ? Infinity : 120 + 30 * random.gaussian(),
      ),
      // 16-bit-like with negative offsets.
      Float32Array.from({ length: n }, () => random.range(-500, 40000)),
    ];
    const expected = surfaceColours(bands, roiIndex, valid, roiCount);
    expect(viaEdges(bands, roiIndex, valid, roiCount)).toEqual(expected);
    // surfaceColours bins all ROIs in one pass; the definition is one
    // histogramOf per ROI and band over the band's range.
    const perRoi = Array.from({ length: roiCount }, (_, roi) =>
      bands.map((band) => {
        const range = rangeOf(band, valid);
        const include = (i: number): boolean => roiIndex[i] === roi && valid[i] !== 0;
        return quantilesOf(histogramOf(band, range, include), range, [0.5])[0];
      }),
    );
    expect(expected).toEqual(perRoi);
    expect(expected[3]).toEqual([Number.NaN, Number.NaN, Number.NaN]);
  });

  test('constant bands, a band with no valid value, and values on every edge', () => {
    const n = QUANTILE_BINS * 3;
    const range = { minValue: 0, maxValue: 255 };
    const edges = surfaceBinEdges(range);
    // Every edge value, the value just below it and just above.
    const onEdges = Float32Array.from({ length: n }, (_, i) => {
      const key = edges[1 + (Math.floor(i / 3) % (QUANTILE_BINS - 1))] ?? 0;
      return f32FromOrderKey(key + (i % 3) - 1);
    });
    onEdges[0] = 0;
    onEdges[1] = 255;
    const roiIndex = Int32Array.from({ length: n }, (_, i) => i % 2);
    const valid = new Uint8Array(n).fill(1);
    const constant = new Float32Array(n).fill(87.5);
    const bands = [onEdges, constant, Float32Array.from(onEdges, (v) => 255 - v)];
    expect(viaEdges(bands, roiIndex, valid, 2)).toEqual(surfaceColours(bands, roiIndex, valid, 2));
    const none = new Uint8Array(n);
    expect(viaEdges(bands, roiIndex, none, 2)).toEqual(surfaceColours(bands, roiIndex, none, 2));
  });
});
