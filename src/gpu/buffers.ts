/** Small helpers for storage buffers and read-back, each labelled for GPU debuggers. */

export function createStorageBufferFrom(
  device: GPUDevice,
  label: string,
  data: Float32Array | Uint32Array,
): GPUBuffer {
  const buffer = device.createBuffer({
    label,
    size: Math.max(4, data.byteLength),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
    mappedAtCreation: true,
  });
  const Ctor = data instanceof Float32Array ? Float32Array : Uint32Array;
  new Ctor(buffer.getMappedRange()).set(data);
  buffer.unmap();
  return buffer;
}

/** Copies `byteLength` bytes out of `source` and returns them; destroys its staging buffer. */
export async function readBuffer(
  device: GPUDevice,
  source: GPUBuffer,
  byteLength: number,
): Promise<ArrayBuffer> {
  const [bytes] = await readBuffers(device, [{ buffer: source, byteLength }]);
  if (bytes === undefined) throw new Error('internal: one read-back expected');
  return bytes;
}

/**
 * Copies several buffers' first bytes out in one read-back (one staging
 * buffer, one submission, one map) and returns them in order. Byte lengths
 * are whole u32 words, as copyBufferToBuffer needs.
 */
export async function readBuffers(
  device: GPUDevice,
  sources: readonly { readonly buffer: GPUBuffer; readonly byteLength: number }[],
): Promise<ArrayBuffer[]> {
  const offsets: number[] = [];
  let total = 0;
  for (const { byteLength } of sources) {
    offsets.push(total);
    total += byteLength;
  }
  const staging = device.createBuffer({
    label: `${sources.map((source) => source.buffer.label).join(', ')} (read-back)`,
    size: Math.max(4, total),
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  try {
    const encoder = device.createCommandEncoder({ label: 'read-back' });
    sources.forEach(({ buffer, byteLength }, k) => {
      encoder.copyBufferToBuffer(buffer, 0, staging, offsets[k] ?? 0, byteLength);
    });
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const mapped = staging.getMappedRange();
    return sources.map(({ byteLength }, k) => {
      const offset = offsets[k] ?? 0;
      return mapped.slice(offset, offset + byteLength);
    });
  } finally {
    staging.destroy();
  }
}

/** An i32 array uploaded bit for bit (storage buffers take it through a u32 view). */
export function createInt32Buffer(device: GPUDevice, label: string, data: Int32Array): GPUBuffer {
  return createStorageBufferFrom(
    device,
    label,
    new Uint32Array(data.buffer, data.byteOffset, data.length),
  );
}
