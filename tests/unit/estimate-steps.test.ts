/**
 * estimateFromMask and fillHoles are chains of the GPU's steps (estimate.ts);
 * this checks them against the single-loop versions they replaced (kept here
 * as the reference), on random masks with several ROIs, a blob across two
 * ROIs, a domain with gaps and both area limits, and checks the whole-pixel
 * limits the GPU takes (minKeptAreaPx, maxHoleAreaPx) at their boundaries.
 */
import { describe, expect, test } from 'vitest';
import {
  estimateFromMask,
  fillHoles,
  maxHoleAreaPx,
  maxHolePxOf,
  minKeptAreaPx,
  roiBlobCounts,
  roiBlobCountsAtRoots,
  type MaskEstimate,
} from '../../src/core/analysis/estimate.ts';
import { roisTouch } from '../../src/core/analysis/roi-raster.ts';
import { DEFAULT_ANALYSIS_PARAMS } from '../../src/core/analysis/params.ts';
import { labelComponentsCpu } from '../../src/core/ccl.ts';
import { Random } from '../../src/core/random.ts';
import { randomMask } from '../support/masks.ts';

type EstimateParams = Parameters<typeof estimateFromMask>[6];

/** estimateFromMask before it was split into steps. */
function referenceEstimate(
  mask: Uint8Array,
  widthPx: number,
  heightPx: number,
  roiIndex: Int32Array,
  roiCount: number,
  pixelAreaM2: number,
  params: EstimateParams,
): MaskEstimate {
  const { labels } = labelComponentsCpu(mask, widthPx, heightPx);
  const n = widthPx * heightPx;
  const area = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = labels[i] ?? -1;
    if (label >= 0) area[label] = (area[label] ?? 0) + 1;
  }
  const minPx = params.minAreaM2 / pixelAreaM2;
  const kept = new Uint8Array(n);
  const areaPx = new Float64Array(roiCount);
  const rimPx = new Float64Array(roiCount);
  const blobSets: Set<number>[] = Array.from({ length: roiCount }, () => new Set<number>());
  for (let y = 0; y < heightPx; y++) {
    for (let x = 0; x < widthPx; x++) {
      const i = y * widthPx + x;
      const label = labels[i] ?? -1;
      if (label < 0 || (area[label] ?? 0) < minPx) continue;
      kept[i] = 1;
      const roi = roiIndex[i] ?? -1;
      if (roi < 0) continue;
      areaPx[roi] = (areaPx[roi] ?? 0) + 1;
      blobSets[roi]?.add(label);
      const rim =
        x === 0 ||
        y === 0 ||
        x === widthPx - 1 ||
        y === heightPx - 1 ||
        mask[i - 1] === 0 ||
        mask[i + 1] === 0 ||
        mask[i - widthPx] === 0 ||
        mask[i + widthPx] === 0;
      if (rim) rimPx[roi] = (rimPx[roi] ?? 0) + 1;
    }
  }
  const perRoi = Array.from({ length: roiCount }, (_, roi) => {
    const areaM2 = (areaPx[roi] ?? 0) * pixelAreaM2;
    const rimM2 = (rimPx[roi] ?? 0) * pixelAreaM2;
    const f = params.teuFootprintM2;
    return {
      teu: (areaM2 * params.fillFactor) / f,
      lowTeu: (Math.max(0, areaM2 - rimM2 / 2) * (params.fillFactor - params.fillFactorSpread)) / f,
      highTeu: ((areaM2 + rimM2 / 2) * (params.fillFactor + params.fillFactorSpread)) / f,
      areaM2,
      blobs: blobSets[roi]?.size ?? 0,
    };
  });
  return { perRoi, kept };
}

/** fillHoles before it was split into steps. */
function referenceFillHoles(
  mask: Uint8Array,
  domain: Uint8Array,
  widthPx: number,
  heightPx: number,
  maxHolePx: number,
): Uint8Array {
  const n = widthPx * heightPx;
  const background = new Uint8Array(n);
  for (let i = 0; i < n; i++) background[i] = domain[i] !== 0 && mask[i] === 0 ? 1 : 0;
  const { labels } = labelComponentsCpu(background, widthPx, heightPx, 4);
  const area = new Int32Array(n);
  const open = new Uint8Array(n);
  for (let y = 0; y < heightPx; y++) {
    for (let x = 0; x < widthPx; x++) {
      const i = y * widthPx + x;
      const label = labels[i] ?? -1;
      if (label < 0) continue;
      area[label] = (area[label] ?? 0) + 1;
      const border =
        x === 0 ||
        y === 0 ||
        x === widthPx - 1 ||
        y === heightPx - 1 ||
        domain[i - 1] === 0 ||
        domain[i + 1] === 0 ||
        domain[i - widthPx] === 0 ||
        domain[i + widthPx] === 0;
      if (border) open[label] = 1;
    }
  }
  const out = Uint8Array.from(mask);
  for (let i = 0; i < n; i++) {
    const label = labels[i] ?? -1;
    if (label >= 0 && open[label] === 0 && (area[label] ?? 0) <= maxHolePx) out[i] = 1;
  }
  return out;
}

/** Blocky random masks (blobs of many sizes), three ROIs as vertical bands, a domain with gaps. */
function scene(seed: number, width: number, height: number) {
  const random = new Random(seed);
  const n = width * height;
  const mask = new Uint8Array(n);
  for (let b = 0; b < 60; b++) {
    const x0 = random.int(0, width - 1);
    const y0 = random.int(0, height - 1);
    const bw = random.int(1, 14);
    const bh = random.int(1, 9);
    for (let y = y0; y < Math.min(height, y0 + bh); y++) {
      for (let x = x0; x < Math.min(width, x0 + bw); x++) mask[y * width + x] = 1;
    }
  }
  for (let i = 0; i < n; i++) if (random.next() < 0.04) mask[i] = mask[i] === 0 ? 1 : 0;
  const roiIndex = Int32Array.from({ length: n }, (_, i) => {
    const x = i % width;
    return x < width / 3 ? 0 : x < (2 * width) / 3 ? 1 : i < n / 2 ? 2 : -1;
  });
  const domain = Uint8Array.from(roiIndex, (roi, i) =>
    roi >= 0 && (i % width) % 29 !== 28 ? 1 : 0,
  );
  return { mask, roiIndex, domain };
}

describe('estimate and hole filling as chains of the GPU steps', () => {
  const width = 123;
  const height = 77;
  const pixelAreaM2 = 0.36;
  for (const seed of [1, 2, 3]) {
    for (const minAreaM2 of [0, 5, DEFAULT_ANALYSIS_PARAMS.minAreaM2, 1e9]) {
      test(`seed ${seed}, minAreaM2 ${minAreaM2}: estimateFromMask equals the single-loop version`, () => {
        const { mask, roiIndex } = scene(seed, width, height);
        const params = { ...DEFAULT_ANALYSIS_PARAMS, minAreaM2 };
        const actual = estimateFromMask(mask, width, height, roiIndex, 4, pixelAreaM2, params);
        const expected = referenceEstimate(mask, width, height, roiIndex, 4, pixelAreaM2, params);
        expect(actual).toEqual(expected);
        if (minAreaM2 === 5) expect(actual.perRoi.some((roi) => roi.blobs > 1)).toBe(true);
      });
    }
    for (const maxHolePx of [0, 1, 4.5, 40, 1e12]) {
      test(`seed ${seed}, maxHolePx ${maxHolePx}: fillHoles equals the single-loop version`, () => {
        const { mask, domain } = scene(seed, width, height);
        const masked = Uint8Array.from(mask, (v, i) => (domain[i] !== 0 ? v : 0));
        const actual = fillHoles(masked, domain, width, height, maxHolePx);
        expect(actual).toEqual(referenceFillHoles(masked, domain, width, height, maxHolePx));
        if (maxHolePx === 40) expect(actual).not.toEqual(masked);
      });
    }
    test(`seed ${seed}: fillHoles with noFill is mask ∨ (filled ∧ ¬noFill)`, () => {
      const { mask, domain } = scene(seed, width, height);
      const masked = Uint8Array.from(mask, (v, i) => (domain[i] !== 0 ? v : 0));
      // noFill over the top half: holes there stay open, holes below still fill.
      const noFill = Uint8Array.from(masked, (_, i) => (i < (width * height) / 2 ? 1 : 0));
      const filled = fillHoles(masked, domain, width, height, 40);
      const actual = fillHoles(masked, domain, width, height, 40, noFill);
      const expected = filled.map((v, i) =>
        masked[i] !== 0 || (v !== 0 && noFill[i] === 0) ? 1 : 0,
      );
      expect(actual).toEqual(expected);
      expect(actual).not.toEqual(filled);
      expect(actual).not.toEqual(masked);
    });
  }

  test('holes are 4-connected background: corners close a blob’s outline', () => {
    // Parse rows of '#' (mask), '.' (background in the domain), 'x' (outside the domain).
    const grid = (rows: readonly string[]) => {
      const width = rows[0]!.length;
      const cells = rows.join('');
      return {
        width,
        height: rows.length,
        mask: Uint8Array.from(cells, (c) => (c === '#' ? 1 : 0)),
        domain: Uint8Array.from(cells, (c) => (c === 'x' ? 0 : 1)),
      };
    };
    const filled = (rows: readonly string[], maxHolePx: number): string[] => {
      const { width, height, mask, domain } = grid(rows);
      const out = fillHoles(mask, domain, width, height, maxHolePx);
      return rows.map((row, y) =>
        row.replace(/./g, (c, x: number) => (out[y * width + x] === 1 && c === '.' ? 'F' : c)),
      );
    };
    // Two one-pixel holes that meet at a corner are two holes of 1 px, not one of 2.
    const touching = ['......', '.####.', '.#.##.', '.##.#.', '.####.', '......'];
    expect(filled(touching, 1)).toEqual([
      '......',
      '.####.',
      '.#F##.',
      '.##F#.',
      '.####.',
      '......',
    ]);
    // A gap walled on its four sides meets open ground only at a corner: enclosed.
    const corner = ['.....', '.##..', '#.#..', '.##..', '.....'];
    expect(filled(corner, 4)[2]).toBe('#F#..');
    // The same gap meeting the outside of the domain only at a corner: enclosed too.
    const cornerOut = ['x....', '.##..', '#.#..', '.##..', '.....'];
    expect(filled(cornerOut, 4)[2]).toBe('#F#..');
    // Touching the outside of the domain by a side: open.
    const sideOut = ['.....', '.##..', 'x.#..', '.##..', '.....'];
    expect(filled(sideOut, 4)[2]).toBe('x.#..');
  });

  test('whole-pixel limits: area ≥ minAreaM2 / pixel area, hole area ≤ maxHolePx', () => {
    expect(minKeptAreaPx(0, 0.36)).toBe(0);
    expect(minKeptAreaPx(3.6, 0.36)).toBe(Math.ceil(3.6 / 0.36));
    expect(minKeptAreaPx(3.7, 0.36)).toBe(11);
    expect(minKeptAreaPx(1e12, 1e-3)).toBe(0xffffffff);
    for (const [m2, px] of [
      [3.6, 0.36],
      [10, 0.25],
      [7, 0.3],
    ] as const) {
      const limit = minKeptAreaPx(m2, px);
      expect(limit - 1 < m2 / px).toBe(true);
      expect(limit >= m2 / px).toBe(true);
    }
    // A limit of a whole number of pixels is that many, however the division rounds.
    expect(0.27 / 0.09).toBeGreaterThan(3);
    expect(minKeptAreaPx(0.27, 0.09)).toBe(3);
    expect(minKeptAreaPx(3.6, 0.36)).toBe(10);
    expect(150 / (0.1 * 0.1)).toBeLessThan(15000);
    expect(maxHolePxOf(150, 0.1 * 0.1)).toBe(15000);
    expect(maxHolePxOf(150, 0.16)).toBe(937);
    expect(maxHolePxOf(150, 0.25)).toBe(600);
    expect(maxHoleAreaPx(4.5)).toBe(4);
    expect(maxHoleAreaPx(4)).toBe(4);
    expect(maxHoleAreaPx(0.5)).toBe(0);
    expect(maxHoleAreaPx(1e12)).toBe(0xffffffff);
  });
});

describe('roiBlobCountsAtRoots (twin of countRoots) against roiBlobCounts', () => {
  test('equal where the mask lies in ROIs that do not touch; not where a blob leaves its ROI', () => {
    const random = new Random(41);
    for (let trial = 0; trial < 200; trial++) {
      const width = random.int(1, 24);
      const height = random.int(1, 24);
      const roiCount = random.int(1, 6);
      // ROIs as the components of a random mask: 8-connected components never
      // touch, so neither do the ROIs (roisTouch cross-checks).
      const seeds = randomMask(random, width, height, 0.5);
      const { labels: cells } = labelComponentsCpu(seeds, width, height);
      const roiIndex = Int32Array.from(cells, (label) => (label < 0 ? -1 : label % roiCount));
      expect(roisTouch(roiIndex, width, height)).toBe(false);
      const mask = Uint8Array.from(roiIndex, (roi) => (roi >= 0 && random.next() < 0.7 ? 1 : 0));
      const { labels } = labelComponentsCpu(mask, width, height);
      const kept = Uint8Array.from(labels, (label) => (label >= 0 && random.next() < 0.9 ? 1 : 0));
      // Keep whole components: a component is kept as its root is.
      const keptWhole = Uint8Array.from(labels, (label) => (label >= 0 ? (kept[label] ?? 0) : 0));
      expect(Array.from(roiBlobCountsAtRoots(labels, keptWhole, roiIndex, roiCount))).toEqual(
        Array.from(roiBlobCounts(labels, keptWhole, roiIndex, roiCount)),
      );
    }
    // A blob whose root lies outside every ROI: one blob in ROI 0, none at the roots.
    const labels = Int32Array.from([0, 0, 0]);
    const kept = Uint8Array.from([1, 1, 1]);
    const roiIndex = Int32Array.from([-1, 0, 0]);
    expect(Array.from(roiBlobCounts(labels, kept, roiIndex, 1))).toEqual([1]);
    expect(Array.from(roiBlobCountsAtRoots(labels, kept, roiIndex, 1))).toEqual([0]);
  });
});
