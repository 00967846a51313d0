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
  const staging = device.createBuffer({
    label: `${source.label} (read-back)`,
    size: byteLength,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  try {
    const encoder = device.createCommandEncoder({ label: 'read-back' });
    encoder.copyBufferToBuffer(source, 0, staging, 0, byteLength);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    return staging.getMappedRange().slice(0);
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
