import { describe, expect, test } from 'vitest';
import {
  BACKGROUND_LABEL,
  denseIds,
  labelComponentsCpu,
  labelComponentsWithStatsCpu,
  labelIdsWithStatsCpu,
} from '../../src/core/ccl.ts';
import { componentStatsCpu, decodeComponentStats } from '../../src/core/component-stats.ts';
import { Random } from '../../src/core/random.ts';
import { randomMask } from '../support/masks.ts';

/**
 * Independent oracle: a plain 8-connected (or 4-connected) flood fill from
 * each unlabelled foreground pixel in raster order. The seed is the first
 * pixel of its component in raster order, so it is the component's smallest index.
 */
function floodFillLabels(
  mask: Uint8Array,
  width: number,
  height: number,
  connectivity: 4 | 8 = 8,
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
          if (connectivity === 4 && dx !== 0 && dy !== 0) continue;
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

function checkAgainstOracle(
  mask: Uint8Array,
  width: number,
  height: number,
  connectivity: 4 | 8 = 8,
): number {
  const got = labelComponentsCpu(mask, width, height, connectivity);
  const want = floodFillLabels(mask, width, height, connectivity);
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

describe('labelComponentsCpu, 4-connected (the background of hole filling)', () => {
  test('hand-computed: diagonals stay apart, a U joins at its base', () => {
    // 1 0 1
    // 0 1 0
    // 1 1 1
    const mask = new Uint8Array([1, 0, 1, 0, 1, 0, 1, 1, 1]);
    const { labels, count } = labelComponentsCpu(mask, 3, 3, 4);
    expect(count).toBe(3);
    expect(Array.from(labels)).toEqual([0, -1, 2, -1, 4, -1, 4, 4, 4]);
    expect(labelComponentsCpu(mask, 3, 3).count).toBe(1);
  });

  test('a checkerboard is one component per pixel; random masks against the flood fill', () => {
    const width = 9;
    const height = 7;
    const board = new Uint8Array(width * height);
    for (let i = 0; i < board.length; i++) board[i] = ((i % width) + Math.floor(i / width)) % 2;
    expect(checkAgainstOracle(board, width, height, 4)).toBe(31);
    const random = new Random(4343);
    for (const [w, h] of [
      [1, 1],
      [1, 29],
      [33, 1],
      [17, 13],
      [64, 64],
      [127, 61],
    ] as const) {
      for (let density = 0.1; density < 0.95; density += 0.1) {
        checkAgainstOracle(randomMask(random, w, h, density), w, h, 4);
      }
    }
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

  test('more provisional labels than the initial table holds (capacity growth)', () => {
    // 401×399: 201 × 200 blocks, initial capacity 4096 + ⌊40200 / 16⌋ = 6608 labels;
    // one isolated dot per 4×4 px gives 10 000 labels. A fractional capacity
    // (6608.5) once skipped the growth at label 6608 and lost that dot.
    const width = 401;
    const height = 399;
    const mask = new Uint8Array(width * height);
    for (let y = 1; y < height; y += 4) {
      for (let x = 3; x < width; x += 4) mask[y * width + x] = 1;
    }
    expect(checkAgainstOracle(mask, width, height)).toBe(100 * 100);
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

describe('labelIdsWithStatsCpu (dense ids + statistics, no canonical labels)', () => {
  const statFields = ['pixelCount', 'minX', 'minY', 'maxX', 'maxY', 'sumX', 'sumY'] as const;

  /** Everything labelIdsWithStatsCpu returns equals labelComponentsWithStatsCpu's, value by value. */
  function checkIdsVariant(mask: Uint8Array, width: number, height: number): number {
    const got = labelIdsWithStatsCpu(mask, width, height);
    const want = labelComponentsWithStatsCpu(mask, width, height);
    expect(got.count).toBe(want.count);
    expect(firstDifference(got.ids, want.ids), 'ids').toBeUndefined();
    // And independently of our labelling: the flood fill's components in raster order.
    const oracle = floodFillLabels(mask, width, height);
    expect(got.count).toBe(oracle.count);
    expect(firstDifference(got.ids, denseIds(oracle.labels)), 'ids vs flood fill').toBeUndefined();
    const direct = statsFromIds(denseIds(oracle.labels), width, oracle.count);
    for (const field of statFields) {
      expect(got[field].length, field).toBe(got.count);
      expect(Array.from(got[field]), field).toEqual(Array.from(want[field]));
      expect(Array.from(got[field]), `${field} vs per-pixel sums`).toEqual(direct[field]);
    }
    return got.count;
  }

  /** Per-pixel statistics of dense ids, the plain way (the oracle for the block-wise sums). */
  function statsFromIds(
    ids: Int32Array,
    width: number,
    count: number,
  ): Record<(typeof statFields)[number], number[]> {
    const out = {
      pixelCount: new Array<number>(count).fill(0),
      minX: new Array<number>(count).fill(Infinity),
      minY: new Array<number>(count).fill(Infinity),
      maxX: new Array<number>(count).fill(-1),
      maxY: new Array<number>(count).fill(-1),
      sumX: new Array<number>(count).fill(0),
      sumY: new Array<number>(count).fill(0),
    };
    for (let i = 0; i < ids.length; i++) {
      const c = ids[i]! - 1;
      if (c < 0) continue;
      const x = i % width;
      const y = (i - x) / width;
      out.pixelCount[c]! += 1;
      out.minX[c] = Math.min(out.minX[c]!, x);
      out.minY[c] = Math.min(out.minY[c]!, y);
      out.maxX[c] = Math.max(out.maxX[c]!, x);
      out.maxY[c] = Math.max(out.maxY[c]!, y);
      out.sumX[c]! += x;
      out.sumY[c]! += y;
    }
    return out;
  }

  test('random masks, densities 10 % to 90 %, odd and even sizes', () => {
    const random = new Random(2024);
    const sizes = [
      [1, 1],
      [1, 37],
      [41, 1],
      [2, 2],
      [3, 3],
      [5, 4],
      [4, 5],
      [17, 13],
      [64, 64],
      [127, 61],
      [300, 200],
    ] as const;
    for (const [width, height] of sizes) {
      for (let step = 1; step <= 9; step++) {
        checkIdsVariant(randomMask(random, width, height, step / 10), width, height);
      }
    }
  });

  test('every size from 1×1 to 9×9 at three densities', () => {
    const random = new Random(31);
    for (let width = 1; width <= 9; width++) {
      for (let height = 1; height <= 9; height++) {
        for (const density of [0.2, 0.5, 0.8]) {
          checkIdsVariant(randomMask(random, width, height, density), width, height);
        }
      }
    }
  });

  test('1×1 foreground and background', () => {
    const one = labelIdsWithStatsCpu(new Uint8Array([1]), 1, 1);
    expect(one.count).toBe(1);
    expect(Array.from(one.ids)).toEqual([1]);
    expect([one.pixelCount[0], one.minX[0], one.maxX[0], one.minY[0], one.maxY[0]]).toEqual([
      1, 0, 0, 0, 0,
    ]);
    const none = labelIdsWithStatsCpu(new Uint8Array([0]), 1, 1);
    expect(none.count).toBe(0);
    expect(Array.from(none.ids)).toEqual([0]);
    expect(none.pixelCount.length).toBe(0);
  });

  test('all ones and all zeros, odd sizes: one component with the whole frame, or none', () => {
    for (const [width, height] of [
      [1, 7],
      [7, 1],
      [33, 17],
      [34, 18],
    ] as const) {
      const all = labelIdsWithStatsCpu(new Uint8Array(width * height).fill(1), width, height);
      expect(all.count).toBe(1);
      expect(all.ids.every((id) => id === 1)).toBe(true);
      expect(all.pixelCount[0]).toBe(width * height);
      expect([all.minX[0], all.minY[0], all.maxX[0], all.maxY[0]]).toEqual([
        0,
        0,
        width - 1,
        height - 1,
      ]);
      // Σx = height · (0 + … + width − 1), Σy likewise.
      expect(all.sumX[0]).toBe((height * width * (width - 1)) / 2);
      expect(all.sumY[0]).toBe((width * height * (height - 1)) / 2);
      checkIdsVariant(new Uint8Array(width * height).fill(1), width, height);
      const none = labelIdsWithStatsCpu(new Uint8Array(width * height), width, height);
      expect(none.count).toBe(0);
      expect(none.ids.every((id) => id === 0)).toBe(true);
    }
  });

  test('checkerboards (one component) and their complements', () => {
    for (const [width, height] of [
      [9, 7],
      [8, 8],
      [31, 2],
    ] as const) {
      const board = new Uint8Array(width * height);
      for (let i = 0; i < board.length; i++) board[i] = ((i % width) + Math.floor(i / width)) % 2;
      expect(checkIdsVariant(board, width, height)).toBe(1);
      const complement = board.map((v) => 1 - v);
      expect(checkIdsVariant(complement, width, height)).toBe(1);
    }
  });

  test('isolated dots: ids in raster order, exact per-dot statistics, label tables that grow', () => {
    // One dot every 4 px in both directions: 100 × 100 components, each its own
    // 2×2 block, more provisional labels than the initial table capacity.
    const width = 401;
    const height = 399;
    const mask = new Uint8Array(width * height);
    for (let y = 1; y < height; y += 4) {
      for (let x = 3; x < width; x += 4) mask[y * width + x] = 200;
    }
    const got = labelIdsWithStatsCpu(mask, width, height);
    expect(got.count).toBe(100 * 100);
    let id = 0;
    for (let y = 1; y < height; y += 4) {
      for (let x = 3; x < width; x += 4) {
        id++;
        const c = id - 1;
        expect(got.ids[y * width + x]).toBe(id);
        if (
          got.pixelCount[c] !== 1 ||
          got.minX[c] !== x ||
          got.maxX[c] !== x ||
          got.minY[c] !== y ||
          got.maxY[c] !== y ||
          got.sumX[c] !== x ||
          got.sumY[c] !== y
        ) {
          throw new Error(`dot ${id} at (${x}, ${y}) has wrong statistics`);
        }
      }
    }
    expect(got.ids.reduce((n, v) => n + (v === 0 ? 0 : 1), 0)).toBe(100 * 100);
    checkIdsVariant(mask, width, height);
  });

  test('rejects a mask of the wrong length', () => {
    expect(() => labelIdsWithStatsCpu(new Uint8Array(5), 2, 2)).toThrow(/must hold 4/);
  });
});
