/**
 * Thin wrapper around shaders/histogram.wgsl; CPU twin, binning and Otsu in
 * src/core/histogram.ts (Otsu runs on the CPU from the 256 read-back counts).
 */
import histogramWgsl from '../../shaders/histogram.wgsl?raw';
import {
  histogramBinning,
  validateHistogramInput,
  type HistogramRange,
} from '../core/histogram.ts';
import {
  HISTOGRAM_BINS,
  HISTOGRAM_PARAMS_LAYOUT,
  HISTOGRAM_PIXELS_PER_INVOCATION,
  HISTOGRAM_WORKGROUP_SIZE,
  linearDispatch,
} from '../core/kernel-layout.ts';
import { createStorageBufferFrom, readBuffer } from './buffers.ts';
import {
  checkBindingSize,
  compileKernel,
  createStorageBuffer,
  createUniformBuffer,
  encodeDispatch,
  widenMask,
  type CompiledKernel,
} from './raster-kernels.ts';

const kernels = new WeakMap<GPUDevice, CompiledKernel<'main'>>();

function histogramKernel(device: GPUDevice): CompiledKernel<'main'> {
  return compileKernel(kernels, device, 'histogram', histogramWgsl, ['main'], {
    WORKGROUP_SIZE: HISTOGRAM_WORKGROUP_SIZE,
    PIXELS_PER_INVOCATION: HISTOGRAM_PIXELS_PER_INVOCATION,
    BINS: HISTOGRAM_BINS,
  });
}

/** Bytes of the counts buffer `encode` writes: HISTOGRAM_BINS u32. */
export const HISTOGRAM_COUNTS_BYTES = HISTOGRAM_BINS * 4;

export interface HistogramStageOptions {
  readonly pixelCount: number;
  readonly range: HistogramRange;
  /** When true, `encode` takes a u32 validity mask and pixels where it is 0 do not count. */
  readonly useValidMask: boolean;
}

export interface HistogramStage {
  readonly pixelCount: number;
  /**
   * Records: zero `counts` (HISTOGRAM_COUNTS_BYTES, usage STORAGE | COPY_DST),
   * then count `values` (f32) into it. `validMask` (u32, nonzero = valid) is
   * required exactly when the stage uses one.
   */
  encode(
    encoder: GPUCommandEncoder,
    values: GPUBuffer,
    counts: GPUBuffer,
    validMask?: GPUBuffer,
  ): void;
  destroy(): void;
}

export function createHistogramStage(
  device: GPUDevice,
  options: HistogramStageOptions,
): HistogramStage {
  const { pixelCount, useValidMask } = options;
  if (!Number.isInteger(pixelCount) || pixelCount < 1) {
    throw new Error(`Histogram needs at least one pixel (got ${pixelCount})`);
  }
  checkBindingSize(device, 'Histogram', pixelCount * 4);
  const binning = histogramBinning(options.range);
  const kernel = histogramKernel(device);
  const pixelsPerGroup = HISTOGRAM_WORKGROUP_SIZE * HISTOGRAM_PIXELS_PER_INVOCATION;
  const dispatch = linearDispatch(pixelCount, pixelsPerGroup);

  const params = new ArrayBuffer(HISTOGRAM_PARAMS_LAYOUT.byteLength);
  const u32 = new Uint32Array(params);
  const f32 = new Float32Array(params);
  u32[0] = pixelCount;
  u32[1] = dispatch.rowStride / pixelsPerGroup;
  u32[2] = useValidMask ? 1 : 0;
  f32[4] = binning.minValue;
  f32[5] = binning.maxValue;
  f32[6] = binning.binScale;
  const paramsBuffer = createUniformBuffer(device, 'histogram params', params);
  const noMask = createStorageBuffer(device, 'histogram no mask', 4);
  return {
    pixelCount,
    encode(encoder, values, counts, validMask) {
      if ((validMask !== undefined) !== useValidMask) {
        throw new Error(
          useValidMask ? 'This histogram stage needs a validity mask' : 'Unexpected validity mask',
        );
      }
      encoder.clearBuffer(counts, 0, HISTOGRAM_COUNTS_BYTES);
      encodeDispatch(
        device,
        encoder,
        kernel,
        kernel.pipelines.main,
        'histogram',
        [paramsBuffer, values, validMask ?? noMask, counts],
        dispatch,
      );
    },
    destroy() {
      paramsBuffer.destroy();
      noMask.destroy();
    },
  };
}

/** Uploads `values` (and `validMask`), counts them on the GPU and reads the 256 counts back. */
export async function histogramGpu(
  device: GPUDevice,
  values: Float32Array,
  range: HistogramRange,
  validMask?: Uint8Array,
): Promise<Uint32Array> {
  validateHistogramInput(values, validMask);
  const stage = createHistogramStage(device, {
    pixelCount: values.length,
    range,
    useValidMask: validMask !== undefined,
  });
  const valuesBuffer = createStorageBufferFrom(device, 'histogram values', values);
  const validBuffer =
    validMask === undefined
      ? undefined
      : createStorageBufferFrom(device, 'histogram valid', widenMask(validMask));
  const countsBuffer = createStorageBuffer(device, 'histogram counts', HISTOGRAM_COUNTS_BYTES);
  try {
    const encoder = device.createCommandEncoder({ label: 'histogram' });
    stage.encode(encoder, valuesBuffer, countsBuffer, validBuffer);
    device.queue.submit([encoder.finish()]);
    return new Uint32Array(await readBuffer(device, countsBuffer, HISTOGRAM_COUNTS_BYTES));
  } finally {
    stage.destroy();
    valuesBuffer.destroy();
    validBuffer?.destroy();
    countsBuffer.destroy();
  }
}
