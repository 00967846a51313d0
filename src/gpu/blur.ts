/**
 * Thin wrapper around shaders/blur.wgsl; CPU twin and semantics in src/core/blur.ts.
 */
import blurWgsl from '../../shaders/blur.wgsl?raw';
import { validateBlur, validateBlurInput, weightsOf, type BlurOptions } from '../core/blur.ts';
import {
  BLUR_MAX_RADIUS_PX,
  BLUR_PARAMS_LAYOUT,
  gridDispatch,
  RASTER_WORKGROUP_HEIGHT,
  RASTER_WORKGROUP_WIDTH,
} from '../core/kernel-layout.ts';
import { createStorageBufferFrom, readBuffer } from './buffers.ts';
import {
  checkBindingSize,
  compileKernel,
  createStorageBuffer,
  createUniformBuffer,
  encodeDispatch,
  type CompiledKernel,
} from './raster-kernels.ts';

type BlurEntry = 'horizontal' | 'vertical';
const kernels = new WeakMap<GPUDevice, CompiledKernel<BlurEntry>>();

function blurKernel(device: GPUDevice): CompiledKernel<BlurEntry> {
  return compileKernel(kernels, device, 'blur', blurWgsl, ['horizontal', 'vertical'], {
    WORKGROUP_WIDTH: RASTER_WORKGROUP_WIDTH,
    WORKGROUP_HEIGHT: RASTER_WORKGROUP_HEIGHT,
    MAX_RADIUS_PX: BLUR_MAX_RADIUS_PX,
  });
}

/** GPU resources for blurring images of one size with one kernel; reusable across frames. */
export interface BlurStage {
  readonly widthPx: number;
  readonly heightPx: number;
  /**
   * Records both passes into `encoder`: source → scratch (rows) → destination
   * (columns). Both buffers hold widthPx·heightPx f32; they may be the same
   * buffer (in-place), since each pass reads one and writes the other.
   */
  encode(encoder: GPUCommandEncoder, source: GPUBuffer, destination: GPUBuffer): void;
  destroy(): void;
}

export function createBlurStage(
  device: GPUDevice,
  widthPx: number,
  heightPx: number,
  options: BlurOptions,
): BlurStage {
  const { blurRadiusPx } = options;
  validateBlur(widthPx, heightPx, blurRadiusPx);
  const imageBytes = widthPx * heightPx * 4;
  checkBindingSize(device, 'Blur', imageBytes);
  const kernel = blurKernel(device);
  const workgroups = gridDispatch(widthPx, heightPx);

  const params = new Uint32Array(BLUR_PARAMS_LAYOUT.byteLength / 4);
  params[0] = widthPx;
  params[1] = heightPx;
  params[2] = blurRadiusPx;
  const paramsBuffer = createUniformBuffer(device, 'blur params', params.buffer);
  const weightsBuffer = createStorageBufferFrom(device, 'blur weights', weightsOf(options));
  const scratch = createStorageBuffer(device, 'blur rows', imageBytes);
  return {
    widthPx,
    heightPx,
    encode(encoder, source, destination) {
      encodeDispatch(
        device,
        encoder,
        kernel,
        kernel.pipelines.horizontal,
        'blur horizontal',
        [paramsBuffer, weightsBuffer, source, scratch],
        workgroups,
      );
      encodeDispatch(
        device,
        encoder,
        kernel,
        kernel.pipelines.vertical,
        'blur vertical',
        [paramsBuffer, weightsBuffer, scratch, destination],
        workgroups,
      );
    },
    destroy() {
      paramsBuffer.destroy();
      weightsBuffer.destroy();
      scratch.destroy();
    },
  };
}

/** Uploads `image`, blurs it on the GPU, reads the result back and frees everything. */
export async function blurGpu(
  device: GPUDevice,
  image: Float32Array,
  widthPx: number,
  heightPx: number,
  options: BlurOptions,
): Promise<Float32Array> {
  validateBlurInput(image, widthPx, heightPx, options.blurRadiusPx);
  const stage = createBlurStage(device, widthPx, heightPx, options);
  const buffer = createStorageBufferFrom(device, 'blur image', image);
  try {
    const encoder = device.createCommandEncoder({ label: 'blur' });
    stage.encode(encoder, buffer, buffer);
    device.queue.submit([encoder.finish()]);
    return new Float32Array(await readBuffer(device, buffer, image.byteLength));
  } finally {
    stage.destroy();
    buffer.destroy();
  }
}
