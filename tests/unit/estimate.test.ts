import { describe, expect, test } from 'vitest';
import {
  componentStatsCpu,
  decodeComponentStats,
  type ComponentTable,
} from '../../src/core/component-stats.ts';
import {
  DEFAULT_ESTIMATE_PARAMS,
  estimateTeu,
  TEU_FOOTPRINT_M2,
  type EstimateParams,
  type Range,
} from '../../src/core/estimate.ts';

interface BlobSpec {
  /** Pixels per kind code 0..3: neither, before only, after only, both. */
  readonly kinds: readonly [number, number, number, number];
  readonly boundaryPx: number;
  /** Pixels inside each ROI. */
  readonly roiPx: readonly number[];
}

/** A ComponentTable by hand: only the fields the estimate reads matter. */
function table(blobs: readonly BlobSpec[], roiCount: number): ComponentTable {
  const n = blobs.length;
  const zeros = (): Uint32Array => new Uint32Array(n);
  const floats = (): Float64Array => new Float64Array(n);
  return {
    componentCount: n,
    roiCount,
    pixelCount: Uint32Array.from(blobs.map((b) => b.kinds.reduce((s, k) => s + k, 0))),
    minX: zeros(),
    minY: zeros(),
    maxX: zeros(),
    maxY: zeros(),
    centroidXPx: floats(),
    centroidYPx: floats(),
    changeSum: floats(),
    meanChange: floats(),
    kindCounts: Uint32Array.from(blobs.flatMap((b) => [...b.kinds])),
    boundaryPx: Uint32Array.from(blobs.map((b) => b.boundaryPx)),
    roiPixelCounts: Uint32Array.from(blobs.flatMap((b) => [...b.roiPx])),
  };
}

function expectRange(actual: Range, expected: Range): void {
  expect(actual[0]).toBeCloseTo(expected[0], 9);
  expect(actual[1]).toBeCloseTo(expected[1], 9);
}

// 1 m² pixels, 10 m² per TEU, fill 0.5 ± 0.1: one pixel = 0.05 TEU (0.04 … 0.06).
const PARAMS: EstimateParams = {
  fillFactor: 0.5,
  fillFactorBand: 0.1,
  teuFootprintM2: 10,
  minAreaM2: 5,
};

describe('container estimate', () => {
  test('the default footprint is a 20-ft container, 6.058 m × 2.438 m ≈ 14.77 m²', () => {
    expect(TEU_FOOTPRINT_M2).toBeCloseTo(14.77, 2);
    expect(DEFAULT_ESTIMATE_PARAMS.teuFootprintM2).toBe(TEU_FOOTPRINT_M2);
    // A blob of exactly one footprint at fill factor 1 is one TEU.
    const components = table([{ kinds: [0, 0, 59, 0], boundaryPx: 0, roiPx: [59] }], 1);
    const result = estimateTeu(
      { components, pixelAreaM2: TEU_FOOTPRINT_M2 / 59, roiNames: ['A'] },
      { ...DEFAULT_ESTIMATE_PARAMS, fillFactor: 1, minAreaM2: 0 },
    );
    expect(result.blobs[0]?.teu).toBeCloseTo(1, 12);
    expect(result.rois[0]?.appearedTeu).toBeCloseTo(1, 12);
  });

  test('hand-computed: kinds, share inside, minimum area and ranges', () => {
    const components = table(
      [
        // 100 px wholly in A: 20 before only, 30 after only, 50 both; 40 boundary px.
        { kinds: [0, 20, 30, 50], boundaryPx: 40, roiPx: [100, 0] },
        // 60 px appeared, cut by the A/B edge: half in each.
        { kinds: [0, 0, 60, 0], boundaryPx: 20, roiPx: [30, 30] },
        // 4 m² < minAreaM2: ignored.
        { kinds: [0, 4, 0, 0], boundaryPx: 4, roiPx: [4, 0] },
        // Pixels in the blob but occupied at neither date count for nothing.
        { kinds: [10, 0, 0, 0], boundaryPx: 10, roiPx: [0, 10] },
      ],
      2,
    );
    const result = estimateTeu({ components, pixelAreaM2: 1, roiNames: ['A', 'B'] }, PARAMS);
    expect(result.blobs.map((b) => b.counted)).toEqual([true, true, false, true]);
    expect(result.blobs[0]?.teu).toBeCloseTo(5, 12);
    expect(result.blobs[1]?.shareInsideRois).toBe(1);

    const [a, b] = result.rois;
    // A: before 70 px, after 80 + 30, appeared 30 + 30, disappeared 20, net 40.
    expect(a?.beforeTeu).toBeCloseTo(3.5, 12);
    expect(a?.afterTeu).toBeCloseTo(5.5, 12);
    expect(a?.appearedTeu).toBeCloseTo(3.0, 12);
    expect(a?.disappearedTeu).toBeCloseTo(1.0, 12);
    expect(a?.netTeu).toBeCloseTo(2.0, 12);
    expect(a?.blobCount).toBe(2);
    expect(a?.blobAreaM2).toBe(130);
    // Quantization ± 0.5 · boundary · kind share · ROI share:
    // before 0.5·40·70/100 = 14 → [56, 84] px → [2.24, 5.04] TEU.
    expectRange(a?.rangeTeu.before ?? [0, 0], [56 * 0.04, 84 * 0.06]);
    // after: 0.5·40·80/100 = 16, plus 0.5·0.5·20 = 5 → 110 ± 21 px.
    expectRange(a?.rangeTeu.after ?? [0, 0], [89 * 0.04, 131 * 0.06]);
    // net: appeared 6 + 5, disappeared 4 → 40 ± 15 px.
    expectRange(a?.rangeTeu.net ?? [0, 0], [25 * 0.04, 55 * 0.06]);

    // B: half of blob 2 only (blob 4 is all "neither").
    expect(b?.appearedTeu).toBeCloseTo(1.5, 12);
    expect(b?.afterTeu).toBeCloseTo(1.5, 12);
    expect(b?.beforeTeu).toBe(0);
    expect(b?.netTeu).toBeCloseTo(1.5, 12);
    expectRange(b?.rangeTeu.appeared ?? [0, 0], [25 * 0.04, 35 * 0.06]);
    expectRange(b?.rangeTeu.disappeared ?? [0, 0], [0, 0]);

    // Total: blobs 1, 2 and 4 whole.
    expect(result.total.appearedTeu).toBeCloseTo(4.5, 12);
    expect(result.total.netTeu).toBeCloseTo(3.5, 12);
  });

  test('a net loss has a negative range; fill factor ends are clamped to [0, 1]', () => {
    const components = table([{ kinds: [0, 100, 0, 0], boundaryPx: 0, roiPx: [100] }], 1);
    const result = estimateTeu(
      { components, pixelAreaM2: 1, roiNames: ['A'] },
      { ...PARAMS, fillFactor: 0.95, fillFactorBand: 0.1 },
    );
    expect(result.rois[0]?.netTeu).toBeCloseTo(-9.5, 12);
    expectRange(result.rois[0]?.rangeTeu.net ?? [0, 0], [-10, -8.5]);
  });

  test('from component statistics: a 10×10 block that appeared, cut by an ROI edge', () => {
    const w = 20;
    const labels = new Uint32Array(w * w);
    const kinds = new Uint32Array(w * w);
    const roiIds = new Uint16Array(w * w);
    for (let y = 5; y < 15; y++) {
      for (let x = 5; x < 15; x++) {
        labels[y * w + x] = 1;
        kinds[y * w + x] = 2; // occupied after only
        roiIds[y * w + x] = x < 8 ? 1 : 0; // 3 of 10 columns inside
      }
    }
    const components = decodeComponentStats(
      componentStatsCpu({
        widthPx: w,
        heightPx: w,
        labels,
        change: new Float32Array(w * w),
        kinds,
        roiIds,
        componentCount: 1,
        roiCount: 1,
      }),
    );
    const result = estimateTeu({ components, pixelAreaM2: 1, roiNames: ['A'] }, PARAMS);
    // 30 px inside × 0.05 TEU/px; quantization 0.5 · 36 boundary px · 0.3 = 5.4 px.
    expect(result.rois[0]?.appearedTeu).toBeCloseTo(1.5, 12);
    expectRange(result.rois[0]?.rangeTeu.appeared ?? [0, 0], [24.6 * 0.04, 35.4 * 0.06]);
  });

  test('refuses parameters without meaning', () => {
    const components = table([], 0);
    const input = { components, pixelAreaM2: 1, roiNames: [] };
    expect(() => estimateTeu(input, { ...PARAMS, fillFactor: 0 })).toThrow(/fillFactor/);
    expect(() => estimateTeu(input, { ...PARAMS, teuFootprintM2: -1 })).toThrow(/teuFootprint/);
    expect(() => estimateTeu({ ...input, pixelAreaM2: 0 }, PARAMS)).toThrow(/pixelAreaM2/);
    expect(() => estimateTeu({ ...input, roiNames: ['x'] }, PARAMS)).toThrow(/one name per ROI/);
  });
});
