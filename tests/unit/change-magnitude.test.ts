import { describe, expect, test } from 'vitest';
import {
  changeLevelsPerDn,
  changeMagnitudeCpu,
  meanChangeDn,
} from '../../src/core/analysis/change-magnitude.ts';

describe('change magnitude (CPU twin of shaders/change-magnitude.wgsl)', () => {
  test('level 64 is the larger change threshold, 255 saturates, the larger direction wins', () => {
    const levelsPerDn = changeLevelsPerDn({ changeBefore: 20, changeAfter: 40 });
    expect(levelsPerDn).toBe(Math.fround(1.6));
    const after = Float32Array.from([0, 40, 10, 39.99, 500, 0]);
    const before = Float32Array.from([0, 0, 20, 0, 0, 80]);
    expect(Array.from(changeMagnitudeCpu(after, before, levelsPerDn))).toEqual([
      0, 64, 32, 63, 255, 128,
    ]);
  });

  test('thresholds of 0 fall back to one level per DN', () => {
    expect(changeLevelsPerDn({ changeBefore: 0, changeAfter: 0 })).toBe(1);
    expect(
      Array.from(changeMagnitudeCpu(Float32Array.from([3.7]), Float32Array.from([1]), 1)),
    ).toEqual([3]);
  });

  test('the scale is an f32 and the product is rounded to f32 before the floor', () => {
    // 64 / 30 is not an f32; the shader gets fround(64 / 30).
    const levelsPerDn = changeLevelsPerDn({ changeBefore: 30, changeAfter: 30 });
    expect(levelsPerDn).toBe(Math.fround(64 / 30));
    const value = Math.fround(30);
    const level = changeMagnitudeCpu(Float32Array.from([value]), new Float32Array(1), levelsPerDn);
    expect(level[0]).toBe(Math.floor(Math.fround(value * levelsPerDn)));
    // Where it matters: this product is just below 1 in f64 and exactly 1 in f32.
    const edge = Math.fround(1 / levelsPerDn);
    expect(changeMagnitudeCpu(Float32Array.from([edge]), new Float32Array(1), levelsPerDn)[0]).toBe(
      1,
    );
  });

  test('mean change in DN over listed pixels', () => {
    const magnitude = { levels: Uint8Array.from([64, 128, 0, 32]), dnPerLevel: 0.5 };
    expect(meanChangeDn(magnitude, [0, 1])).toBe(48);
    expect(meanChangeDn(magnitude, [2, 3])).toBe(8);
    expect(meanChangeDn(magnitude, [])).toBe(0);
  });

  test('refuses score images of different sizes', () => {
    expect(() => changeMagnitudeCpu(new Float32Array(3), new Float32Array(4), 1)).toThrow(
      'Change scores differ in size (3 and 4 pixels)',
    );
  });
});
