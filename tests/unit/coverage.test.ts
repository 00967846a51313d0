import { describe, expect, test } from 'vitest';
import { coverageWarnings, pierCoverage } from '../../src/core/analysis/coverage.ts';
import type { AnalysisInput } from '../../src/core/analysis/cpu-pipeline.ts';
import { rasterizeRois, type PixelPolygon } from '../../src/core/analysis/roi-raster.ts';
import { clipRing } from '../../src/core/roi-raster.ts';

const box = (name: string, x0: number, y0: number, x1: number, y1: number): PixelPolygon => ({
  name,
  rings: [
    [
      [x0, y0],
      [x1, y0],
      [x1, y1],
      [x0, y1],
      [x0, y0],
    ],
  ],
});

describe('per-pier coverage', () => {
  test('clipping a ring to the window keeps the part inside', () => {
    const clipped = clipRing(box('c', 12, 2, 30, 8).rings[0] ?? [], 20, 10);
    const xs = clipped.map(([x]) => x);
    expect(Math.min(...xs)).toBe(12);
    expect(Math.max(...xs)).toBe(20);
  });

  test('overlapping piers are each wholly covered; a pier past the window and the data counts its part', () => {
    const width = 20;
    const height = 10;
    // The after image has data left of column 15 only.
    const valid = Uint8Array.from({ length: width * height }, (_, i) => (i % width < 15 ? 1 : 0));
    const rois = [box('A', 2, 2, 8, 8), box('B', 5, 2, 11, 8), box('C', 12, 2, 30, 8)];
    const input = { widthPx: width, heightPx: height, valid, rois } as unknown as AnalysisInput;
    const coverage = pierCoverage(input, rasterizeRois(rois, width, height));
    // C: 8 of its 18 columns inside the window, 3 of those 8 with data: 0.44 × 0.375.
    expect(coverage).toEqual([1, 1, 0.16]);
    expect(coverageWarnings(['A', 'B', 'C'], coverage)).toEqual([
      'C: only 16 % of it lies in both images; its numbers count that part only',
    ]);
  });
});
