/**
 * Constants and struct layouts shared by TypeScript and WGSL. Workgroup sizes
 * reach the shaders as pipeline-overridable constants; uniform structs are
 * described here once and a test checks each WGSL struct against its
 * description, so nothing is copied by hand.
 */

/** WebGPU's guaranteed minimum for maxComputeWorkgroupsPerDimension. */
export const MAX_WORKGROUPS_PER_DIMENSION = 65535;

export const DIFFERENCE_WORKGROUP_SIZE = 256;
/** The difference kernel reads at most this many bands (one vec4 of weights). */
export const DIFFERENCE_MAX_BANDS = 4;

export interface StructField {
  readonly name: string;
  readonly wgslType: 'u32' | 'f32' | 'vec2<f32>' | 'vec4<f32>';
  readonly byteOffset: number;
}

export interface StructLayout {
  readonly wgslName: string;
  readonly byteLength: number;
  readonly fields: readonly StructField[];
}

export const DIFFERENCE_PARAMS_LAYOUT: StructLayout = {
  wgslName: 'DifferenceParams',
  byteLength: 32,
  fields: [
    { name: 'pixelCount', wgslType: 'u32', byteOffset: 0 },
    { name: 'bandCount', wgslType: 'u32', byteOffset: 4 },
    { name: 'rowStride', wgslType: 'u32', byteOffset: 8 },
    { name: 'padding0', wgslType: 'u32', byteOffset: 12 },
    { name: 'weights', wgslType: 'vec4<f32>', byteOffset: 16 },
  ],
};

/**
 * Workgroup counts for `items` one-per-invocation work items: a 1-D dispatch
 * folded into 2-D when it would exceed the per-dimension limit. `rowStride` is
 * the invocation count of one dispatch row, which shaders use to rebuild the
 * linear index (gid.y · rowStride + gid.x).
 */
export function linearDispatch(
  items: number,
  workgroupSize: number,
): { x: number; y: number; rowStride: number } {
  const groups = Math.max(1, Math.ceil(items / workgroupSize));
  const x = Math.min(groups, MAX_WORKGROUPS_PER_DIMENSION);
  const y = Math.ceil(groups / x);
  if (y > MAX_WORKGROUPS_PER_DIMENSION) {
    throw new Error(
      `Dispatch of ${items} items exceeds ${MAX_WORKGROUPS_PER_DIMENSION}² workgroups`,
    );
  }
  return { x, y, rowStride: x * workgroupSize };
}

export const VIEW_UNIFORMS_LAYOUT: StructLayout = {
  wgslName: 'ViewUniforms',
  byteLength: 64,
  fields: [
    { name: 'imageOffsetPx', wgslType: 'vec2<f32>', byteOffset: 0 },
    { name: 'imageSizePx', wgslType: 'vec2<f32>', byteOffset: 8 },
    { name: 'dividerXPx', wgslType: 'f32', byteOffset: 16 },
    { name: 'dividerHalfWidthPx', wgslType: 'f32', byteOffset: 20 },
    { name: 'padding0', wgslType: 'vec2<f32>', byteOffset: 24 },
    { name: 'background', wgslType: 'vec4<f32>', byteOffset: 32 },
    { name: 'dividerColour', wgslType: 'vec4<f32>', byteOffset: 48 },
  ],
};
