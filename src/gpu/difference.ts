/**
 * Thin wrapper around shaders/difference.wgsl; CPU twin in src/core/difference.ts.
 */
import differenceWgsl from '../../shaders/difference.wgsl?raw';
import {
  DIFFERENCE_PARAMS_LAYOUT,
  DIFFERENCE_WORKGROUP_SIZE,
  linearDispatch,
} from '../core/kernel-layout.ts';
import {
  DIFFERENCE_PLANES,
  validateDifferenceInput,
  type DifferenceInput,
} from '../core/difference.ts';
import { createStorageBufferFrom, readBuffer } from './buffers.ts';
import { beginComputePass } from './pass-profiler.ts';

// Cached per device so a lost device takes its pipelines with it.
const pipelines = new WeakMap<GPUDevice, GPUComputePipeline>();

function differencePipeline(device: GPUDevice): GPUComputePipeline {
  let pipeline = pipelines.get(device);
  if (pipeline === undefined) {
    const module = device.createShaderModule({ label: 'difference.wgsl', code: differenceWgsl });
    pipeline = device.createComputePipeline({
      label: 'difference',
      layout: 'auto',
      compute: {
        module,
        entryPoint: 'main',
        constants: { WORKGROUP_SIZE: DIFFERENCE_WORKGROUP_SIZE },
      },
    });
    pipelines.set(device, pipeline);
  }
  return pipeline;
}

/** Runs the difference kernel and reads the three output planes back. */
export async function differenceGpu(
  device: GPUDevice,
  input: DifferenceInput,
): Promise<Float32Array> {
  validateDifferenceInput(input);
  const { pixelCount, bandCount, weights } = input;
  const pipeline = differencePipeline(device);
  const dispatch = linearDispatch(pixelCount, DIFFERENCE_WORKGROUP_SIZE);

  const params = new ArrayBuffer(DIFFERENCE_PARAMS_LAYOUT.byteLength);
  const u32 = new Uint32Array(params);
  const f32 = new Float32Array(params);
  u32[0] = pixelCount;
  u32[1] = bandCount;
  u32[2] = dispatch.rowStride;
  weights.forEach((weight, band) => {
    f32[4 + band] = weight;
  });

  const outputBytes = pixelCount * DIFFERENCE_PLANES * 4;
  const paramsBuffer = device.createBuffer({
    label: 'difference params',
    size: params.byteLength,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  const beforeBuffer = createStorageBufferFrom(device, 'difference before', input.before);
  const afterBuffer = createStorageBufferFrom(device, 'difference after', input.after);
  const changeBuffer = device.createBuffer({
    label: 'difference change',
    size: outputBytes,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
  });
  try {
    device.queue.writeBuffer(paramsBuffer, 0, params);
    const bindGroup = device.createBindGroup({
      label: 'difference bindings',
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: paramsBuffer } },
        { binding: 1, resource: { buffer: beforeBuffer } },
        { binding: 2, resource: { buffer: afterBuffer } },
        { binding: 3, resource: { buffer: changeBuffer } },
      ],
    });
    const encoder = device.createCommandEncoder({ label: 'difference' });
    const pass = beginComputePass(device, encoder, 'difference');
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(dispatch.x, dispatch.y);
    pass.end();
    device.queue.submit([encoder.finish()]);
    return new Float32Array(await readBuffer(device, changeBuffer, outputBytes));
  } finally {
    paramsBuffer.destroy();
    beforeBuffer.destroy();
    afterBuffer.destroy();
    changeBuffer.destroy();
  }
}
