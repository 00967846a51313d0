/**
 * Thin wrapper around shaders/morphology.wgsl; CPU twin and semantics
 * (element, borders) in src/core/morphology.ts.
 */
import morphologyWgsl from '../../shaders/morphology.wgsl?raw';
import {
  linearDispatch,
  MORPHOLOGY_MAX_RADIUS_PX,
  MORPHOLOGY_PARAMS_LAYOUT,
  MORPHOLOGY_WORKGROUP_SIZE,
  packUniform,
  THRESHOLD_BITS_PARAMS_LAYOUT,
} from '../core/kernel-layout.ts';
import {
  THRESHOLD_BITS_COMBINE_CODE,
  type ThresholdSecond,
  type UnchangedConsensus,
} from '../core/threshold.ts';
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
  compileAutoKernel,
  createStorageBuffer,
  createUniformBuffer,
  encodeAutoDispatch,
  narrowMask,
  widenMask,
  type AutoKernel,
} from './raster-kernels.ts';

type MorphologyEntry = 'pack' | 'threshold' | 'step' | 'unpack';
const kernels = new WeakMap<GPUDevice, AutoKernel<MorphologyEntry>>();

// Auto layouts: only `step` reads the half-widths (binding 1), only `unpack` the clip (4),
// only `threshold` bindings 5–9.
function morphologyKernel(device: GPUDevice): AutoKernel<MorphologyEntry> {
  return compileAutoKernel(
    kernels,
    device,
    'morphology',
    morphologyWgsl,
    ['pack', 'threshold', 'step', 'unpack'],
    {
      WORKGROUP_SIZE: MORPHOLOGY_WORKGROUP_SIZE,
      MAX_RADIUS_PX: MORPHOLOGY_MAX_RADIUS_PX,
    },
  );
}

/** GPU resources for one morphology operation (or a chain of them) on masks of one size; reusable across frames. */
export interface MorphologyStage {
  readonly widthPx: number;
  readonly heightPx: number;
  /**
   * Records the operations in order: input (u32, nonzero = foreground) →
   * output (u32 0/1), both widthPx·heightPx u32. They may be the same buffer
   * (in-place): the input is packed to bits first and the output written
   * last. With `clip` (u32, nonzero = inside; not `output`), the output is the
   * result AND clip, in the unpack pass, in place of a mask-combine pass.
   */
  encode(encoder: GPUCommandEncoder, input: GPUBuffer, output: GPUBuffer, clip?: GPUBuffer): void;
  /** 32-bit words of a packed mask of this size (rows padded to whole words). */
  readonly wordCount: number;
  /**
   * Records a packed mask (`bits`, wordCount u32) straight from f32 scores,
   * one pass: thresholdCombinedCpu(values, thresholdDn, second), or with
   * `consensus`, occupiedWithConsensusCpu(values, thresholdDn, consensus).
   * Each call makes a small uniform buffer, freed by destroy(): a stage that
   * thresholds is one run's (as the pipeline's is), not kept across frames.
   */
  encodeThreshold(
    encoder: GPUCommandEncoder,
    values: GPUBuffer,
    thresholdDn: number,
    bits: GPUBuffer,
    more?: ThresholdSecond<GPUBuffer> | UnchangedConsensus<GPUBuffer>,
  ): void;
  /** Records `bits` (wordCount u32) = the u32 mask `input` packed (packMaskBitsCpu). */
  encodePack(encoder: GPUCommandEncoder, input: GPUBuffer, bits: GPUBuffer): void;
  /** As encode, from a packed mask (`bits`, left unchanged) instead of a u32 one. */
  encodeFromBits(
    encoder: GPUCommandEncoder,
    bits: GPUBuffer,
    output: GPUBuffer,
    clip?: GPUBuffer,
  ): void;
  destroy(): void;
}

/**
 * A stage for `options` (one operation), or for several applied in order (an
 * opening then a closing: one pack and one unpack for both; none: the mask
 * as it is, clipped). The CPU twin is morphologyCpu applied in the same order.
 */
export function createMorphologyStage(
  device: GPUDevice,
  widthPx: number,
  heightPx: number,
  options: MorphologyOptions | readonly MorphologyOptions[],
): MorphologyStage {
  const chain: readonly MorphologyOptions[] = Array.isArray(options) ? options : [options];
  validateMorphology(widthPx, heightPx, 0);
  for (const operation of chain) validateMorphology(widthPx, heightPx, operation.radiusPx);
  const pixelCount = widthPx * heightPx;
  checkBindingSize(device, 'Morphology', pixelCount * 4);
  const kernel = morphologyKernel(device);
  const wordsPerRow = Math.ceil(widthPx / 32);
  const wordCount = wordsPerRow * heightPx;
  const packDispatch = linearDispatch(wordCount * 32, MORPHOLOGY_WORKGROUP_SIZE);
  const stepDispatch = linearDispatch(wordCount, MORPHOLOGY_WORKGROUP_SIZE);
  const unpackDispatch = linearDispatch(pixelCount, MORPHOLOGY_WORKGROUP_SIZE);

  // Every operation's element rows in one buffer, each at its offset.
  const halfWidthsList: number[] = [];
  const steps = chain.flatMap((operation) => {
    const halfWidthsOffset = halfWidthsList.length;
    halfWidthsList.push(...elementHalfWidths(operation.radiusPx, operation.element ?? 'disc'));
    return morphologySteps(operation.operation).map((step) => ({
      step,
      radiusPx: operation.radiusPx,
      halfWidthsOffset,
    }));
  });
  const halfWidthsData = Uint32Array.from(halfWidthsList);
  const uniform = (
    label: string,
    rowStride: number,
    fields: Partial<Record<'radiusPx' | 'operation' | 'halfWidthsOffset' | 'clipToMask', number>>,
  ): GPUBuffer =>
    createUniformBuffer(
      device,
      label,
      packUniform(MORPHOLOGY_PARAMS_LAYOUT, {
        width: widthPx,
        height: heightPx,
        wordsPerRow,
        rowStride,
        ...fields,
      }),
    );
  const packParams = uniform('morphology pack params', packDispatch.rowStride, {});
  const stepParams = steps.map(({ step, radiusPx, halfWidthsOffset }) =>
    uniform(`morphology ${step} params`, stepDispatch.rowStride, {
      radiusPx,
      operation: MORPHOLOGY_STEP_CODE[step],
      halfWidthsOffset,
    }),
  );
  const unpackParams = uniform('morphology unpack params', unpackDispatch.rowStride, {});
  const unpackClippedParams = uniform(
    'morphology unpack clipped params',
    unpackDispatch.rowStride,
    {
      clipToMask: 1,
    },
  );
  const halfWidths = createStorageBufferFrom(device, 'morphology half-widths', halfWidthsData);
  const bits = [0, 1].map((k) =>
    createStorageBuffer(device, `morphology bits ${k + 1}`, wordCount * 4),
  );
  const [bitsA, bitsB] = bits;
  if (bitsA === undefined || bitsB === undefined) throw new Error('internal: two bit buffers');
  // The threshold's uniforms, one per recorded threshold (destroyed with the stage).
  const thresholdParams: GPUBuffer[] = [];
  const pack = (encoder: GPUCommandEncoder, input: GPUBuffer, bits: GPUBuffer): void => {
    encodeAutoDispatch(
      device,
      encoder,
      kernel.pack,
      'morphology pack',
      [
        [0, packParams],
        [2, input],
        [3, bits],
      ],
      packDispatch,
    );
  };
  const fromBits = (
    encoder: GPUCommandEncoder,
    source: GPUBuffer,
    output: GPUBuffer,
    clip: GPUBuffer | undefined,
  ): void => {
    if (clip === output) throw new Error('internal: the clip mask is the output');
    let current = source;
    steps.forEach(({ step }, index) => {
      const params = stepParams[index];
      if (params === undefined) throw new Error('internal: morphology step params');
      const next = current === bitsA ? bitsB : bitsA;
      encodeAutoDispatch(
        device,
        encoder,
        kernel.step,
        `morphology ${step}`,
        [
          [0, params],
          [1, halfWidths],
          [2, current],
          [3, next],
        ],
        stepDispatch,
      );
      current = next;
    });
    encodeAutoDispatch(
      device,
      encoder,
      kernel.unpack,
      'morphology unpack',
      [
        [0, clip === undefined ? unpackParams : unpackClippedParams],
        [2, current],
        [3, output],
        // Read only where clipToMask is set: the bits stand in.
        [4, clip ?? current],
      ],
      unpackDispatch,
    );
  };
  return {
    widthPx,
    heightPx,
    wordCount,
    encode(encoder, input, output, clip) {
      pack(encoder, input, bitsA);
      fromBits(encoder, bitsA, output, clip);
    },
    encodePack: pack,
    encodeFromBits: fromBits,
    encodeThreshold(encoder, values, thresholdDn, bits, more) {
      const consensus = more !== undefined && 'other' in more ? more : undefined;
      const second = more !== undefined && 'combine' in more ? more : undefined;
      const params = createUniformBuffer(
        device,
        'morphology threshold params',
        packUniform(THRESHOLD_BITS_PARAMS_LAYOUT, {
          thresholdA: thresholdDn,
          thresholdB: second?.thresholdDn ?? consensus?.otherThresholdDn ?? 0,
          combine: THRESHOLD_BITS_COMBINE_CODE[second?.combine ?? 'none'],
          consensus: consensus === undefined ? 0 : 1,
          unchangedAfterDn: consensus?.unchangedAfterDn ?? 0,
          unchangedBeforeDn: consensus?.unchangedBeforeDn ?? 0,
        }),
      );
      thresholdParams.push(params);
      encodeAutoDispatch(
        device,
        encoder,
        kernel.threshold,
        'morphology threshold',
        [
          [0, packParams],
          [3, bits],
          [5, values],
          // Read only where combine or consensus is set: the first image stands in.
          [6, second?.values ?? consensus?.other ?? values],
          [7, params],
          [8, consensus?.changeAfter ?? values],
          [9, consensus?.changeBefore ?? values],
        ],
        packDispatch,
      );
    },
    destroy() {
      for (const params of [
        packParams,
        ...stepParams,
        unpackParams,
        unpackClippedParams,
        ...thresholdParams,
      ]) {
        params.destroy();
      }
      halfWidths.destroy();
      for (const buffer of bits) buffer.destroy();
    },
  };
}

/**
 * Packs a 0/1 mask to bits on the GPU and reads the words back (the pack
 * entry point against packMaskBitsCpu, for tests).
 */
export async function packMaskBitsGpu(
  device: GPUDevice,
  mask: Uint8Array,
  widthPx: number,
  heightPx: number,
): Promise<Uint32Array> {
  validateMorphologyInput(mask, widthPx, heightPx, 0);
  const stage = createMorphologyStage(device, widthPx, heightPx, []);
  const input = createStorageBufferFrom(device, 'morphology pack input', widenMask(mask));
  // Filled with a pattern first: every word must be written.
  const output = createStorageBufferFrom(
    device,
    'morphology pack output',
    new Uint32Array(stage.wordCount).fill(0xdeadbeef),
  );
  try {
    const encoder = device.createCommandEncoder({ label: 'morphology pack' });
    stage.encodePack(encoder, input, output);
    device.queue.submit([encoder.finish()]);
    return new Uint32Array(await readBuffer(device, output, stage.wordCount * 4));
  } finally {
    stage.destroy();
    input.destroy();
    output.destroy();
  }
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
