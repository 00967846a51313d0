/**
 * Thin wrapper around shaders/morphology.wgsl; CPU twin and semantics
 * (element, borders) in src/core/morphology.ts.
 */
import morphologyWgsl from '../../shaders/morphology.wgsl?raw';
import {
  gridDispatch,
  MORPHOLOGY_MAX_RADIUS_PX,
  MORPHOLOGY_PARAMS_LAYOUT,
  RASTER_WORKGROUP_HEIGHT,
  RASTER_WORKGROUP_WIDTH,
} from '../core/kernel-layout.ts';
import {
  elementHalfWidths,
  MORPHOLOGY_STEP_CODE,
  morphologySteps,
  validateMorphology,
  validateMorphologyInput,
  type MorphologyOptions,
} from '../core/morphology.ts';
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

type MorphologyEntry = 'rows' | 'columns';
const kernels = new WeakMap<GPUDevice, CompiledKernel<MorphologyEntry>>();

function morphologyKernel(device: GPUDevice): CompiledKernel<MorphologyEntry> {
  return compileKernel(kernels, device, 'morphology', morphologyWgsl, ['rows', 'columns'], {
    WORKGROUP_WIDTH: RASTER_WORKGROUP_WIDTH,
    WORKGROUP_HEIGHT: RASTER_WORKGROUP_HEIGHT,
    MAX_RADIUS_PX: MORPHOLOGY_MAX_RADIUS_PX,
  });
}

/** GPU resources for one morphology operation on masks of one size; reusable across frames. */
export interface MorphologyStage {
  readonly widthPx: number;
  readonly heightPx: number;
  /**
   * Records the operation: input (u32, nonzero = foreground) → output (u32 0/1),
   * both widthPx·heightPx u32. They may be the same buffer (in-place): every
   * dispatch reads one buffer and writes another.
   */
  encode(encoder: GPUCommandEncoder, input: GPUBuffer, output: GPUBuffer): void;
  destroy(): void;
}

export function createMorphologyStage(
  device: GPUDevice,
  widthPx: number,
  heightPx: number,
  options: MorphologyOptions,
): MorphologyStage {
  const { radiusPx } = options;
  validateMorphology(widthPx, heightPx, radiusPx);
  const maskBytes = widthPx * heightPx * 4;
  checkBindingSize(device, 'Morphology', maskBytes);
  const kernel = morphologyKernel(device);
  const workgroups = gridDispatch(widthPx, heightPx);
  const steps = morphologySteps(options.operation);

  // One uniform buffer per step: opening and closing need both codes in one submit.
  const paramsBuffers = steps.map((step) => {
    const params = new Uint32Array(MORPHOLOGY_PARAMS_LAYOUT.byteLength / 4);
    params[0] = widthPx;
    params[1] = heightPx;
    params[2] = radiusPx;
    params[3] = MORPHOLOGY_STEP_CODE[step];
    return createUniformBuffer(device, `morphology ${step} params`, params.buffer);
  });
  const halfWidths = createStorageBufferFrom(
    device,
    'morphology half-widths',
    elementHalfWidths(radiusPx, options.element ?? 'disc'),
  );
  const distance = createStorageBuffer(device, 'morphology row distance', maskBytes);
  const between =
    steps.length > 1 ? createStorageBuffer(device, 'morphology between steps', maskBytes) : null;
  return {
    widthPx,
    heightPx,
    encode(encoder, input, output) {
      paramsBuffers.forEach((params, index) => {
        const stepInput = index === 0 ? input : (between ?? input);
        const stepOutput = index === paramsBuffers.length - 1 ? output : (between ?? output);
        const label = `morphology ${steps[index] ?? ''}`;
        encodeDispatch(
          device,
          encoder,
          kernel,
          kernel.pipelines.rows,
          `${label} rows`,
          [params, halfWidths, stepInput, distance],
          workgroups,
        );
        encodeDispatch(
          device,
          encoder,
          kernel,
          kernel.pipelines.columns,
          `${label} columns`,
          [params, halfWidths, distance, stepOutput],
          workgroups,
        );
      });
    },
    destroy() {
      for (const params of paramsBuffers) params.destroy();
      halfWidths.destroy();
      distance.destroy();
      between?.destroy();
    },
  };
}

/** Uploads a 0/1 mask, applies the operation on the GPU, reads the 0/1 result back. */
export async function morphologyGpu(
  device: GPUDevice,
  mask: Uint8Array,
  widthPx: number,
  heightPx: number,
  options: MorphologyOptions,
): Promise<Uint8Array> {
  validateMorphologyInput(mask, widthPx, heightPx, options.radiusPx);
  const stage = createMorphologyStage(device, widthPx, heightPx, options);
  const buffer = createStorageBufferFrom(device, 'morphology mask', widenMask(mask));
  try {
    const encoder = device.createCommandEncoder({ label: 'morphology' });
    stage.encode(encoder, buffer, buffer);
    device.queue.submit([encoder.finish()]);
    return narrowMask(new Uint32Array(await readBuffer(device, buffer, mask.length * 4)));
  } finally {
    stage.destroy();
    buffer.destroy();
  }
}
