/**
 * Thin wrapper around shaders/mask-pack.wgsl: a u32-per-pixel mask packed to
 * bytes on the GPU and read back as a Uint8Array without a conversion pass.
 * CPU twin: packMaskCpu in src/core/mask-combine.ts.
 */
import maskPackWgsl from '../../shaders/mask-pack.wgsl?raw';
import {
  linearDispatch,
  MASK_PACK_PARAMS_LAYOUT,
  MASK_PACK_WORKGROUP_SIZE,
  packUniform,
} from '../core/kernel-layout.ts';
import { createStorageBufferFrom, readBuffer } from './buffers.ts';
import {
  compileAutoKernel,
  createStorageBuffer,
  createUniformBuffer,
  encodeAutoDispatch,
  type AutoKernel,
} from './raster-kernels.ts';

const kernels = new WeakMap<GPUDevice, AutoKernel<'main'>>();

export interface MaskPackStage {
  readonly pixelCount: number;
  /** Bytes of one packed mask: pixelCount rounded up to whole u32 words. */
  readonly packedByteLength: number;
  /** Records mask (u32 per pixel) → packed (packedByteLength, STORAGE | COPY_SRC). */
  encode(encoder: GPUCommandEncoder, mask: GPUBuffer, packed: GPUBuffer): void;
  /** Reads a packed mask back: pixelCount bytes, 0/1 (a view over packedByteLength bytes). */
  read(packed: GPUBuffer): Promise<Uint8Array>;
  destroy(): void;
}

export function createMaskPackStage(device: GPUDevice, pixelCount: number): MaskPackStage {
  if (!Number.isInteger(pixelCount) || pixelCount < 1) {
    throw new Error(`Mask packing needs at least one pixel (got ${pixelCount})`);
  }
  const kernel = compileAutoKernel(kernels, device, 'mask-pack', maskPackWgsl, ['main'], {
    WORKGROUP_SIZE: MASK_PACK_WORKGROUP_SIZE,
  });
  const wordCount = Math.ceil(pixelCount / 4);
  const dispatch = linearDispatch(wordCount, MASK_PACK_WORKGROUP_SIZE);
  const params = createUniformBuffer(
    device,
    'mask-pack params',
    packUniform(MASK_PACK_PARAMS_LAYOUT, { pixelCount, wordCount, rowStride: dispatch.rowStride }),
  );
  const packedByteLength = wordCount * 4;
  return {
    pixelCount,
    packedByteLength,
    encode(encoder, mask, packed) {
      encodeAutoDispatch(
        device,
        encoder,
        kernel.main,
        'mask pack',
        [
          [0, params],
          [1, mask],
          [2, packed],
        ],
        dispatch,
      );
    },
    async read(packed) {
      return new Uint8Array(await readBuffer(device, packed, packedByteLength), 0, pixelCount);
    },
    destroy() {
      params.destroy();
    },
  };
}

/** Uploads a u32 mask, packs it on the GPU, reads the bytes back, frees everything (for tests). */
export async function packMaskGpu(device: GPUDevice, mask: Uint32Array): Promise<Uint8Array> {
  const stage = createMaskPackStage(device, mask.length);
  const input = createStorageBufferFrom(device, 'mask-pack input', mask);
  const packed = createStorageBuffer(device, 'mask-pack packed', stage.packedByteLength);
  try {
    const encoder = device.createCommandEncoder({ label: 'mask pack' });
    stage.encode(encoder, input, packed);
    device.queue.submit([encoder.finish()]);
    return await stage.read(packed);
  } finally {
    stage.destroy();
    input.destroy();
    packed.destroy();
  }
}
