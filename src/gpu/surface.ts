/**
 * Surface colour per ROI on the GPU (stage 4): thin wrapper around
 * shaders/surface-histogram.wgsl, with the band ranges from the bandRange
 * reduction (normalization.ts). The CPU does the small work between: bin
 * edges from the ranges (QUANTILE_BINS keys per band) before the histograms,
 * and the medians from the read-back counts after. Steps, and why the result
 * equals surfaceColours bit for bit: src/core/analysis/surface.ts.
 */
import surfaceHistogramWgsl from '../../shaders/surface-histogram.wgsl?raw';
import type { Rgb } from '../core/analysis/occupancy.ts';
import { QUANTILE_BINS, rangeFromExtremes, type ValueRange } from '../core/analysis/quantiles.ts';
import { surfaceEdgeTable, surfaceMediansFromHistograms } from '../core/analysis/surface.ts';
import { linearDispatch, SURFACE_HISTOGRAM_WORKGROUP_SIZE } from '../core/kernel-layout.ts';
import { createInt32Buffer, createStorageBufferFrom, readBuffer } from './buffers.ts';
import { createBandRangeStage, type BandExtremes } from './normalization.ts';
import { domainRoiIndex, type RgbBuffers } from './occupancy.ts';
import {
  checkBindingSize,
  compileAutoKernel,
  createStorageBuffer,
  createUniformBuffer,
  encodeAutoDispatch,
  widenMask,
  type AutoKernel,
} from './raster-kernels.ts';

const kernels = new WeakMap<GPUDevice, AutoKernel<'main'>>();

function surfaceKernel(device: GPUDevice): AutoKernel<'main'> {
  return compileAutoKernel(kernels, device, 'surface-histogram', surfaceHistogramWgsl, ['main'], {
    WORKGROUP_SIZE: SURFACE_HISTOGRAM_WORKGROUP_SIZE,
    BINS: QUANTILE_BINS,
  });
}

/** rangeOf's range from bandRange's extremes (no value: [0, 1]; one value v: [v, v + 1]). */
export function rangeOfExtremes(extremes: BandExtremes | null): ValueRange {
  return extremes === null
    ? rangeFromExtremes(Infinity, -Infinity)
    : rangeFromExtremes(extremes.minValue, extremes.maxValue);
}

export interface SurfaceStageOptions {
  readonly pixelCount: number;
  readonly roiCount: number;
  /** Independent histogram sets (one per date in the pipeline). */
  readonly slotCount: number;
}

export interface SurfaceStage {
  /**
   * Records the per-ROI histograms of `bands` (R, G, B, f32) over pixels with
   * domainRoi (i32) ≥ 0 into `slot`, binned for `ranges` (each band's
   * rangeOf over the valid pixels); writes the edge table with queue.writeBuffer.
   */
  encode(
    encoder: GPUCommandEncoder,
    slot: number,
    bands: RgbBuffers,
    domainRoi: GPUBuffer,
    ranges: readonly ValueRange[],
  ): void;
  /** Per slot, the counts (roiCount · 3 · QUANTILE_BINS) of the last submitted `encode`. */
  readCounts(): Promise<Uint32Array[]>;
  /** Per slot, each ROI's per-band median (surfaceColours' values). */
  readSurfaces(): Promise<Rgb[][]>;
  destroy(): void;
}

export function createSurfaceStage(device: GPUDevice, options: SurfaceStageOptions): SurfaceStage {
  const { pixelCount, roiCount, slotCount } = options;
  if (!Number.isInteger(pixelCount) || pixelCount < 1) {
    throw new Error(`Surface colours need at least one pixel (got ${pixelCount})`);
  }
  if (!Number.isInteger(roiCount) || roiCount < 1) {
    throw new Error(`Surface colours need at least one ROI (got ${roiCount})`);
  }
  checkBindingSize(device, 'Surface colours', pixelCount * 4);
  const countsBytes = roiCount * 3 * QUANTILE_BINS * 4;
  checkBindingSize(device, `Surface histograms of ${roiCount} ROIs`, countsBytes);
  const kernel = surfaceKernel(device);
  const dispatch = linearDispatch(pixelCount, SURFACE_HISTOGRAM_WORKGROUP_SIZE);
  const params = createUniformBuffer(
    device,
    'surface histogram params',
    new Uint32Array([pixelCount, dispatch.rowStride, roiCount, 0]).buffer,
  );
  const edgeBytes = 3 * QUANTILE_BINS * 4;
  const edges = Array.from({ length: slotCount }, (_, slot) =>
    createStorageBuffer(device, `surface edges ${slot}`, edgeBytes),
  );
  const counts = Array.from({ length: slotCount }, (_, slot) =>
    createStorageBuffer(device, `surface counts ${slot}`, countsBytes),
  );
  const rangesOfSlot: (readonly ValueRange[] | undefined)[] = [];
  const stage: SurfaceStage = {
    encode(encoder, slot, bands, domainRoi, ranges) {
      const edgeBuffer = edges[slot];
      const countBuffer = counts[slot];
      if (edgeBuffer === undefined || countBuffer === undefined) {
        throw new Error(`No surface slot ${slot}`);
      }
      const table = surfaceEdgeTable(ranges);
      device.queue.writeBuffer(edgeBuffer, 0, table);
      rangesOfSlot[slot] = ranges.slice(0, 3);
      encoder.clearBuffer(countBuffer, 0, countsBytes);
      encodeAutoDispatch(
        device,
        encoder,
        kernel.main,
        'surface histogram',
        [
          [0, params],
          [1, bands[0]],
          [2, bands[1]],
          [3, bands[2]],
          [4, domainRoi],
          [5, edgeBuffer],
          [6, countBuffer],
        ],
        dispatch,
      );
    },
    async readCounts() {
      const all = await Promise.all(
        counts.map((buffer) => readBuffer(device, buffer, countsBytes)),
      );
      return all.map((bytes) => new Uint32Array(bytes));
    },
    async readSurfaces() {
      const all = await stage.readCounts();
      return all.map((slotCounts, slot) => {
        const ranges = rangesOfSlot[slot];
        if (ranges === undefined) throw new Error(`Surface slot ${slot} was not encoded`);
        return surfaceMediansFromHistograms(slotCounts, ranges, roiCount);
      });
    },
    destroy() {
      params.destroy();
      for (const buffer of [...edges, ...counts]) buffer.destroy();
    },
  };
  return stage;
}

export interface GpuSurfaceResult {
  /** Each ROI's per-band median: surfaceColours(bands, roiIndex, valid, roiCount). */
  readonly surfaces: Rgb[];
  /** The ranges the bins span (rangeOf(band, valid) per band). */
  readonly ranges: ValueRange[];
  /** The kernel's counts, roiCount · 3 · QUANTILE_BINS. */
  readonly counts: Uint32Array;
}

/**
 * Uploads three bands, the ROI index and the validity mask, computes the
 * ranges, histograms and medians as the pipeline does, frees everything.
 */
export async function surfaceColoursGpu(
  device: GPUDevice,
  bands: readonly Float32Array[],
  roiIndex: Int32Array,
  valid: Uint8Array,
  roiCount: number,
): Promise<GpuSurfaceResult> {
  const pixelCount = roiIndex.length;
  const [b0, b1, b2] = bands;
  if (b0 === undefined || b1 === undefined || b2 === undefined) {
    throw new Error('Surface colours need three bands (R, G, B)');
  }
  for (const band of [b0, b1, b2]) {
    if (band.length !== pixelCount) {
      throw new Error(`A band holds ${band.length} values, expected ${pixelCount}`);
    }
  }
  const rangeStage = createBandRangeStage(device, { pixelCount, slotCount: 3 });
  const stage = createSurfaceStage(device, { pixelCount, roiCount, slotCount: 1 });
  const uploaded = [
    createStorageBufferFrom(device, 'surface band 1', b0),
    createStorageBufferFrom(device, 'surface band 2', b1),
    createStorageBufferFrom(device, 'surface band 3', b2),
  ] as const;
  const validBuffer = createStorageBufferFrom(device, 'surface valid', widenMask(valid));
  const domainRoi = createInt32Buffer(
    device,
    'surface domain ROI',
    domainRoiIndex(roiIndex, valid),
  );
  try {
    let encoder = device.createCommandEncoder({ label: 'surface ranges' });
    uploaded.forEach((band, b) => {
      rangeStage.encode(encoder, b, band, validBuffer);
    });
    device.queue.submit([encoder.finish()]);
    const ranges = (await rangeStage.read()).map(rangeOfExtremes);
    encoder = device.createCommandEncoder({ label: 'surface histograms' });
    stage.encode(encoder, 0, uploaded, domainRoi, ranges);
    device.queue.submit([encoder.finish()]);
    const [counts = new Uint32Array(0)] = await stage.readCounts();
    return {
      surfaces: surfaceMediansFromHistograms(counts, ranges, roiCount),
      ranges,
      counts,
    };
  } finally {
    rangeStage.destroy();
    stage.destroy();
    for (const buffer of [...uploaded, validBuffer, domainRoi]) buffer.destroy();
  }
}
