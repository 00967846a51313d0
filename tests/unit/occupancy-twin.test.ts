/**
 * The f32 twins in src/core/analysis/occupancy.ts against an independent
 * oracle in f64 (the formulas as first written, before they followed the
 * shaders' f32 order): they agree within f32 rounding, and thresholded
 * outcomes differ only on float ties.
 */
import { describe, expect, test } from 'vitest';
import {
  bestMatchChange,
  occupancyDistance,
  shadowOf,
  surfaceDistance,
  type Rgb,
  type ShadowParams,
} from '../../src/core/analysis/occupancy.ts';
import { DEFAULT_ANALYSIS_PARAMS } from '../../src/core/analysis/params.ts';
import { Random } from '../../src/core/random.ts';

const P = DEFAULT_ANALYSIS_PARAMS;
const LUMA = [0.299, 0.587, 0.114] as const;

function lum64(x: readonly number[]): number {
  return LUMA[0] * x[0]! + LUMA[1] * x[1]! + LUMA[2] * x[2]!;
}

function shadow64(x: readonly number[], l: readonly number[], p: ShadowParams): boolean {
  const ll = lum64(l);
  if (!(ll > 1)) return false;
  const lum = lum64(x) / ll;
  if (lum < p.shadowMinLumRatio || lum > p.shadowMaxLumRatio) return false;
  const r = [0, 1, 2].map((b) => (x[b]! + 1) / (l[b]! + 1));
  const m = (r[0]! + r[1]! + r[2]!) / 3;
  const tol = p.shadowChromaTolerance;
  if (r.some((v) => Math.abs(v - m) > tol)) return false;
  const blueCast = r[2]! - r[0]!;
  return blueCast >= -tol / 2 && blueCast <= 2 * tol;
}

function distance64(x: readonly number[], s: Rgb, brightnessWeight: number): number {
  const ls = lum64(s);
  const lx = lum64(x);
  const L = ls > 0 ? lx / ls : 1;
  const hue = Math.hypot(x[0]! - L * s[0], x[1]! - L * s[1], x[2]! - L * s[2]);
  return Math.max(hue, brightnessWeight * Math.sqrt(3) * Math.abs(lx - ls));
}

function randomColour(random: Random, lit: Rgb): number[] {
  const u = random.next();
  if (u < 0.5) {
    const k = random.range(0.1, 0.8);
    return [lit[0] * k, lit[1] * k * random.range(0.95, 1.1), lit[2] * k * random.range(0.95, 1.3)];
  }
  return [random.range(0, 255), random.range(0, 255), random.range(0, 255)];
}

describe('occupancy twins (f32) against an f64 oracle', () => {
  test('shadow test and surface distance on 200 000 random colours', () => {
    const random = new Random(5);
    const lit: Rgb = [150, 148, 141];
    let shadowDifferences = 0;
    let shadows = 0;
    let worstShare = 0;
    for (let k = 0; k < 200_000; k++) {
      const x = randomColour(random, lit).map(Math.fround);
      const f32 = shadowOf(x[0]!, x[1]!, x[2]!, ...lit, P);
      if (f32 !== shadow64(x, lit, P)) shadowDifferences++;
      if (f32) shadows++;
      const d32 = surfaceDistance(x[0]!, x[1]!, x[2]!, lit, P.brightnessWeight);
      const d64 = distance64(x, lit, P.brightnessWeight);
      const allowed = 1e-5 * Math.max(1, d64) + 2 ** -18 * 255;
      worstShare = Math.max(worstShare, Math.abs(d32 - d64) / allowed);
    }
    expect(worstShare).toBeLessThanOrEqual(1);
    expect(shadows).toBeGreaterThan(20_000);
    // Only colours within f32 rounding of a bound may differ: a handful in 200 000.
    expect(shadowDifferences).toBeLessThanOrEqual(20);
  });

  test('occupancyDistance and bestMatchChange keep their shapes and domains', () => {
    const random = new Random(9);
    const w = 40;
    const h = 30;
    const n = w * h;
    const lit: Rgb = [150, 148, 141];
    const bands = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
    for (let i = 0; i < n; i++) {
      const c = randomColour(random, lit);
      for (let b = 0; b < 3; b++) bands[b]![i] = c[b]!;
    }
    const roiIndex = Int32Array.from({ length: n }, (_, i) => (i % w < 5 ? -1 : 0));
    const valid = Uint8Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 0 : 1));
    const { distance, shadow } = occupancyDistance(bands, roiIndex, valid, [lit], null, P);
    for (let i = 0; i < n; i++) {
      const inDomain = roiIndex[i]! >= 0 && valid[i] !== 0;
      if (!inDomain || shadow[i] === 1) {
        expect(distance[i]).toBe(0);
        continue;
      }
      const x = [bands[0]![i]!, bands[1]![i]!, bands[2]![i]!];
      expect(distance[i]!).toBeCloseTo(distance64(x, lit, P.brightnessWeight), 3);
    }
    const domain = Uint8Array.from(valid);
    const change = bestMatchChange(bands, bands, w, h, domain, { ...P, matchRadiusPx: 1 });
    // Against itself the best match is the pixel itself: 0 in the domain, 0 outside.
    expect(change.every((v) => v === 0)).toBe(true);
  });

  test('misregistration tolerance: a shift within matchRadiusPx is no change, beyond it the edges are', () => {
    // Container-like blocks (red on concrete), the other date shifted 1 px east.
    const w = 48;
    const h = 32;
    const n = w * h;
    const concrete: Rgb = [156, 154, 147];
    const red: Rgb = [158, 42, 36];
    const paint = (shiftX: number, shiftY: number): Float32Array[] => {
      const bands = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const sx = x - shiftX;
          const sy = y - shiftY;
          const block = sx % 16 >= 4 && sx % 16 < 14 && sy % 10 >= 3 && sy % 10 < 8;
          const colour = block ? red : concrete;
          for (let b = 0; b < 3; b++) bands[b]![y * w + x] = colour[b]!;
        }
      }
      return bands;
    };
    const before = paint(0, 0);
    const domain = new Uint8Array(n).fill(1);
    const params = { ...P, shadowHandling: 'off' as const };
    const inner = (change: Float32Array, margin: number): number[] => {
      const values: number[] = [];
      for (let y = margin; y < h - margin; y++) {
        for (let x = margin; x < w - margin; x++) values.push(change[y * w + x]!);
      }
      return values;
    };
    const east = paint(1, 0);
    // Radius 1 takes a 1 px shift along an axis: no change away from the image edge.
    const tolerant = bestMatchChange(east, before, w, h, domain, { ...params, matchRadiusPx: 1 });
    expect(Math.max(...inner(tolerant, 1))).toBe(0);
    // Radius 0 compares pixel with pixel: the blocks' east and west edges change by the full colour distance.
    const strict = bestMatchChange(east, before, w, h, domain, { ...params, matchRadiusPx: 0 });
    const edges = inner(strict, 1).filter((d) => d > 0);
    expect(edges.length).toBeGreaterThan(20);
    expect(Math.min(...edges)).toBeCloseTo(Math.hypot(156 - 158, 154 - 42, 147 - 36), 3);
    // A diagonal shift of (1, 1) lies outside the disc of radius 1 (1² + 1² > 1²), inside radius 2's.
    const diagonal = paint(1, 1);
    const r1 = bestMatchChange(diagonal, before, w, h, domain, { ...params, matchRadiusPx: 1 });
    expect(Math.max(...inner(r1, 2))).toBeGreaterThan(100);
    const r2 = bestMatchChange(diagonal, before, w, h, domain, { ...params, matchRadiusPx: 2 });
    expect(Math.max(...inner(r2, 2))).toBe(0);
  });
});
