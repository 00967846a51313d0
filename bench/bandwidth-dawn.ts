/**
 * How fast Dawn streams memory on a hardware adapter, as a ceiling for the
 * pipeline's kernels: 256 MB (64 Mi u32, one 8192² mask) copied by the
 * queue (copyBufferToBuffer) and by compute shaders that move the same words
 * in different shapes. Not part of `npm run bench` (this machine has no
 * GPU); run where one is, e.g. through scripts/device-bench.sh bandwidth:
 *
 *   node --import tsx bench/bandwidth-dawn.ts
 *
 * Each variant: one warm-up, then QW_BENCH_RUNS (default 7) submissions back
 * to back, each timed by the GpuTimer (a timestamp pair around it); the row
 * gives the median GPU ms and the rate as bytes read + written per second.
 */
import { benchDawnFlags, dawnGpu } from '../src/cli/dawn.ts';
import { adapterLabel, isGpuContext, requestGpu } from '../src/gpu/device.ts';
import { GpuTimer } from '../src/gpu/gpu-timer.ts';
import { createStorageBuffer, createUniformBuffer } from '../src/gpu/raster-kernels.ts';
import { median } from './pipeline-input.ts';

const RUNS = Number(process.env['QW_BENCH_RUNS'] ?? 7);
const WORDS = 8192 * 8192;
const WORKGROUP_SIZE = 256;
const MAX_GROUPS = 65535;

/** A copy kernel: each invocation moves `perInvocation` elements of `element`, `spread` apart. */
interface Variant {
  readonly name: string;
  readonly element: 'u32' | 'vec4<u32>';
  readonly perInvocation: number;
  /** 'strided': a workgroup size apart (each step coalesced); 'adjacent': consecutive. */
  readonly spread: 'strided' | 'adjacent';
}

const VARIANTS: readonly Variant[] = [
  { name: 'u32, 1 per invocation', element: 'u32', perInvocation: 1, spread: 'strided' },
  { name: 'u32, 4 per invocation, strided', element: 'u32', perInvocation: 4, spread: 'strided' },
  { name: 'u32, 4 per invocation, adjacent', element: 'u32', perInvocation: 4, spread: 'adjacent' },
  { name: 'u32, 16 per invocation, strided', element: 'u32', perInvocation: 16, spread: 'strided' },
  {
    name: 'vec4<u32>, 1 per invocation',
    element: 'vec4<u32>',
    perInvocation: 1,
    spread: 'strided',
  },
  {
    name: 'vec4<u32>, 4 per invocation, strided',
    element: 'vec4<u32>',
    perInvocation: 4,
    spread: 'strided',
  },
];

function copyShader({ element, perInvocation, spread }: Variant): string {
  const index =
    spread === 'strided'
      ? `(invocation - lid) * ${perInvocation}u + lid + k * ${WORKGROUP_SIZE}u`
      : `invocation * ${perInvocation}u + k`;
  return `
struct Params { count: u32, rowStride: u32 }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> source: array<${element}>;
@group(0) @binding(2) var<storage, read_write> destination: array<${element}>;
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let invocation = id.y * params.rowStride + id.x;
  for (var k = 0u; k < ${perInvocation}u; k++) {
    let i = ${index};
    if (i < params.count) {
      destination[i] = source[i];
    }
  }
}`;
}

async function main(): Promise<void> {
  const gpu = await dawnGpu(benchDawnFlags());
  if (gpu === null) throw new Error('This benchmark needs the npm package "webgpu" (Dawn)');
  // A failed shader or a lost device would otherwise read as a fast copy.
  const errors: string[] = [];
  const context = await requestGpu(gpu, {
    onUncapturedError: (message) => errors.push(`uncaptured: ${message}`),
    onLost: (message) => errors.push(`lost: ${message}`),
  });
  if (!isGpuContext(context)) throw new Error(context.reason);
  const { device } = context;
  console.log(`adapter: ${adapterLabel(context.adapter)}`);
  const bytes = WORDS * 4;
  const source = createStorageBuffer(device, 'source', bytes);
  const destination = createStorageBuffer(device, 'destination', bytes);
  // Something other than zeros in the source (a GPU that compresses memory could move zeros faster).
  const pattern = new Uint32Array(1 << 20);
  for (let i = 0; i < pattern.length; i++) pattern[i] = Math.imul(i, 2654435761) >>> 0;
  for (let offset = 0; offset < bytes; offset += pattern.byteLength) {
    device.queue.writeBuffer(source, offset, pattern);
  }
  const rows = ['what, median GPU ms, GB/s (read + written), runs'];

  // One warm-up and RUNS timed submissions, each a span of the GpuTimer.
  const timeRuns = async (record: (encoder: GPUCommandEncoder) => void): Promise<number> => {
    const timer = GpuTimer.create(device, RUNS + 1);
    if (timer === null) throw new Error('no timestamp-query');
    try {
      for (let run = 0; run <= RUNS; run++) {
        const runEncoder = device.createCommandEncoder();
        timer.wrap(runEncoder, () => {
          record(runEncoder);
        });
        device.queue.submit([runEncoder.finish()]);
      }
      const spans = await timer.readSpansMs();
      return median(spans.slice(1).map((span) => span.ms));
    } finally {
      timer.destroy();
    }
  };
  const report = (name: string, ms: number): void => {
    const row = `${name}, ${ms.toFixed(3)}, ${((2 * bytes) / (ms * 1e6)).toFixed(0)}, ${RUNS}`;
    rows.push(row);
    console.log(row);
  };

  report(
    'copyBufferToBuffer 256 MB',
    await timeRuns((runEncoder) => {
      runEncoder.copyBufferToBuffer(source, 0, destination, 0, bytes);
    }),
  );
  for (const variant of VARIANTS) {
    const elements = variant.element === 'u32' ? WORDS : WORDS / 4;
    const invocations = Math.ceil(elements / variant.perInvocation);
    const groups = Math.ceil(invocations / WORKGROUP_SIZE);
    const x = Math.min(groups, MAX_GROUPS);
    const y = Math.ceil(groups / x);
    const params = createUniformBuffer(
      device,
      'copy params',
      new Uint32Array([elements, x * WORKGROUP_SIZE]).buffer,
    );
    const pipeline = device.createComputePipeline({
      layout: 'auto',
      compute: {
        module: device.createShaderModule({ code: copyShader(variant) }),
        entryPoint: 'main',
      },
    });
    const bindGroup = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: params } },
        { binding: 1, resource: { buffer: source } },
        { binding: 2, resource: { buffer: destination } },
      ],
    });
    const ms = await timeRuns((runEncoder) => {
      const pass = runEncoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(x, y);
      pass.end();
    });
    report(`shader copy, ${variant.name}`, ms);
    params.destroy();
  }
  console.log(rows.join('\n'));
  if (errors.length > 0) {
    console.error(`WebGPU errors: ${errors.join('; ')}`);
    process.exitCode = 1;
  }
  source.destroy();
  destination.destroy();
  device.destroy();
}

await main();
