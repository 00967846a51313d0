/**
 * GpuTimer: spans of GPU time from timestamp queries, and the GPU time that
 * analyzePairGpu reports in timingsMs.gpu. Durations are not compared with
 * expectations (no timed tests); the checks are on what must hold whatever
 * the load: a span of real work is positive, a sum of spans never exceeds
 * the wall time around it, spans past the timer's size are not timed, and a
 * device without the feature gets no timer.
 */
import { describe, expect, test } from 'vitest';
import { analyzePairGpu } from '../../src/gpu/pipeline.ts';
import { GpuTimer } from '../../src/gpu/gpu-timer.ts';
import { DEFAULT_ANALYSIS_PARAMS } from '../../src/core/analysis/params.ts';
import type { AnalysisInput } from '../../src/core/analysis/cpu-pipeline.ts';
import { withDevice } from '../support/gpu-test.ts';

const BUSY_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> data: array<u32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= arrayLength(&data)) { return; }
  var v = data[id.x];
  for (var k = 0u; k < 256u; k++) { v = v * 1664525u + 1013904223u; }
  data[id.x] = v;
}`;

function busyPass(device: GPUDevice, buffer: GPUBuffer, elements: number) {
  const pipeline = device.createComputePipeline({
    layout: 'auto',
    compute: { module: device.createShaderModule({ code: BUSY_WGSL }), entryPoint: 'main' },
  });
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [{ binding: 0, resource: { buffer } }],
  });
  return (encoder: GPUCommandEncoder): void => {
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(Math.ceil(elements / 64));
    pass.end();
  };
}

/** A small input: two 64 × 48 images (a bright block in the after image), one ROI. */
function smallInput(): AnalysisInput {
  const widthPx = 64;
  const heightPx = 48;
  const n = widthPx * heightPx;
  const band = (withBlock: boolean): Float32Array => {
    const out = new Float32Array(n).fill(60);
    if (withBlock) {
      for (let y = 10; y < 30; y++) for (let x = 10; x < 40; x++) out[y * widthPx + x] = 220;
    }
    return out;
  };
  return {
    widthPx,
    heightPx,
    before: [band(false), band(false), band(false)],
    after: [band(true), band(true), band(true)],
    valid: new Uint8Array(n).fill(1),
    rois: [
      {
        name: 'Pier',
        rings: [
          [
            [2, 2],
            [62, 2],
            [62, 46],
            [2, 46],
          ],
        ],
      },
    ],
    pixelAreaM2: 0.25,
    afterBlurExcessPx2: 0,
  } as unknown as AnalysisInput;
}

describe('GPU time from timestamp queries', () => {
  test('a device without timestamp-query gets no timer', async () => {
    const adapter = await navigator.gpu.requestAdapter();
    if (adapter === null) throw new Error('no adapter for the gpu tier');
    const device = await adapter.requestDevice();
    expect(device.features.has('timestamp-query')).toBe(false);
    expect(GpuTimer.create(device, 4)).toBeNull();
    device.destroy();
  });

  test('spans of real work are positive, never more than the wall time, and capped at the timer size', async (context) => {
    await withDevice(async (device) => {
      // Reported as skipped, not passed, where the adapter cannot time.
      if (!device.features.has('timestamp-query'))
        context.skip('this adapter has no timestamp-query');
      const elements = 1 << 16;
      const buffer = device.createBuffer({
        size: elements * 4,
        usage: GPUBufferUsage.STORAGE,
      });
      const record = busyPass(device, buffer, elements);
      const timer = GpuTimer.create(device, 2);
      expect(timer).not.toBeNull();
      if (timer === null) return;
      expect(await timer.readMs()).toBe(0);
      const started = performance.now();
      const submitSpan = (): void => {
        const encoder = device.createCommandEncoder();
        timer.wrap(encoder, () => {
          record(encoder);
        });
        device.queue.submit([encoder.finish()]);
      };
      submitSpan();
      submitSpan();
      const gpuMs = await timer.readMs();
      // The third span is past the timer's size: recorded, not timed, so the sum stays.
      submitSpan();
      expect(await timer.readMs()).toBe(gpuMs);
      const wallMs = performance.now() - started;
      console.log(
        `busy kernel: 2 timed spans ${gpuMs.toFixed(3)} ms GPU, ${wallMs.toFixed(1)} ms wall`,
      );
      expect(gpuMs).toBeGreaterThan(0);
      expect(gpuMs).toBeLessThanOrEqual(wallMs);
      timer.destroy();
      buffer.destroy();
    });
  });

  test('analyzePairGpu reports its GPU time next to the stage laps', async (context) => {
    await withDevice(async (device) => {
      if (!device.features.has('timestamp-query'))
        context.skip('this adapter has no timestamp-query');
      const started = performance.now();
      let spans: readonly { readonly label: string; readonly ms: number }[] = [];
      const result = await analyzePairGpu(device, smallInput(), DEFAULT_ANALYSIS_PARAMS, {
        onGpuSpans: (timed) => {
          spans = timed;
        },
      });
      const wallMs = performance.now() - started;
      const gpuMs = result.timingsMs['gpu'];
      console.log(`analyzePairGpu 64 × 48: GPU ${String(gpuMs)} ms, wall ${wallMs.toFixed(1)} ms`);
      expect(gpuMs).toBeGreaterThan(0);
      expect(gpuMs).toBeLessThanOrEqual(wallMs);
      expect(result.rois).toHaveLength(1);
      // Each submission's span, by its encoder's label, the normalization's included;
      // the reported GPU time is their sum.
      const labels = spans.map((span) => span.label);
      expect(labels).toContain('normalization ranges');
      expect(labels).toContain('analysis morphology + holes + components');
      expect(new Set(labels).size).toBe(labels.length);
      expect(spans.every((span) => span.ms >= 0)).toBe(true);
      const sum = spans.reduce((total, span) => total + span.ms, 0);
      expect(Math.abs(sum - (gpuMs ?? Number.NaN))).toBeLessThan(1e-9);
    });
  });
});
