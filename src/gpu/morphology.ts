/**
 * Thin wrapper around shaders/morphology.wgsl; CPU twin and semantics
 * (element, borders) in src/core/morphology.ts.
 */
import morphologyWgsl from '../../shaders/morphology.wgsl?raw';
import {
  gridDispatch,
  MORPHOLOGY_MAX_RADIUS_PX,
  MORPHOLOGY_PARAMS_LAYOUT,
  packUniform,
  RASTER_WORKGROUP_HEIGHT,
  RASTER_WORKGROUP_WIDTH,
} from '../core/kernel-layout.ts';
import {
  elementHalfWidths,
  MORPHOLOGY_STEP_CODE,
  morphologySteps,
  type MorphologyStep,
  validateMorphology,
  validateMorphologyInput,
  type MorphologyOptions,
} from '../core/morphology.ts';
import { createStorageBufferFrom, readBuffer } from './buffers.ts';
import {
  checkBindingSize,
  compileAutoKernel,
  createStorageBuffer,
  createUniformBuffer,
  encodeAutoDispatch,
  narrowMask,
  widenMask,
  type AutoKernel,
} from './raster-kernels.ts';

type MorphologyEntry = 'rows' | 'columns';
const kernels = new WeakMap<GPUDevice, AutoKernel<MorphologyEntry>>();

// Auto layouts: only `columns` reads the clip mask (binding 4).
function morphologyKernel(device: GPUDevice): AutoKernel<MorphologyEntry> {
  return compileAutoKernel(kernels, device, 'morphology', morphologyWgsl, ['rows', 'columns'], {
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
   * dispatch reads one buffer and writes another. With `clip` (u32, nonzero =
   * inside; not `output`), the output is the operation's result AND clip: the
   * last pass applies it, in place of a mask-combine pass after the operation.
   */
  encode(encoder: GPUCommandEncoder, input: GPUBuffer, output: GPUBuffer, clip?: GPUBuffer): void;
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

  // One uniform buffer per step: opening and closing need both codes in one
  // submit; the last step's twice, without and with the clip.
  const stepParams = (step: MorphologyStep, clipToMask: boolean, label: string): GPUBuffer =>
    createUniformBuffer(
      device,
      label,
      packUniform(MORPHOLOGY_PARAMS_LAYOUT, {
        width: widthPx,
        height: heightPx,
        radiusPx,
        operation: MORPHOLOGY_STEP_CODE[step],
        clipToMask: clipToMask ? 1 : 0,
      }),
    );
  const paramsBuffers = steps.map((step) => stepParams(step, false, `morphology ${step} params`));
  const lastStep = steps[steps.length - 1] ?? 'erode';
  const clippedLastParams = stepParams(lastStep, true, `morphology ${lastStep} clipped params`);
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
    encode(encoder, input, output, clip) {
      if (clip === output) throw new Error('internal: the clip mask is the output');
      paramsBuffers.forEach((stepParamsBuffer, index) => {
        const last = index === paramsBuffers.length - 1;
        const params = last && clip !== undefined ? clippedLastParams : stepParamsBuffer;
        const stepInput = index === 0 ? input : (between ?? input);
        const stepOutput = last ? output : (between ?? output);
        const label = `morphology ${steps[index] ?? ''}`;
        encodeAutoDispatch(
          device,
          encoder,
          kernel.rows,
          `${label} rows`,
          [
            [0, params],
            [2, stepInput],
            [3, distance],
          ],
          workgroups,
        );
        encodeAutoDispatch(
          device,
          encoder,
          kernel.columns,
          `${label} columns`,
          [
            [0, params],
            [1, halfWidths],
            [2, distance],
            [3, stepOutput],
            // Read only where clipToMask is set: halfWidths stands in.
            [4, last ? (clip ?? halfWidths) : halfWidths],
          ],
          workgroups,
        );
      });
    },
    destroy() {
      for (const params of paramsBuffers) params.destroy();
      clippedLastParams.destroy();
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
