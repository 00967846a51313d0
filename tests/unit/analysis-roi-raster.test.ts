import { describe, expect, test } from 'vitest';
import {
  NO_ROI,
  rasterizeRois,
  roisTouch,
  type PixelPolygon,
} from '../../src/core/analysis/roi-raster.ts';
import { Random } from '../../src/core/random.ts';

/**
 * The definition, pixel by pixel: the centre's nonzero winding number over
 * every ring, edges half-open in y; first ROI wins.
 */
function rasterizeByDefinition(
  rois: readonly PixelPolygon[],
  width: number,
  height: number,
): Int32Array {
  const out = new Int32Array(width * height).fill(NO_ROI);
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      const cx = col + 0.5;
      const cy = row + 0.5;
      for (const [index, roi] of rois.entries()) {
        let winding = 0;
        for (const ring of roi.rings) {
          for (let k = 0; k < ring.length; k++) {
            const [x0, y0] = ring[k] ?? [0, 0];
            const [x1, y1] = ring[(k + 1) % ring.length] ?? [0, 0];
            const side = (x1 - x0) * (cy - y0) - (cx - x0) * (y1 - y0);
            if (y0 <= cy && cy < y1 && side > 0) winding++;
            else if (y1 <= cy && cy < y0 && side < 0) winding--;
          }
        }
        if (winding !== 0) {
          out[row * width + col] = index;
          break;
        }
      }
    }
  }
  return out;
}

/** Centres of a 24 × 24 grid where the side test and the edge's intersection x disagree. */
function countDivisionDisagreements(ring: readonly (readonly [number, number])[]): number {
  let count = 0;
  for (let k = 0; k < ring.length; k++) {
    const [x0, y0] = ring[k] ?? [0, 0];
    const [x1, y1] = ring[(k + 1) % ring.length] ?? [0, 0];
    for (let row = 0; row < 24; row++) {
      const cy = row + 0.5;
      if (!((y0 <= cy && cy < y1) || (y1 <= cy && cy < y0))) continue;
      const crossX = x0 + ((x1 - x0) * (cy - y0)) / (y1 - y0);
      for (let col = 0; col < 24; col++) {
        const cx = col + 0.5;
        const side = (x1 - x0) * (cy - y0) - (cx - x0) * (y1 - y0);
        const counts = y1 > y0 ? side > 0 : side < 0;
        if (counts !== cx < crossX) count++;
      }
    }
  }
  return count;
}

/** A random ring: vertices on a mix of integer, half-integer and arbitrary positions, some outside. */
function randomRing(
  random: Random,
  width: number,
  height: number,
  vertices: number,
): [number, number][] {
  const coordinate = (extent: number): number => {
    const kind = random.next();
    const value = -3 + random.next() * (extent + 6);
    if (kind < 0.3) return Math.round(value);
    if (kind < 0.6) return Math.round(value) + 0.5;
    return value;
  };
  return Array.from({ length: vertices }, () => [coordinate(width), coordinate(height)]);
}

describe('ROI raster (scanline) equals the per-pixel definition', () => {
  test('random self-crossing polygons, holes, overlaps and vertices off the grid', () => {
    const random = new Random(20261126);
    let insidePixels = 0;
    for (let trial = 0; trial < 60; trial++) {
      const width = 1 + Math.floor(random.next() * 40);
      const height = 1 + Math.floor(random.next() * 40);
      const rois: PixelPolygon[] = Array.from(
        { length: 1 + Math.floor(random.next() * 4) },
        (_, k) => ({
          name: `R${k}`,
          // Some rings degenerate (0–2 vertices), some ROIs without a ring.
          rings: Array.from({ length: Math.floor(random.next() * 4) }, () =>
            randomRing(random, width, height, Math.floor(random.next() * 10)),
          ),
        }),
      );
      const expected = rasterizeByDefinition(rois, width, height);
      expect(Array.from(rasterizeRois(rois, width, height)), `trial ${trial}`).toEqual(
        Array.from(expected),
      );
      insidePixels += expected.filter((roi) => roi !== NO_ROI).length;
    }
    // The cases must exercise the inside, not only empty rasters.
    expect(insidePixels).toBeGreaterThan(5000);
  });

  test('edges through pixel centres from rounded vertices: the per-pixel rounding decides', () => {
    // Each edge runs through two pixel centres A and B, its vertices A − t(B − A) and
    // B + t(B − A) for a t that is not a binary fraction: the centres lie on the edge
    // in exact arithmetic, and only the rounded side test says on which side they fall.
    const random = new Random(7);
    let differsFromDivision = 0;
    for (let trial = 0; trial < 200; trial++) {
      const width = 24;
      const height = 24;
      const centre = (): [number, number] => [
        Math.floor(random.next() * width) + 0.5,
        Math.floor(random.next() * height) + 0.5,
      ];
      const ring: [number, number][] = [];
      for (let edge = 0; edge < 3; edge++) {
        const [ax, ay] = centre();
        const [bx, by] = centre();
        const t = 0.1 + 0.1 * Math.floor(random.next() * 9);
        ring.push(
          [ax - t * (bx - ax), ay - t * (by - ay)],
          [bx + t * (bx - ax), by + t * (by - ay)],
        );
      }
      const rois = [{ name: 'R', rings: [ring] }];
      const expected = rasterizeByDefinition(rois, width, height);
      expect(Array.from(rasterizeRois(rois, width, height)), `trial ${trial}`).toEqual(
        Array.from(expected),
      );
      differsFromDivision += countDivisionDisagreements(ring);
    }
    // The cases must reach centres where the rounded side test and the intersection disagree.
    expect(differsFromDivision).toBeGreaterThan(0);
  });

  test('an edge whose x extent overflows to infinity fills what the definition fills', () => {
    const rois = [
      {
        name: 'wide',
        rings: [
          [
            [-1e308, 0.5],
            [1e308, 2.5],
            [1e308, 0.5],
          ] as [number, number][],
        ],
      },
    ];
    expect(Array.from(rasterizeRois(rois, 4, 3))).toEqual(
      Array.from(rasterizeByDefinition(rois, 4, 3)),
    );
  });

  test('a rotated pier whose edges pass exactly through pixel centres', () => {
    const pier: PixelPolygon = {
      name: 'Pier',
      rings: [
        [
          [2.5, 0.5],
          [30.5, 14.5],
          [26.5, 22.5],
          [-1.5, 8.5],
        ],
      ],
    };
    const expected = rasterizeByDefinition([pier], 32, 24);
    expect(Array.from(rasterizeRois([pier], 32, 24))).toEqual(Array.from(expected));
    expect(expected.filter((roi) => roi === 0).length).toBeGreaterThan(200);
  });
});

describe('roisTouch: whether two ROIs have 8-adjacent pixels', () => {
  const raster = (rows: string[]): [Int32Array, number, number] => {
    const width = rows[0]?.length ?? 0;
    const values = rows
      .join('')
      .split('')
      .map((c) => (c === '.' ? NO_ROI : Number(c)));
    return [Int32Array.from(values), width, rows.length];
  };

  test('apart by a pixel: no; side by side, one above the other, or corner to corner: yes', () => {
    expect(roisTouch(...raster(['00.11', '00.11', '.....', '22.33']))).toBe(false);
    expect(roisTouch(...raster(['0011', '0011']))).toBe(true);
    expect(roisTouch(...raster(['00', '11']))).toBe(true);
    expect(roisTouch(...raster(['0.', '.1']))).toBe(true);
    expect(roisTouch(...raster(['.0', '1.']))).toBe(true);
    // One ROI, however shaped, touches nothing; negative values are no ROI.
    expect(roisTouch(...raster(['0.0', '000']))).toBe(false);
    expect(roisTouch(Int32Array.from([0, -5, 1]), 3, 1)).toBe(false);
    expect(() => roisTouch(new Int32Array(5), 2, 2)).toThrow(/needs 4 values/);
  });

  test('two separate piers do not touch; a pier split into two halves does', () => {
    const pier = (x0: number, x1: number): PixelPolygon => ({
      name: `${x0}`,
      rings: [
        [
          [x0, 5],
          [x1, 5],
          [x1, 60],
          [x0, 60],
        ],
      ],
    });
    expect(roisTouch(rasterizeRois([pier(5, 20), pier(30, 45)], 64, 64), 64, 64)).toBe(false);
    expect(roisTouch(rasterizeRois([pier(5, 20), pier(20, 45)], 64, 64), 64, 64)).toBe(true);
  });
});
