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
  maxPerDimension = MAX_WORKGROUPS_PER_DIMENSION,
): { x: number; y: number; rowStride: number } {
  if (
    !Number.isInteger(maxPerDimension) ||
    maxPerDimension < 1 ||
    maxPerDimension > MAX_WORKGROUPS_PER_DIMENSION
  ) {
    throw new Error(
      `Workgroups per dimension must be an integer from 1 to ${MAX_WORKGROUPS_PER_DIMENSION} (got ${maxPerDimension})`,
    );
  }
  const groups = Math.max(1, Math.ceil(items / workgroupSize));
  // As few rows as the limit allows, then rows as short as covers the groups: fewer than
  // y workgroups go spare (x = 65535 first left 65,534 of 131,070 idle for 65,536 groups).
  const y = Math.ceil(groups / maxPerDimension);
  const x = Math.ceil(groups / y);
  if (y > maxPerDimension) {
    throw new Error(`Dispatch of ${items} items exceeds ${maxPerDimension}² workgroups`);
  }
  return { x, y, rowStride: x * workgroupSize };
}

export const VIEW_UNIFORMS_LAYOUT: StructLayout = {
  wgslName: 'ViewUniforms',
  byteLength: 80,
  fields: [
    { name: 'paneOriginPx', wgslType: 'vec2<f32>', byteOffset: 0 },
    { name: 'imageOriginPx', wgslType: 'vec2<f32>', byteOffset: 8 },
    { name: 'imageSizePx', wgslType: 'vec2<f32>', byteOffset: 16 },
    { name: 'scale', wgslType: 'f32', byteOffset: 24 },
    { name: 'mode', wgslType: 'u32', byteOffset: 28 },
    { name: 'dividerXPx', wgslType: 'f32', byteOffset: 32 },
    { name: 'dividerHalfWidthPx', wgslType: 'f32', byteOffset: 36 },
    { name: 'onionOpacity', wgslType: 'f32', byteOffset: 40 },
    { name: 'padding0', wgslType: 'f32', byteOffset: 44 },
    { name: 'background', wgslType: 'vec4<f32>', byteOffset: 48 },
    { name: 'dividerColour', wgslType: 'vec4<f32>', byteOffset: 64 },
  ],
};

/** What shaders/view.wgsl shows in a pane (`ViewUniforms.mode`). */
export const VIEW_MODE = { before: 0, after: 1, swipe: 2, onion: 3 } as const;

/** One overlay drawn over the imagery (shaders/view-overlay.wgsl). */
export const VIEW_OVERLAY_UNIFORMS_LAYOUT: StructLayout = {
  wgslName: 'OverlayUniforms',
  byteLength: 48,
  fields: [
    { name: 'canvasSizePx', wgslType: 'vec2<f32>', byteOffset: 0 },
    { name: 'paneOriginPx', wgslType: 'vec2<f32>', byteOffset: 8 },
    { name: 'imageOriginPx', wgslType: 'vec2<f32>', byteOffset: 16 },
    { name: 'scale', wgslType: 'f32', byteOffset: 24 },
    { name: 'opacity', wgslType: 'f32', byteOffset: 28 },
    { name: 'rectImagePx', wgslType: 'vec4<f32>', byteOffset: 32 },
  ],
};

// --- Raster stages between the change score and labelling: blur, histogram,
// threshold, morphology (shaders/blur.wgsl, histogram.wgsl, threshold.wgsl,
// morphology.wgsl).

/** 2-D tile of one invocation per pixel, for blur (16 × 16 = 256). */
export const RASTER_WORKGROUP_WIDTH = 16;
export const RASTER_WORKGROUP_HEIGHT = 16;
/** Bounds the blur's tap loop; larger radii are refused before they reach a shader. */
export const BLUR_MAX_RADIUS_PX = 64;
/** Bounds the morphology step's loops; larger radii are refused before they reach a shader. */
export const MORPHOLOGY_MAX_RADIUS_PX = 64;
/** Invocations per workgroup of shaders/morphology.wgsl: a multiple of 32 (whole words in pack). */
export const MORPHOLOGY_WORKGROUP_SIZE = 256;
export const HISTOGRAM_BINS = 256;
export const HISTOGRAM_WORKGROUP_SIZE = 256;
/** Pixels each histogram invocation folds into its workgroup's private histogram. */
export const HISTOGRAM_PIXELS_PER_INVOCATION = 16;
export const THRESHOLD_WORKGROUP_SIZE = 256;
/**
 * Pixels each invocation of the streaming kernels (threshold, mask combine)
 * takes, a workgroup size apart: independent loads in flight per invocation.
 */
export const STREAM_PIXELS_PER_INVOCATION = 4;

export const BLUR_PARAMS_LAYOUT: StructLayout = {
  wgslName: 'BlurParams',
  byteLength: 16,
  fields: [
    { name: 'width', wgslType: 'u32', byteOffset: 0 },
    { name: 'height', wgslType: 'u32', byteOffset: 4 },
    { name: 'radiusPx', wgslType: 'u32', byteOffset: 8 },
    { name: 'padding0', wgslType: 'u32', byteOffset: 12 },
  ],
};

export const HISTOGRAM_PARAMS_LAYOUT: StructLayout = {
  wgslName: 'HistogramParams',
  byteLength: 32,
  fields: [
    { name: 'pixelCount', wgslType: 'u32', byteOffset: 0 },
    { name: 'groupsPerRow', wgslType: 'u32', byteOffset: 4 },
    { name: 'useMask', wgslType: 'u32', byteOffset: 8 },
    { name: 'padding0', wgslType: 'u32', byteOffset: 12 },
    { name: 'minValue', wgslType: 'f32', byteOffset: 16 },
    { name: 'maxValue', wgslType: 'f32', byteOffset: 20 },
    { name: 'binScale', wgslType: 'f32', byteOffset: 24 },
    { name: 'padding1', wgslType: 'f32', byteOffset: 28 },
  ],
};

export const THRESHOLD_PARAMS_LAYOUT: StructLayout = {
  wgslName: 'ThresholdParams',
  byteLength: 16,
  fields: [
    { name: 'pixelCount', wgslType: 'u32', byteOffset: 0 },
    { name: 'rowStride', wgslType: 'u32', byteOffset: 4 },
    { name: 'useMask', wgslType: 'u32', byteOffset: 8 },
    { name: 'thresholdDn', wgslType: 'f32', byteOffset: 12 },
  ],
};

export const THRESHOLD_BITS_PARAMS_LAYOUT: StructLayout = {
  wgslName: 'ThresholdBitsParams',
  byteLength: 32,
  fields: [
    { name: 'thresholdA', wgslType: 'f32', byteOffset: 0 },
    { name: 'thresholdB', wgslType: 'f32', byteOffset: 4 },
    { name: 'combine', wgslType: 'u32', byteOffset: 8 },
    { name: 'consensus', wgslType: 'u32', byteOffset: 12 },
    { name: 'unchangedAfterDn', wgslType: 'f32', byteOffset: 16 },
    { name: 'unchangedBeforeDn', wgslType: 'f32', byteOffset: 20 },
    { name: 'padding0', wgslType: 'u32', byteOffset: 24 },
    { name: 'padding1', wgslType: 'u32', byteOffset: 28 },
  ],
};

export const MORPHOLOGY_PARAMS_LAYOUT: StructLayout = {
  wgslName: 'MorphologyParams',
  byteLength: 32,
  fields: [
    { name: 'width', wgslType: 'u32', byteOffset: 0 },
    { name: 'height', wgslType: 'u32', byteOffset: 4 },
    { name: 'wordsPerRow', wgslType: 'u32', byteOffset: 8 },
    { name: 'rowStride', wgslType: 'u32', byteOffset: 12 },
    { name: 'radiusPx', wgslType: 'u32', byteOffset: 16 },
    { name: 'operation', wgslType: 'u32', byteOffset: 20 },
    { name: 'halfWidthsOffset', wgslType: 'u32', byteOffset: 24 },
    { name: 'clipToMask', wgslType: 'u32', byteOffset: 28 },
  ],
};

/**
 * Workgroup counts for one invocation per pixel of a width × height image in
 * tiles of RASTER_WORKGROUP_WIDTH × RASTER_WORKGROUP_HEIGHT. With 16 × 16 tiles
 * the per-dimension limit allows images up to 1 048 560 px on a side.
 */
export function gridDispatch(widthPx: number, heightPx: number): { x: number; y: number } {
  const x = Math.max(1, Math.ceil(widthPx / RASTER_WORKGROUP_WIDTH));
  const y = Math.max(1, Math.ceil(heightPx / RASTER_WORKGROUP_HEIGHT));
  if (x > MAX_WORKGROUPS_PER_DIMENSION || y > MAX_WORKGROUPS_PER_DIMENSION) {
    throw new Error(
      `A ${widthPx} × ${heightPx} image needs more than ${MAX_WORKGROUPS_PER_DIMENSION} workgroups per dimension`,
    );
  }
  return { x, y };
}

// --- Connected-component labelling (shaders/ccl-label.wgsl, ccl-dense.wgsl).

/**
 * Tile of the block-based labelling (ccl-label.wgsl localLabel): one workgroup
 * per tile, union-find in workgroup memory (2 · width · height u32: 8 KiB at
 * 32 × 32), CCL_TILE_WIDTH × CCL_TILE_THREAD_ROWS invocations, each taking
 * CCL_TILE_HEIGHT / CCL_TILE_THREAD_ROWS pixels of one column.
 */
export const CCL_TILE_WIDTH = 32;
export const CCL_TILE_HEIGHT = 32;
export const CCL_TILE_THREAD_ROWS = 8;
/** Invocations per tile of borderMerge: at least the tile's top row and both side columns. */
export const CCL_BORDER_WORKGROUP_SIZE = 128;
/** Invocations of the dense-id scan kernels, and scanned blocks per group. */
export const CCL_SCAN_WORKGROUP_SIZE = 256;
/** Consecutive pixels each rankRoots invocation counts (≤ 32); a block is 256 · 8 pixels. */
export const CCL_SCAN_PIXELS_PER_INVOCATION = 8;

/** Shared by both labelling shaders; scan fields are used by ccl-dense.wgsl only. */
export const CCL_PARAMS_LAYOUT: StructLayout = {
  wgslName: 'CclParams',
  byteLength: 32,
  fields: [
    { name: 'width', wgslType: 'u32', byteOffset: 0 },
    { name: 'height', wgslType: 'u32', byteOffset: 4 },
    { name: 'pixelCount', wgslType: 'u32', byteOffset: 8 },
    { name: 'scanRowStride', wgslType: 'u32', byteOffset: 12 },
    { name: 'scanBlockCount', wgslType: 'u32', byteOffset: 16 },
    { name: 'scanGroupCount', wgslType: 'u32', byteOffset: 20 },
    { name: 'padding0', wgslType: 'u32', byteOffset: 24 },
    { name: 'padding1', wgslType: 'u32', byteOffset: 28 },
  ],
};

// --- Per-component statistics (shaders/component-stats.wgsl).

/** Invocations per workgroup of the component-statistics kernels. */
export const COMPONENT_STATS_WORKGROUP_SIZE = 64;
/** Pixels of one row each accumulate invocation folds before flushing to global atomics. */
export const COMPONENT_STATS_RUN_PX = 32;
/** u32 words per component record; field offsets in COMPONENT_STATS_FIELD. */
export const COMPONENT_STATS_RECORD_WORDS = 16;
/** Word offsets inside one component record (64-bit sums as lo, hi words). */
export const COMPONENT_STATS_FIELD = {
  pixelCount: 0,
  minX: 1,
  minY: 2,
  maxX: 3,
  maxY: 4,
  sumXLo: 5,
  sumXHi: 6,
  sumYLo: 7,
  sumYHi: 8,
  changeLo: 9,
  changeHi: 10,
  /** Four counters, one per kind code 0..3 (code & 3). */
  kind0: 11,
  boundaryPx: 15,
} as const;
/** Per-(component, ROI) pixel counts are kept densely: at most this many ROIs per pass. */
export const COMPONENT_STATS_MAX_ROIS = 64;
/** Image sides are limited so per-run sums (≤ RUN_PX · 2²⁶) fit one u32 word. */
export const COMPONENT_STATS_MAX_SIDE_PX = 1 << 26;

export const COMPONENT_STATS_PARAMS_LAYOUT: StructLayout = {
  wgslName: 'ComponentStatsParams',
  byteLength: 32,
  fields: [
    { name: 'width', wgslType: 'u32', byteOffset: 0 },
    { name: 'height', wgslType: 'u32', byteOffset: 4 },
    { name: 'componentCount', wgslType: 'u32', byteOffset: 8 },
    { name: 'roiCount', wgslType: 'u32', byteOffset: 12 },
    { name: 'segmentCount', wgslType: 'u32', byteOffset: 16 },
    { name: 'segmentsPerRow', wgslType: 'u32', byteOffset: 20 },
    { name: 'changeScale', wgslType: 'f32', byteOffset: 24 },
    { name: 'padding0', wgslType: 'u32', byteOffset: 28 },
  ],
};

// --- Radiometric normalization (shaders/normalization-reduce.wgsl,
// normalization-pixel.wgsl; CPU twin src/core/analysis/normalization.ts).

/** Bins of the quantile histograms (QUANTILE_BINS); 4096 u32 = 16 KiB of workgroup memory. */
export const NORMALIZATION_HISTOGRAM_BINS = 4096;
/** Invocations per workgroup of every normalization kernel (a power of two: tree reductions). */
export const NORMALIZATION_WORKGROUP_SIZE = 256;
/** Consecutive-stride pixels each reduction invocation folds (range, histogram, sums). */
export const NORMALIZATION_PIXELS_PER_INVOCATION = 16;
/** f32 words per workgroup in the partial sums: count, Σa, Σa², Σb, Σb² (shifted). */
export const NORMALIZATION_SUM_WORDS = 5;

export const NORMALIZATION_REDUCE_PARAMS_LAYOUT: StructLayout = {
  wgslName: 'ReduceParams',
  byteLength: 32,
  fields: [
    { name: 'pixelCount', wgslType: 'u32', byteOffset: 0 },
    { name: 'groupsPerRow', wgslType: 'u32', byteOffset: 4 },
    { name: 'outOffset', wgslType: 'u32', byteOffset: 8 },
    { name: 'padding0', wgslType: 'u32', byteOffset: 12 },
    { name: 'minValue', wgslType: 'f32', byteOffset: 16 },
    { name: 'maxValue', wgslType: 'f32', byteOffset: 20 },
    { name: 'binScale', wgslType: 'f32', byteOffset: 24 },
    { name: 'padding1', wgslType: 'f32', byteOffset: 28 },
  ],
};

export const NORMALIZATION_PIXEL_PARAMS_LAYOUT: StructLayout = {
  wgslName: 'PixelParams',
  byteLength: 32,
  fields: [
    { name: 'pixelCount', wgslType: 'u32', byteOffset: 0 },
    { name: 'groupsPerRow', wgslType: 'u32', byteOffset: 4 },
    { name: 'firstBand', wgslType: 'u32', byteOffset: 8 },
    { name: 'gain', wgslType: 'f32', byteOffset: 12 },
    { name: 'offset', wgslType: 'f32', byteOffset: 16 },
    { name: 'cut', wgslType: 'f32', byteOffset: 20 },
    { name: 'shiftAfter', wgslType: 'f32', byteOffset: 24 },
    { name: 'shiftBefore', wgslType: 'f32', byteOffset: 28 },
  ],
};

// --- Occupancy score, texture and best-match change (shaders/occupancy.wgsl,
// texture.wgsl, change.wgsl; shadow-test.wgsl is prepended to occupancy and
// change; CPU twins in src/core/analysis/occupancy.ts).

/** Invocations per workgroup of the per-pixel occupancy and texture kernels. */
export const OCCUPANCY_WORKGROUP_SIZE = 256;
/** Bounds the change kernel's disc loops; larger match radii are refused before they reach a shader. */
export const CHANGE_MAX_RADIUS_PX = 16;

export const OCCUPANCY_PARAMS_LAYOUT: StructLayout = {
  wgslName: 'OccupancyParams',
  byteLength: 64,
  fields: [
    { name: 'pixelCount', wgslType: 'u32', byteOffset: 0 },
    { name: 'rowStride', wgslType: 'u32', byteOffset: 4 },
    { name: 'roiCount', wgslType: 'u32', byteOffset: 8 },
    { name: 'shadowTest', wgslType: 'u32', byteOffset: 12 },
    { name: 'useTexture', wgslType: 'u32', byteOffset: 16 },
    { name: 'brightnessWeight', wgslType: 'f32', byteOffset: 20 },
    { name: 'thresholdDn', wgslType: 'f32', byteOffset: 24 },
    { name: 'textureThresholdDn', wgslType: 'f32', byteOffset: 28 },
    { name: 'shadowMinLumRatio', wgslType: 'f32', byteOffset: 32 },
    { name: 'shadowMaxLumRatio', wgslType: 'f32', byteOffset: 36 },
    { name: 'shadowChromaTolerance', wgslType: 'f32', byteOffset: 40 },
    { name: 'padding0', wgslType: 'u32', byteOffset: 44 },
    { name: 'luma', wgslType: 'vec4<f32>', byteOffset: 48 },
  ],
};

export const TEXTURE_PARAMS_LAYOUT: StructLayout = {
  wgslName: 'TextureParams',
  byteLength: 32,
  fields: [
    { name: 'pixelCount', wgslType: 'u32', byteOffset: 0 },
    { name: 'rowStride', wgslType: 'u32', byteOffset: 4 },
    { name: 'padding0', wgslType: 'u32', byteOffset: 8 },
    { name: 'padding1', wgslType: 'u32', byteOffset: 12 },
    { name: 'luma', wgslType: 'vec4<f32>', byteOffset: 16 },
  ],
};

export const CHANGE_PARAMS_LAYOUT: StructLayout = {
  wgslName: 'ChangeParams',
  byteLength: 48,
  fields: [
    { name: 'width', wgslType: 'u32', byteOffset: 0 },
    { name: 'height', wgslType: 'u32', byteOffset: 4 },
    { name: 'radiusPx', wgslType: 'u32', byteOffset: 8 },
    { name: 'shadowTest', wgslType: 'u32', byteOffset: 12 },
    { name: 'shadowMinLumRatio', wgslType: 'f32', byteOffset: 16 },
    { name: 'shadowMaxLumRatio', wgslType: 'f32', byteOffset: 20 },
    { name: 'shadowChromaTolerance', wgslType: 'f32', byteOffset: 24 },
    { name: 'padding0', wgslType: 'u32', byteOffset: 28 },
    { name: 'luma', wgslType: 'vec4<f32>', byteOffset: 32 },
  ],
};

/** Fills a uniform of `layout` from named values (u32 or f32 by the field's type; vec4 from 4 numbers). */
export function packUniform(
  layout: StructLayout,
  values: Readonly<Record<string, number | readonly number[]>>,
): ArrayBuffer {
  const data = new ArrayBuffer(layout.byteLength);
  const u32 = new Uint32Array(data);
  const f32 = new Float32Array(data);
  for (const field of layout.fields) {
    const value = values[field.name] ?? 0;
    const word = field.byteOffset / 4;
    if (field.wgslType === 'u32') {
      if (
        typeof value !== 'number' ||
        !Number.isInteger(value) ||
        value < 0 ||
        value > 0xffffffff
      ) {
        throw new Error(`${layout.wgslName}.${field.name} must be a u32 (got ${String(value)})`);
      }
      u32[word] = value;
    } else {
      const width = field.wgslType === 'f32' ? 1 : field.wgslType === 'vec2<f32>' ? 2 : 4;
      const list = typeof value === 'number' ? [value] : value;
      if (list.length > width) {
        throw new Error(`${layout.wgslName}.${field.name} takes at most ${width} values`);
      }
      list.forEach((v, k) => (f32[word + k] = v));
    }
  }
  const known = new Set(layout.fields.map((field) => field.name));
  const unknown = Object.keys(values).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new Error(`${layout.wgslName} has no field(s) ${unknown.join(', ')}`);
  }
  return data;
}

// --- Mask combination (shaders/mask-combine.wgsl).
export const MASK_COMBINE_WORKGROUP_SIZE = 256;

export const MASK_COMBINE_PARAMS_LAYOUT: StructLayout = {
  wgslName: 'MaskCombineParams',
  byteLength: 16,
  fields: [
    { name: 'pixelCount', wgslType: 'u32', byteOffset: 0 },
    { name: 'rowStride', wgslType: 'u32', byteOffset: 4 },
    { name: 'padding0', wgslType: 'u32', byteOffset: 8 },
    { name: 'padding1', wgslType: 'u32', byteOffset: 12 },
  ],
};

// --- Surface colour histograms (shaders/surface-histogram.wgsl; CPU twin
// src/core/analysis/surface.ts).
export const SURFACE_HISTOGRAM_WORKGROUP_SIZE = 256;

export const SURFACE_HISTOGRAM_PARAMS_LAYOUT: StructLayout = {
  wgslName: 'SurfaceHistogramParams',
  byteLength: 16,
  fields: [
    { name: 'pixelCount', wgslType: 'u32', byteOffset: 0 },
    { name: 'rowStride', wgslType: 'u32', byteOffset: 4 },
    { name: 'roiCount', wgslType: 'u32', byteOffset: 8 },
    { name: 'padding0', wgslType: 'u32', byteOffset: 12 },
  ],
};

// --- Hole filling and the per-mask estimate (shaders/hole-fill.wgsl,
// component-estimate.wgsl; CPU twins in src/core/analysis/estimate.ts).

/** Invocations per workgroup of the hole-filling and component-estimate kernels. */
export const COMPONENT_PASS_WORKGROUP_SIZE = 64;
/** Pixels of one row each run-based invocation folds before flushing to global atomics. */
export const COMPONENT_PASS_RUN_PX = 32;
/** Pixels each per-pixel invocation of those passes takes, a workgroup size apart. */
export const COMPONENT_PASS_PIXELS_PER_INVOCATION = 4;
/** The override constants of shaders/component-pass.wgsl, for every shader that prepends it. */
export const COMPONENT_PASS_OVERRIDES: Readonly<Record<string, number>> = {
  WORKGROUP_SIZE: COMPONENT_PASS_WORKGROUP_SIZE,
  RUN_PX: COMPONENT_PASS_RUN_PX,
  PIXELS_PER_INVOCATION: COMPONENT_PASS_PIXELS_PER_INVOCATION,
  STAGED_PX: COMPONENT_PASS_WORKGROUP_SIZE * COMPONENT_PASS_RUN_PX,
};
/** ROIs whose blob flags one component-estimate pass gathers (the bits of a u32). */
export const COMPONENT_ESTIMATE_ROIS_PER_PASS = 32;

export const HOLE_FILL_PARAMS_LAYOUT: StructLayout = {
  wgslName: 'HoleFillParams',
  byteLength: 32,
  fields: [
    { name: 'width', wgslType: 'u32', byteOffset: 0 },
    { name: 'height', wgslType: 'u32', byteOffset: 4 },
    { name: 'pixelCount', wgslType: 'u32', byteOffset: 8 },
    { name: 'pixelRowStride', wgslType: 'u32', byteOffset: 12 },
    { name: 'segmentsPerRow', wgslType: 'u32', byteOffset: 16 },
    { name: 'segmentCount', wgslType: 'u32', byteOffset: 20 },
    { name: 'segmentRowStride', wgslType: 'u32', byteOffset: 24 },
    { name: 'maxHolePx', wgslType: 'u32', byteOffset: 28 },
  ],
};

export const COMPONENT_ESTIMATE_PARAMS_LAYOUT: StructLayout = {
  wgslName: 'ComponentEstimateParams',
  byteLength: 48,
  fields: [
    { name: 'width', wgslType: 'u32', byteOffset: 0 },
    { name: 'height', wgslType: 'u32', byteOffset: 4 },
    { name: 'pixelCount', wgslType: 'u32', byteOffset: 8 },
    { name: 'pixelRowStride', wgslType: 'u32', byteOffset: 12 },
    { name: 'segmentsPerRow', wgslType: 'u32', byteOffset: 16 },
    { name: 'segmentCount', wgslType: 'u32', byteOffset: 20 },
    { name: 'segmentRowStride', wgslType: 'u32', byteOffset: 24 },
    { name: 'roiCount', wgslType: 'u32', byteOffset: 28 },
    { name: 'minKeepPx', wgslType: 'u32', byteOffset: 32 },
    { name: 'roiBase', wgslType: 'u32', byteOffset: 36 },
    { name: 'padding0', wgslType: 'u32', byteOffset: 40 },
    { name: 'padding1', wgslType: 'u32', byteOffset: 44 },
  ],
};

/**
 * Dispatch geometry of the run-based component passes: one invocation per run
 * of COMPONENT_PASS_RUN_PX pixels of a row, and one per
 * COMPONENT_PASS_PIXELS_PER_INVOCATION pixels. Tests lower
 * maxWorkgroupsPerDimension to fold small images into 2-D.
 */
export function componentPassGeometry(
  widthPx: number,
  heightPx: number,
  maxWorkgroupsPerDimension = MAX_WORKGROUPS_PER_DIMENSION,
): {
  readonly segmentsPerRow: number;
  readonly segmentCount: number;
  readonly segments: { x: number; y: number; rowStride: number };
  readonly pixels: { x: number; y: number; rowStride: number };
} {
  const segmentsPerRow = Math.ceil(widthPx / COMPONENT_PASS_RUN_PX);
  const segmentCount = segmentsPerRow * heightPx;
  return {
    segmentsPerRow,
    segmentCount,
    segments: linearDispatch(
      segmentCount,
      COMPONENT_PASS_WORKGROUP_SIZE,
      maxWorkgroupsPerDimension,
    ),
    pixels: linearDispatch(
      Math.ceil((widthPx * heightPx) / COMPONENT_PASS_PIXELS_PER_INVOCATION),
      COMPONENT_PASS_WORKGROUP_SIZE,
      maxWorkgroupsPerDimension,
    ),
  };
}

/**
 * The uniform fields every run-based component pass reads (the first seven of
 * HoleFillParams and ComponentEstimateParams): image size and the geometry.
 */
export function componentPassUniformFields(
  widthPx: number,
  heightPx: number,
  geometry: ReturnType<typeof componentPassGeometry>,
): Readonly<Record<string, number>> {
  return {
    width: widthPx,
    height: heightPx,
    pixelCount: widthPx * heightPx,
    pixelRowStride: geometry.pixels.rowStride,
    segmentsPerRow: geometry.segmentsPerRow,
    segmentCount: geometry.segmentCount,
    segmentRowStride: geometry.segments.rowStride,
  };
}

// --- Mask packing for read-back (shaders/mask-pack.wgsl; CPU twin in
// src/core/mask-combine.ts).
export const MASK_PACK_WORKGROUP_SIZE = 256;

export const MASK_PACK_PARAMS_LAYOUT: StructLayout = {
  wgslName: 'MaskPackParams',
  byteLength: 16,
  fields: [
    { name: 'pixelCount', wgslType: 'u32', byteOffset: 0 },
    { name: 'wordCount', wgslType: 'u32', byteOffset: 4 },
    { name: 'rowStride', wgslType: 'u32', byteOffset: 8 },
    { name: 'padding0', wgslType: 'u32', byteOffset: 12 },
  ],
};

// --- Change magnitude for the heat map (shaders/change-magnitude.wgsl; CPU
// twin in src/core/analysis/change-magnitude.ts): packs four levels a word
// like mask-pack.wgsl.
export const CHANGE_MAGNITUDE_WORKGROUP_SIZE = 256;

export const CHANGE_MAGNITUDE_PARAMS_LAYOUT: StructLayout = {
  wgslName: 'ChangeMagnitudeParams',
  byteLength: 16,
  fields: [
    { name: 'pixelCount', wgslType: 'u32', byteOffset: 0 },
    { name: 'wordCount', wgslType: 'u32', byteOffset: 4 },
    { name: 'rowStride', wgslType: 'u32', byteOffset: 8 },
    { name: 'levelsPerDn', wgslType: 'f32', byteOffset: 12 },
  ],
};
