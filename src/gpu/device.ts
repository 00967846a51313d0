/**
 * Getting a WebGPU device and routing everything that can go wrong with it
 * (no API, no adapter, validation errors, device loss) to one place.
 */

export interface GpuAdapterDescription {
  readonly vendor: string;
  readonly architecture: string;
  readonly description: string;
  /** True for CPU implementations such as SwiftShader. */
  readonly isFallback: boolean;
}

export interface GpuContext {
  readonly device: GPUDevice;
  readonly adapter: GpuAdapterDescription;
}

export type GpuUnavailable = { readonly reason: string };

export interface GpuErrorSink {
  /** A validation or out-of-memory error nobody captured in an error scope. */
  onUncapturedError?: (message: string) => void;
  /** The device is gone (driver reset, destroy()); callers fall back or re-request. */
  onLost?: (message: string) => void;
}

/** One line naming the adapter, for status bars and logs. */
export function adapterLabel(adapter: GpuAdapterDescription): string {
  const parts = [adapter.description, adapter.vendor, adapter.architecture].filter(
    (part) => part.length > 0,
  );
  const name = parts.length > 0 ? parts.join(' · ') : 'unnamed adapter';
  return adapter.isFallback ? `${name} (software)` : name;
}

function describeAdapter(adapter: GPUAdapter): GpuAdapterDescription {
  const info = adapter.info;
  const description = info.description;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    description,
    isFallback: /swiftshader|llvmpipe|software|warp/i.test(
      `${description} ${info.vendor} ${info.architecture}`,
    ),
  };
}

/** navigator.gpu where the platform has it (browsers with WebGPU), else undefined. */
function navigatorGpu(): GPU | undefined {
  return typeof navigator !== 'undefined' && 'gpu' in navigator ? navigator.gpu : undefined;
}

/**
 * Request an adapter and device with the adapter's own storage limits (the
 * defaults are far below what analysis of large images needs).
 */
export async function requestGpu(
  gpu: GPU | undefined = navigatorGpu(),
  sink: GpuErrorSink = {},
): Promise<GpuContext | GpuUnavailable> {
  if (gpu === undefined) {
    return { reason: 'This browser does not offer WebGPU (navigator.gpu is missing).' };
  }
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    return { reason: `WebGPU adapter request failed: ${String(error)}` };
  }
  if (adapter === null) {
    return { reason: 'WebGPU is present but no GPU adapter is available.' };
  }
  const limits = adapter.limits;
  // Timestamp queries measure the GPU time of an analysis update where the adapter has them.
  const requiredFeatures: GPUFeatureName[] = adapter.features.has('timestamp-query')
    ? ['timestamp-query']
    : [];
  const device = await adapter.requestDevice({
    label: 'quaywatch',
    requiredFeatures,
    requiredLimits: {
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxTextureDimension2D: limits.maxTextureDimension2D,
    },
  });
  device.addEventListener('uncapturederror', (event) => {
    sink.onUncapturedError?.(event.error.message);
  });
  void device.lost.then((info) => {
    sink.onLost?.(`${info.reason}: ${info.message}`);
  });
  return { device, adapter: describeAdapter(adapter) };
}

export function isGpuContext(value: GpuContext | GpuUnavailable): value is GpuContext {
  return 'device' in value;
}
