/**
 * Thin wrapper around shaders/component-stats.wgsl; CPU twin (and the meaning
 * of every output word) in src/core/component-stats.ts.
 */
import componentStatsWgsl from '../../shaders/component-stats.wgsl?raw';
import {
  COMPONENT_STATS_PARAMS_LAYOUT,
  COMPONENT_STATS_RECORD_WORDS,
  COMPONENT_STATS_RUN_PX,
  COMPONENT_STATS_WORKGROUP_SIZE,
  linearDispatch,
} from '../core/kernel-layout.ts';
import {
  DEFAULT_CHANGE_SCALE,
  validateComponentStatsInput,
  validateComponentStatsShape,
  type ComponentStatsInput,
  type ComponentStatsRaw,
  type ComponentStatsShape,
} from '../core/component-stats.ts';
import { createStorageBufferFrom, readBuffer } from './buffers.ts';
import { beginComputePass } from './pass-profiler.ts';

interface Pipelines {
  readonly layout: GPUBindGroupLayout;
  readonly clear: GPUComputePipeline;
  readonly accumulate: GPUComputePipeline;
}

// Cached per device so a lost device takes its pipelines with it.
const pipelineCache = new WeakMap<GPUDevice, Pipelines>();

function componentStatsPipelines(device: GPUDevice): Pipelines {
  const cached = pipelineCache.get(device);
  if (cached !== undefined) return cached;
  const storage = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({
    binding,
    visibility: GPUShaderStage.COMPUTE,
    buffer: { type },
  });
  // One explicit layout: 'auto' would drop the bindings an entry point does not use.
  const layout = device.createBindGroupLayout({
    label: 'component-stats layout',
    entries: [
      storage(0, 'uniform'),
      storage(1, 'read-only-storage'),
      storage(2, 'read-only-storage'),
      storage(3, 'read-only-storage'),
      storage(4, 'read-only-storage'),
      storage(5, 'storage'),
      storage(6, 'storage'),
    ],
  });
  const pipelineLayout = device.createPipelineLayout({
    label: 'component-stats',
    bindGroupLayouts: [layout],
  });
  const module = device.createShaderModule({
    label: 'component-stats.wgsl',
    code: componentStatsWgsl,
  });
  const make = (entryPoint: 'clear' | 'accumulate'): GPUComputePipeline =>
    device.createComputePipeline({
      label: `component-stats ${entryPoint}`,
      layout: pipelineLayout,
      compute: {
        module,
        entryPoint,
        constants: {
          WORKGROUP_SIZE: COMPONENT_STATS_WORKGROUP_SIZE,
          RUN_PX: COMPONENT_STATS_RUN_PX,
        },
      },
    });
  const pipelines = { layout, clear: make('clear'), accumulate: make('accumulate') };
  pipelineCache.set(device, pipelines);
  return pipelines;
}

/** Per-pixel inputs a caller provides (STORAGE usage, raster order, 4 bytes per pixel). */
export interface ComponentStatsInputBuffers {
  /** u32 dense ids (0 = background). */
  readonly labels: GPUBuffer;
  /** f32 change score. */
  readonly change: GPUBuffer;
  /** u32 kind code (bit 0 occupied before, bit 1 occupied after). */
  readonly kinds: GPUBuffer;
  /** u32 ROI ids (0 = outside). */
  readonly rois: GPUBuffer;
}

/** Uniforms and outputs for one shape; reuse across frames, destroy when done. */
export interface ComponentStatsWorkspace {
  readonly device: GPUDevice;
  readonly shape: Required<ComponentStatsShape>;
  /** componentCount × COMPONENT_STATS_RECORD_WORDS u32 (STORAGE | COPY_SRC). */
  readonly records: GPUBuffer;
  /** componentCount × roiCount u32 (STORAGE | COPY_SRC); at least 4 bytes. */
  readonly roiCounts: GPUBuffer;
  readonly recordsByteLength: number;
  readonly roiCountsByteLength: number;
  destroy(): void;
  /** @internal */
  readonly params: GPUBuffer;
}

function checkFits(device: GPUDevice, what: string, bytes: number): void {
  const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  if (bytes > limit) {
    throw new Error(
      `Component statistics: ${what} needs ${bytes} B; this device binds at most ${limit} B`,
    );
  }
}

export function createComponentStatsWorkspace(
  device: GPUDevice,
  shape: ComponentStatsShape,
): ComponentStatsWorkspace {
  const full: Required<ComponentStatsShape> = {
    widthPx: shape.widthPx,
    heightPx: shape.heightPx,
    componentCount: shape.componentCount,
    roiCount: shape.roiCount,
    changeScale: shape.changeScale ?? DEFAULT_CHANGE_SCALE,
  };
  validateComponentStatsShape(full);
  const { widthPx, heightPx, componentCount, roiCount, changeScale } = full;
  const pixelCount = widthPx * heightPx;
  checkFits(device, 'a per-pixel input', pixelCount * 4);
  const recordsByteLength = componentCount * COMPONENT_STATS_RECORD_WORDS * 4;
  const roiCountsByteLength = componentCount * roiCount * 4;
  checkFits(device, `the records of ${componentCount} components`, recordsByteLength);
  checkFits(device, `${componentCount} × ${roiCount} ROI counts`, roiCountsByteLength);
  const segmentsPerRow = Math.ceil(widthPx / COMPONENT_STATS_RUN_PX);
  const params = new ArrayBuffer(COMPONENT_STATS_PARAMS_LAYOUT.byteLength);
  new Uint32Array(params).set([
    widthPx,
    heightPx,
    componentCount,
    roiCount,
    segmentsPerRow * heightPx,
    segmentsPerRow,
  ]);
  new Float32Array(params)[6] = changeScale;
  const paramsBuffer = device.createBuffer({
    label: 'component-stats params',
    size: params.byteLength,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(paramsBuffer, 0, params);
  const output = (label: string, bytes: number): GPUBuffer =>
    device.createBuffer({
      label,
      size: Math.max(4, bytes),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
    });
  const records = output('component-stats records', recordsByteLength);
  const roiCounts = output('component-stats roi counts', roiCountsByteLength);
  return {
    device,
    shape: full,
    records,
    roiCounts,
    recordsByteLength,
    roiCountsByteLength,
    params: paramsBuffer,
    destroy() {
      paramsBuffer.destroy();
      records.destroy();
      roiCounts.destroy();
    },
  };
}

/**
 * Records the clear and accumulate dispatches into `encoder` (one compute
 * pass), so the stage chains after labelling without a read-back.
 */
export function encodeComponentStats(
  encoder: GPUCommandEncoder,
  workspace: ComponentStatsWorkspace,
  inputs: ComponentStatsInputBuffers,
): void {
  const { device, shape, params, records, roiCounts } = workspace;
  const pipelines = componentStatsPipelines(device);
  const bindings = device.createBindGroup({
    label: 'component-stats bindings',
    layout: pipelines.layout,
    entries: [
      { binding: 0, resource: { buffer: params } },
      { binding: 1, resource: { buffer: inputs.labels } },
      { binding: 2, resource: { buffer: inputs.change } },
      { binding: 3, resource: { buffer: inputs.kinds } },
      { binding: 4, resource: { buffer: inputs.rois } },
      { binding: 5, resource: { buffer: records } },
      { binding: 6, resource: { buffer: roiCounts } },
    ],
  });
  const segmentCount = Math.ceil(shape.widthPx / COMPONENT_STATS_RUN_PX) * shape.heightPx;
  const clearDispatch = linearDispatch(shape.componentCount, COMPONENT_STATS_WORKGROUP_SIZE);
  const accumulateDispatch = linearDispatch(segmentCount, COMPONENT_STATS_WORKGROUP_SIZE);
  const pass = beginComputePass(device, encoder, 'component statistics');
  pass.setBindGroup(0, bindings);
  if (shape.componentCount > 0) {
    pass.setPipeline(pipelines.clear);
    pass.dispatchWorkgroups(clearDispatch.x, clearDispatch.y);
    pass.setPipeline(pipelines.accumulate);
    pass.dispatchWorkgroups(accumulateDispatch.x, accumulateDispatch.y);
  }
  pass.end();
}

/** Uploads the inputs, runs both dispatches, reads the words back, destroys everything. */
export async function componentStatsGpu(
  device: GPUDevice,
  input: ComponentStatsInput,
): Promise<ComponentStatsRaw> {
  validateComponentStatsInput(input);
  const workspace = createComponentStatsWorkspace(device, input);
  const rois = input.roiIds instanceof Uint32Array ? input.roiIds : Uint32Array.from(input.roiIds);
  const buffers = {
    labels: createStorageBufferFrom(device, 'component-stats labels', input.labels),
    change: createStorageBufferFrom(device, 'component-stats change', input.change),
    kinds: createStorageBufferFrom(device, 'component-stats kinds', input.kinds),
    rois: createStorageBufferFrom(device, 'component-stats rois', rois),
  };
  try {
    const encoder = device.createCommandEncoder({ label: 'component statistics' });
    encodeComponentStats(encoder, workspace, buffers);
    device.queue.submit([encoder.finish()]);
    const [recordBytes, roiBytes] = await Promise.all([
      readBuffer(device, workspace.records, Math.max(4, workspace.recordsByteLength)),
      readBuffer(device, workspace.roiCounts, Math.max(4, workspace.roiCountsByteLength)),
    ]);
    const { componentCount, roiCount, changeScale } = workspace.shape;
    return {
      componentCount,
      roiCount,
      changeScale,
      records: new Uint32Array(recordBytes, 0, workspace.recordsByteLength / 4),
      roiPixelCounts: new Uint32Array(roiBytes, 0, workspace.roiCountsByteLength / 4),
    };
  } finally {
    workspace.destroy();
    for (const buffer of Object.values(buffers)) buffer.destroy();
  }
}
