/**
 * Thin wrappers around shaders/occupancy.wgsl and shaders/texture.wgsl (with
 * shaders/shadow-test.wgsl prepended to the former and blur.wgsl for the
 * texture's two blurs); CPU twins and semantics in
 * src/core/analysis/occupancy.ts (occupancyDistance, textureOf).
 *
 * Buffer-level stages (`createOccupancyStage`, `createTextureStage`) record
 * into a caller's command encoder for chaining; `occupancyGpu` and
 * `textureGpu` upload, run and read back, with the CPU twins' signatures.
 */
import occupancyWgsl from '../../shaders/occupancy.wgsl?raw';
import shadowTestWgsl from '../../shaders/shadow-test.wgsl?raw';
import textureWgsl from '../../shaders/texture.wgsl?raw';
import {
  LUMA_F32,
  type OccupancyParams,
  type Rgb,
  type ShadowParams,
} from '../core/analysis/occupancy.ts';
import {
  linearDispatch,
  OCCUPANCY_PARAMS_LAYOUT,
  OCCUPANCY_WORKGROUP_SIZE,
  packUniform,
  TEXTURE_PARAMS_LAYOUT,
} from '../core/kernel-layout.ts';
import { createBlurStage } from './blur.ts';
import { createInt32Buffer, createStorageBufferFrom, readBuffer } from './buffers.ts';
import {
  checkBindingSize,
  compileAutoKernel,
  createStorageBuffer,
  createUniformBuffer,
  encodeAutoDispatch,
  type AutoKernel,
} from './raster-kernels.ts';

/** Three band buffers (R, G, B), each pixelCount f32. */
export type RgbBuffers = readonly [GPUBuffer, GPUBuffer, GPUBuffer];

/** Shadow fields shared by the occupancy and change uniforms. */
export function shadowUniformFields(
  params: Pick<OccupancyParams, 'shadowHandling'> & ShadowParams,
): Record<string, number | readonly number[]> {
  return {
    shadowTest: params.shadowHandling === 'colour' ? 1 : 0,
    shadowMinLumRatio: params.shadowMinLumRatio,
    shadowMaxLumRatio: params.shadowMaxLumRatio,
    shadowChromaTolerance: params.shadowChromaTolerance,
    luma: LUMA_F32,
  };
}

/** `domainRoi` as the kernels read it: the ROI index where the pixel is valid, −1 elsewhere. */
export function domainRoiIndex(roiIndex: Int32Array, valid: Uint8Array): Int32Array {
  if (valid.length !== roiIndex.length) {
    throw new Error(
      `The validity mask holds ${valid.length} values, expected ${roiIndex.length} (one per pixel)`,
    );
  }
  return roiIndex.map((roi, i) => (valid[i] !== 0 && roi >= 0 ? roi : -1));
}

function checkBands(bands: readonly Float32Array[], pixelCount: number, what: string): void {
  if (bands.length < 3) throw new Error(`${what} needs three bands (R, G, B)`);
  for (const band of bands.slice(0, 3)) {
    if (band.length !== pixelCount) {
      throw new Error(`A ${what} band holds ${band.length} values, expected ${pixelCount}`);
    }
  }
}

// --- Occupancy score.

const occupancyKernels = new WeakMap<GPUDevice, AutoKernel<'main'>>();

function occupancyKernel(device: GPUDevice): AutoKernel<'main'> {
  return compileAutoKernel(
    occupancyKernels,
    device,
    'occupancy',
    `${shadowTestWgsl}\n${occupancyWgsl}`,
    ['main'],
    { WORKGROUP_SIZE: OCCUPANCY_WORKGROUP_SIZE },
  );
}

export interface OccupancyStageOptions {
  readonly pixelCount: number;
  /** Entries of the surface table; pixels with a larger ROI index score 0. */
  readonly roiCount: number;
  readonly params: OccupancyParams;
  /** When true, `encode` takes a texture buffer (f32 per pixel, as createTextureStage writes). */
  readonly useTexture: boolean;
}

export interface OccupancyStage {
  readonly pixelCount: number;
  readonly roiCount: number;
  /** New parameters (a slider): a queue write, seen by encoders submitted after it. */
  setParams(params: OccupancyParams): void;
  /** The per-ROI surface colours (roiCount of them), a queue write; NaN entries stay NaN. */
  setSurfaces(surfaces: readonly Rgb[]): void;
  /**
   * Records bands (smoothed R, G, B) + domainRoi (i32, −1 outside the
   * domain; see domainRoiIndex) [+ texture] → distance (f32) and shadow (u32 0/1).
   */
  encode(
    encoder: GPUCommandEncoder,
    bands: RgbBuffers,
    domainRoi: GPUBuffer,
    distance: GPUBuffer,
    shadow: GPUBuffer,
    texture?: GPUBuffer,
  ): void;
  destroy(): void;
}

export function createOccupancyStage(
  device: GPUDevice,
  options: OccupancyStageOptions,
): OccupancyStage {
  const { pixelCount, roiCount, useTexture } = options;
  if (!Number.isInteger(pixelCount) || pixelCount < 1) {
    throw new Error(`Occupancy needs at least one pixel (got ${pixelCount})`);
  }
  if (!Number.isInteger(roiCount) || roiCount < 1) {
    throw new Error(`Occupancy needs at least one ROI (got ${roiCount})`);
  }
  checkBindingSize(device, 'Occupancy', pixelCount * 4);
  const pipelines = occupancyKernel(device);
  const dispatch = linearDispatch(pixelCount, OCCUPANCY_WORKGROUP_SIZE);
  const uniform = (params: OccupancyParams): ArrayBuffer =>
    packUniform(OCCUPANCY_PARAMS_LAYOUT, {
      pixelCount,
      rowStride: dispatch.rowStride,
      roiCount,
      useTexture: useTexture ? 1 : 0,
      brightnessWeight: params.brightnessWeight,
      thresholdDn: params.thresholdDn,
      textureThresholdDn: params.textureThresholdDn,
      ...shadowUniformFields(params),
    });
  const paramsBuffer = createUniformBuffer(device, 'occupancy params', uniform(options.params));
  const surfacesBuffer = createStorageBuffer(device, 'occupancy surfaces', roiCount * 16);
  // Stands in for the texture when there is none (the binding must exist).
  const noTexture = createStorageBuffer(device, 'occupancy no texture', 4);
  return {
    pixelCount,
    roiCount,
    setParams(params) {
      device.queue.writeBuffer(paramsBuffer, 0, uniform(params));
    },
    setSurfaces(surfaces) {
      if (surfaces.length !== roiCount) {
        throw new Error(`Expected ${roiCount} surface colours (got ${surfaces.length})`);
      }
      const table = new Float32Array(roiCount * 4);
      surfaces.forEach((s, k) => {
        table.set(s, k * 4);
      });
      device.queue.writeBuffer(surfacesBuffer, 0, table);
    },
    encode(encoder, bands, domainRoi, distance, shadow, texture) {
      if ((texture !== undefined) !== useTexture) {
        throw new Error(
          useTexture ? 'This occupancy stage needs a texture buffer' : 'Unexpected texture buffer',
        );
      }
      encodeAutoDispatch(
        device,
        encoder,
        pipelines.main,
        'occupancy',
        [
          [0, paramsBuffer],
          [1, bands[0]],
          [2, bands[1]],
          [3, bands[2]],
          [4, texture ?? noTexture],
          [5, domainRoi],
          [6, surfacesBuffer],
          [7, distance],
          [8, shadow],
        ],
        dispatch,
      );
    },
    destroy() {
      paramsBuffer.destroy();
      surfacesBuffer.destroy();
      noTexture.destroy();
    },
  };
}

/** occupancyDistance on the GPU: same arguments, same outputs (within the stated tolerance). */
export async function occupancyGpu(
  device: GPUDevice,
  bands: readonly Float32Array[],
  roiIndex: Int32Array,
  valid: Uint8Array,
  surfaces: readonly Rgb[],
  texture: Float32Array | null,
  params: OccupancyParams,
): Promise<{ distance: Float32Array; shadow: Uint8Array }> {
  const pixelCount = roiIndex.length;
  checkBands(bands, pixelCount, 'Occupancy');
  if (texture !== null && texture.length !== pixelCount) {
    throw new Error(`The texture holds ${texture.length} values, expected ${pixelCount}`);
  }
  const domainRoi = domainRoiIndex(roiIndex, valid);
  const roiCount = Math.max(1, surfaces.length);
  const stage = createOccupancyStage(device, {
    pixelCount,
    roiCount,
    params,
    useTexture: texture !== null,
  });
  const owned: GPUBuffer[] = [];
  const upload = (buffer: GPUBuffer): GPUBuffer => {
    owned.push(buffer);
    return buffer;
  };
  try {
    // No ROI at all: one NaN entry that no pixel reaches (indices are < surfaces.length).
    stage.setSurfaces(surfaces.length > 0 ? surfaces : [[Number.NaN, Number.NaN, Number.NaN]]);
    if (surfaces.length === 0) domainRoi.fill(-1);
    const [r, g, b] = bands
      .slice(0, 3)
      .map((band, k) => upload(createStorageBufferFrom(device, `occupancy band ${k}`, band)));
    if (r === undefined || g === undefined || b === undefined) throw new Error('internal: bands');
    const roiBuffer = upload(createInt32Buffer(device, 'occupancy domain ROI', domainRoi));
    const textureBuffer =
      texture === null
        ? undefined
        : upload(createStorageBufferFrom(device, 'occupancy texture', texture));
    const distance = upload(createStorageBuffer(device, 'occupancy distance', pixelCount * 4));
    const shadow = upload(createStorageBuffer(device, 'occupancy shadow', pixelCount * 4));
    const encoder = device.createCommandEncoder({ label: 'occupancy' });
    stage.encode(encoder, [r, g, b], roiBuffer, distance, shadow, textureBuffer);
    device.queue.submit([encoder.finish()]);
    return {
      distance: new Float32Array(await readBuffer(device, distance, pixelCount * 4)),
      shadow: Uint8Array.from(new Uint32Array(await readBuffer(device, shadow, pixelCount * 4))),
    };
  } finally {
    stage.destroy();
    for (const buffer of owned) buffer.destroy();
  }
}

// --- Texture: luminance → Gaussian blur → |lum − low| → box blur.

type TextureEntry = 'luminance' | 'absDifference';
const textureKernels = new WeakMap<GPUDevice, AutoKernel<TextureEntry>>();

function textureKernel(device: GPUDevice): AutoKernel<TextureEntry> {
  return compileAutoKernel(
    textureKernels,
    device,
    'texture',
    textureWgsl,
    ['luminance', 'absDifference'],
    { WORKGROUP_SIZE: OCCUPANCY_WORKGROUP_SIZE },
  );
}

export interface TextureStage {
  readonly widthPx: number;
  readonly heightPx: number;
  /** Records bands (unsmoothed R, G, B) → texture (f32 per pixel); texture may not alias a band. */
  encode(encoder: GPUCommandEncoder, bands: RgbBuffers, texture: GPUBuffer): void;
  destroy(): void;
}

export function createTextureStage(
  device: GPUDevice,
  widthPx: number,
  heightPx: number,
  textureRadiusPx: number,
): TextureStage {
  const pixelCount = widthPx * heightPx;
  // The blur stages check the size and the radius.
  const gaussian = createBlurStage(device, widthPx, heightPx, { blurRadiusPx: textureRadiusPx });
  const box = createBlurStage(device, widthPx, heightPx, {
    blurRadiusPx: textureRadiusPx,
    kernel: 'box',
  });
  const pipelines = textureKernel(device);
  const dispatch = linearDispatch(pixelCount, OCCUPANCY_WORKGROUP_SIZE);
  const paramsBuffer = createUniformBuffer(
    device,
    'texture params',
    packUniform(TEXTURE_PARAMS_LAYOUT, {
      pixelCount,
      rowStride: dispatch.rowStride,
      luma: LUMA_F32,
    }),
  );
  const lum = createStorageBuffer(device, 'texture luminance', pixelCount * 4);
  const low = createStorageBuffer(device, 'texture low-pass', pixelCount * 4);
  return {
    widthPx,
    heightPx,
    encode(encoder, bands, texture) {
      encodeAutoDispatch(
        device,
        encoder,
        pipelines.luminance,
        'texture luminance',
        [
          [0, paramsBuffer],
          [1, bands[0]],
          [2, bands[1]],
          [3, bands[2]],
          [4, lum],
        ],
        dispatch,
      );
      gaussian.encode(encoder, lum, low);
      encodeAutoDispatch(
        device,
        encoder,
        pipelines.absDifference,
        'texture high-pass',
        [
          [0, paramsBuffer],
          [5, lum],
          [6, low],
          [7, texture],
        ],
        dispatch,
      );
      box.encode(encoder, texture, texture);
    },
    destroy() {
      gaussian.destroy();
      box.destroy();
      paramsBuffer.destroy();
      lum.destroy();
      low.destroy();
    },
  };
}

/** textureOf on the GPU: same arguments, same output (within the stated tolerance). */
export async function textureGpu(
  device: GPUDevice,
  bands: readonly Float32Array[],
  widthPx: number,
  heightPx: number,
  textureRadiusPx: number,
): Promise<Float32Array> {
  const pixelCount = widthPx * heightPx;
  checkBands(bands, pixelCount, 'Texture');
  const stage = createTextureStage(device, widthPx, heightPx, textureRadiusPx);
  const owned: GPUBuffer[] = [];
  try {
    for (const [k, band] of bands.slice(0, 3).entries()) {
      owned.push(createStorageBufferFrom(device, `texture band ${k}`, band));
    }
    const [r, g, b] = owned;
    if (r === undefined || g === undefined || b === undefined) throw new Error('internal: bands');
    const texture = createStorageBuffer(device, 'texture', pixelCount * 4);
    owned.push(texture);
    const encoder = device.createCommandEncoder({ label: 'texture' });
    stage.encode(encoder, [r, g, b], texture);
    device.queue.submit([encoder.finish()]);
    return new Float32Array(await readBuffer(device, texture, pixelCount * 4));
  } finally {
    stage.destroy();
    for (const buffer of owned) buffer.destroy();
  }
}
