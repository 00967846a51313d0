/**
 * Thin wrapper around shaders/threshold.wgsl; CPU twin and semantics in src/core/threshold.ts.
 */
import thresholdWgsl from '../../shaders/threshold.wgsl?raw';
import {
  linearDispatch,
  STREAM_PIXELS_PER_INVOCATION,
  THRESHOLD_PARAMS_LAYOUT,
  THRESHOLD_WORKGROUP_SIZE,
} from '../core/kernel-layout.ts';
import { validateThresholdInput } from '../core/threshold.ts';
import { createStorageBufferFrom, readBuffer } from './buffers.ts';
import {
  checkBindingSize,
  compileKernel,
  createStorageBuffer,
  createUniformBuffer,
  encodeDispatch,
  narrowMask,
  widenMask,
  type CompiledKernel,
} from './raster-kernels.ts';

const kernels = new WeakMap<GPUDevice, CompiledKernel<'main'>>();

function thresholdKernel(device: GPUDevice): CompiledKernel<'main'> {
  return compileKernel(kernels, device, 'threshold', thresholdWgsl, ['main'], {
    WORKGROUP_SIZE: THRESHOLD_WORKGROUP_SIZE,
    PIXELS_PER_INVOCATION: STREAM_PIXELS_PER_INVOCATION,
  });
}

export interface ThresholdStageOptions {
  readonly pixelCount: number;
  readonly thresholdDn: number;
  /** When true, `encode` takes a u32 validity mask and pixels where it is 0 become 0. */
  readonly useValidMask: boolean;
}

export interface ThresholdStage {
  readonly pixelCount: number;
  /** Changes the threshold (a slider): a queue write, seen by encoders submitted after it. */
  setThresholdDn(thresholdDn: number): void;
  /**
   * Records values (f32) → mask (u32 0/1). `validMask` (u32, nonzero = in the
   * area of interest) is required exactly when the stage uses one.
   */
  encode(
    encoder: GPUCommandEncoder,
    values: GPUBuffer,
    mask: GPUBuffer,
    validMask?: GPUBuffer,
  ): void;
  destroy(): void;
}

export function createThresholdStage(
  device: GPUDevice,
  options: ThresholdStageOptions,
): ThresholdStage {
  const { pixelCount, useValidMask } = options;
  if (!Number.isInteger(pixelCount) || pixelCount < 1) {
    throw new Error(`Threshold needs at least one pixel (got ${pixelCount})`);
  }
  checkBindingSize(device, 'Threshold', pixelCount * 4);
  const kernel = thresholdKernel(device);
  const dispatch = linearDispatch(
    Math.ceil(pixelCount / STREAM_PIXELS_PER_INVOCATION),
    THRESHOLD_WORKGROUP_SIZE,
  );
  const params = new ArrayBuffer(THRESHOLD_PARAMS_LAYOUT.byteLength);
  const u32 = new Uint32Array(params);
  u32[0] = pixelCount;
  u32[1] = dispatch.rowStride;
  u32[2] = useValidMask ? 1 : 0;
  new Float32Array(params)[3] = options.thresholdDn;
  const paramsBuffer = createUniformBuffer(device, 'threshold params', params);
  // Stands in for the validity mask when there is none (the binding must exist).
  const noMask = createStorageBuffer(device, 'threshold no mask', 4);
  return {
    pixelCount,
    setThresholdDn(thresholdDn) {
      if (Number.isNaN(thresholdDn)) throw new Error('thresholdDn must be a number (got NaN)');
      device.queue.writeBuffer(paramsBuffer, 12, new Float32Array([thresholdDn]));
    },
    encode(encoder, values, mask, validMask) {
      if ((validMask !== undefined) !== useValidMask) {
        throw new Error(
          useValidMask ? 'This threshold stage needs a validity mask' : 'Unexpected validity mask',
        );
      }
      encodeDispatch(
        device,
        encoder,
        kernel,
        kernel.pipelines.main,
        'threshold',
        [paramsBuffer, values, validMask ?? noMask, mask],
        dispatch,
      );
    },
    destroy() {
      paramsBuffer.destroy();
      noMask.destroy();
    },
  };
}

/** Uploads `values` (and `validMask`), thresholds on the GPU, reads the 0/1 mask back. */
export async function thresholdGpu(
  device: GPUDevice,
  values: Float32Array,
  thresholdDn: number,
  validMask?: Uint8Array,
): Promise<Uint8Array> {
  validateThresholdInput(values, thresholdDn, validMask);
  const pixelCount = values.length;
  const stage = createThresholdStage(device, {
    pixelCount,
    thresholdDn,
    useValidMask: validMask !== undefined,
  });
  const valuesBuffer = createStorageBufferFrom(device, 'threshold values', values);
  const validBuffer =
    validMask === undefined
      ? undefined
      : createStorageBufferFrom(device, 'threshold valid', widenMask(validMask));
  const maskBuffer = createStorageBuffer(device, 'threshold mask', pixelCount * 4);
  try {
    const encoder = device.createCommandEncoder({ label: 'threshold' });
    stage.encode(encoder, valuesBuffer, maskBuffer, validBuffer);
    device.queue.submit([encoder.finish()]);
    return narrowMask(new Uint32Array(await readBuffer(device, maskBuffer, pixelCount * 4)));
  } finally {
    stage.destroy();
    valuesBuffer.destroy();
    validBuffer?.destroy();
    maskBuffer.destroy();
  }
}
