/**
 * Thin wrapper around shaders/change.wgsl (shaders/shadow-test.wgsl
 * prepended): the misregistration-tolerant best-match change. CPU twin and
 * semantics: bestMatchChange in src/core/analysis/occupancy.ts.
 *
 * `createChangeStage` records into a caller's encoder (one direction with
 * `encode`, both with `encodeBoth`); `bestMatchChangeGpu` uploads, runs and
 * reads back with the CPU twin's signature.
 */
import changeWgsl from '../../shaders/change.wgsl?raw';
import shadowTestWgsl from '../../shaders/shadow-test.wgsl?raw';
import type { AnalysisParams } from '../core/analysis/params.ts';
import type { ShadowParams } from '../core/analysis/occupancy.ts';
import {
  CHANGE_MAX_RADIUS_PX,
  CHANGE_PARAMS_LAYOUT,
  gridDispatch,
  packUniform,
  RASTER_WORKGROUP_HEIGHT,
  RASTER_WORKGROUP_WIDTH,
} from '../core/kernel-layout.ts';
import { createInt32Buffer, createStorageBufferFrom, readBuffer } from './buffers.ts';
import { shadowUniformFields, type RgbBuffers } from './occupancy.ts';
import { compileAutoKernel, encodeAutoDispatch, type AutoKernel } from './raster-kernels.ts';
import { checkBindingSize, createStorageBuffer, createUniformBuffer } from './raster-kernels.ts';

export type ChangeParams = Pick<AnalysisParams, 'matchRadiusPx' | 'shadowHandling'> & ShadowParams;

const kernels = new WeakMap<GPUDevice, AutoKernel<'main'>>();

function changeKernel(device: GPUDevice): AutoKernel<'main'> {
  return compileAutoKernel(
    kernels,
    device,
    'change',
    `${shadowTestWgsl}\n${changeWgsl}`,
    ['main'],
    {
      WORKGROUP_WIDTH: RASTER_WORKGROUP_WIDTH,
      WORKGROUP_HEIGHT: RASTER_WORKGROUP_HEIGHT,
      MAX_RADIUS_PX: CHANGE_MAX_RADIUS_PX,
    },
  );
}

function checkRadius(matchRadiusPx: number): void {
  if (
    !Number.isInteger(matchRadiusPx) ||
    matchRadiusPx < 0 ||
    matchRadiusPx > CHANGE_MAX_RADIUS_PX
  ) {
    throw new Error(
      `matchRadiusPx must be an integer from 0 to ${CHANGE_MAX_RADIUS_PX} (got ${matchRadiusPx})`,
    );
  }
}

export interface ChangeStage {
  readonly widthPx: number;
  readonly heightPx: number;
  /** New parameters (a slider): a queue write, seen by encoders submitted after it. */
  setParams(params: ChangeParams): void;
  /**
   * Records moving vs reference (R, G, B each) over domainRoi (i32, ≥ 0 in
   * the domain) → change (width·height f32, written as its bits). change may
   * not alias an input.
   */
  encode(
    encoder: GPUCommandEncoder,
    moving: RgbBuffers,
    reference: RgbBuffers,
    domainRoi: GPUBuffer,
    change: GPUBuffer,
  ): void;
  /** Both directions: changeAfter (after against before) and changeBefore (before against after). */
  encodeBoth(
    encoder: GPUCommandEncoder,
    after: RgbBuffers,
    before: RgbBuffers,
    domainRoi: GPUBuffer,
    changeAfter: GPUBuffer,
    changeBefore: GPUBuffer,
  ): void;
  destroy(): void;
}

export function createChangeStage(
  device: GPUDevice,
  widthPx: number,
  heightPx: number,
  params: ChangeParams,
): ChangeStage {
  if (!Number.isInteger(widthPx) || !Number.isInteger(heightPx) || widthPx < 1 || heightPx < 1) {
    throw new Error(`Change needs a positive integer size (got ${widthPx} × ${heightPx})`);
  }
  checkBindingSize(device, 'Change', widthPx * heightPx * 4);
  const pipelines = changeKernel(device);
  const workgroups = gridDispatch(widthPx, heightPx);
  const uniform = (p: ChangeParams): ArrayBuffer => {
    checkRadius(p.matchRadiusPx);
    return packUniform(CHANGE_PARAMS_LAYOUT, {
      width: widthPx,
      height: heightPx,
      radiusPx: p.matchRadiusPx,
      ...shadowUniformFields(p),
    });
  };
  const paramsBuffer = createUniformBuffer(device, 'change params', uniform(params));
  const encode = (
    encoder: GPUCommandEncoder,
    moving: RgbBuffers,
    reference: RgbBuffers,
    domainRoi: GPUBuffer,
    change: GPUBuffer,
  ): void => {
    encodeAutoDispatch(
      device,
      encoder,
      pipelines.main,
      'change',
      [
        [0, paramsBuffer],
        [1, moving[0]],
        [2, moving[1]],
        [3, moving[2]],
        [4, reference[0]],
        [5, reference[1]],
        [6, reference[2]],
        [7, domainRoi],
        [8, change],
      ],
      workgroups,
    );
  };
  return {
    widthPx,
    heightPx,
    setParams(p) {
      device.queue.writeBuffer(paramsBuffer, 0, uniform(p));
    },
    encode,
    encodeBoth(encoder, after, before, domainRoi, changeAfter, changeBefore) {
      encode(encoder, after, before, domainRoi, changeAfter);
      encode(encoder, before, after, domainRoi, changeBefore);
    },
    destroy() {
      paramsBuffer.destroy();
    },
  };
}

/** bestMatchChange on the GPU: same arguments, same output (within the stated tolerance). */
export async function bestMatchChangeGpu(
  device: GPUDevice,
  moving: readonly Float32Array[],
  reference: readonly Float32Array[],
  widthPx: number,
  heightPx: number,
  domain: Uint8Array,
  params: ChangeParams,
): Promise<Float32Array> {
  const pixelCount = widthPx * heightPx;
  if (moving.length < 3 || reference.length < 3) {
    throw new Error('Change needs three bands (R, G, B) at both dates');
  }
  for (const band of [...moving.slice(0, 3), ...reference.slice(0, 3)]) {
    if (band.length !== pixelCount) {
      throw new Error(`A change band holds ${band.length} values, expected ${pixelCount}`);
    }
  }
  if (domain.length !== pixelCount) {
    throw new Error(`The change domain holds ${domain.length} values, expected ${pixelCount}`);
  }
  const stage = createChangeStage(device, widthPx, heightPx, params);
  const owned: GPUBuffer[] = [];
  const upload = (label: string, bands: readonly Float32Array[]): RgbBuffers => {
    const [r, g, b] = bands.slice(0, 3).map((band, k) => {
      const buffer = createStorageBufferFrom(device, `${label} band ${k}`, band);
      owned.push(buffer);
      return buffer;
    });
    if (r === undefined || g === undefined || b === undefined) throw new Error('internal: bands');
    return [r, g, b];
  };
  try {
    const movingBuffers = upload('change moving', moving);
    const referenceBuffers = upload('change reference', reference);
    const domainRoi = createInt32Buffer(
      device,
      'change domain',
      Int32Array.from(domain, (inside) => (inside !== 0 ? 0 : -1)),
    );
    owned.push(domainRoi);
    const change = createStorageBuffer(device, 'change', pixelCount * 4);
    owned.push(change);
    const encoder = device.createCommandEncoder({ label: 'change' });
    stage.encode(encoder, movingBuffers, referenceBuffers, domainRoi, change);
    device.queue.submit([encoder.finish()]);
    return new Float32Array(await readBuffer(device, change, pixelCount * 4));
  } finally {
    stage.destroy();
    for (const buffer of owned) buffer.destroy();
  }
}
