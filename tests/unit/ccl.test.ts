import { describe, expect, test } from 'vitest';
import {
  BACKGROUND_LABEL,
  denseIds,
  labelComponentsCpu,
  labelComponentsWithStatsCpu,
} from '../../src/core/ccl.ts';
import { componentStatsCpu, decodeComponentStats } from '../../src/core/component-stats.ts';
import { Random } from '../../src/core/random.ts';

/**
 * Independent oracle: a plain 8-connected flood fill from each unlabelled
 * foreground pixel in raster order. The seed is the first pixel of its
 * component in raster order, so it is the component's smallest index.
 */
function floodFillLabels(
  mask: Uint8Array,
  width: number,
  height: number,
): { labels: Int32Array; count: number } {
  const labels = new Int32Array(width * height).fill(BACKGROUND_LABEL);
  const stack: number[] = [];
  let count = 0;
  for (let seed = 0; seed < mask.length; seed++) {
    if (mask[seed] === 0 || labels[seed] !== BACKGROUND_LABEL) continue;
    count++;
    labels[seed] = seed;
    stack.push(seed);
    while (stack.length > 0) {
      const p = stack.pop()!;
      const px = p % width;
      const py = (p - px) / width;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const x = px + dx;
          const y = py + dy;
          if (x < 0 || y < 0 || x >= width || y >= height) continue;
          const q = y * width + x;
          if (mask[q] !== 0 && labels[q] === BACKGROUND_LABEL) {
            labels[q] = seed;
            stack.push(q);
          }
        }
      }
    }
  }
  return { labels, count };
}

function randomMask(random: Random, width: number, height: number, density: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) mask[i] = random.next() < density ? 1 : 0;
  return mask;
}

/** Dense ids checked independently: numbered by first appearance in raster order. */
function expectDenseIds(labels: Int32Array, count: number): void {
  const ids = denseIds(labels);
  const seen = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (label < 0) {
      expect(ids[i]).toBe(0);
      continue;
    }
    let id = seen.get(label);
    if (id === undefined) {
      id = seen.size + 1;
      seen.set(label, id);
    }
    if (ids[i] !== id) throw new Error(`dense id at ${i}: ${ids[i]}, expected ${id}`);
  }
  expect(seen.size).toBe(count);
}

/** First differing pixel, or undefined; faster than deep equality on large arrays. */
function firstDifference(got: Int32Array, want: Int32Array): string | undefined {
  if (got.length !== want.length) return `length ${got.length} vs ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) return `pixel ${i}: got ${got[i]}, want ${want[i]}`;
  }
  return undefined;
}

function checkAgainstOracle(mask: Uint8Array, width: number, height: number): number {
  const got = labelComponentsCpu(mask, width, height);
  const want = floodFillLabels(mask, width, height);
  expect(got.count).toBe(want.count);
  // Whole arrays, exact: labels are integers with one right answer.
  expect(firstDifference(got.labels, want.labels), 'labels').toBeUndefined();
  expectDenseIds(got.labels, got.count);
  // The ids made during labelling are the standalone denseIds.
  expect(firstDifference(got.ids, denseIds(got.labels)), 'ids').toBeUndefined();
  return got.count;
}

describe('labelComponentsCpu (8-connected, canonical labels)', () => {
  test('hand-computed 5×3 mask: diagonals join, labels are smallest indices', () => {
    // 1 0 0 1 1
    // 0 1 0 0 0
    // 0 0 0 1 0
    const mask = new Uint8Array([1, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0]);
    const { labels, ids, count } = labelComponentsCpu(mask, 5, 3);
    expect(count).toBe(3);
    expect(Array.from(labels)).toEqual([0, -1, -1, 3, 3, -1, 0, -1, -1, -1, -1, -1, -1, 13, -1]);
    expect(Array.from(denseIds(labels))).toEqual([1, 0, 0, 2, 2, 0, 1, 0, 0, 0, 0, 0, 0, 3, 0]);
    expect(Array.from(ids)).toEqual([1, 0, 0, 2, 2, 0, 1, 0, 0, 0, 0, 0, 0, 3, 0]);
  });

  test('a component whose first pixel is not in its first block (U shape opening up)', () => {
    // Component's smallest pixel is 4 (row 0), although row 1 reaches further left.
    // 0 0 0 0 1
    // 1 1 1 1 0
    // 1 0 0 0 1   <- pixel 14 joins via the diagonal from 8
    const mask = new Uint8Array([0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 1, 0, 0, 0, 1]);
    const { labels, count } = labelComponentsCpu(mask, 5, 3);
    expect(count).toBe(1);
    expect(Array.from(labels)).toEqual([-1, -1, -1, -1, 4, 4, 4, 4, 4, -1, 4, -1, -1, -1, 4]);
  });

  test('1×1 foreground and background', () => {
    expect(Array.from(labelComponentsCpu(new Uint8Array([1]), 1, 1).labels)).toEqual([0]);
    expect(labelComponentsCpu(new Uint8Array([0]), 1, 1)).toEqual({
      labels: new Int32Array([-1]),
      ids: new Int32Array([0]),
      count: 0,
    });
  });

  test('all foreground and all background, odd sizes', () => {
    for (const [width, height] of [
      [1, 7],
      [7, 1],
      [33, 17],
    ] as const) {
      const all = labelComponentsCpu(new Uint8Array(width * height).fill(1), width, height);
      expect(all.count).toBe(1);
      expect(all.labels.every((label) => label === 0)).toBe(true);
      const none = labelComponentsCpu(new Uint8Array(width * height), width, height);
      expect(none.count).toBe(0);
      expect(none.labels.every((label) => label === -1)).toBe(true);
    }
  });

  test('checkerboard is one component under 8-connectivity', () => {
    const width = 9;
    const height = 7;
    const mask = new Uint8Array(width * height);
    for (let i = 0; i < mask.length; i++) mask[i] = ((i % width) + Math.floor(i / width)) % 2;
    expect(checkAgainstOracle(mask, width, height)).toBe(1);
  });

  test('stripes with a one-pixel gap stay apart', () => {
    const width = 10;
    const height = 6;
    const mask = new Uint8Array(width * height);
    for (let i = 0; i < mask.length; i++) mask[i] = Math.floor(i / width) % 2 === 0 ? 1 : 0;
    expect(checkAgainstOracle(mask, width, height)).toBe(3);
  });

  test('random masks, densities 10 % to 90 %, against the flood fill', () => {
    const random = new Random(4242);
    const sizes = [
      [1, 1],
      [1, 37],
      [41, 1],
      [2, 2],
      [17, 13],
      [64, 64],
      [127, 61],
      [300, 200],
    ] as const;
    for (const [width, height] of sizes) {
      for (let density = 0.1; density < 0.95; density += 0.1) {
        checkAgainstOracle(randomMask(random, width, height, density), width, height);
      }
    }
  });

  test('rejects a mask of the wrong length and a zero size', () => {
    expect(() => labelComponentsCpu(new Uint8Array(5), 2, 2)).toThrow(/must hold 4/);
    expect(() => labelComponentsCpu(new Uint8Array(0), 0, 3)).toThrow(/positive integer size/);
  });

  test('4096² random mask at 50 % (speed, for information)', () => {
    const width = 4096;
    const height = 4096;
    const mask = randomMask(new Random(7), width, height, 0.5);
    labelComponentsCpu(mask, width, height); // warm-up
    const start = performance.now();
    const { count } = labelComponentsCpu(mask, width, height);
    const elapsedMs = performance.now() - start;
    console.info(
      `CPU labelling (labels + dense ids) 4096² at 50 %: ${elapsedMs.toFixed(1)} ms, ${count} components`,
    );
    expect(count).toBeGreaterThan(0);
  });
});

describe('labelComponentsCpu on more shapes (2×2 block scan borders)', () => {
  test('odd and even sides from 1 to 9, all densities, against the flood fill', () => {
    const random = new Random(99);
    for (let width = 1; width <= 9; width++) {
      for (let height = 1; height <= 9; height++) {
        for (const density of [0.2, 0.5, 0.8]) {
          checkAgainstOracle(randomMask(random, width, height, density), width, height);
        }
      }
    }
  });

  test('nonzero bytes other than 1 are foreground', () => {
    const random = new Random(5);
    const mask = randomMask(random, 31, 23, 0.5).map((v) => (v === 0 ? 0 : 1 + random.int(0, 254)));
    checkAgainstOracle(mask, 31, 23);
  });

  test('components whose first pixel lies in a lower block row or a later block', () => {
    // Shapes that start in the lower pixel row of a 2×2 block row and reach the
    // upper row only further right (the canonical pixel is not in the first block).
    const width = 12;
    const height = 4;
    // row 0: . . . . . 1 . . . . . 1
    // row 1: 1 1 1 1 1 . . 1 1 1 1 .
    // row 2: . . . . . . . . . . . .
    // row 3: 1 . 1 . 1 . 1 . 1 . 1 .
    const rows = ['000001000001', '111110011110', '000000000000', '101010101010'];
    const mask = new Uint8Array(rows.join('').split('').map(Number));
    expect(checkAgainstOracle(mask, width, height)).toBe(8);
  });
});

describe('labelComponentsWithStatsCpu', () => {
  test('same labels as labelComponentsCpu and the statistics of componentStatsCpu', () => {
    const random = new Random(77);
    for (const [width, height] of [
      [1, 1],
      [1, 9],
      [9, 1],
      [5, 3],
      [64, 48],
      [101, 77],
    ] as const) {
      for (const density of [0.1, 0.4, 0.6, 0.9]) {
        const mask = randomMask(random, width, height, density);
        const plain = labelComponentsCpu(mask, width, height);
        const fused = labelComponentsWithStatsCpu(mask, width, height);
        expect(fused.count).toBe(plain.count);
        expect(firstDifference(fused.labels, plain.labels), 'labels').toBeUndefined();
        expect(firstDifference(fused.ids, plain.ids), 'ids').toBeUndefined();
        const n = plain.count;
        const table = decodeComponentStats(
          componentStatsCpu({
            widthPx: width,
            heightPx: height,
            labels: new Uint32Array(plain.ids),
            change: new Float32Array(width * height),
            kinds: new Uint32Array(width * height),
            roiIds: new Uint16Array(width * height),
            componentCount: n,
            roiCount: 0,
          }),
        );
        expect(Array.from(fused.pixelCount)).toEqual(Array.from(table.pixelCount));
        expect(Array.from(fused.minX)).toEqual(Array.from(table.minX));
        expect(Array.from(fused.minY)).toEqual(Array.from(table.minY));
        expect(Array.from(fused.maxX)).toEqual(Array.from(table.maxX));
        expect(Array.from(fused.maxY)).toEqual(Array.from(table.maxY));
        for (let c = 0; c < n; c++) {
          const count = fused.pixelCount[c]!;
          // componentStatsCpu reports centroids as Σ / count + 0.5.
          expect(fused.sumX[c]! / count + 0.5).toBe(table.centroidXPx[c]);
          expect(fused.sumY[c]! / count + 0.5).toBe(table.centroidYPx[c]);
        }
      }
    }
  });
});
