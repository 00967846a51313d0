/**
 * GPU stage timings through Dawn (the npm `webgpu` package) on whatever
 * hardware adapter the machine has: the same WGSL and wrappers as the app.
 * Not part of `npm run bench` (this machine has no GPU); run where one is:
 *
 *   QW_BENCH_MPX=16,64 QW_BENCH_DUMP=/tmp/masks node --import tsx bench/gpu-dawn.ts
 *
 * For each size: a smooth random score image → blur → threshold → opening →
 * labelling, each stage timed alone and the chain in one submission; the
 * histogram as well. The runs of a row are submitted back to back (as
 * CuPy's loop in bench/cupy_label.py runs), so the clocks stay up. Each row
 * gives the wall clock per run (first submit → last done, over the runs after
 * one warm-up) and the median GPU time from
 * timestamp queries where the adapter has 'timestamp-query': an empty compute
 * pass writing a timestamp before the stage's own passes and another after
 * them (the wrappers open their passes inside `encode`), so GPU time spans
 * everything the stage records. The labelling is also timed per dispatch,
 * one pass each (CclEncodeOptions.dispatchTimestamps); those passes add
 * barriers of their own, so their sum can exceed the single-pass row.
 * QW_DAWN_FLAGS (space-separated; default disables Dawn's timestamp
 * quantization) is passed to Dawn's create(). With QW_BENCH_DUMP the
 * labelled mask (a byte per pixel) and its dense ids (u32, 0 = background)
 * are written as raw files so bench/cupy_label.py can label the same mask with
 * cupyx.scipy.ndimage.label and OpenCV and compare counts and partitions.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CCL_DISPATCHES,
  createCclWorkspace,
  encodeLabelComponents,
  type CclEncodeOptions,
} from '../src/gpu/ccl.ts';
import { createBlurStage } from '../src/gpu/blur.ts';
import { createHistogramStage, HISTOGRAM_COUNTS_BYTES } from '../src/gpu/histogram.ts';
import { createMorphologyStage } from '../src/gpu/morphology.ts';
import { createThresholdStage } from '../src/gpu/threshold.ts';
import { readBuffer } from '../src/gpu/buffers.ts';
import { valueNoise } from '../src/core/random.ts';
import { benchDawnFlags, dawnGpu } from '../src/cli/dawn.ts';
import { median } from './pipeline-input.ts';

const RUNS = Number(process.env['QW_BENCH_RUNS'] ?? 7);
const SIZES_MPX = (process.env['QW_BENCH_MPX'] ?? '16,64').split(',').map(Number);
/** Square sides in px instead of sizes in Mpx (e.g. 8000 beside 8192, to see row-stride effects). */
const SIDES_PX = process.env['QW_BENCH_SIDES']?.split(',').map(Number);
const DUMP = process.env['QW_BENCH_DUMP'];
const DAWN_FLAGS = benchDawnFlags();
/** Queries per timed submission: the stage's two markers, then two per labelling dispatch. */
const QUERY_COUNT = 2 + 2 * CCL_DISPATCHES.length;

interface Timing {
  /** Wall clock per run, ms: the runs after the warm-up submitted back to back, first submit → last done. */
  readonly wallMs: number;
  /** Median GPU time between the markers, ms; NaN without timestamp queries. */
  readonly gpuMs: number;
  /** Median GPU time of each labelling dispatch, ms, when asked for. */
  readonly dispatchMs: readonly number[];
}

/** What a stage records; `timestamps` is there only when per-dispatch timing was asked for. */
type RecordStage = (encoder: GPUCommandEncoder, timestamps?: CclEncodeOptions) => void;

function formatMs(ms: number): string {
  return Number.isNaN(ms) ? 'n/a' : ms.toFixed(3);
}

/** GPU time between two resolved timestamps (ns) in ms; NaN if the pair is missing or reversed. */
function spanMs(stamps: BigUint64Array, begin: number, end: number): number {
  const first = stamps[begin];
  const last = stamps[end];
  if (first === undefined || last === undefined || last < first || first === 0n) return Number.NaN;
  return Number(last - first) / 1e6;
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
  const gpu = await dawnGpu(DAWN_FLAGS);
  if (gpu === null) throw new Error('This benchmark needs the npm package "webgpu" (Dawn)');
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) throw new Error('No WebGPU adapter through Dawn here');
  const hasTimestamps = adapter.features.has('timestamp-query');
  const device = await adapter.requestDevice({
    requiredFeatures: hasTimestamps ? ['timestamp-query'] : [],
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
  console.log(
    hasTimestamps
      ? `GPU time: timestamp queries (Dawn flags: ${DAWN_FLAGS.join(' ') || 'none'})`
      : 'GPU time: n/a (adapter lacks timestamp-query); wall clock only',
  );
  const rows: string[] = [
    'size, stage, wall ms per run (back to back), GPU median ms (timestamps), runs',
  ];

  const querySet = hasTimestamps
    ? device.createQuerySet({
        label: 'bench timestamps',
        type: 'timestamp',
        count: QUERY_COUNT * (RUNS + 1),
      })
    : undefined;
  const resolved = device.createBuffer({
    label: 'bench timestamps resolved',
    size: QUERY_COUNT * (RUNS + 1) * 8,
    usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
  });
  const readback = device.createBuffer({
    label: 'bench timestamps read back',
    size: QUERY_COUNT * (RUNS + 1) * 8,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  /** An empty compute pass that only writes one timestamp. */
  const marker = (
    encoder: GPUCommandEncoder,
    set: GPUQuerySet,
    index: number,
    end: boolean,
  ): void => {
    encoder
      .beginComputePass({
        label: end ? 'timestamp after stage' : 'timestamp before stage',
        timestampWrites: end
          ? { querySet: set, endOfPassWriteIndex: index }
          : { querySet: set, beginningOfPassWriteIndex: index },
      })
      .end();
  };

  const time = async (label: string, record: RecordStage, perDispatch = false): Promise<Timing> => {
    // All runs are submitted back to back and awaited once, as a caller that
    // keeps the GPU busy would (and as CuPy's loop in bench/cupy_label.py
    // runs): waiting between runs lets the clocks drop and times the ramp-up.
    let started = performance.now();
    for (let run = 0; run < RUNS + 1; run++) {
      if (run === 1) {
        // The first run warms pipelines up: out of the wall clock as out of the medians.
        await device.queue.onSubmittedWorkDone();
        started = performance.now();
      }
      const base = run * QUERY_COUNT;
      const encoder = device.createCommandEncoder({ label });
      if (querySet !== undefined) marker(encoder, querySet, base, false);
      if (perDispatch && querySet !== undefined) {
        record(encoder, { dispatchTimestamps: { querySet, firstQueryIndex: base + 2 } });
      } else {
        record(encoder);
      }
      if (querySet !== undefined) marker(encoder, querySet, base + 1, true);
      device.queue.submit([encoder.finish()]);
    }
    await device.queue.onSubmittedWorkDone();
    const wallPerRun = (performance.now() - started) / RUNS;
    const gpuTimes: number[] = [];
    const dispatchTimes: number[][] = CCL_DISPATCHES.map(() => []);
    if (querySet !== undefined) {
      const encoder = device.createCommandEncoder({ label: 'resolve timestamps' });
      encoder.resolveQuerySet(querySet, 0, QUERY_COUNT * (RUNS + 1), resolved, 0);
      encoder.copyBufferToBuffer(resolved, 0, readback, 0, QUERY_COUNT * (RUNS + 1) * 8);
      device.queue.submit([encoder.finish()]);
      await readback.mapAsync(GPUMapMode.READ);
      const stamps = new BigUint64Array(readback.getMappedRange().slice(0));
      readback.unmap();
      // The first run warms pipelines up and is not counted.
      for (let run = 1; run < RUNS + 1; run++) {
        const base = run * QUERY_COUNT;
        gpuTimes.push(spanMs(stamps, base, base + 1));
        for (const [k, times] of dispatchTimes.entries()) {
          times.push(spanMs(stamps, base + 2 + 2 * k, base + 3 + 2 * k));
        }
      }
    }
    return {
      wallMs: wallPerRun,
      gpuMs: median(gpuTimes),
      dispatchMs: perDispatch ? dispatchTimes.map(median) : [],
    };
  };

  const sides = SIDES_PX ?? SIZES_MPX.map((mpx) => Math.round(Math.sqrt(mpx * 1024 * 1024)));
  for (const side of sides) {
    const megapixels = Math.round((side * side) / 1024 / 1024);
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

    const stages: [string, RecordStage][] = [
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
        `labelling (${CCL_DISPATCHES.length} dispatches)`,
        (e, timestamps) => {
          encodeLabelComponents(e, ccl, { mask: opened, labels, ids, count }, timestamps);
        },
      ],
    ];
    const firstRow = rows.length;
    const row = (name: string, timing: Pick<Timing, 'wallMs' | 'gpuMs'>): void => {
      rows.push(
        `${label}, ${name}, ${formatMs(timing.wallMs)}, ${formatMs(timing.gpuMs)}, ${RUNS}`,
      );
    };
    const sum = { wallMs: 0, gpuMs: 0 };
    for (const [name, record] of stages) {
      const timing = await time(name, record);
      sum.wallMs += timing.wallMs;
      sum.gpuMs += timing.gpuMs;
      row(name, timing);
    }
    row('sum of stages', sum);
    const chain = await time('chain', (e) => {
      for (const [, record] of stages) record(e);
    });
    row('chain in one submission', chain);
    if (querySet !== undefined) {
      const labelling = stages[stages.length - 1];
      if (labelling !== undefined) {
        const split = await time('labelling per dispatch', labelling[1], true);
        row('labelling, one pass per dispatch', split);
        for (const [k, dispatch] of CCL_DISPATCHES.entries()) {
          row(`  labelling ${dispatch}`, {
            wallMs: Number.NaN,
            gpuMs: split.dispatchMs[k] ?? Number.NaN,
          });
        }
      }
    }
    const components = new Uint32Array(await readBuffer(device, count, 4))[0] ?? 0;
    rows.push(`${label}, components, ${components}, -, -`);
    console.log(rows.slice(firstRow).join('\n'));
    if (DUMP !== undefined) {
      const bits = new Uint32Array(await readBuffer(device, opened, pixels * 4));
      writeFileSync(join(DUMP, `mask-${side}px.u8`), Uint8Array.from(bits));
      writeFileSync(
        join(DUMP, `ids-${side}px.u32`),
        new Uint8Array(await readBuffer(device, ids, pixels * 4)),
      );
      writeFileSync(
        join(DUMP, `mask-${side}px.json`),
        JSON.stringify({ width, height, components }),
      );
    }
    for (const stage of [blur, threshold, opening, histogram, ccl]) stage.destroy();
    for (const buffer of [scoreBuffer, blurred, mask, opened, labels, ids, count, counts])
      buffer.destroy();
  }
  console.log(rows.join('\n'));
  querySet?.destroy();
  resolved.destroy();
  readback.destroy();
  if (errors.length > 0) {
    console.error(`WebGPU errors: ${errors.join('; ')}`);
    process.exitCode = 1;
  }
  device.destroy();
}

await main();
