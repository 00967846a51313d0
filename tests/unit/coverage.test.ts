import { describe, expect, test } from 'vitest';
import {
  coverageWarnings,
  NO_PIXELS_NOTE,
  pierCoverage,
  piersWithoutPixels,
} from '../../src/core/analysis/coverage.ts';
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

  test('a pier partly under an earlier one, or past the window and the data, counts its part', () => {
    const width = 20;
    const height = 10;
    // The after image has data left of column 15 only.
    const valid = Uint8Array.from({ length: width * height }, (_, i) => (i % width < 15 ? 1 : 0));
    const rois = [box('A', 2, 2, 8, 8), box('B', 5, 2, 11, 8), box('C', 12, 2, 30, 8)];
    const input = { widthPx: width, heightPx: height, valid, rois } as unknown as AnalysisInput;
    const coverage = pierCoverage(input, rasterizeRois(rois, width, height));
    // B: its columns 5–7 go to A, listed first: 3 of its 6. C: 8 of its 18 columns inside
    // the window, 3 of those 8 with data: 0.44 × 0.375.
    expect(coverage).toEqual([1, 0.5, 0.16]);
    const why =
      'is counted (the rest lies outside the images, where they hold no data, or under a pier listed before it); its numbers count that part only';
    expect(coverageWarnings(['A', 'B', 'C'], coverage)).toEqual([
      `B: only 50 % of it ${why}`,
      `C: only 16 % of it ${why}`,
    ]);
    // Listed the other way round, A is the one cut.
    const swapped = [rois[1], rois[0], rois[2]] as PixelPolygon[];
    expect(
      pierCoverage({ ...input, rois: swapped }, rasterizeRois(swapped, width, height)),
    ).toEqual([1, 0.5, 0.16]);
  });

  test('a pier that holds no pixel centre is told it is too small, not that it lies outside', () => {
    const width = 20;
    const height = 10;
    const valid = new Uint8Array(width * height).fill(1);
    // D: 0.6 × 0.6 px between pixel centres, inside both images; E: outside the window.
    const rois = [box('A', 2, 2, 8, 8), box('D', 10.6, 4.6, 11.2, 5.2), box('E', 40, 2, 48, 8)];
    const input = { widthPx: width, heightPx: height, valid, rois } as unknown as AnalysisInput;
    const roiIndex = rasterizeRois(rois, width, height);
    const withoutPixels = piersWithoutPixels(input, roiIndex);
    expect(withoutPixels).toEqual([false, true, false]);
    const warnings = coverageWarnings(
      ['A', 'D', 'E'],
      pierCoverage(input, roiIndex),
      withoutPixels,
    );
    expect(warnings).toEqual([
      `D: ${NO_PIXELS_NOTE}`,
      'E: no part of it lies in both images, so its numbers are 0 and mean nothing',
    ]);
    expect(NO_PIXELS_NOTE).toMatch(
      /^no pixel centre lies inside it \(it is smaller or thinner than a pixel/,
    );
  });

  test('a bow tie is covered whole; a pier under an earlier one has no pixel; a sliver on the image is outside', () => {
    const width = 40;
    const height = 20;
    const valid = new Uint8Array(width * height).fill(1);
    const bowTie: PixelPolygon = {
      name: 'Bow',
      rings: [
        [
          [2, 2],
          [18, 18],
          [18, 2],
          [2, 18],
          [2, 2],
        ],
      ],
    };
    // Berth lies wholly inside Terminal, which is listed first and takes every pixel.
    const rois = [
      bowTie,
      box('Terminal', 20, 2, 38, 18),
      box('Berth', 24, 6, 30, 12),
      // 200 px long, of which 0.3 px lies on the image: mostly outside.
      box('Sliver', 39.7, 5, 239.7, 15),
    ];
    const input = { widthPx: width, heightPx: height, valid, rois } as unknown as AnalysisInput;
    const roiIndex = rasterizeRois(rois, width, height);
    // The bow tie's signed loops cancel; its coverage counts its pixels.
    expect(pierCoverage(input, roiIndex)).toEqual([1, 1, 0, 0]);
    expect(piersWithoutPixels(input, roiIndex)).toEqual([false, false, true, false]);
    expect(
      coverageWarnings(
        ['Bow', 'Terminal', 'Berth', 'Sliver'],
        pierCoverage(input, roiIndex),
        piersWithoutPixels(input, roiIndex),
      ),
    ).toEqual([
      `Berth: ${NO_PIXELS_NOTE}`,
      'Sliver: no part of it lies in both images, so its numbers are 0 and mean nothing',
    ]);
  });
});
