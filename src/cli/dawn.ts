/**
 * WebGPU in Node through Dawn: the npm package `webgpu`, which is not a
 * dependency of Quaywatch (install it where a GPU is). QW_DAWN_MODULE names
 * another path to it.
 */

interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

/**
 * Every Dawn instance handed out, kept for the life of the process. dawn.node
 * destroys the instance when its JS object is collected, even while a device
 * made from it is in use; the next wait on that device (mapAsync,
 * onSubmittedWorkDone) then aborts the process ("std::system_error: Invalid
 * argument", futex errors). Seen with `webgpu` 0.3.10 to 0.6.2, on an H100 and
 * on SwiftShader, after any pause long enough for a garbage collection.
 */
const keptInstances: GPU[] = [];

/**
 * Dawn toggles for benchmarks: QW_DAWN_FLAGS (space-separated) or, by
 * default, timestamps without Dawn's quantization, so sub-microsecond GPU
 * times are not rounded.
 */
export function benchDawnFlags(): string[] {
  return (process.env['QW_DAWN_FLAGS'] ?? 'disable-dawn-features=timestamp_quantization')
    .split(' ')
    .filter((flag) => flag.length > 0);
}

/** A new Dawn instance (its WebGPU globals installed), or null where the package is missing. */
export async function dawnGpu(flags: readonly string[] = []): Promise<GPU | null> {
  let dawn: DawnModule;
  try {
    dawn = (await import(process.env['QW_DAWN_MODULE'] ?? 'webgpu')) as DawnModule;
  } catch {
    return null;
  }
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([...flags]);
  keptInstances.push(gpu);
  return gpu;
}
