/**
 * The per-mask estimate on the GPU (stage 9): labelling (ccl.ts), then a thin
 * wrapper around shaders/component-estimate.wgsl — component areas, the
 * minimum-area filter, per-ROI area, rim and blob counts (blobs in two passes
 * per group of 32 ROIs, or in one pass where the caller promises that every
 * component lies in one ROI). Only the kept mask
 * and 3 · roiCount counts come out; teuFromCounts turns the counts into TEU on
 * the CPU. CPU twin and semantics: estimateFromMask and its steps in
 * src/core/analysis/estimate.ts.
 */
import componentEstimateWgsl from '../../shaders/component-estimate.wgsl?raw';
import componentPassWgsl from '../../shaders/component-pass.wgsl?raw';
import {
  minKeptAreaPx,
  teuFromCounts,
  type MaskEstimate,
  type RoiCounts,
} from '../core/analysis/estimate.ts';
import type { AnalysisParams } from '../core/analysis/params.ts';
import {
  COMPONENT_ESTIMATE_PARAMS_LAYOUT,
  componentPassUniformFields,
  COMPONENT_ESTIMATE_ROIS_PER_PASS,
  COMPONENT_PASS_OVERRIDES,
  componentPassGeometry,
  packUniform,
} from '../core/kernel-layout.ts';
import { createInt32Buffer, createStorageBufferFrom, readBuffer } from './buffers.ts';
import { checkCclScratch, createCclScratch, type CclScratch } from './ccl.ts';
import {
  compileAutoKernel,
  createStorageBuffer,
  createUniformBuffer,
  encodeAutoDispatch,
  narrowMask,
  widenMask,
  type AutoKernel,
} from './raster-kernels.ts';

type Entry = 'componentArea' | 'keep' | 'roiBits' | 'countBlobs' | 'countRoots';
const kernels = new WeakMap<GPUDevice, AutoKernel<Entry>>();

function componentEstimateKernel(device: GPUDevice): AutoKernel<Entry> {
  return compileAutoKernel(
    kernels,
    device,
    'component-estimate',
    `${componentPassWgsl}\n${componentEstimateWgsl}`,
    ['componentArea', 'keep', 'roiBits', 'countBlobs', 'countRoots'],
    COMPONENT_PASS_OVERRIDES,
  );
}

export interface ComponentEstimateStageOptions {
  readonly widthPx: number;
  readonly heightPx: number;
  readonly roiCount: number;
  /** Components with fewer pixels are dropped (minKeptAreaPx of minAreaM2 and the pixel area). */
  readonly minKeepPx: number;
  /** Labelling buffers to borrow (not destroyed with the stage); without, the stage makes its own. */
  readonly scratch?: CclScratch;
  /**
   * The caller guarantees that every set pixel of the masks it passes lies in
   * an ROI and that no two ROIs touch (roisTouch), so every component lies in
   * one ROI: then each kept component is counted at its root in one pass
   * (countRoots; twin roiBlobCountsAtRoots), instead of two passes per group
   * of 32 ROIs. The pipeline's masks lie inside the domain. A mask that breaks
   * the promise gets wrong blob counts (areas and rims stay right).
   */
  readonly componentsInOneRoi?: boolean;
  /** For tests: fold dispatches into 2-D past this many workgroups per dimension (default WebGPU's 65535). */
  readonly maxWorkgroupsPerDimension?: number;
}

export interface ComponentEstimateStage {
  /** Bytes of the counts `encode` writes: area, rim, blobs, roiCount u32 each. */
  readonly countsByteLength: number;
  /**
   * Records the labelling of `mask` (u32, nonzero = set) and the estimate:
   * `kept` (u32 0/1 per pixel, written) and `counts` (countsByteLength,
   * STORAGE | COPY_DST, overwritten). `rois` is i32 per pixel (−1 outside).
   */
  encode(
    encoder: GPUCommandEncoder,
    mask: GPUBuffer,
    rois: GPUBuffer,
    kept: GPUBuffer,
    counts: GPUBuffer,
  ): void;
  destroy(): void;
}

/** The counts' words split into area, rim and blobs per ROI. */
export function decodeRoiCounts(words: Uint32Array, roiCount: number): RoiCounts {
  return {
    areaPx: words.slice(0, roiCount),
    rimPx: words.slice(roiCount, 2 * roiCount),
    blobs: words.slice(2 * roiCount, 3 * roiCount),
  };
}

export function createComponentEstimateStage(
  device: GPUDevice,
  options: ComponentEstimateStageOptions,
): ComponentEstimateStage {
  const { widthPx, heightPx, roiCount, minKeepPx } = options;
  if (!Number.isInteger(roiCount) || roiCount < 1) {
    throw new Error(`The estimate needs at least one ROI (got ${roiCount})`);
  }
  if (!Number.isInteger(minKeepPx) || minKeepPx < 0 || minKeepPx > 0xffffffff) {
    throw new Error(`minKeepPx must be a u32 (got ${minKeepPx})`);
  }
  // Before any allocation: a size that cannot be dispatched throws with nothing to free.
  const geometry = componentPassGeometry(widthPx, heightPx, options.maxWorkgroupsPerDimension);
  const scratch = options.scratch ?? createCclScratch(device, widthPx, heightPx);
  const ownsScratch = options.scratch === undefined;
  checkCclScratch(scratch, widthPx, heightPx);
  const kernel = componentEstimateKernel(device);
  const pixelCount = widthPx * heightPx;
  // One uniform per group of ROIS_PER_PASS ROIs (roiBase differs); one pass at the roots needs one.
  const passCount =
    options.componentsInOneRoi === true
      ? 1
      : Math.ceil(roiCount / COMPONENT_ESTIMATE_ROIS_PER_PASS);
  const uniforms = Array.from({ length: passCount }, (_, pass) =>
    createUniformBuffer(
      device,
      `component-estimate params ${pass}`,
      packUniform(COMPONENT_ESTIMATE_PARAMS_LAYOUT, {
        ...componentPassUniformFields(widthPx, heightPx, geometry),
        roiCount,
        minKeepPx,
        roiBase: pass * COMPONENT_ESTIMATE_ROIS_PER_PASS,
      }),
    ),
  );
  const perLabel = createStorageBuffer(device, 'component-estimate per label', pixelCount * 4);
  const countsByteLength = 3 * roiCount * 4;
  const first = uniforms[0];
  if (first === undefined) throw new Error('internal: no estimate uniforms');
  return {
    countsByteLength,
    encode(encoder, mask, rois, kept, counts) {
      encoder.clearBuffer(perLabel);
      encoder.clearBuffer(counts, 0, countsByteLength);
      scratch.encode(encoder, mask);
      const labels = scratch.labels;
      encodeAutoDispatch(
        device,
        encoder,
        kernel.componentArea,
        'component-estimate areas',
        [
          [0, first],
          [2, labels],
          [4, perLabel],
        ],
        geometry.segments,
      );
      encodeAutoDispatch(
        device,
        encoder,
        kernel.keep,
        'component-estimate keep',
        [
          [0, first],
          [1, mask],
          [2, labels],
          [3, rois],
          [4, perLabel],
          [5, kept],
          [6, counts],
        ],
        geometry.segments,
      );
      if (options.componentsInOneRoi === true) {
        encodeAutoDispatch(
          device,
          encoder,
          kernel.countRoots,
          'component-estimate blobs at roots',
          [
            [0, first],
            [2, labels],
            [3, rois],
            [5, kept],
            [6, counts],
          ],
          geometry.pixels,
        );
        return;
      }
      encoder.clearBuffer(perLabel);
      for (const uniform of uniforms) {
        encodeAutoDispatch(
          device,
          encoder,
          kernel.roiBits,
          'component-estimate ROI bits',
          [
            [0, uniform],
            [2, labels],
            [3, rois],
            [4, perLabel],
            [5, kept],
          ],
          geometry.segments,
        );
        encodeAutoDispatch(
          device,
          encoder,
          kernel.countBlobs,
          'component-estimate blobs',
          [
            [0, uniform],
            [2, labels],
            [4, perLabel],
            [6, counts],
          ],
          geometry.pixels,
        );
      }
    },
    destroy() {
      for (const uniform of uniforms) uniform.destroy();
      perLabel.destroy();
      if (ownsScratch) scratch.destroy();
    },
  };
}

export interface GpuMaskEstimate extends MaskEstimate {
  readonly counts: RoiCounts;
}

/**
 * estimateFromMask on the GPU: uploads the mask and the ROI index, reads back
 * the kept mask and the counts, frees everything. Same arguments and result.
 */
export async function estimateFromMaskGpu(
  device: GPUDevice,
  mask: Uint8Array,
  widthPx: number,
  heightPx: number,
  roiIndex: Int32Array,
  roiCount: number,
  pixelAreaM2: number,
  params: Pick<AnalysisParams, 'minAreaM2' | 'fillFactor' | 'teuFootprintM2' | 'fillFactorSpread'>,
  stageOptions: Pick<
    ComponentEstimateStageOptions,
    'maxWorkgroupsPerDimension' | 'componentsInOneRoi'
  > = {},
): Promise<GpuMaskEstimate> {
  const pixelCount = widthPx * heightPx;
  if (mask.length !== pixelCount || roiIndex.length !== pixelCount) {
    throw new Error(
      `The estimate of ${widthPx}×${heightPx} needs ${pixelCount} mask and ROI values (got ${mask.length} and ${roiIndex.length})`,
    );
  }
  const stage = createComponentEstimateStage(device, {
    widthPx,
    heightPx,
    roiCount,
    minKeepPx: minKeptAreaPx(params.minAreaM2, pixelAreaM2),
    ...stageOptions,
  });
  const maskBuffer = createStorageBufferFrom(device, 'estimate mask', widenMask(mask));
  const roiBuffer = createInt32Buffer(device, 'estimate ROIs', roiIndex);
  const kept = createStorageBuffer(device, 'estimate kept', pixelCount * 4);
  const counts = createStorageBuffer(device, 'estimate counts', stage.countsByteLength);
  try {
    const encoder = device.createCommandEncoder({ label: 'component estimate' });
    stage.encode(encoder, maskBuffer, roiBuffer, kept, counts);
    device.queue.submit([encoder.finish()]);
    const [keptWords, countWords] = await Promise.all([
      readBuffer(device, kept, pixelCount * 4),
      readBuffer(device, counts, stage.countsByteLength),
    ]);
    const roiCounts = decodeRoiCounts(new Uint32Array(countWords), roiCount);
    return {
      perRoi: teuFromCounts(roiCounts, pixelAreaM2, params),
      kept: narrowMask(new Uint32Array(keptWords)),
      counts: roiCounts,
    };
  } finally {
    stage.destroy();
    maskBuffer.destroy();
    roiBuffer.destroy();
    kept.destroy();
    counts.destroy();
  }
}
