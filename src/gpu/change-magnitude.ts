/**
 * Thin wrapper around shaders/change-magnitude.wgsl: the two best-match change
 * scores (f32 per pixel) to a byte per pixel for the heat map, packed on the
 * GPU and read back as a Uint8Array. CPU twin: changeMagnitudeCpu in
 * src/core/analysis/change-magnitude.ts.
 */
import changeMagnitudeWgsl from '../../shaders/change-magnitude.wgsl?raw';
import {
  CHANGE_MAGNITUDE_PARAMS_LAYOUT,
  CHANGE_MAGNITUDE_WORKGROUP_SIZE,
  linearDispatch,
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

export interface ChangeMagnitudeStage {
  /** Bytes of the packed levels: pixelCount rounded up to whole u32 words. */
  readonly packedByteLength: number;
  /** Records (changeAfter, changeBefore) → packed (packedByteLength, STORAGE | COPY_SRC). */
  encode(
    encoder: GPUCommandEncoder,
    changeAfter: GPUBuffer,
    changeBefore: GPUBuffer,
    packed: GPUBuffer,
  ): void;
  /** Reads the levels back: pixelCount bytes (a view over packedByteLength bytes). */
  read(packed: GPUBuffer): Promise<Uint8Array>;
  destroy(): void;
}

export function createChangeMagnitudeStage(
  device: GPUDevice,
  pixelCount: number,
  levelsPerDn: number,
): ChangeMagnitudeStage {
  if (!Number.isInteger(pixelCount) || pixelCount < 1) {
    throw new Error(`Change magnitude needs at least one pixel (got ${pixelCount})`);
  }
  if (!(levelsPerDn > 0) || !Number.isFinite(levelsPerDn)) {
    throw new Error(`Change magnitude needs positive levels per DN (got ${levelsPerDn})`);
  }
  const kernel = compileAutoKernel(
    kernels,
    device,
    'change-magnitude',
    changeMagnitudeWgsl,
    ['main'],
    { WORKGROUP_SIZE: CHANGE_MAGNITUDE_WORKGROUP_SIZE },
  );
  const wordCount = Math.ceil(pixelCount / 4);
  const dispatch = linearDispatch(wordCount, CHANGE_MAGNITUDE_WORKGROUP_SIZE);
  const params = createUniformBuffer(
    device,
    'change-magnitude params',
    packUniform(CHANGE_MAGNITUDE_PARAMS_LAYOUT, {
      pixelCount,
      wordCount,
      rowStride: dispatch.rowStride,
      levelsPerDn,
    }),
  );
  const packedByteLength = wordCount * 4;
  return {
    packedByteLength,
    encode(encoder, changeAfter, changeBefore, packed) {
      encodeAutoDispatch(
        device,
        encoder,
        kernel.main,
        'change magnitude',
        [
          [0, params],
          [1, changeAfter],
          [2, changeBefore],
          [3, packed],
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

/** Uploads two change score images, quantizes them on the GPU, reads the levels back (for tests). */
export async function changeMagnitudeGpu(
  device: GPUDevice,
  changeAfter: Float32Array,
  changeBefore: Float32Array,
  levelsPerDn: number,
): Promise<Uint8Array> {
  if (changeAfter.length !== changeBefore.length) {
    throw new Error(
      `Change scores differ in size (${changeAfter.length} and ${changeBefore.length} pixels)`,
    );
  }
  const stage = createChangeMagnitudeStage(device, changeAfter.length, levelsPerDn);
  const after = createStorageBufferFrom(device, 'change-magnitude after', changeAfter);
  const before = createStorageBufferFrom(device, 'change-magnitude before', changeBefore);
  const packed = createStorageBuffer(device, 'change-magnitude packed', stage.packedByteLength);
  try {
    const encoder = device.createCommandEncoder({ label: 'change magnitude' });
    stage.encode(encoder, after, before, packed);
    device.queue.submit([encoder.finish()]);
    return await stage.read(packed);
  } finally {
    stage.destroy();
    after.destroy();
    before.destroy();
    packed.destroy();
  }
}
