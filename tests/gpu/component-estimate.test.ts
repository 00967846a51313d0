/**
 * shaders/hole-fill.wgsl and shaders/component-estimate.wgsl (each around the
 * GPU labelling) against their CPU twins, fillHoles and estimateFromMask.
 * Tolerance: none. Masks and per-ROI counts are integers with one right
 * answer, and the TEU comes from the counts through the same CPU arithmetic
 * (teuFromCounts), so masks, counts and every TeuEstimate field must be equal.
 */
import { describe, expect, test } from 'vitest';
import {
  componentAreas,
  estimateFromMask,
  fillHoles,
  keepComponents,
  minKeptAreaPx,
  roiBlobCounts,
  roiBlobCountsAtRoots,
} from '../../src/core/analysis/estimate.ts';
import { DEFAULT_ANALYSIS_PARAMS, type AnalysisParams } from '../../src/core/analysis/params.ts';
import { roisTouch } from '../../src/core/analysis/roi-raster.ts';
import { labelComponentsCpu } from '../../src/core/ccl.ts';
import { Random } from '../../src/core/random.ts';
import { estimateFromMaskGpu } from '../../src/gpu/component-estimate.ts';
import { fillHolesGpu } from '../../src/gpu/hole-fill.ts';
import { withDevice } from '../support/gpu-test.ts';

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  return a.findIndex((v, i) => v !== b[i]);
}

/**
 * Blocky random masks; `roiCount` ROIs as a grid of cells (more than 32 makes
 * the blob count take two ROI groups), some pixels outside every ROI, and a
 * domain with gaps.
 */
function scene(seed: number, width: number, height: number, roiCount: number) {
  const random = new Random(seed);
  const n = width * height;
  const mask = new Uint8Array(n);
  for (let b = 0; b < Math.ceil(n / 150); b++) {
    const x0 = random.int(0, width - 1);
    const y0 = random.int(0, height - 1);
    const bw = random.int(1, 16);
    const bh = random.int(1, 10);
    for (let y = y0; y < Math.min(height, y0 + bh); y++) {
      for (let x = x0; x < Math.min(width, x0 + bw); x++) mask[y * width + x] = 1;
    }
  }
  for (let i = 0; i < n; i++) if (random.next() < 0.03) mask[i] = mask[i] === 0 ? 1 : 0;
  const columns = Math.ceil(Math.sqrt(roiCount));
  const cellW = Math.ceil(width / columns);
  const cellH = Math.ceil(height / Math.ceil(roiCount / columns));
  const roiIndex = Int32Array.from({ length: n }, (_, i) => {
    const x = i % width;
    const y = Math.floor(i / width);
    if (x % cellW === 0) return -1;
    const roi = Math.floor(y / cellH) * columns + Math.floor(x / cellW);
    return roi < roiCount ? roi : -1;
  });
  const domain = Uint8Array.from(roiIndex, (roi, i) =>
    roi >= 0 && (i % width) % 23 !== 22 ? 1 : 0,
  );
  return { mask, roiIndex, domain, cellH };
}

/** Pixel area of the estimate tests' masks. */
const PIXEL_AREA_M2 = 0.36;

/** The GPU estimate (with stage options) and its CPU twin on the same mask. */
async function bothEstimates(
  device: GPUDevice,
  mask: Uint8Array,
  roiIndex: Int32Array,
  [width, height, roiCount]: readonly [number, number, number],
  params: AnalysisParams,
  stageOptions: Parameters<typeof estimateFromMaskGpu>[8] = {},
) {
  const pixelAreaM2 = PIXEL_AREA_M2;
  const gpu = await estimateFromMaskGpu(
    device,
    mask,
    width,
    height,
    roiIndex,
    roiCount,
    pixelAreaM2,
    params,
    stageOptions,
  );
  const cpu = estimateFromMask(mask, width, height, roiIndex, roiCount, pixelAreaM2, params);
  return { gpu, cpu };
}

/** scene() with its cells kept apart by a row of no ROI as well, the mask cut to the cells. */
function apartScene(seed: number, width: number, height: number, roiCount: number) {
  const grid = scene(seed, width, height, roiCount);
  const roiIndex = Int32Array.from(grid.roiIndex, (roi, i) =>
    Math.floor(i / width) % grid.cellH === 0 ? -1 : roi,
  );
  const mask = Uint8Array.from(grid.mask, (v, i) => ((roiIndex[i] ?? -1) >= 0 ? v : 0));
  return { mask, roiIndex };
}

describe('hole-fill.wgsl against fillHoles', () => {
  test('hand-made: an enclosed hole is filled, a notch open to the outside is not', async () => {
    await withDevice(async (device) => {
      const w = 7;
      const h = 7;
      const mask = new Uint8Array(w * h);
      for (let y = 1; y <= 5; y++) for (let x = 1; x <= 5; x++) mask[y * w + x] = 1;
      mask[3 * w + 3] = 0;
      mask[1 * w + 3] = 0;
      const domain = new Uint8Array(w * h).fill(1);
      const filled = await fillHolesGpu(device, mask, domain, w, h, 4);
      expect(filled[3 * w + 3]).toBe(1);
      expect(filled[1 * w + 3]).toBe(0);
      expect(Array.from(filled)).toEqual(Array.from(fillHoles(mask, domain, w, h, 4)));
      const limited = await fillHolesGpu(device, mask, domain, w, h, 0.5);
      expect(limited[3 * w + 3]).toBe(0);
    });
  });

  for (const [width, height, maxHolePx] of [
    [1, 1, 10],
    [123, 77, 3.5],
    [123, 77, 60],
    [70, 150, 1e12],
    // Rows of 22 runs of 32 px.
    [700, 45, 60],
    // Rows of one run and of two: a workgroup's staging wraps over several rows.
    [20, 90, 60],
    [40, 50, 60],
  ] as const) {
    test(`${width}×${height}, maxHolePx ${maxHolePx}: equal masks`, async () => {
      await withDevice(async (device) => {
        const { mask, domain } = scene(width + height, width, height, 5);
        const masked = Uint8Array.from(mask, (v, i) => (domain[i] !== 0 ? v : 0));
        const gpu = await fillHolesGpu(device, masked, domain, width, height, maxHolePx);
        const cpu = fillHoles(masked, domain, width, height, maxHolePx);
        expect(firstDifference(gpu, cpu)).toBe(-1);
        if (width > 1) expect(firstDifference(cpu, masked)).not.toBe(-1);
      });
    });
  }
});

describe('hole-fill.wgsl with a noFill mask against fillHoles', () => {
  test('holes fill only off noFill, as mask ∨ (filled ∧ ¬noFill)', async () => {
    await withDevice(async (device) => {
      const [width, height] = [123, 77];
      const { mask, domain } = scene(31, width, height, 5);
      const masked = Uint8Array.from(mask, (v, i) => (domain[i] !== 0 ? v : 0));
      // A noFill mask that covers some holes and leaves others: the left half.
      const noFill = Uint8Array.from(masked, (_, i) => (i % width < width / 2 ? 1 : 0));
      const gpu = await fillHolesGpu(device, masked, domain, width, height, 60, {}, noFill);
      const cpu = fillHoles(masked, domain, width, height, 60, noFill);
      expect(firstDifference(gpu, cpu)).toBe(-1);
      const filled = fillHoles(masked, domain, width, height, 60);
      const expected = filled.map((v, i) =>
        masked[i] !== 0 || (v !== 0 && noFill[i] === 0) ? 1 : 0,
      );
      expect(firstDifference(cpu, expected)).toBe(-1);
      // noFill kept some holes open, and some holes still filled.
      expect(firstDifference(cpu, filled)).not.toBe(-1);
      expect(firstDifference(cpu, masked)).not.toBe(-1);
    });
  });
});

describe('dispatches folded into 2-D (at most 40 workgroups per dimension)', () => {
  // 320 × 280 needs more than 40 workgroups in every pass, per-pixel and
  // run-based: they fold into rows of at most 40 (22 × 2 and 39 × 9, a few
  // spare), as 64 Mpx folds at WebGPU's 65535.
  const [width, height] = [320, 280];
  const dispatch = { maxWorkgroupsPerDimension: 40 };
  const small = { maxWorkgroupsPerDimension: 3 };

  test('hole filling: equal masks', async () => {
    await withDevice(async (device) => {
      const { mask, domain } = scene(11, width, height, 5);
      const masked = Uint8Array.from(mask, (v, i) => (domain[i] !== 0 ? v : 0));
      const gpu = await fillHolesGpu(device, masked, domain, width, height, 60, dispatch);
      expect(firstDifference(gpu, fillHoles(masked, domain, width, height, 60))).toBe(-1);
      // Three per dimension hold 9 workgroups, too few: refused before anything is allocated.
      await expect(fillHolesGpu(device, masked, domain, width, height, 60, small)).rejects.toThrow(
        /exceeds 3² workgroups/,
      );
    });
  });

  for (const [what, makeScene, oneRoi] of [
    ['blobs per group of ROIs', scene, false],
    ['blobs at the roots, in one pass', apartScene, true],
  ] as const) {
    test(`estimate, ${what}: equal kept masks and counts`, async () => {
      await withDevice(async (device) => {
        const params = { ...DEFAULT_ANALYSIS_PARAMS, minAreaM2: 5 };
        const { mask, roiIndex } = makeScene(12, width, height, 40);
        const { gpu, cpu } = await bothEstimates(
          device,
          mask,
          roiIndex,
          [width, height, 40],
          params,
          {
            ...dispatch,
            componentsInOneRoi: oneRoi,
          },
        );
        expect(firstDifference(gpu.kept, cpu.kept)).toBe(-1);
        expect(gpu.perRoi).toEqual(cpu.perRoi);
      });
    });
  }
});

describe('componentsInOneRoi: blobs counted at the roots in one pass', () => {
  const [width, height, roiCount] = [160, 120, 40];
  const params = { ...DEFAULT_ANALYSIS_PARAMS, minAreaM2: 2 };
  const shape = [width, height, roiCount] as const;
  const oneRoi = { componentsInOneRoi: true };

  test('where every component lies in one ROI: the CPU twin’s counts, over two groups of 32 ROIs', async () => {
    await withDevice(async (device) => {
      const { mask, roiIndex } = apartScene(21, width, height, roiCount);
      expect(roisTouch(roiIndex, width, height)).toBe(false);
      const { gpu, cpu } = await bothEstimates(device, mask, roiIndex, shape, params, oneRoi);
      expect(firstDifference(gpu.kept, cpu.kept)).toBe(-1);
      expect(gpu.perRoi).toEqual(cpu.perRoi);
      expect(cpu.perRoi.slice(32).some((roi) => roi.blobs > 0)).toBe(true);
      // countRoots' literal twin gives the same.
      const { labels } = labelComponentsCpu(mask, width, height);
      expect(Array.from(gpu.counts.blobs)).toEqual(
        Array.from(roiBlobCountsAtRoots(labels, cpu.kept, roiIndex, roiCount)),
      );
    });
  });

  test('a mask that breaks the promise gets other blob counts (so the one-pass path ran)', async () => {
    await withDevice(async (device) => {
      // Touching cells and a mask over them: blobs span ROIs.
      const { mask, roiIndex } = scene(22, width, height, roiCount);
      const { gpu, cpu } = await bothEstimates(device, mask, roiIndex, shape, params, oneRoi);
      expect(gpu.perRoi.map((roi) => roi.areaM2)).toEqual(cpu.perRoi.map((roi) => roi.areaM2));
      expect(gpu.perRoi.map((roi) => roi.blobs)).not.toEqual(cpu.perRoi.map((roi) => roi.blobs));
    });
  });
});

describe('component-estimate.wgsl against estimateFromMask', () => {
  for (const [width, height, roiCount, minAreaM2] of [
    [1, 1, 1, 0],
    [123, 77, 5, DEFAULT_ANALYSIS_PARAMS.minAreaM2],
    [123, 77, 40, 5],
    [97, 131, 3, 1e9],
    [700, 45, 40, 5],
    [20, 90, 5, 5],
    [40, 50, 5, 5],
  ] as const) {
    test(`${width}×${height}, ${roiCount} ROIs, minAreaM2 ${minAreaM2}: equal kept masks, counts and TEU`, async () => {
      await withDevice(async (device) => {
        const pixelAreaM2 = PIXEL_AREA_M2;
        const params = { ...DEFAULT_ANALYSIS_PARAMS, minAreaM2 };
        const { mask, roiIndex } =
          width === 1
            ? { mask: new Uint8Array([1]), roiIndex: new Int32Array([0]) }
            : scene(width * height + roiCount, width, height, roiCount);
        const { gpu, cpu } = await bothEstimates(
          device,
          mask,
          roiIndex,
          [width, height, roiCount],
          params,
        );
        expect(firstDifference(gpu.kept, cpu.kept)).toBe(-1);
        // The twin's counts, step by step.
        const { labels } = labelComponentsCpu(mask, width, height);
        const keepPx = minKeptAreaPx(minAreaM2, pixelAreaM2);
        const steps = keepComponents(
          mask,
          labels,
          componentAreas(labels),
          keepPx,
          roiIndex,
          roiCount,
          width,
          height,
        );
        expect(Array.from(gpu.counts.areaPx)).toEqual(Array.from(steps.areaPx));
        expect(Array.from(gpu.counts.rimPx)).toEqual(Array.from(steps.rimPx));
        expect(Array.from(gpu.counts.blobs)).toEqual(
          Array.from(roiBlobCounts(labels, steps.kept, roiIndex, roiCount)),
        );
        expect(gpu.perRoi).toEqual(cpu.perRoi);
        if (roiCount === 40) {
          // Blobs in ROIs of both groups of 32, and a blob over two ROIs.
          expect(cpu.perRoi.slice(32).some((roi) => roi.blobs > 0)).toBe(true);
          expect(cpu.perRoi.some((roi) => roi.blobs > 1)).toBe(true);
        }
      });
    });
  }
});
