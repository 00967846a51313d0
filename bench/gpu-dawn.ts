/**
 * GPU stage timings through Dawn (the npm `webgpu` package) on whatever
 * hardware adapter the machine has: the same WGSL and wrappers as the app.
 * Not part of `npm run bench` (this machine has no GPU); run where one is:
 *
 *   QW_BENCH_MPX=16,64 QW_BENCH_DUMP=/tmp/masks node --import tsx bench/gpu-dawn.ts
 *
 * For each size: a smooth random score image → blur → threshold → opening →
 * labelling, each stage timed alone (median of runs, submit → done) and the
 * chain in one submission; the histogram as well. With QW_BENCH_DUMP the
 * labelled mask is written as raw bytes so bench/cupy_label.py can label the
 * same mask with cupyx.scipy.ndimage.label and OpenCV and compare counts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCclWorkspace, encodeLabelComponents } from '../src/gpu/ccl.ts';
import { createBlurStage } from '../src/gpu/blur.ts';
import { createHistogramStage, HISTOGRAM_COUNTS_BYTES } from '../src/gpu/histogram.ts';
import { createMorphologyStage } from '../src/gpu/morphology.ts';
import { createThresholdStage } from '../src/gpu/threshold.ts';
import { readBuffer } from '../src/gpu/buffers.ts';
import { valueNoise } from '../src/core/random.ts';

interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

const RUNS = Number(process.env['QW_BENCH_RUNS'] ?? 7);
const SIZES_MPX = (process.env['QW_BENCH_MPX'] ?? '16,64').split(',').map(Number);
const DUMP = process.env['QW_BENCH_DUMP'];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Blobs of container-block size: thresholded value noise at ~40 % cover, plus fine noise. */
function scoreImage(width: number, height: number): Float32Array {
  const image = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      image[y * width + x] =
        100 * valueNoise(x / 23, y / 17, 7) + 20 * valueNoise(x / 3, y / 3, 11);
    }
  }
  return image;
}

async function main(): Promise<void> {
  // Not a dependency of the project: present only where this benchmark runs.
  const dawnPackage = process.env['QW_DAWN_MODULE'] ?? 'webgpu';
  const dawn = (await import(dawnPackage)) as DawnModule;
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) throw new Error('No WebGPU adapter through Dawn here');
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
      maxComputeWorkgroupsPerDimension: adapter.limits.maxComputeWorkgroupsPerDimension,
    },
  });
  const errors: string[] = [];
  device.addEventListener('uncapturederror', (event) => {
    errors.push(event.error.message);
  });
  const info = adapter.info;
  console.log(`adapter: ${info.vendor} ${info.architecture} ${info.description}`);
  const rows: string[] = ['size, stage, median ms (submit → done), runs'];

  const time = async (
    label: string,
    record: (encoder: GPUCommandEncoder) => void,
  ): Promise<number> => {
    const times: number[] = [];
    for (let run = 0; run < RUNS + 1; run++) {
      await device.queue.onSubmittedWorkDone();
      const started = performance.now();
      const encoder = device.createCommandEncoder({ label });
      record(encoder);
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone();
      if (run > 0) times.push(performance.now() - started); // first run warms pipelines up
    }
    return median(times);
  };

  for (const megapixels of SIZES_MPX) {
    const side = Math.round(Math.sqrt(megapixels * 1024 * 1024));
    const width = side;
    const height = side;
    const pixels = width * height;
    const label = `${megapixels} Mpx (${width}×${height})`;
    const started = performance.now();
    const score = scoreImage(width, height);
    console.log(`${label}: input made in ${(performance.now() - started).toFixed(0)} ms`);
    const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const scoreBuffer = device.createBuffer({ label: 'score', size: pixels * 4, usage: storage });
    device.queue.writeBuffer(scoreBuffer, 0, score);
    const blurred = device.createBuffer({ label: 'blurred', size: pixels * 4, usage: storage });
    const mask = device.createBuffer({ label: 'mask', size: pixels * 4, usage: storage });
    const opened = device.createBuffer({ label: 'opened', size: pixels * 4, usage: storage });
    const labels = device.createBuffer({ label: 'labels', size: pixels * 4, usage: storage });
    const ids = device.createBuffer({ label: 'ids', size: pixels * 4, usage: storage });
    const count = device.createBuffer({ label: 'count', size: 4, usage: storage });
    const counts = device.createBuffer({
      label: 'histogram',
      size: HISTOGRAM_COUNTS_BYTES,
      usage: storage,
    });

    const blur = createBlurStage(device, width, height, { blurRadiusPx: 2 });
    const threshold = createThresholdStage(device, {
      pixelCount: pixels,
      thresholdDn: 62,
      useValidMask: false,
    });
    const opening = createMorphologyStage(device, width, height, {
      operation: 'open',
      radiusPx: 2,
    });
    const histogram = createHistogramStage(device, {
      pixelCount: pixels,
      range: { minValue: 0, maxValue: 120 },
      useValidMask: false,
    });
    const ccl = createCclWorkspace(device, width, height);

    const stages: [string, (encoder: GPUCommandEncoder) => void][] = [
      [
        'blur r=2 (gaussian, 2 passes)',
        (e) => {
          blur.encode(e, scoreBuffer, blurred);
        },
      ],
      [
        'histogram 256 bins',
        (e) => {
          histogram.encode(e, blurred, counts);
        },
      ],
      [
        'threshold',
        (e) => {
          threshold.encode(e, blurred, mask);
        },
      ],
      [
        'opening r=2 (disc)',
        (e) => {
          opening.encode(e, mask, opened);
        },
      ],
      [
        'labelling (6 dispatches)',
        (e) => {
          encodeLabelComponents(e, ccl, { mask: opened, labels, ids, count });
        },
      ],
    ];
    let sum = 0;
    for (const [name, record] of stages) {
      const ms = await time(name, record);
      sum += ms;
      rows.push(`${label}, ${name}, ${ms.toFixed(3)}, ${RUNS}`);
    }
    const chain = await time('chain', (e) => {
      for (const [, record] of stages) record(e);
    });
    rows.push(`${label}, sum of stages, ${sum.toFixed(3)}, ${RUNS}`);
    rows.push(`${label}, chain in one submission, ${chain.toFixed(3)}, ${RUNS}`);
    const components = new Uint32Array(await readBuffer(device, count, 4))[0] ?? 0;
    rows.push(`${label}, components, ${components}, -`);
    console.log(rows.slice(-8).join('\n'));
    if (DUMP !== undefined) {
      const bits = new Uint32Array(await readBuffer(device, opened, pixels * 4));
      writeFileSync(join(DUMP, `mask-${megapixels}.u8`), Uint8Array.from(bits));
      writeFileSync(
        join(DUMP, `mask-${megapixels}.json`),
        JSON.stringify({ width, height, components }),
      );
    }
    for (const stage of [blur, threshold, opening, histogram, ccl]) stage.destroy();
    for (const buffer of [scoreBuffer, blurred, mask, opened, labels, ids, count, counts])
      buffer.destroy();
  }
  console.log(rows.join('\n'));
  if (errors.length > 0) {
    console.error(`WebGPU errors: ${errors.join('; ')}`);
    process.exitCode = 1;
  }
  device.destroy();
}

await main();
