/**
 * Thin wrapper around shaders/ccl-label.wgsl and shaders/ccl-dense.wgsl:
 * 8-connected (or 4-connected, for the background: hole filling) component
 * labelling in a fixed sequence of six dispatches
 * (localLabel, borderMerge, rankRoots, scanBlocks, scanGroups, writeIds),
 * whatever the image: block-based union-find (BUF, Allegretti, Bolelli &
 * Grana 2020) over Playne & Hawick's (2018) atomicMin union, then a
 * three-level prefix sum for dense ids. CPU twin: src/core/ccl.ts. Labels are
 * bit-identical to the CPU's Int32Array: 0xFFFFFFFF (−1) for background, else
 * the component's smallest pixel index; ids are 0 for background and 1..count
 * in raster order of that pixel.
 */
import cclLabelWgsl from '../../shaders/ccl-label.wgsl?raw';
import cclDenseWgsl from '../../shaders/ccl-dense.wgsl?raw';
import { validateMask, type Connectivity } from '../core/ccl.ts';
import {
  CCL_BORDER_WORKGROUP_SIZE,
  CCL_PARAMS_LAYOUT,
  CCL_SCAN_PIXELS_PER_INVOCATION,
  CCL_SCAN_WORKGROUP_SIZE,
  CCL_TILE_HEIGHT,
  CCL_TILE_THREAD_ROWS,
  CCL_TILE_WIDTH,
  linearDispatch,
  MAX_WORKGROUPS_PER_DIMENSION,
} from '../core/kernel-layout.ts';
import { createStorageBufferFrom, readBuffer } from './buffers.ts';
import { beginComputePass, isProfiling } from './pass-profiler.ts';

/** The labelling's dispatches in the order they run (one each). */
export const CCL_DISPATCHES = [
  'localLabel',
  'borderMerge',
  'rankRoots',
  'scanBlocks',
  'scanGroups',
  'writeIds',
] as const;
export type CclDispatch = (typeof CCL_DISPATCHES)[number];

interface CclPipelines {
  readonly labelLayout: GPUBindGroupLayout;
  readonly denseLayout: GPUBindGroupLayout;
  readonly byDispatch: Readonly<Record<CclDispatch, GPUComputePipeline>>;
}

// Cached per device (and connectivity) so a lost device takes its pipelines with it.
const pipelineCache = new WeakMap<GPUDevice, Map<Connectivity, CclPipelines>>();

function bufferEntry(binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry {
  return { binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } };
}

// Tile, border and scan constants are checked against WebGPU's default limits
// in tests/unit/kernel-layout.test.ts.

function cclPipelines(device: GPUDevice, connectivity: Connectivity): CclPipelines {
  let byConnectivity = pipelineCache.get(device);
  if (byConnectivity === undefined) {
    byConnectivity = new Map();
    pipelineCache.set(device, byConnectivity);
  }
  const cached = byConnectivity.get(connectivity);
  if (cached !== undefined) return cached;
  // Explicit layouts: one bind group serves every entry point of a shader,
  // including those that leave some bindings unused.
  const labelLayout = device.createBindGroupLayout({
    label: 'ccl-label layout',
    entries: [
      bufferEntry(0, 'uniform'),
      bufferEntry(1, 'read-only-storage'),
      bufferEntry(2, 'storage'),
    ],
  });
  const denseLayout = device.createBindGroupLayout({
    label: 'ccl-dense layout',
    entries: [
      bufferEntry(0, 'uniform'),
      bufferEntry(1, 'storage'),
      bufferEntry(2, 'storage'),
      bufferEntry(3, 'storage'),
      bufferEntry(4, 'storage'),
      bufferEntry(5, 'storage'),
      bufferEntry(6, 'storage'),
    ],
  });
  const labelModule = device.createShaderModule({ label: 'ccl-label.wgsl', code: cclLabelWgsl });
  const denseModule = device.createShaderModule({ label: 'ccl-dense.wgsl', code: cclDenseWgsl });
  const labelPipelineLayout = device.createPipelineLayout({
    label: 'ccl-label pipeline layout',
    bindGroupLayouts: [labelLayout],
  });
  const densePipelineLayout = device.createPipelineLayout({
    label: 'ccl-dense pipeline layout',
    bindGroupLayouts: [denseLayout],
  });
  const tile = {
    TILE_WIDTH: CCL_TILE_WIDTH,
    TILE_HEIGHT: CCL_TILE_HEIGHT,
    TILE_THREAD_ROWS: CCL_TILE_THREAD_ROWS,
    TILE_ROWS_PER_INVOCATION: CCL_TILE_HEIGHT / CCL_TILE_THREAD_ROWS,
    TILE_SIZE: CCL_TILE_WIDTH * CCL_TILE_HEIGHT,
    BORDER_WORKGROUP_SIZE: CCL_BORDER_WORKGROUP_SIZE,
    CONNECTIVITY: connectivity,
  };
  const scan = {
    SCAN_WORKGROUP_SIZE: CCL_SCAN_WORKGROUP_SIZE,
    SCAN_PIXELS_PER_INVOCATION: CCL_SCAN_PIXELS_PER_INVOCATION,
  };
  const make = (
    entryPoint: string,
    module: GPUShaderModule,
    layout: GPUPipelineLayout,
    constants: Record<string, number>,
  ): GPUComputePipeline =>
    device.createComputePipeline({
      label: `ccl ${entryPoint}`,
      layout,
      compute: { module, entryPoint, constants },
    });
  const pipelines: CclPipelines = {
    labelLayout,
    denseLayout,
    byDispatch: {
      localLabel: make('localLabel', labelModule, labelPipelineLayout, tile),
      borderMerge: make('borderMerge', labelModule, labelPipelineLayout, tile),
      rankRoots: make('rankRoots', denseModule, densePipelineLayout, scan),
      scanBlocks: make('scanBlocks', denseModule, densePipelineLayout, scan),
      scanGroups: make('scanGroups', denseModule, densePipelineLayout, scan),
      writeIds: make('writeIds', denseModule, densePipelineLayout, scan),
    },
  };
  byConnectivity.set(connectivity, pipelines);
  return pipelines;
}

/** Buffers a caller provides; all need STORAGE usage. */
export interface CclBuffers {
  /** u32 per pixel, row-major, nonzero = foreground (read only). */
  readonly mask: GPUBuffer;
  /** u32 per pixel (written): 0xFFFFFFFF background, else smallest pixel index of the component. */
  readonly labels: GPUBuffer;
  /** u32 per pixel (written): 0 background, else 1..count in raster order of the label. */
  readonly ids: GPUBuffer;
  /** At least one u32 (written): the component count at byte 0. */
  readonly count: GPUBuffer;
}

type Dispatch = readonly [x: number, y: number];

/** Uniforms and scratch for one image size; reuse it across frames, destroy it when done. */
export interface CclWorkspace {
  readonly device: GPUDevice;
  readonly widthPx: number;
  readonly heightPx: number;
  destroy(): void;
  /** @internal for encodeLabelComponents */
  readonly params: GPUBuffer;
  /** @internal per-pixel inclusive rank of roots within their scan block (written at roots only) */
  readonly rank: GPUBuffer;
  /** @internal per-block root totals, then their exclusive prefix sums within the group */
  readonly blockOffset: GPUBuffer;
  /** @internal per-group root totals, then their exclusive prefix sums */
  readonly groupOffset: GPUBuffer;
  /** @internal workgroup counts of each dispatch */
  readonly dispatches: Readonly<Record<CclDispatch, Dispatch>>;
}

/** Largest storage binding this device allows (one u32 per pixel must fit). */
function checkFits(device: GPUDevice, pixelCount: number): void {
  const bytes = pixelCount * 4;
  const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  if (bytes > limit || pixelCount >= 0xffffffff) {
    throw new Error(
      `Labelling ${pixelCount} px needs ${bytes} B per-pixel buffers; this device binds at most ${limit} B`,
    );
  }
}

export function createCclWorkspace(
  device: GPUDevice,
  widthPx: number,
  heightPx: number,
): CclWorkspace {
  const pixelCount = widthPx * heightPx;
  if (!Number.isInteger(pixelCount) || widthPx < 1 || heightPx < 1) {
    throw new Error(`Labelling needs a positive integer size (got ${widthPx}×${heightPx})`);
  }
  checkFits(device, pixelCount);
  const tilesX = Math.ceil(widthPx / CCL_TILE_WIDTH);
  const tilesY = Math.ceil(heightPx / CCL_TILE_HEIGHT);
  if (tilesX > MAX_WORKGROUPS_PER_DIMENSION || tilesY > MAX_WORKGROUPS_PER_DIMENSION) {
    throw new Error(`A ${widthPx}×${heightPx} mask needs too many workgroups per dimension`);
  }
  // writeIds: one invocation per pixel; rankRoots: one workgroup per block;
  // scanBlocks: one workgroup per group of blocks.
  const scanDispatch = linearDispatch(pixelCount, CCL_SCAN_WORKGROUP_SIZE);
  const scanBlockCount = Math.ceil(
    pixelCount / (CCL_SCAN_WORKGROUP_SIZE * CCL_SCAN_PIXELS_PER_INVOCATION),
  );
  const blockDispatch = linearDispatch(scanBlockCount, 1);
  const scanGroupCount = Math.ceil(scanBlockCount / CCL_SCAN_WORKGROUP_SIZE);
  const groupDispatch = linearDispatch(scanGroupCount, 1);

  const paramsData = new Uint32Array(CCL_PARAMS_LAYOUT.byteLength / 4);
  paramsData.set([
    widthPx,
    heightPx,
    pixelCount,
    scanDispatch.rowStride,
    scanBlockCount,
    scanGroupCount,
  ]);
  const params = device.createBuffer({
    label: 'ccl params',
    size: CCL_PARAMS_LAYOUT.byteLength,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(params, 0, paramsData);
  const rank = device.createBuffer({
    label: 'ccl rank',
    size: pixelCount * 4,
    usage: GPUBufferUsage.STORAGE,
  });
  const blockOffset = device.createBuffer({
    label: 'ccl block offsets',
    size: scanBlockCount * 4,
    usage: GPUBufferUsage.STORAGE,
  });
  const groupOffset = device.createBuffer({
    label: 'ccl group offsets',
    size: scanGroupCount * 4,
    usage: GPUBufferUsage.STORAGE,
  });
  return {
    device,
    widthPx,
    heightPx,
    params,
    rank,
    blockOffset,
    groupOffset,
    dispatches: {
      localLabel: [tilesX, tilesY],
      borderMerge: [tilesX, tilesY],
      rankRoots: [blockDispatch.x, blockDispatch.y],
      scanBlocks: [groupDispatch.x, groupDispatch.y],
      scanGroups: [1, 1],
      writeIds: [scanDispatch.x, scanDispatch.y],
    },
    destroy() {
      params.destroy();
      rank.destroy();
      blockOffset.destroy();
      groupOffset.destroy();
    },
  };
}

/** How encodeLabelComponents records its dispatches; the default is one compute pass. */
export interface CclEncodeOptions {
  /** 8 (default): blobs; 4: their background, whose enclosed components are holes. */
  readonly connectivity?: Connectivity;
  /** Timestamps at the beginning and end of the (single) labelling pass. */
  readonly timestampWrites?: GPUComputePassTimestampWrites;
  /**
   * For benchmarks: one pass per dispatch instead, the k-th in CCL_DISPATCHES
   * writing its begin and end timestamps at firstQueryIndex + 2k and + 2k + 1
   * (the set needs 2 · CCL_DISPATCHES.length queries from firstQueryIndex).
   */
  readonly dispatchTimestamps?: {
    readonly querySet: GPUQuerySet;
    readonly firstQueryIndex?: number;
  };
}

/**
 * Records the six labelling dispatches into `encoder` (one compute pass by
 * default), so a pipeline can chain stages without reading back. WebGPU
 * orders dispatches within a pass, so each stage sees the previous one's writes.
 */
export function encodeLabelComponents(
  encoder: GPUCommandEncoder,
  workspace: CclWorkspace,
  buffers: CclBuffers,
  options: CclEncodeOptions = {},
): void {
  const { device, params, rank, blockOffset, groupOffset, dispatches } = workspace;
  if (options.timestampWrites !== undefined && options.dispatchTimestamps !== undefined) {
    throw new Error('Labelling takes either pass or per-dispatch timestamps, not both');
  }
  const pipelines = cclPipelines(device, options.connectivity ?? 8);
  const labelBindings = device.createBindGroup({
    label: 'ccl-label bindings',
    layout: pipelines.labelLayout,
    entries: [
      { binding: 0, resource: { buffer: params } },
      { binding: 1, resource: { buffer: buffers.mask } },
      { binding: 2, resource: { buffer: buffers.labels } },
    ],
  });
  const denseBindings = device.createBindGroup({
    label: 'ccl-dense bindings',
    layout: pipelines.denseLayout,
    entries: [
      { binding: 0, resource: { buffer: params } },
      { binding: 1, resource: { buffer: buffers.labels } },
      { binding: 2, resource: { buffer: rank } },
      { binding: 3, resource: { buffer: blockOffset } },
      { binding: 4, resource: { buffer: buffers.ids } },
      { binding: 5, resource: { buffer: buffers.count } },
      { binding: 6, resource: { buffer: groupOffset } },
    ],
  });
  const bindingsOf = (dispatch: CclDispatch): GPUBindGroup =>
    dispatch === 'localLabel' || dispatch === 'borderMerge' ? labelBindings : denseBindings;
  const perDispatch = options.dispatchTimestamps;
  // One pass per dispatch where each is timed: by the caller's query set, or
  // by an attached profiler (which then names each dispatch).
  const splitPasses =
    perDispatch !== undefined || (options.timestampWrites === undefined && isProfiling(device));
  if (!splitPasses) {
    const pass = beginComputePass(device, encoder, 'connected components', options.timestampWrites);
    for (const dispatch of CCL_DISPATCHES) {
      pass.setBindGroup(0, bindingsOf(dispatch));
      pass.setPipeline(pipelines.byDispatch[dispatch]);
      pass.dispatchWorkgroups(...dispatches[dispatch]);
    }
    pass.end();
    return;
  }
  const first = perDispatch?.firstQueryIndex ?? 0;
  for (const [k, dispatch] of CCL_DISPATCHES.entries()) {
    const pass = beginComputePass(
      device,
      encoder,
      `connected components: ${dispatch}`,
      perDispatch === undefined
        ? undefined
        : {
            querySet: perDispatch.querySet,
            beginningOfPassWriteIndex: first + 2 * k,
            endOfPassWriteIndex: first + 2 * k + 1,
          },
    );
    pass.setBindGroup(0, bindingsOf(dispatch));
    pass.setPipeline(pipelines.byDispatch[dispatch]);
    pass.dispatchWorkgroups(...dispatches[dispatch]);
    pass.end();
  }
}

/**
 * A workspace plus the label, id and count buffers of one image size, for
 * stages that label on the GPU and reduce over the labels without reading
 * them back (hole filling, the per-mask estimate); one serves many masks in
 * sequence. `labels` and `ids` are STORAGE | COPY_SRC.
 */
export interface CclScratch {
  readonly workspace: CclWorkspace;
  readonly labels: GPUBuffer;
  readonly ids: GPUBuffer;
  readonly count: GPUBuffer;
  /** Records the labelling of `mask` (u32, nonzero = foreground) into `labels`, `ids`, `count`. */
  encode(encoder: GPUCommandEncoder, mask: GPUBuffer, connectivity?: Connectivity): void;
  destroy(): void;
}

export function createCclScratch(device: GPUDevice, widthPx: number, heightPx: number): CclScratch {
  const workspace = createCclWorkspace(device, widthPx, heightPx);
  const perPixel = (label: string): GPUBuffer =>
    device.createBuffer({
      label,
      size: widthPx * heightPx * 4,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
    });
  const labels = perPixel('ccl scratch labels');
  const ids = perPixel('ccl scratch ids');
  const count = device.createBuffer({
    label: 'ccl scratch count',
    size: 4,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
  });
  return {
    workspace,
    labels,
    ids,
    count,
    encode(encoder, mask, connectivity = 8) {
      encodeLabelComponents(encoder, workspace, { mask, labels, ids, count }, { connectivity });
    },
    destroy() {
      workspace.destroy();
      labels.destroy();
      ids.destroy();
      count.destroy();
    },
  };
}

/** Borrowed labelling buffers must be of the borrowing stage's size. */
export function checkCclScratch(scratch: CclScratch, widthPx: number, heightPx: number): void {
  if (scratch.workspace.widthPx !== widthPx || scratch.workspace.heightPx !== heightPx) {
    throw new Error(
      `Labelling buffers of ${scratch.workspace.widthPx}×${scratch.workspace.heightPx} cannot serve ${widthPx}×${heightPx}`,
    );
  }
}

export interface GpuLabelResult {
  /** Same convention and bits as labelComponentsCpu: −1 background, else smallest pixel index. */
  readonly labels: Int32Array;
  /** Same as denseIds(labels): 0 background, 1..count. */
  readonly ids: Int32Array;
  readonly count: number;
}

/** Uploads a 0/1 mask, labels it (8- or 4-connected), reads labels, ids and count back, destroys everything. */
export async function labelComponentsGpu(
  device: GPUDevice,
  mask: Uint8Array,
  widthPx: number,
  heightPx: number,
  connectivity: Connectivity = 8,
): Promise<GpuLabelResult> {
  validateMask(mask, widthPx, heightPx);
  const pixelCount = widthPx * heightPx;
  const workspace = createCclWorkspace(device, widthPx, heightPx);
  const maskBuffer = createStorageBufferFrom(device, 'ccl mask', Uint32Array.from(mask));
  const perPixel = (label: string): GPUBuffer =>
    device.createBuffer({
      label,
      size: pixelCount * 4,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
    });
  const labels = perPixel('ccl labels');
  const ids = perPixel('ccl ids');
  const count = device.createBuffer({
    label: 'ccl count',
    size: 4,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
  });
  try {
    const encoder = device.createCommandEncoder({ label: 'connected components' });
    encodeLabelComponents(
      encoder,
      workspace,
      { mask: maskBuffer, labels, ids, count },
      { connectivity },
    );
    device.queue.submit([encoder.finish()]);
    const [labelBytes, idBytes, countBytes] = await Promise.all([
      readBuffer(device, labels, pixelCount * 4),
      readBuffer(device, ids, pixelCount * 4),
      readBuffer(device, count, 4),
    ]);
    return {
      labels: new Int32Array(labelBytes),
      ids: new Int32Array(idBytes),
      count: new Uint32Array(countBytes)[0] ?? 0,
    };
  } finally {
    workspace.destroy();
    maskBuffer.destroy();
    labels.destroy();
    ids.destroy();
    count.destroy();
  }
}
