/**
 * `withDevice` for the gpu tier (in the spirit of webgpu-utils' testWithDevice):
 * a fresh device per test, validation and out-of-memory error scopes that must
 * come back empty, and every buffer and texture created during the test must
 * have been destroyed by the code under test.
 */
import { requestGpu, isGpuContext, type GpuContext } from '../../src/gpu/device.ts';

interface Tracked {
  readonly label: string;
  destroyed: boolean;
}

export async function withDevice(
  body: (device: GPUDevice, context: GpuContext) => Promise<void>,
): Promise<void> {
  const uncaptured: string[] = [];
  const context = await requestGpu(navigator.gpu, {
    onUncapturedError: (message) => uncaptured.push(message),
  });
  if (!isGpuContext(context)) {
    // The gpu tier exists to run real WGSL: a missing adapter is a broken environment.
    throw new Error(`No WebGPU device for the gpu tier: ${context.reason}`);
  }
  const { device } = context;
  const tracked: Tracked[] = [];
  const track = <T extends GPUBuffer | GPUTexture>(resource: T): T => {
    const entry: Tracked = { label: resource.label, destroyed: false };
    tracked.push(entry);
    const destroy = resource.destroy.bind(resource);
    resource.destroy = () => {
      entry.destroyed = true;
      destroy();
    };
    return resource;
  };
  const createBuffer = device.createBuffer.bind(device);
  const createTexture = device.createTexture.bind(device);
  device.createBuffer = (descriptor) => track(createBuffer(descriptor));
  device.createTexture = (descriptor) => track(createTexture(descriptor));

  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let bodyError: Error | undefined;
  try {
    await body(device, context);
  } catch (error) {
    bodyError = error instanceof Error ? error : new Error(String(error));
  }
  const validation = await device.popErrorScope();
  const outOfMemory = await device.popErrorScope();
  const leaked = tracked.filter((entry) => !entry.destroyed).map((entry) => entry.label);
  device.destroy();
  if (bodyError !== undefined) throw bodyError;
  if (validation !== null) throw new Error(`WebGPU validation error: ${validation.message}`);
  if (outOfMemory !== null) throw new Error(`WebGPU out-of-memory: ${outOfMemory.message}`);
  if (uncaptured.length > 0) throw new Error(`Uncaptured WebGPU errors: ${uncaptured.join('; ')}`);
  if (leaked.length > 0) throw new Error(`GPU resources not destroyed: ${leaked.join(', ')}`);
}
