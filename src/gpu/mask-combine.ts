/**
 * Thin wrapper around shaders/mask-combine.wgsl; CPU twin in
 * src/core/mask-combine.ts.
 */
import maskCombineWgsl from '../../shaders/mask-combine.wgsl?raw';
import {
  linearDispatch,
  MASK_COMBINE_WORKGROUP_SIZE,
  STREAM_PIXELS_PER_INVOCATION,
} from '../core/kernel-layout.ts';
import type { MaskCombine } from '../core/mask-combine.ts';
import { createStorageBufferFrom, readBuffer } from './buffers.ts';
import {
  compileKernel,
  createStorageBuffer,
  createUniformBuffer,
  encodeDispatch,
  narrowMask,
  widenMask,
  type CompiledKernel,
} from './raster-kernels.ts';

type Entry = 'andMasks' | 'orMasks' | 'andNotMasks';
const kernels = new WeakMap<GPUDevice, CompiledKernel<Entry>>();

const ENTRY: Record<MaskCombine, Entry> = {
  and: 'andMasks',
  or: 'orMasks',
  andNot: 'andNotMasks',
};

/** Resources for combining masks of one pixel count; reusable across frames. */
export interface MaskCombineStage {
  /** Records result = a op b (u32 masks of pixelCount each). */
  encode(
    encoder: GPUCommandEncoder,
    operation: MaskCombine,
    a: GPUBuffer,
    b: GPUBuffer,
    result: GPUBuffer,
  ): void;
  destroy(): void;
}

export function createMaskCombineStage(device: GPUDevice, pixelCount: number): MaskCombineStage {
  const kernel = compileKernel(
    kernels,
    device,
    'mask combine',
    maskCombineWgsl,
    ['andMasks', 'orMasks', 'andNotMasks'],
    {
      WORKGROUP_SIZE: MASK_COMBINE_WORKGROUP_SIZE,
      PIXELS_PER_INVOCATION: STREAM_PIXELS_PER_INVOCATION,
    },
  );
  const dispatch = linearDispatch(
    Math.ceil(pixelCount / STREAM_PIXELS_PER_INVOCATION),
    MASK_COMBINE_WORKGROUP_SIZE,
  );
  const params = createUniformBuffer(
    device,
    'mask combine params',
    new Uint32Array([pixelCount, dispatch.rowStride, 0, 0]).buffer,
  );
  return {
    encode(encoder, operation, a, b, result) {
      const entry = ENTRY[operation];
      encodeDispatch(
        device,
        encoder,
        kernel,
        kernel.pipelines[entry],
        `mask ${operation}`,
        [params, a, b, result],
        dispatch,
      );
    },
    destroy() {
      params.destroy();
    },
  };
}

/** Uploads two masks, combines them, reads the result back and frees everything (for tests). */
export async function combineMasksGpu(
  device: GPUDevice,
  a: Uint8Array,
  b: Uint8Array,
  operation: MaskCombine,
): Promise<Uint8Array> {
  if (a.length !== b.length) {
    throw new Error(`Masks to combine differ in size (${a.length} and ${b.length} pixels)`);
  }
  const stage = createMaskCombineStage(device, a.length);
  const bufferA = createStorageBufferFrom(device, 'mask a', widenMask(a));
  const bufferB = createStorageBufferFrom(device, 'mask b', widenMask(b));
  const result = createStorageBuffer(device, 'mask combine result', a.length * 4);
  try {
    const encoder = device.createCommandEncoder({ label: 'mask combine' });
    stage.encode(encoder, operation, bufferA, bufferB, result);
    device.queue.submit([encoder.finish()]);
    return narrowMask(new Uint32Array(await readBuffer(device, result, a.length * 4)));
  } finally {
    stage.destroy();
    bufferA.destroy();
    bufferB.destroy();
    result.destroy();
  }
}
