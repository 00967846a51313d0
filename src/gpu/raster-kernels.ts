/**
 * Plumbing shared by the raster-stage wrappers. Blur, histogram, threshold,
 * mask combine and normalization bind 0 = uniform params, 1 and 2 = read-only
 * storage, 3 = read-write storage, so one explicit bind-group layout serves
 * every entry point of a shader module (compileKernel, encodeDispatch);
 * kernels whose entry points bind different sets (morphology's clip, hole
 * filling, component estimates) use auto layouts (compileAutoKernel,
 * encodeAutoDispatch).
 */
import { beginComputePass } from './pass-profiler.ts';

export interface CompiledKernel<E extends string> {
  readonly layout: GPUBindGroupLayout;
  readonly pipelines: Readonly<Record<E, GPUComputePipeline>>;
}

/**
 * Compiles `code` once per device (the cache is a WeakMap, so a lost device
 * takes its pipelines with it), one pipeline per entry point, with workgroup
 * sizes and loop bounds passed as override constants.
 */
export function compileKernel<E extends string>(
  cache: WeakMap<GPUDevice, CompiledKernel<E>>,
  device: GPUDevice,
  label: string,
  code: string,
  entryPoints: readonly E[],
  constants: Record<string, number>,
): CompiledKernel<E> {
  const cached = cache.get(device);
  if (cached !== undefined) return cached;
  const storage = (type: GPUBufferBindingType, binding: number): GPUBindGroupLayoutEntry => ({
    binding,
    visibility: GPUShaderStage.COMPUTE,
    buffer: { type },
  });
  const layout = device.createBindGroupLayout({
    label: `${label} bindings`,
    entries: [
      storage('uniform', 0),
      storage('read-only-storage', 1),
      storage('read-only-storage', 2),
      storage('storage', 3),
    ],
  });
  const pipelineLayout = device.createPipelineLayout({ label, bindGroupLayouts: [layout] });
  const module = device.createShaderModule({ label: `${label}.wgsl`, code });
  const pipelines = {} as Record<E, GPUComputePipeline>;
  for (const entryPoint of entryPoints) {
    pipelines[entryPoint] = device.createComputePipeline({
      label: `${label} ${entryPoint}`,
      layout: pipelineLayout,
      compute: { module, entryPoint, constants },
    });
  }
  const kernel = { layout, pipelines };
  cache.set(device, kernel);
  return kernel;
}

/** A uniform buffer holding `data`, written at creation (no queue ordering to think about). */
export function createUniformBuffer(
  device: GPUDevice,
  label: string,
  data: ArrayBuffer,
): GPUBuffer {
  const buffer = device.createBuffer({
    label,
    size: data.byteLength,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    mappedAtCreation: true,
  });
  new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(data));
  buffer.unmap();
  return buffer;
}

/** An uninitialized storage buffer of `byteLength` bytes (at least 4). */
export function createStorageBuffer(
  device: GPUDevice,
  label: string,
  byteLength: number,
): GPUBuffer {
  return device.createBuffer({
    label,
    size: Math.max(4, byteLength),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
}

/** Throws a specific message when one binding of `byteLength` exceeds the device's limit. */
export function checkBindingSize(device: GPUDevice, what: string, byteLength: number): void {
  const limit = device.limits.maxStorageBufferBindingSize;
  if (byteLength > limit) {
    throw new Error(
      `${what} needs a ${byteLength}-byte storage binding; this device allows ${limit} (tile the image)`,
    );
  }
}

/** Records one dispatch of `pipeline` with bindings [uniform, a, b, output]. */
export function encodeDispatch(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  kernel: CompiledKernel<string>,
  pipeline: GPUComputePipeline,
  label: string,
  buffers: readonly [GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer],
  workgroups: { readonly x: number; readonly y: number },
): void {
  const bindGroup = device.createBindGroup({
    label,
    layout: kernel.layout,
    entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const pass = beginComputePass(device, encoder, label);
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(workgroups.x, workgroups.y);
  pass.end();
}

/** 0/1 (or any byte) mask widened to one u32 per pixel, as the kernels read masks. */
export function widenMask(mask: Uint8Array): Uint32Array {
  return Uint32Array.from(mask);
}

/** u32 mask read back from the GPU, narrowed to bytes (values are 0/1). */
export function narrowMask(mask: Uint32Array): Uint8Array {
  return Uint8Array.from(mask);
}

// Kernels whose shaders bind more than the four buffers above: their own
// (automatic) layouts, one pipeline per entry point.
/** Pipelines of one shader module, one per entry point, each with its automatic layout. */
export type AutoKernel<E extends string> = Readonly<Record<E, GPUComputePipeline>>;

/**
 * Compiles `code` once per device (WeakMap cache: a lost device takes its
 * pipelines with it), one pipeline per entry point with `layout: 'auto'`, so
 * an entry point binds only the buffers it uses.
 */
export function compileAutoKernel<E extends string>(
  cache: WeakMap<GPUDevice, AutoKernel<E>>,
  device: GPUDevice,
  label: string,
  code: string,
  entryPoints: readonly E[],
  constants: Record<string, number>,
): AutoKernel<E> {
  const cached = cache.get(device);
  if (cached !== undefined) return cached;
  const module = device.createShaderModule({ label: `${label}.wgsl`, code });
  const pipelines = {} as Record<E, GPUComputePipeline>;
  for (const entryPoint of entryPoints) {
    pipelines[entryPoint] = device.createComputePipeline({
      label: `${label} ${entryPoint}`,
      layout: 'auto',
      compute: { module, entryPoint, constants },
    });
  }
  cache.set(device, pipelines);
  return pipelines;
}

/** Records one dispatch of `pipeline` with buffers bound at the given binding numbers of group 0. */
export function encodeAutoDispatch(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  pipeline: GPUComputePipeline,
  label: string,
  bindings: readonly (readonly [number, GPUBuffer])[],
  workgroups: { readonly x: number; readonly y: number },
): void {
  const bindGroup = device.createBindGroup({
    label,
    layout: pipeline.getBindGroupLayout(0),
    entries: bindings.map(([binding, buffer]) => ({ binding, resource: { buffer } })),
  });
  const pass = beginComputePass(device, encoder, label);
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(workgroups.x, workgroups.y);
  pass.end();
}
