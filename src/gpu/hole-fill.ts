/**
 * Hole filling on the GPU: thin wrapper around shaders/hole-fill.wgsl, around
 * a 4-connected labelling of the background (ccl.ts). CPU twin and semantics: fillHoles
 * and its steps in src/core/analysis/estimate.ts.
 */
import holeFillWgsl from '../../shaders/hole-fill.wgsl?raw';
import componentPassWgsl from '../../shaders/component-pass.wgsl?raw';
import { maxHoleAreaPx } from '../core/analysis/estimate.ts';
import {
  COMPONENT_PASS_OVERRIDES,
  componentPassGeometry,
  componentPassUniformFields,
  HOLE_FILL_PARAMS_LAYOUT,
  packUniform,
} from '../core/kernel-layout.ts';
import { createStorageBufferFrom, readBuffer } from './buffers.ts';
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

type Entry = 'background' | 'holeStats' | 'fill';
const kernels = new WeakMap<GPUDevice, AutoKernel<Entry>>();

function holeFillKernel(device: GPUDevice): AutoKernel<Entry> {
  return compileAutoKernel(
    kernels,
    device,
    'hole-fill',
    `${componentPassWgsl}\n${holeFillWgsl}`,
    ['background', 'holeStats', 'fill'],
    COMPONENT_PASS_OVERRIDES,
  );
}

export interface HoleFillStageOptions {
  readonly widthPx: number;
  readonly heightPx: number;
  /** Holes of at most this many pixels are filled (fillHoles' maxHolePx; whole pixels count). */
  readonly maxHolePx: number;
  /** Labelling buffers to borrow (not destroyed with the stage); without, the stage makes its own. */
  readonly scratch?: CclScratch;
  /** For tests: fold dispatches into 2-D past this many workgroups per dimension (default WebGPU's 65535). */
  readonly maxWorkgroupsPerDimension?: number;
}

export interface HoleFillStage {
  /**
   * Records out = `mask` with its holes filled: `mask` and `domain` are u32
   * per pixel (nonzero = set); `out` (u32 0/1, written) is another buffer.
   * With `noFill` (u32 per pixel, not `out`), holes fill only where it is 0
   * (fillHoles' noFill).
   */
  encode(
    encoder: GPUCommandEncoder,
    mask: GPUBuffer,
    domain: GPUBuffer,
    out: GPUBuffer,
    noFill?: GPUBuffer,
  ): void;
  destroy(): void;
}

export function createHoleFillStage(
  device: GPUDevice,
  options: HoleFillStageOptions,
): HoleFillStage {
  const { widthPx, heightPx } = options;
  // The workspace checks the size (and that a u32 per pixel binds, so counts stay below 2³¹).
  // Before any allocation: a size that cannot be dispatched throws with nothing to free.
  const geometry = componentPassGeometry(widthPx, heightPx, options.maxWorkgroupsPerDimension);
  const scratch = options.scratch ?? createCclScratch(device, widthPx, heightPx);
  const ownsScratch = options.scratch === undefined;
  checkCclScratch(scratch, widthPx, heightPx);
  const kernel = holeFillKernel(device);
  const pixelCount = widthPx * heightPx;
  const params = createUniformBuffer(
    device,
    'hole-fill params',
    packUniform(HOLE_FILL_PARAMS_LAYOUT, {
      ...componentPassUniformFields(widthPx, heightPx, geometry),
      maxHolePx: maxHoleAreaPx(options.maxHolePx),
    }),
  );
  const background = createStorageBuffer(device, 'hole-fill background', pixelCount * 4);
  const stats = createStorageBuffer(device, 'hole-fill stats', pixelCount * 4);
  return {
    encode(encoder, mask, domain, out, noFill) {
      if (noFill === out) throw new Error('internal: the noFill mask is the output');
      encoder.clearBuffer(stats);
      encodeAutoDispatch(
        device,
        encoder,
        kernel.background,
        'hole-fill background',
        [
          [0, params],
          [1, mask],
          [2, domain],
          [5, background],
        ],
        geometry.pixels,
      );
      scratch.encode(encoder, background, 4);
      encodeAutoDispatch(
        device,
        encoder,
        kernel.holeStats,
        'hole-fill stats',
        [
          [0, params],
          [2, domain],
          [3, scratch.labels],
          [4, stats],
        ],
        geometry.segments,
      );
      encodeAutoDispatch(
        device,
        encoder,
        kernel.fill,
        'hole-fill fill',
        [
          [0, params],
          [1, mask],
          [3, scratch.labels],
          [4, stats],
          [5, out],
          // Without a noFill, the mask: 0 on the background, where holes are.
          [6, noFill ?? mask],
        ],
        geometry.pixels,
      );
    },
    destroy() {
      params.destroy();
      background.destroy();
      stats.destroy();
      if (ownsScratch) scratch.destroy();
    },
  };
}

/** Uploads a mask and a domain, fills holes on the GPU, reads the mask back, frees everything. */
export async function fillHolesGpu(
  device: GPUDevice,
  mask: Uint8Array,
  domain: Uint8Array,
  widthPx: number,
  heightPx: number,
  maxHolePx: number,
  stageOptions: Pick<HoleFillStageOptions, 'maxWorkgroupsPerDimension'> = {},
  noFill?: Uint8Array,
): Promise<Uint8Array> {
  const pixelCount = widthPx * heightPx;
  const inputs = noFill === undefined ? [mask, domain] : [mask, domain, noFill];
  if (inputs.some((values) => values.length !== pixelCount)) {
    throw new Error(
      `Hole filling of ${widthPx}×${heightPx} needs ${pixelCount} ${noFill === undefined ? 'mask and domain' : 'mask, domain and noFill'} values (got ${inputs.map((values) => values.length).join(', ')})`,
    );
  }
  const stage = createHoleFillStage(device, { widthPx, heightPx, maxHolePx, ...stageOptions });
  const maskBuffer = createStorageBufferFrom(device, 'hole-fill mask', widenMask(mask));
  const domainBuffer = createStorageBufferFrom(device, 'hole-fill domain', widenMask(domain));
  const noFillBuffer =
    noFill === undefined
      ? undefined
      : createStorageBufferFrom(device, 'hole-fill noFill', widenMask(noFill));
  const out = createStorageBuffer(device, 'hole-fill out', pixelCount * 4);
  try {
    const encoder = device.createCommandEncoder({ label: 'hole filling' });
    stage.encode(encoder, maskBuffer, domainBuffer, out, noFillBuffer);
    device.queue.submit([encoder.finish()]);
    return narrowMask(new Uint32Array(await readBuffer(device, out, pixelCount * 4)));
  } finally {
    stage.destroy();
    maskBuffer.destroy();
    domainBuffer.destroy();
    noFillBuffer?.destroy();
    out.destroy();
  }
}
