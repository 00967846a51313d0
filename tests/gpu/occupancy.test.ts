/**
 * occupancy.wgsl, texture.wgsl (+ blur.wgsl) and change.wgsl against their
 * CPU twins in src/core/analysis/occupancy.ts.
 *
 * Tolerances (f32 on both sides; a GPU may fuse multiply–add and its
 * division and square root are within a few ULP):
 * - occupancy distance and change: |gpu − cpu| ≤ 1e-4·max(1, |cpu|) +
 *   2⁻¹⁸·M, M the largest |band value| (the terms cancel in x − L·s and x − y,
 *   so their error is absolute in the input's scale);
 * - texture: ≤ 3·blurTolerance(r, 255) (luminance plus two blurs);
 * - boolean outputs (shadow, and the masks above thresholdDn /
 *   changeThresholdDn): exact, except for pixels where a value lies within
 *   such a rounding of a decision boundary. Those are counted and must stay
 *   ≤ MAX_TIE_SHARE = 10⁻⁴ of the pixels; a score beyond the tolerance must be
 *   explained by such a flip (occupancy: the pixel's shadow flag differs;
 *   change: one side is 0, a shadow pair taken on one side only).
 * On SwiftShader every output is bit-identical; each test logs how many
 * pixels are not, so a drift shows before it fails.
 */
import { describe, expect, test } from 'vitest';
import {
  bestMatchChange,
  occupancyDistance,
  surfaceColours,
  textureOf,
  type OccupancyParams,
  type Rgb,
} from '../../src/core/analysis/occupancy.ts';
import { DEFAULT_ANALYSIS_PARAMS } from '../../src/core/analysis/params.ts';
import { rasterizeRois } from '../../src/core/analysis/roi-raster.ts';
import { blurCpu, blurTolerance } from '../../src/core/blur.ts';
import { Random } from '../../src/core/random.ts';
import { createBlurStage } from '../../src/gpu/blur.ts';
import { createInt32Buffer, createStorageBufferFrom, readBuffer } from '../../src/gpu/buffers.ts';
import { bestMatchChangeGpu, createChangeStage } from '../../src/gpu/change.ts';
import {
  createOccupancyStage,
  createTextureStage,
  domainRoiIndex,
  occupancyGpu,
  textureGpu,
  type RgbBuffers,
} from '../../src/gpu/occupancy.ts';
import { generatedPortInput } from '../support/generated-port.ts';
import { withDevice } from '../support/gpu-test.ts';

const P = DEFAULT_ANALYSIS_PARAMS;
/** Largest share of pixels whose boolean outcome may differ by a float tie. */
const MAX_TIE_SHARE = 1e-4;

function scoreTolerance(cpu: number, inputScale: number): number {
  return 1e-4 * Math.max(1, Math.abs(cpu)) + 2 ** -18 * inputScale;
}

function maxAbs(arrays: readonly Float32Array[]): number {
  let m = 0;
  for (const a of arrays) for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

function countDifferent(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

function above(values: Float32Array, threshold: number): Uint8Array {
  return Uint8Array.from(values, (v) => (v > threshold ? 1 : 0));
}

/** Pixels beyond the tolerance, skipping those `excused` (a boolean flip explains them). */
function scoreOutliers(
  gpu: Float32Array,
  cpu: Float32Array,
  inputScale: number,
  excused: (i: number) => boolean = () => false,
): { outliers: number[]; worst: number; unequal: number } {
  expect(gpu.length).toBe(cpu.length);
  const outliers: number[] = [];
  let worst = 0;
  let unequal = 0;
  for (let i = 0; i < cpu.length; i++) {
    const c = cpu[i]!;
    const g = gpu[i]!;
    const error = Math.abs(g - c);
    if (Object.is(c, g)) continue;
    unequal++;
    if (!(error <= scoreTolerance(c, inputScale))) {
      if (!excused(i)) outliers.push(i);
      continue;
    }
    worst = Math.max(worst, error / scoreTolerance(c, inputScale));
  }
  return { outliers, worst, unequal };
}

/** R, G, B planes of a width × height image, with ROIs, shadows and dark objects. */
interface Synthetic {
  readonly bands: Float32Array[];
  readonly roiIndex: Int32Array;
  readonly valid: Uint8Array;
  readonly surfaces: Rgb[];
}

/**
 * Three ROIs (horizontal stripes, the top rows outside every ROI), each with
 * a surface colour; pixels are that surface with brightness variation, the
 * surface in shadow (luminance ratio 0.1–0.75 with a blue cast, so some sit
 * on either side of the test's bounds), dark and coloured objects, and noise.
 * `scale` multiplies every value (1: 8-bit DN, 200: 16-bit-like).
 */
function syntheticScene(seed: number, width: number, height: number, scale: number): Synthetic {
  const random = new Random(seed);
  const n = width * height;
  const surfaces: Rgb[] = [
    [150, 148, 141],
    [96, 104, 112],
    [205, 190, 168],
  ].map(([r, g, b]) => [r! * scale, g! * scale, b! * scale] as const);
  const bands = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  const roiIndex = new Int32Array(n).fill(-1);
  const valid = Uint8Array.from({ length: n }, () => (random.next() < 0.95 ? 1 : 0));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const roi = y < height / 8 ? -1 : Math.min(2, Math.floor(((y - height / 8) * 3) / height));
      roiIndex[i] = roi;
      const s = surfaces[Math.max(0, roi)]!;
      const u = random.next();
      let rgb: number[];
      if (u < 0.4) {
        const k = random.range(0.85, 1.15);
        rgb = s.map((v) => v * k + random.gaussian() * 2 * scale);
      } else if (u < 0.7) {
        const k = random.range(0.1, 0.75);
        const cast = random.range(-0.1, 0.35);
        rgb = [s[0] * k, s[1] * k * (1 + cast / 2), s[2] * k * (1 + cast)].map(
          (v) => v + random.gaussian() * scale,
        );
      } else if (u < 0.85) {
        rgb = [random.range(0, 255), random.range(0, 255), random.range(0, 255)].map(
          (v) => v * scale,
        );
      } else {
        const k = random.range(0.2, 0.7);
        rgb = [30 * k, 58 * k, 96 * k].map((v) => v * 3 * scale);
      }
      for (let b = 0; b < 3; b++) bands[b]![i] = Math.max(0, rgb[b]!);
    }
  }
  return { bands, roiIndex, valid, surfaces };
}

describe('occupancy.wgsl against occupancyDistance', () => {
  test('hand case: lit surface, surface in shade, navy, outside, ROI past the table', async () => {
    await withDevice(async (device) => {
      const concrete: Rgb = [150, 148, 141];
      const shade = [150 * 0.42 + 4, 148 * 0.44 + 6, 141 * 0.5 + 12];
      const pixels = [concrete, shade, [30, 58, 96], [158, 42, 36], concrete, concrete];
      const bands = [0, 1, 2].map((b) => Float32Array.from(pixels, (p) => p[b]!));
      const roiIndex = Int32Array.from([0, 0, 0, 0, -1, 1]);
      const valid = Uint8Array.from([1, 1, 1, 1, 1, 1]);
      const gpu = await occupancyGpu(device, bands, roiIndex, valid, [concrete], null, P);
      const cpu = occupancyDistance(bands, roiIndex, valid, [concrete], null, P);
      expect(Array.from(gpu.shadow)).toEqual([0, 1, 0, 0, 0, 0]);
      expect(gpu.shadow).toEqual(cpu.shadow);
      expect(gpu.distance[0]).toBeCloseTo(0, 3);
      expect(gpu.distance[1]).toBe(0);
      expect(gpu.distance[2]!).toBeGreaterThan(P.thresholdDn);
      expect(gpu.distance[3]!).toBeGreaterThan(P.thresholdDn);
      expect(Array.from(gpu.distance.subarray(4))).toEqual([0, 0]);
      expect(scoreOutliers(gpu.distance, cpu.distance, 255).outliers).toEqual([]);
    });
  });

  const cases: {
    label: string;
    seed: number;
    scale: number;
    params: OccupancyParams & { readonly textureRadiusPx: number };
  }[] = [
    { label: '8-bit, defaults', seed: 1, scale: 1, params: P },
    { label: '16-bit-like ×200, defaults', seed: 2, scale: 200, params: P },
    {
      label: '8-bit, shadows off, no texture, brightnessWeight 1',
      seed: 3,
      scale: 1,
      params: { ...P, shadowHandling: 'off', textureThresholdDn: 0, brightnessWeight: 1 },
    },
  ];
  for (const { label, seed, scale, params } of cases) {
    test(`random 320 × 240 scene with shadows: ${label}`, async () => {
      await withDevice(async (device) => {
        const width = 320;
        const height = 240;
        const { bands, roiIndex, valid, surfaces } = syntheticScene(seed, width, height, scale);
        const texture =
          params.textureThresholdDn > 0
            ? textureOf(bands, width, height, params.textureRadiusPx)
            : null;
        const gpu = await occupancyGpu(device, bands, roiIndex, valid, surfaces, texture, params);
        const cpu = occupancyDistance(bands, roiIndex, valid, surfaces, texture, params);
        const n = width * height;
        const shadowFlips = countDifferent(gpu.shadow, cpu.shadow);
        const { outliers, worst, unequal } = scoreOutliers(
          gpu.distance,
          cpu.distance,
          maxAbs(bands),
          (i) => gpu.shadow[i] !== cpu.shadow[i],
        );
        const threshold = params.thresholdDn * scale;
        const maskFlips = countDifferent(
          above(gpu.distance, threshold),
          above(cpu.distance, threshold),
        );
        console.info(
          `occupancy ${label}: ${unequal} px not bit-identical, shadow flips ${shadowFlips}, mask flips ${maskFlips}, worst error ${worst.toFixed(3)} of tolerance`,
        );
        expect(outliers).toEqual([]);
        expect(shadowFlips).toBeLessThanOrEqual(MAX_TIE_SHARE * n);
        expect(maskFlips).toBeLessThanOrEqual(MAX_TIE_SHARE * n);
        // The comparison has teeth: shadows, objects and bare surface all occur.
        const shadows = cpu.shadow.reduce((a, b) => a + b, 0);
        const occupied = above(cpu.distance, threshold).reduce((a, b) => a + b, 0);
        if (params.shadowHandling === 'colour') expect(shadows).toBeGreaterThan(0.05 * n);
        else expect(shadows).toBe(0);
        expect(occupied).toBeGreaterThan(0.1 * n);
        expect(occupied).toBeLessThan(0.9 * n);
      });
    });
  }
});

describe('texture.wgsl + blur.wgsl against textureOf', () => {
  for (const radiusPx of [1, 2, 4]) {
    test(`random 257 × 131 image, textureRadiusPx ${radiusPx}`, async () => {
      await withDevice(async (device) => {
        const width = 257;
        const height = 131;
        const { bands } = syntheticScene(10 + radiusPx, width, height, 1);
        const gpu = await textureGpu(device, bands, width, height, radiusPx);
        const cpu = textureOf(bands, width, height, radiusPx);
        // Luminance within ~1 ULP, two blurs of images of scale ≤ max luminance.
        const tolerance = 3 * blurTolerance(radiusPx, 255);
        let worst = 0;
        for (let i = 0; i < cpu.length; i++) worst = Math.max(worst, Math.abs(gpu[i]! - cpu[i]!));
        expect(worst).toBeLessThanOrEqual(tolerance);
        expect(Math.max(...cpu)).toBeGreaterThan(5);
      });
    });
  }
});

/** A moving image: the reference shifted by (1, −1) px with noise, shadowed and changed patches. */
function changePair(
  seed: number,
  width: number,
  height: number,
): { moving: Float32Array[]; reference: Float32Array[]; domain: Uint8Array } {
  const { bands: reference } = syntheticScene(seed, width, height, 1);
  const random = new Random(seed + 1000);
  const n = width * height;
  const moving = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const q = Math.min(height - 1, Math.max(0, y - 1)) * width + Math.min(width - 1, x + 1);
      const zone = ((x >> 4) + (y >> 4)) % 4;
      const k = zone === 1 ? random.range(0.3, 0.6) : 1;
      for (let b = 0; b < 3; b++) {
        const cast = zone === 1 && b === 2 ? 1.1 : 1;
        const v = zone === 3 ? random.range(0, 255) : reference[b]![q]! * k * cast;
        moving[b]![i] = Math.max(0, v + random.gaussian() * 1.5);
      }
    }
  }
  const domain = Uint8Array.from({ length: n }, () => (random.next() < 0.9 ? 1 : 0));
  return { moving, reference, domain };
}

describe('change.wgsl against bestMatchChange', () => {
  const cases = [
    { width: 1, height: 1, r: 2, shadows: true },
    { width: 1, height: 23, r: 1, shadows: true },
    { width: 19, height: 1, r: 3, shadows: false },
    { width: 160, height: 120, r: 0, shadows: true },
    { width: 160, height: 120, r: 1, shadows: true },
    { width: 160, height: 120, r: 2, shadows: true },
    { width: 97, height: 71, r: 3, shadows: false },
    { width: 97, height: 71, r: 8, shadows: true },
  ] as const;
  test('both directions on random pairs with shadows, every radius case', async () => {
    await withDevice(async (device) => {
      for (const { width, height, r, shadows } of cases) {
        const { moving, reference, domain } = changePair(width * 31 + height + r, width, height);
        const params = {
          ...P,
          matchRadiusPx: r,
          shadowHandling: shadows ? ('colour' as const) : ('off' as const),
        };
        for (const [a, b, direction] of [
          [moving, reference, 'moving→reference'],
          [reference, moving, 'reference→moving'],
        ] as const) {
          const where = `${width}×${height} r=${r} shadows=${shadows} ${direction}`;
          const gpu = await bestMatchChangeGpu(device, a, b, width, height, domain, params);
          const cpu = bestMatchChange(a, b, width, height, domain, params);
          const n = width * height;
          const { outliers, worst, unequal } = scoreOutliers(gpu, cpu, 255);
          const maskFlips = countDifferent(
            above(gpu, P.changeThresholdDn),
            above(cpu, P.changeThresholdDn),
          );
          if (n > 1000) {
            console.info(
              `change ${where}: ${unequal} px not bit-identical, outliers ${outliers.length}, mask flips ${maskFlips}, worst ${worst.toFixed(3)} of tolerance`,
            );
          }
          // A pixel beyond the tolerance is a shadow decision that flipped on a tie.
          expect(outliers.length, where).toBeLessThanOrEqual(Math.floor(MAX_TIE_SHARE * n));
          for (const i of outliers) expect(Math.min(gpu[i]!, cpu[i]!), where).toBe(0);
          expect(maskFlips, where).toBeLessThanOrEqual(Math.floor(MAX_TIE_SHARE * n));
          for (let i = 0; i < n; i++) if (domain[i] === 0) expect(gpu[i]).toBe(0);
          if (n > 1000) {
            const changed = above(cpu, P.changeThresholdDn).reduce((s, v) => s + v, 0);
            expect(changed, where).toBeGreaterThan(0.02 * n);
            expect(changed, where).toBeLessThan(0.8 * n);
          }
        }
      }
    });
  });

  test('refuses a radius past the shader bound', async () => {
    await withDevice(async (device) => {
      const band = new Float32Array(4);
      await expect(
        bestMatchChangeGpu(
          device,
          [band, band, band],
          [band, band, band],
          2,
          2,
          new Uint8Array(4),
          {
            ...P,
            matchRadiusPx: 17,
          },
        ),
      ).rejects.toThrow(/matchRadiusPx/);
    });
  });
});

describe('a generated port scene, stages chained in one encoder', () => {
  test('smooth → texture → occupancy and change (both dates) match the CPU chain', async () => {
    await withDevice(async (device) => {
      const input = generatedPortInput({
        seed: 4242,
        widthPx: 560,
        heightPx: 400,
        gsdM: 1,
        misregistrationPx: [0, 0],
      });
      const { widthPx: width, heightPx: height, rois } = input;
      const n = width * height;
      const raw = [input.before, input.after] as const;
      const roiIndex = rasterizeRois(rois, width, height);
      const valid = new Uint8Array(n).fill(1);
      const domain = Uint8Array.from(roiIndex, (roi) => (roi >= 0 ? 1 : 0));
      const params = P;

      // CPU chain, as analyzePairCpu runs it (after normalization).
      const smooth3 = (bands: readonly Float32Array[]): Float32Array[] =>
        bands.map((band) => blurCpu(band, width, height, { blurRadiusPx: params.blurRadiusPx }));
      const smoothCpu = [smooth3(raw[0]), smooth3(raw[1])] as const;
      const surfaces = smoothCpu.map((bands) =>
        surfaceColours(bands, roiIndex, valid, rois.length),
      );
      const cpu = [0, 1].map((d) => {
        const texture = textureOf(raw[d]!, width, height, params.textureRadiusPx);
        return occupancyDistance(smoothCpu[d]!, roiIndex, valid, surfaces[d]!, texture, params);
      });
      const changeAfterCpu = bestMatchChange(
        smoothCpu[1],
        smoothCpu[0],
        width,
        height,
        domain,
        params,
      );
      const changeBeforeCpu = bestMatchChange(
        smoothCpu[0],
        smoothCpu[1],
        width,
        height,
        domain,
        params,
      );

      // GPU chain: every stage on buffers, one submit, read-back at the end.
      const owned: GPUBuffer[] = [];
      const own = (buffer: GPUBuffer): GPUBuffer => {
        owned.push(buffer);
        return buffer;
      };
      const f32Buffer = (label: string): GPUBuffer =>
        own(
          device.createBuffer({
            label,
            size: n * 4,
            usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
          }),
        );
      const rgbBuffers = (make: (b: number) => GPUBuffer): RgbBuffers => [
        make(0),
        make(1),
        make(2),
      ];
      const blur = createBlurStage(device, width, height, { blurRadiusPx: params.blurRadiusPx });
      const texture = createTextureStage(device, width, height, params.textureRadiusPx);
      const occupancy = [0, 1].map(() =>
        createOccupancyStage(device, {
          pixelCount: n,
          roiCount: rois.length,
          params,
          useTexture: true,
        }),
      );
      const change = createChangeStage(device, width, height, params);
      try {
        const rawBuffers = raw.map((bands, d) =>
          rgbBuffers((b) => own(createStorageBufferFrom(device, `raw ${d}/${b}`, bands[b]!))),
        );
        const smooth = [0, 1].map((d) => rgbBuffers((b) => f32Buffer(`smooth ${d}/${b}`)));
        const textures = [0, 1].map((d) => f32Buffer(`texture ${d}`));
        const distances = [0, 1].map((d) => f32Buffer(`distance ${d}`));
        const shadows = [0, 1].map((d) => f32Buffer(`shadow ${d}`));
        const changes = [0, 1].map((d) => f32Buffer(`change ${d}`));
        const domainRoi = own(
          createInt32Buffer(device, 'domain ROI', domainRoiIndex(roiIndex, valid)),
        );
        const encoder = device.createCommandEncoder({ label: 'occupancy chain' });
        for (const d of [0, 1]) {
          for (const b of [0, 1, 2]) blur.encode(encoder, rawBuffers[d]![b]!, smooth[d]![b]!);
          texture.encode(encoder, rawBuffers[d]!, textures[d]!);
          occupancy[d]!.setSurfaces(surfaces[d]!);
          occupancy[d]!.encode(
            encoder,
            smooth[d]!,
            domainRoi,
            distances[d]!,
            shadows[d]!,
            textures[d],
          );
        }
        change.encodeBoth(encoder, smooth[1]!, smooth[0]!, domainRoi, changes[1]!, changes[0]!);
        device.queue.submit([encoder.finish()]);
        const readF32 = async (buffer: GPUBuffer): Promise<Float32Array> =>
          new Float32Array(await readBuffer(device, buffer, n * 4));
        const readMask = async (buffer: GPUBuffer): Promise<Uint8Array> =>
          Uint8Array.from(new Uint32Array(await readBuffer(device, buffer, n * 4)));

        const domainCount = domain.reduce((s, v) => s + v, 0);
        expect(domainCount).toBeGreaterThan(0.1 * n);
        for (const d of [0, 1]) {
          const distance = await readF32(distances[d]!);
          const shadow = await readMask(shadows[d]!);
          const occupiedGpu = above(distance, params.thresholdDn);
          const occupiedCpu = above(cpu[d]!.distance, params.thresholdDn);
          const maskFlips = countDifferent(occupiedGpu, occupiedCpu);
          const shadowFlips = countDifferent(shadow, cpu[d]!.shadow);
          const occupied = occupiedCpu.reduce((s, v) => s + v, 0);
          const { unequal } = scoreOutliers(distance, cpu[d]!.distance, 255);
          console.info(
            `demo date ${d}: occupied ${occupied} of ${domainCount} domain px, ${unequal} px not bit-identical, mask flips ${maskFlips}, shadow flips ${shadowFlips}`,
          );
          expect(maskFlips).toBeLessThanOrEqual(MAX_TIE_SHARE * domainCount);
          expect(shadowFlips).toBeLessThanOrEqual(MAX_TIE_SHARE * domainCount);
          expect(occupied).toBeGreaterThan(0.05 * domainCount);
        }
        for (const [d, cpuChange] of [
          [1, changeAfterCpu],
          [0, changeBeforeCpu],
        ] as const) {
          const gpuChange = await readF32(changes[d]!);
          const maskFlips = countDifferent(
            above(gpuChange, params.changeThresholdDn),
            above(cpuChange, params.changeThresholdDn),
          );
          const changed = above(cpuChange, params.changeThresholdDn).reduce((s, v) => s + v, 0);
          const { unequal } = scoreOutliers(gpuChange, cpuChange, 255);
          console.info(
            `demo change ${d}: changed ${changed}, ${unequal} px not bit-identical, mask flips ${maskFlips}`,
          );
          expect(maskFlips).toBeLessThanOrEqual(MAX_TIE_SHARE * domainCount);
          expect(changed).toBeGreaterThan(0.02 * domainCount);
        }
      } finally {
        blur.destroy();
        texture.destroy();
        for (const stage of occupancy) stage.destroy();
        change.destroy();
        for (const buffer of owned) buffer.destroy();
      }
    });
  });
});
