/**
 * Radiometric normalization on WebGPU (src/gpu/normalization.ts) against its
 * CPU twin (estimateNormalizationDetailed, applyNormalization).
 *
 * Exact: the band ranges, the QUANTILE_BINS histograms, hence the pass-1
 * quantiles, gains and offsets (the same CPU code runs on equal counts).
 * Within tolerance (the residual is f32 on the GPU and f64 on the CPU, so a
 * few pixels at the cut may differ, and the sums are f32 per workgroup):
 * - residual cut: within RESIDUAL_CUT_BINS bin widths of the residual histogram;
 * - invariant pixel count: within INVARIANT_COUNT_REL of the valid pixels, plus 4;
 * - gain: relative GAIN_REL; offset: OFFSET_REL · (|offset| + gain · max|after|);
 * - normalized bands: |Δgain|·|a| + |Δoffset| + 2⁻²¹ · (|gain · a| + |offset|)
 *   per pixel (the apply kernel alone, with equal gains: 2⁻²¹ · (|g·a| + |o|)).
 */
import { describe, expect, test } from 'vitest';
import { beforeGrid } from '../../src/core/demo/georeference.ts';
import {
  buildDemoScene,
  DEFAULT_DEMO_PARAMS,
  renderDemoDate,
  type DemoSceneParams,
} from '../../src/core/demo/scene.ts';
import {
  applyNormalization,
  estimateNormalizationDetailed,
  type BandNormalization,
  type NormalizationEstimate,
  type NormalizationOptions,
} from '../../src/core/analysis/normalization.ts';
import {
  maskedQuantileHistogram,
  quantileBinning,
  rangeOf,
  QUANTILE_BINS,
} from '../../src/core/analysis/quantiles.ts';
import { Random } from '../../src/core/random.ts';
import { createStorageBufferFrom } from '../../src/gpu/buffers.ts';
import {
  createNormalizationStage,
  normalizeGpu,
  type GpuNormalizationResult,
} from '../../src/gpu/normalization.ts';
import { widenMask } from '../../src/gpu/raster-kernels.ts';
import { withDevice } from '../support/gpu-test.ts';

const RESIDUAL_CUT_BINS = 2;
const INVARIANT_COUNT_REL = 1e-3;
const GAIN_REL = 1e-4;
const OFFSET_REL = 1e-4;
const APPLY_REL = 2 ** -21;

const DEFAULTS: NormalizationOptions = {
  normalizeLowPct: 10,
  normalizeHighPct: 90,
  invariantPct: 50,
};

interface Pair {
  readonly before: Float32Array[];
  readonly after: Float32Array[];
  readonly valid: Uint8Array;
}

/**
 * Three textured bands; after = gain · before + offset + noise, except a share
 * of `changedShare` pixels in blocks that are replaced (real change). A border
 * and a few holes are invalid and hold NaN or ±∞ there.
 */
function randomPair(
  random: Random,
  width: number,
  height: number,
  gains: readonly number[],
  offsets: readonly number[],
  scaleDn: number,
): Pair {
  const n = width * height;
  const valid = new Uint8Array(n);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const border = x < 3 || y < 2 || x >= width - 2;
      valid[y * width + x] = border || random.next() < 0.02 ? 0 : 1;
    }
  }
  const changed = new Uint8Array(n);
  for (let b = 0; b < 12; b++) {
    const x0 = random.int(0, width - 1);
    const y0 = random.int(0, height - 1);
    const w = random.int(4, Math.max(5, width >> 3));
    const h = random.int(4, Math.max(5, height >> 3));
    for (let y = y0; y < Math.min(height, y0 + h); y++) {
      for (let x = x0; x < Math.min(width, x0 + w); x++) changed[y * width + x] = 1;
    }
  }
  const before: Float32Array[] = [];
  const after: Float32Array[] = [];
  for (let band = 0; band < 3; band++) {
    const b = new Float32Array(n);
    const a = new Float32Array(n);
    const gain = gains[band] ?? 1;
    const offset = offsets[band] ?? 0;
    for (let i = 0; i < n; i++) {
      const x = i % width;
      const y = Math.floor(i / width);
      const base =
        scaleDn * (0.45 + 0.25 * Math.sin(x * 0.05 + band) * Math.cos(y * 0.07)) +
        scaleDn * 0.1 * random.next();
      b[i] = Math.round(base);
      const seen = changed[i] !== 0 ? scaleDn * random.next() : base;
      a[i] = Math.round(gain * seen + offset + random.gaussian() * scaleDn * 0.005);
      if (valid[i] === 0 && random.next() < 0.3) {
        const odd = random.pick([Number.NaN, Infinity, -Infinity]);
        if (random.next() < 0.5) a[i] = odd;
        else b[i] = odd;
      }
    }
    before.push(b);
    after.push(a);
  }
  return { before, after, valid };
}

/** The pair as the demo generator renders it (8-bit RGB on the before grid). */
function demoPair(params: DemoSceneParams): Pair {
  const scene = buildDemoScene(params);
  const grid = beforeGrid(scene);
  const options = { width: grid.width, height: grid.height, pixelToScene: grid.pixelToScene };
  const planes = (rgb: Uint8Array): Float32Array[] =>
    [0, 1, 2].map((band) =>
      Float32Array.from({ length: rgb.length / 3 }, (_, i) => rgb[3 * i + band] ?? 0),
    );
  const before = planes(renderDemoDate(scene, { ...options, date: 0 }));
  const after = planes(renderDemoDate(scene, { ...options, date: 1 }));
  const valid = new Uint8Array(grid.width * grid.height).fill(1);
  return { before, after, valid };
}

function maxAbs(values: Float32Array, valid: Uint8Array): number {
  let worst = 0;
  values.forEach((v, i) => {
    if (valid[i] !== 0 && Number.isFinite(v)) worst = Math.max(worst, Math.abs(v));
  });
  return worst;
}

/** Asserts every tolerance of the file comment; returns the worst relative gain error. */
function compare(
  pair: Pair,
  gpu: GpuNormalizationResult,
  cpu: NormalizationEstimate,
  options: NormalizationOptions,
): number {
  expect(gpu.beforeQuantilesDn).toEqual(cpu.beforeQuantilesDn);
  expect(gpu.afterQuantilesDn).toEqual(cpu.afterQuantilesDn);
  expect(gpu.firstPass).toEqual(cpu.firstPass);
  const validPixels = pair.valid.reduce((sum, v) => sum + (v !== 0 ? 1 : 0), 0);
  if (options.invariantPct > 0 && validPixels > 0) {
    expect(Math.abs(gpu.residualCutDn - cpu.residualCutDn)).toBeLessThanOrEqual(
      RESIDUAL_CUT_BINS * residualBinWidth(pair, cpu),
    );
    expect(Math.abs(gpu.invariantPixels - cpu.invariantPixels)).toBeLessThanOrEqual(
      INVARIANT_COUNT_REL * validPixels + 4,
    );
  }
  let worstGainRel = 0;
  cpu.normalization.forEach((c, band) => {
    const g = gpu.normalization[band];
    expect(g).toBeDefined();
    if (g === undefined) return;
    const gainRel = Math.abs(g.gain - c.gain) / c.gain;
    worstGainRel = Math.max(worstGainRel, gainRel);
    expect(gainRel, `gain of band ${band + 1}`).toBeLessThanOrEqual(GAIN_REL);
    const a = pair.after[band] ?? new Float32Array(0);
    const scale = Math.abs(c.offset) + c.gain * maxAbs(a, pair.valid);
    expect(Math.abs(g.offset - c.offset), `offset of band ${band + 1}`).toBeLessThanOrEqual(
      OFFSET_REL * scale,
    );
    const cpuBand = applyNormalization([a], [c])[0] ?? new Float32Array(0);
    const gpuBand = gpu.normalizedAfter[band] ?? new Float32Array(0);
    expect(gpuBand.length).toBe(a.length);
    const dGain = Math.abs(g.gain - c.gain);
    const dOffset = Math.abs(g.offset - c.offset);
    for (let i = 0; i < a.length; i++) {
      const x = a[i] ?? 0;
      if (!Number.isFinite(x)) continue;
      const bound =
        dGain * Math.abs(x) + dOffset + APPLY_REL * (Math.abs(c.gain * x) + Math.abs(c.offset));
      const error = Math.abs((gpuBand[i] ?? Number.NaN) - (cpuBand[i] ?? Number.NaN));
      if (!(error <= bound)) {
        throw new Error(`band ${band + 1} pixel ${i}: ${gpuBand[i]} vs ${cpuBand[i]} (> ${bound})`);
      }
    }
  });
  return worstGainRel;
}

/** Bin width of the CPU's residual histogram (recomputed: the estimate does not keep it). */
function residualBinWidth(pair: Pair, cpu: NormalizationEstimate): number {
  const n = pair.valid.length;
  const residual = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let worst = 0;
    cpu.firstPass.forEach((norm, band) => {
      const d = Math.abs(
        norm.gain * (pair.after[band]?.[i] ?? 0) + norm.offset - (pair.before[band]?.[i] ?? 0),
      );
      if (d > worst) worst = d;
    });
    residual[i] = worst;
  }
  const binning = quantileBinning(rangeOf(residual, pair.valid));
  return (binning.maxValue - binning.minValue) / QUANTILE_BINS;
}

async function gpuAndCpu(
  device: GPUDevice,
  pair: Pair,
  options: NormalizationOptions,
): Promise<{ gpu: GpuNormalizationResult; cpu: NormalizationEstimate }> {
  const gpu = await normalizeGpu(device, pair.before, pair.after, pair.valid, options);
  const cpu = estimateNormalizationDetailed(pair.before, pair.after, pair.valid, options);
  return { gpu, cpu };
}

describe('normalization kernels against the CPU twin', () => {
  test('hand case: after = 2 · before + 10 everywhere gives gain 1/2, offset −5 on both', async () => {
    await withDevice(async (device) => {
      const n = 64 * 48;
      const b = Float32Array.from({ length: n }, (_, i) => (i * 37) % 200);
      const a = b.map((v) => 2 * v + 10);
      const pair: Pair = { before: [b], after: [a], valid: new Uint8Array(n).fill(1) };
      const { gpu, cpu } = await gpuAndCpu(device, pair, DEFAULTS);
      for (const result of [gpu.normalization[0], cpu.normalization[0]]) {
        expect(result?.gain).toBeCloseTo(0.5, 5);
        expect(result?.offset).toBeCloseTo(-5, 3);
      }
      compare(pair, gpu, cpu, DEFAULTS);
      // Every pixel is invariant at pass 1, so the residuals are all (near) 0.
      expect(gpu.normalizedAfter[0]?.[5]).toBeCloseTo(b[5] ?? 0, 3);
    });
  });

  test('ranges and 4096-bin histograms equal the CPU twin exactly, ±∞ and NaN left out', async () => {
    await withDevice(async (device) => {
      const random = new Random(11);
      const pair = randomPair(random, 301, 77, [1.2, 0.9, 1.05], [-7, 12, 0], 255);
      // Non-finite values inside the overlap, too: they never count.
      pair.after[1]?.set([Infinity, -Infinity, Number.NaN], 5 * 301 + 40);
      pair.valid.set([1, 1, 1], 5 * 301 + 40);
      pair.before[2]?.fill(-3.25); // a constant band: range [v, v + 1]
      const n = pair.valid.length;
      const stage = createNormalizationStage(device, { pixelCount: n, bandCount: 3 });
      const buffers = [
        ...pair.before.map((band, b) => createStorageBufferFrom(device, `before ${b}`, band)),
        ...pair.after.map((band, b) => createStorageBufferFrom(device, `after ${b}`, band)),
      ];
      const valid = createStorageBufferFrom(device, 'valid', widenMask(pair.valid));
      try {
        const bands = { before: buffers.slice(0, 3), after: buffers.slice(3), valid };
        let encoder = device.createCommandEncoder({ label: 'ranges' });
        stage.encodeRanges(encoder, bands);
        device.queue.submit([encoder.finish()]);
        const ranges = await stage.readRanges();
        const planes = [...pair.before, ...pair.after];
        expect(ranges).toEqual(planes.map((plane) => rangeOf(plane, pair.valid)));
        expect(ranges[2]).toEqual({ minValue: -3.25, maxValue: -2.25 });
        const binnings = ranges.map(quantileBinning);
        encoder = device.createCommandEncoder({ label: 'histograms' });
        stage.encodeHistograms(encoder, bands, binnings);
        device.queue.submit([encoder.finish()]);
        const histograms = await stage.readHistograms();
        planes.forEach((plane, slot) => {
          const binning = binnings[slot];
          if (binning === undefined) throw new Error('missing binning');
          expect(histograms[slot]).toEqual(maskedQuantileHistogram(plane, binning, pair.valid));
        });
      } finally {
        stage.destroy();
        for (const buffer of [...buffers, valid]) buffer.destroy();
      }
    });
  });

  const cases: readonly {
    readonly width: number;
    readonly height: number;
    readonly scaleDn: number;
    readonly options: NormalizationOptions;
  }[] = [
    { width: 512, height: 384, scaleDn: 255, options: DEFAULTS },
    { width: 1001, height: 37, scaleDn: 255, options: { ...DEFAULTS, invariantPct: 30 } },
    { width: 400, height: 300, scaleDn: 4000, options: DEFAULTS },
    { width: 257, height: 129, scaleDn: 255, options: { ...DEFAULTS, invariantPct: 0 } },
  ];
  for (const { width, height, scaleDn, options } of cases) {
    test(`random ${width} × ${height}, ${scaleDn} DN, invariant ${options.invariantPct} %: gain 0.8/1.1/1.25 recovered`, async () => {
      await withDevice(async (device) => {
        const random = new Random(width * 31 + height);
        const gains = [0.8, 1.1, 1.25];
        const offsets = [0.06 * scaleDn, -0.04 * scaleDn, 0.02 * scaleDn];
        const pair = randomPair(random, width, height, gains, offsets, scaleDn);
        const { gpu, cpu } = await gpuAndCpu(device, pair, options);
        const worst = compare(pair, gpu, cpu, options);
        console.info(
          `normalization ${width}×${height}: worst gain rel error ${worst.toExponential(2)}, cut ${gpu.residualCutDn} vs ${cpu.residualCutDn}, invariant ${gpu.invariantPixels} vs ${cpu.invariantPixels}`,
        );
        // The known change is undone, to within what the replaced blocks and
        // the noise allow (the thin image is up to a third changed).
        gains.forEach((gain, band) => {
          const fit: BandNormalization | undefined = gpu.normalization[band];
          expect(Math.abs((fit?.gain ?? 0) * gain - 1), `band ${band + 1}`).toBeLessThan(0.08);
        });
      });
    });
  }

  test('one band of 420 × 400 px, at most 32 workgroups per dimension: every dispatch folds into 2-D', async () => {
    await withDevice(async (device) => {
      // At WebGPU's 65535 workgroups per dimension folding needs over 16.7 Mpx
      // (SwiftShader took 30 s for 4200 × 4000); a low cap folds the same code
      // paths on a small image, the last row of workgroups only partly used.
      const width = 420;
      const n = width * 400;
      const random = new Random(3);
      const b = new Float32Array(n);
      const a = new Float32Array(n);
      const valid = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const x = i % width;
        b[i] = ((x * 7 + Math.floor(i / width) * 13) % 251) + random.next();
        a[i] = x > 400 ? 255 * random.next() : 1.2 * (b[i] ?? 0) - 4;
        valid[i] = x === 0 ? 0 : 1;
      }
      const pair: Pair = { before: [b], after: [a], valid };
      const gpu = await normalizeGpu(device, pair.before, pair.after, pair.valid, DEFAULTS, {
        maxWorkgroupsPerDimension: 32,
      });
      const cpu = estimateNormalizationDetailed(pair.before, pair.after, pair.valid, DEFAULTS);
      compare(pair, gpu, cpu, DEFAULTS);
      expect(gpu.normalization[0]?.gain).toBeCloseTo(1 / 1.2, 4);
      // The last pixel was written by the folded apply dispatch.
      expect(gpu.normalizedAfter[0]?.[n - 1]).toBeCloseTo(
        applyNormalization([a], gpu.normalization)[0]?.[n - 1] ?? Number.NaN,
        3,
      );
    });
  });

  test('no valid pixel: identity on both (quantile range [0, 1], no pass 2)', async () => {
    await withDevice(async (device) => {
      const random = new Random(5);
      const pair = randomPair(random, 64, 20, [1.1, 1, 1], [3, 0, 0], 255);
      pair.valid.fill(0);
      const { gpu, cpu } = await gpuAndCpu(device, pair, DEFAULTS);
      expect(cpu.normalization).toEqual([
        { gain: 1, offset: 0 },
        { gain: 1, offset: 0 },
        { gain: 1, offset: 0 },
      ]);
      expect(gpu.normalization).toEqual(cpu.normalization);
      expect(gpu.invariantPixels).toBe(0);
    });
  });

  test('NaN inside the overlap: that band falls back to pass 1 on both', async () => {
    await withDevice(async (device) => {
      const random = new Random(9);
      const pair = randomPair(random, 128, 96, [1.1, 0.95, 1], [3, 0, 0], 255);
      for (let i = 1000; i < 4000; i += 7) {
        if (pair.valid[i] !== 0 && pair.after[0] !== undefined) pair.after[0][i] = Number.NaN;
      }
      const { gpu, cpu } = await gpuAndCpu(device, pair, DEFAULTS);
      expect(cpu.normalization[0]).toEqual(cpu.firstPass[0]);
      expect(gpu.normalization[0]).toEqual(gpu.firstPass[0]);
      compare(pair, gpu, cpu, DEFAULTS);
    });
  });

  test('demo scene (gain 1.06/1.08/1.10, offset −5, haze, new sun): GPU equals the twin', async () => {
    await withDevice(async (device) => {
      const pair = demoPair({
        ...DEFAULT_DEMO_PARAMS,
        widthPx: 320,
        heightPx: 240,
        gsdM: 1.5,
        seed: 21,
        afterGrid: null,
      });
      const { gpu, cpu } = await gpuAndCpu(device, pair, DEFAULTS);
      const worst = compare(pair, gpu, cpu, DEFAULTS);
      console.info(
        `normalization demo: gains ${gpu.normalization.map((n) => n.gain.toFixed(4)).join(', ')}, worst gain rel error ${worst.toExponential(2)}`,
      );
    });
  });
});
