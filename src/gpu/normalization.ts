/**
 * Radiometric normalization of after to before on the GPU: thin wrapper around
 * shaders/normalization-reduce.wgsl (min/max and QUANTILE_BINS histograms per
 * band) and shaders/normalization-pixel.wgsl (pass-1 residual, masked shifted
 * sums, apply). Semantics, steps and the CPU twin: src/core/analysis/normalization.ts
 * (Schott, Salvaggio & Volchok 1988; Canty & Nielsen 2008).
 *
 * Between the reductions the CPU does the tiny work: ranges → f32 binnings,
 * quantiles from the read-back counts (quantiles.ts, the same code as the twin),
 * the pass-1 and pass-2 fits, and the f64 sum of the per-workgroup f32 records.
 * Every `encode*` method records into the caller's encoder and writes its
 * uniforms with queue.writeBuffer, so submit the encoder after the call; each
 * `read*` method reads the stage's result of the last submitted `encode*`.
 */
import pixelWgsl from '../../shaders/normalization-pixel.wgsl?raw';
import reduceWgsl from '../../shaders/normalization-reduce.wgsl?raw';
import {
  linearDispatch,
  NORMALIZATION_HISTOGRAM_BINS,
  NORMALIZATION_PIXEL_PARAMS_LAYOUT,
  NORMALIZATION_PIXELS_PER_INVOCATION,
  NORMALIZATION_REDUCE_PARAMS_LAYOUT,
  NORMALIZATION_SUM_WORDS,
  NORMALIZATION_WORKGROUP_SIZE,
} from '../core/kernel-layout.ts';
import {
  fitFromSums,
  lowHighQuantiles,
  matchQuantiles,
  residualCut,
  sumShift,
  type BandNormalization,
  type NormalizationEstimate,
  type NormalizationOptions,
  type ShiftedSums,
} from '../core/analysis/normalization.ts';
import {
  quantileBinning,
  rangeFromExtremes,
  type QuantileBinning,
  type ValueRange,
} from '../core/analysis/quantiles.ts';
import { createStorageBufferFrom, readBuffer } from './buffers.ts';
import {
  checkBindingSize,
  compileKernel,
  createStorageBuffer,
  createUniformBuffer,
  encodeDispatch,
  widenMask,
  type CompiledKernel,
} from './raster-kernels.ts';
import { beginComputePass } from './pass-profiler.ts';

type ReduceEntry = 'bandRange' | 'bandHistogram';
type PixelEntry = 'residualMax' | 'maskedSums' | 'apply';

const reduceKernels = new WeakMap<GPUDevice, CompiledKernel<ReduceEntry>>();
const pixelKernels = new WeakMap<GPUDevice, CompiledKernel<PixelEntry>>();

function reduceKernel(device: GPUDevice): CompiledKernel<ReduceEntry> {
  return compileKernel(
    reduceKernels,
    device,
    'normalization-reduce',
    reduceWgsl,
    ['bandRange', 'bandHistogram'],
    {
      WORKGROUP_SIZE: NORMALIZATION_WORKGROUP_SIZE,
      PIXELS_PER_INVOCATION: NORMALIZATION_PIXELS_PER_INVOCATION,
      BINS: NORMALIZATION_HISTOGRAM_BINS,
    },
  );
}

/** Six bindings: 0 uniform, 1–3 read-only (after, before, valid), 4–5 read-write (residual, out). */
function pixelKernel(device: GPUDevice): CompiledKernel<PixelEntry> {
  const cached = pixelKernels.get(device);
  if (cached !== undefined) return cached;
  const entry = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({
    binding,
    visibility: GPUShaderStage.COMPUTE,
    buffer: { type },
  });
  const layout = device.createBindGroupLayout({
    label: 'normalization-pixel bindings',
    entries: [
      entry(0, 'uniform'),
      entry(1, 'read-only-storage'),
      entry(2, 'read-only-storage'),
      entry(3, 'read-only-storage'),
      entry(4, 'storage'),
      entry(5, 'storage'),
    ],
  });
  const pipelineLayout = device.createPipelineLayout({
    label: 'normalization-pixel',
    bindGroupLayouts: [layout],
  });
  const module = device.createShaderModule({ label: 'normalization-pixel.wgsl', code: pixelWgsl });
  const constants = {
    WORKGROUP_SIZE: NORMALIZATION_WORKGROUP_SIZE,
    PIXELS_PER_INVOCATION: NORMALIZATION_PIXELS_PER_INVOCATION,
  };
  const pipeline = (entryPoint: PixelEntry): GPUComputePipeline =>
    device.createComputePipeline({
      label: `normalization-pixel ${entryPoint}`,
      layout: pipelineLayout,
      compute: { module, entryPoint, constants },
    });
  const kernel: CompiledKernel<PixelEntry> = {
    layout,
    pipelines: {
      residualMax: pipeline('residualMax'),
      maskedSums: pipeline('maskedSums'),
      apply: pipeline('apply'),
    },
  };
  pixelKernels.set(device, kernel);
  return kernel;
}

/** The bands of one pair on the GPU: f32 planes of pixelCount values, and a u32 mask. */
export interface NormalizationBands {
  readonly before: readonly GPUBuffer[];
  readonly after: readonly GPUBuffer[];
  /** Nonzero where both images have data (the overlap). */
  readonly valid: GPUBuffer;
}

export interface NormalizationStageOptions {
  readonly pixelCount: number;
  readonly bandCount: number;
  /** For tests: fold dispatches into 2-D past this many workgroups per dimension (default WebGPU's 65535). */
  readonly maxWorkgroupsPerDimension?: number;
}

export interface NormalizationStage {
  readonly pixelCount: number;
  readonly bandCount: number;
  /** Step 1: min and max of every band's finite valid values (before bands, then after). */
  encodeRanges(encoder: GPUCommandEncoder, bands: NormalizationBands): void;
  readRanges(): Promise<ValueRange[]>;
  /** Step 2: QUANTILE_BINS counts per band under `binnings` (before bands, then after). */
  encodeHistograms(
    encoder: GPUCommandEncoder,
    bands: NormalizationBands,
    binnings: readonly QuantileBinning[],
  ): void;
  readHistograms(): Promise<Uint32Array[]>;
  /** Step 3: the pass-1 residual per pixel (kept in the stage), then its min and max. */
  encodeResidual(
    encoder: GPUCommandEncoder,
    bands: NormalizationBands,
    firstPass: readonly BandNormalization[],
  ): void;
  readResidualRange(): Promise<ValueRange>;
  /** Step 4: QUANTILE_BINS counts of the residuals of valid pixels. */
  encodeResidualHistogram(
    encoder: GPUCommandEncoder,
    bands: NormalizationBands,
    binning: QuantileBinning,
  ): void;
  readResidualHistogram(): Promise<Uint32Array>;
  /** Step 5: per-workgroup f32 sums over valid pixels with residual ≤ cut, shifted per band. */
  encodeSums(
    encoder: GPUCommandEncoder,
    bands: NormalizationBands,
    cutDn: number,
    shifts: readonly { readonly after: number; readonly before: number }[],
  ): void;
  /** The workgroup records added in f64, per band. */
  readSums(): Promise<ShiftedSums[]>;
  /**
   * Steps 1–5 with five small read-backs: what estimateNormalizationDetailed
   * computes. `submit` records and submits each step (default: a plain
   * encoder and submission; the pipeline passes its timed one).
   */
  estimate(
    bands: NormalizationBands,
    options: NormalizationOptions,
    submit?: (label: string, record: (encoder: GPUCommandEncoder) => void) => void,
  ): Promise<NormalizationEstimate>;
  /** after' = f32(gain) · after + f32(offset) per band into `out` (pixelCount f32 each). */
  encodeApply(
    encoder: GPUCommandEncoder,
    after: readonly GPUBuffer[],
    normalization: readonly BandNormalization[],
    out: readonly GPUBuffer[],
  ): void;
  destroy(): void;
}

/** Inverse of orderKey in normalization-reduce.wgsl. */
function keyToF32(key: number): number {
  const bits = new Uint32Array(1);
  bits[0] = (key & 0x80000000) !== 0 ? key & 0x7fffffff : ~key >>> 0;
  return new Float32Array(bits.buffer)[0] ?? Number.NaN;
}

/** Range words [~key(min), key(max)] → the range (0 = no finite valid value). */
function decodeRange(minWord: number, maxWord: number): ValueRange {
  if (minWord === 0 || maxWord === 0) return rangeFromExtremes(Infinity, -Infinity);
  return rangeFromExtremes(keyToF32(~minWord >>> 0), keyToF32(maxWord));
}

export function createNormalizationStage(
  device: GPUDevice,
  options: NormalizationStageOptions,
): NormalizationStage {
  const { pixelCount, bandCount } = options;
  if (!Number.isInteger(pixelCount) || pixelCount < 1) {
    throw new Error(`Normalization needs at least one pixel (got ${pixelCount})`);
  }
  if (!Number.isInteger(bandCount) || bandCount < 1) {
    throw new Error(`Normalization needs at least one band (got ${bandCount})`);
  }
  checkBindingSize(device, 'Normalization', pixelCount * 4);
  const plainSubmit = (label: string, record: (encoder: GPUCommandEncoder) => void): void => {
    const encoder = device.createCommandEncoder({ label });
    record(encoder);
    device.queue.submit([encoder.finish()]);
  };
  const reduce = reduceKernel(device);
  const pixel = pixelKernel(device);
  const reduceDispatch = linearDispatch(
    pixelCount,
    NORMALIZATION_WORKGROUP_SIZE * NORMALIZATION_PIXELS_PER_INVOCATION,
    options.maxWorkgroupsPerDimension,
  );
  const reduceGroupsPerRow = reduceDispatch.x;
  const sumGroups = reduceDispatch.x * reduceDispatch.y;
  const pixelDispatch = linearDispatch(
    pixelCount,
    NORMALIZATION_WORKGROUP_SIZE,
    options.maxWorkgroupsPerDimension,
  );
  const bins = NORMALIZATION_HISTOGRAM_BINS;
  // Slots 0 … bandCount − 1: before bands; then after bands; the last: residuals.
  const slotCount = 2 * bandCount + 1;
  const residualSlot = slotCount - 1;
  const created: GPUBuffer[] = [];
  const keep = (buffer: GPUBuffer): GPUBuffer => {
    created.push(buffer);
    return buffer;
  };

  const reduceParams = (outOffset: number, binning?: QuantileBinning): ArrayBuffer => {
    const data = new ArrayBuffer(NORMALIZATION_REDUCE_PARAMS_LAYOUT.byteLength);
    const u32 = new Uint32Array(data);
    const f32 = new Float32Array(data);
    u32[0] = pixelCount;
    u32[1] = reduceGroupsPerRow;
    u32[2] = outOffset;
    f32[4] = binning?.minValue ?? 0;
    f32[5] = binning?.maxValue ?? 1;
    f32[6] = binning?.binScale ?? bins;
    return data;
  };
  interface PixelValues {
    readonly groupsPerRow: number;
    readonly firstBand?: boolean;
    readonly gain?: number;
    readonly offset?: number;
    readonly cutDn?: number;
    readonly shiftAfter?: number;
    readonly shiftBefore?: number;
  }
  const pixelParams = (values: PixelValues): ArrayBuffer => {
    const data = new ArrayBuffer(NORMALIZATION_PIXEL_PARAMS_LAYOUT.byteLength);
    const u32 = new Uint32Array(data);
    const f32 = new Float32Array(data);
    u32[0] = pixelCount;
    u32[1] = values.groupsPerRow;
    u32[2] = values.firstBand === true ? 1 : 0;
    f32[3] = values.gain ?? 1;
    f32[4] = values.offset ?? 0;
    f32[5] = values.cutDn ?? 0;
    f32[6] = values.shiftAfter ?? 0;
    f32[7] = values.shiftBefore ?? 0;
    return data;
  };
  const uniforms = (label: string, count: number, data: (i: number) => ArrayBuffer): GPUBuffer[] =>
    Array.from({ length: count }, (_, i) =>
      keep(createUniformBuffer(device, `${label} ${i}`, data(i))),
    );

  const rangeUniforms = uniforms('normalization range params', slotCount, (slot) =>
    reduceParams(2 * slot),
  );
  const histogramUniforms = uniforms('normalization histogram params', slotCount, () =>
    reduceParams(0),
  );
  const pixelGroupsPerRow = pixelDispatch.x;
  const residualUniforms = uniforms('normalization residual params', bandCount, () =>
    pixelParams({ groupsPerRow: pixelGroupsPerRow }),
  );
  const sumUniforms = uniforms('normalization sums params', bandCount, () =>
    pixelParams({ groupsPerRow: reduceGroupsPerRow }),
  );
  const applyUniforms = uniforms('normalization apply params', bandCount, () =>
    pixelParams({ groupsPerRow: pixelGroupsPerRow }),
  );
  const rangeWords = keep(
    createStorageBuffer(device, 'normalization range words', slotCount * 2 * 4),
  );
  const counts = keep(
    createStorageBuffer(device, 'normalization histogram counts', slotCount * bins * 4),
  );
  const residual = keep(createStorageBuffer(device, 'normalization residual', pixelCount * 4));
  const sumRecordBytes = sumGroups * NORMALIZATION_SUM_WORDS * 4;
  checkBindingSize(device, 'Normalization sums', sumRecordBytes);
  const sumRecords = Array.from({ length: bandCount }, (_, band) =>
    keep(createStorageBuffer(device, `normalization sums band ${band + 1}`, sumRecordBytes)),
  );
  // Stand-ins for bindings an entry point does not use (a buffer may not be both read-only and written).
  const unusedRead = keep(createStorageBuffer(device, 'normalization unused input', 4));
  const unusedWrite = keep(createStorageBuffer(device, 'normalization unused output', 4));

  const checkBands = (bands: NormalizationBands): void => {
    if (bands.before.length < bandCount || bands.after.length < bandCount) {
      throw new Error(
        `Normalization needs ${bandCount} bands of each image (got ${bands.before.length} before, ${bands.after.length} after)`,
      );
    }
  };
  const bandOf = (list: readonly GPUBuffer[], band: number): GPUBuffer => {
    const buffer = list[band];
    if (buffer === undefined) throw new Error(`Missing band ${band + 1}`);
    return buffer;
  };
  const uniformOf = (list: readonly GPUBuffer[], index: number): GPUBuffer => bandOf(list, index);
  /** Slot's values: before bands, then after bands, then the residual. */
  const slotValues = (bands: NormalizationBands, slot: number): GPUBuffer =>
    slot === residualSlot
      ? residual
      : slot < bandCount
        ? bandOf(bands.before, slot)
        : bandOf(bands.after, slot - bandCount);
  const encodeReduce = (
    encoder: GPUCommandEncoder,
    entry: ReduceEntry,
    uniform: GPUBuffer,
    values: GPUBuffer,
    valid: GPUBuffer,
    out: GPUBuffer,
  ): void => {
    encodeDispatch(
      device,
      encoder,
      reduce,
      reduce.pipelines[entry],
      `normalization ${entry}`,
      [uniform, values, valid, out],
      reduceDispatch,
    );
  };
  const encodePixel = (
    encoder: GPUCommandEncoder,
    entry: PixelEntry,
    buffers: readonly [GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer],
    workgroups: { readonly x: number; readonly y: number },
  ): void => {
    const bindGroup = device.createBindGroup({
      label: `normalization ${entry}`,
      layout: pixel.layout,
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const pass = beginComputePass(device, encoder, `normalization ${entry}`);
    pass.setPipeline(pixel.pipelines[entry]);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(workgroups.x, workgroups.y);
    pass.end();
  };
  const readCounts = async (firstSlot: number, slots: number): Promise<Uint32Array[]> => {
    const bytes = slots * bins * 4;
    const all = new Uint32Array(await readBufferAt(device, counts, firstSlot * bins * 4, bytes));
    return Array.from({ length: slots }, (_, s) => all.slice(s * bins, (s + 1) * bins));
  };
  const readRangeWords = async (): Promise<Uint32Array> =>
    new Uint32Array(await readBuffer(device, rangeWords, slotCount * 2 * 4));

  const stage: NormalizationStage = {
    pixelCount,
    bandCount,
    encodeRanges(encoder, bands) {
      checkBands(bands);
      encoder.clearBuffer(rangeWords, 0, 2 * bandCount * 2 * 4);
      for (let slot = 0; slot < 2 * bandCount; slot++) {
        const values = slotValues(bands, slot);
        encodeReduce(
          encoder,
          'bandRange',
          uniformOf(rangeUniforms, slot),
          values,
          bands.valid,
          rangeWords,
        );
      }
    },
    async readRanges() {
      const words = await readRangeWords();
      return Array.from({ length: 2 * bandCount }, (_, slot) =>
        decodeRange(words[2 * slot] ?? 0, words[2 * slot + 1] ?? 0),
      );
    },
    encodeHistograms(encoder, bands, binnings) {
      checkBands(bands);
      if (binnings.length < 2 * bandCount) {
        throw new Error(`Normalization needs ${2 * bandCount} binnings (got ${binnings.length})`);
      }
      encoder.clearBuffer(counts, 0, 2 * bandCount * bins * 4);
      for (let slot = 0; slot < 2 * bandCount; slot++) {
        const uniform = uniformOf(histogramUniforms, slot);
        device.queue.writeBuffer(uniform, 0, reduceParams(slot * bins, binnings[slot]));
        encodeReduce(
          encoder,
          'bandHistogram',
          uniform,
          slotValues(bands, slot),
          bands.valid,
          counts,
        );
      }
    },
    readHistograms() {
      return readCounts(0, 2 * bandCount);
    },
    encodeResidual(encoder, bands, firstPass) {
      checkBands(bands);
      for (let band = 0; band < bandCount; band++) {
        const { gain, offset } = firstPass[band] ?? { gain: 1, offset: 0 };
        const uniform = uniformOf(residualUniforms, band);
        device.queue.writeBuffer(
          uniform,
          0,
          pixelParams({ groupsPerRow: pixelGroupsPerRow, firstBand: band === 0, gain, offset }),
        );
        encodePixel(
          encoder,
          'residualMax',
          [
            uniform,
            bandOf(bands.after, band),
            bandOf(bands.before, band),
            bands.valid,
            residual,
            unusedWrite,
          ],
          pixelDispatch,
        );
      }
      encoder.clearBuffer(rangeWords, residualSlot * 2 * 4, 2 * 4);
      encodeReduce(
        encoder,
        'bandRange',
        uniformOf(rangeUniforms, residualSlot),
        residual,
        bands.valid,
        rangeWords,
      );
    },
    async readResidualRange() {
      const words = await readRangeWords();
      return decodeRange(words[2 * residualSlot] ?? 0, words[2 * residualSlot + 1] ?? 0);
    },
    encodeResidualHistogram(encoder, bands, binning) {
      const uniform = uniformOf(histogramUniforms, residualSlot);
      device.queue.writeBuffer(uniform, 0, reduceParams(residualSlot * bins, binning));
      encoder.clearBuffer(counts, residualSlot * bins * 4, bins * 4);
      encodeReduce(encoder, 'bandHistogram', uniform, residual, bands.valid, counts);
    },
    async readResidualHistogram() {
      const [histogram] = await readCounts(residualSlot, 1);
      return histogram ?? new Uint32Array(bins);
    },
    encodeSums(encoder, bands, cutDn, shifts) {
      checkBands(bands);
      for (let band = 0; band < bandCount; band++) {
        const shift = shifts[band] ?? { after: 0, before: 0 };
        const uniform = uniformOf(sumUniforms, band);
        device.queue.writeBuffer(
          uniform,
          0,
          pixelParams({
            groupsPerRow: reduceGroupsPerRow,
            cutDn,
            shiftAfter: shift.after,
            shiftBefore: shift.before,
          }),
        );
        encodePixel(
          encoder,
          'maskedSums',
          [
            uniform,
            bandOf(bands.after, band),
            bandOf(bands.before, band),
            bands.valid,
            residual,
            bandOf(sumRecords, band),
          ],
          reduceDispatch,
        );
      }
    },
    async readSums() {
      const sums: ShiftedSums[] = [];
      for (const records of sumRecords) {
        const words = new Float32Array(await readBuffer(device, records, sumRecordBytes));
        // f64 across workgroups: each record is an f32 sum of ≤ 4096 pixels.
        const total = [0, 0, 0, 0, 0];
        for (let g = 0; g < sumGroups; g++) {
          for (let k = 0; k < NORMALIZATION_SUM_WORDS; k++) {
            total[k] = (total[k] ?? 0) + (words[g * NORMALIZATION_SUM_WORDS + k] ?? 0);
          }
        }
        const [count = 0, sumA = 0, sumAA = 0, sumB = 0, sumBB = 0] = total;
        sums.push({ count, sumA, sumAA, sumB, sumBB });
      }
      return sums;
    },
    async estimate(bands, normalizationOptions, submit = plainSubmit) {
      submit('normalization ranges', (encoder) => {
        stage.encodeRanges(encoder, bands);
      });
      const binnings = (await stage.readRanges()).map(quantileBinning);
      submit('normalization histograms', (encoder) => {
        stage.encodeHistograms(encoder, bands, binnings);
      });
      const histograms = await stage.readHistograms();
      const quantilesOfSlot = (slot: number): readonly [number, number] => {
        const binning = binnings[slot];
        const histogram = histograms[slot];
        if (binning === undefined || histogram === undefined) return [0, 1];
        return lowHighQuantiles(histogram, binning, normalizationOptions);
      };
      const beforeQuantilesDn = Array.from({ length: bandCount }, (_, b) => quantilesOfSlot(b));
      const afterQuantilesDn = Array.from({ length: bandCount }, (_, b) =>
        quantilesOfSlot(bandCount + b),
      );
      const firstPass = beforeQuantilesDn.map((bq, band) =>
        matchQuantiles(bq, afterQuantilesDn[band] ?? bq),
      );
      const firstOnly: NormalizationEstimate = {
        normalization: firstPass,
        firstPass,
        beforeQuantilesDn,
        afterQuantilesDn,
        residualCutDn: Number.NaN,
        invariantPixels: 0,
      };
      if (normalizationOptions.invariantPct <= 0) return firstOnly;

      submit('normalization residual', (encoder) => {
        stage.encodeResidual(encoder, bands, firstPass);
      });
      const residualBinning = quantileBinning(await stage.readResidualRange());
      submit('normalization residual histogram', (encoder) => {
        stage.encodeResidualHistogram(encoder, bands, residualBinning);
      });
      const cutDn = residualCut(
        await stage.readResidualHistogram(),
        residualBinning,
        normalizationOptions,
      );
      if (Number.isNaN(cutDn)) return firstOnly;

      const shifts = Array.from({ length: bandCount }, (_, band) => ({
        after: sumShift(afterQuantilesDn[band] ?? [0, 1]),
        before: sumShift(beforeQuantilesDn[band] ?? [0, 1]),
      }));
      submit('normalization sums', (encoder) => {
        stage.encodeSums(encoder, bands, cutDn, shifts);
      });
      const sums = await stage.readSums();
      const normalization = sums.map((bandSums, band) => {
        const shift = shifts[band] ?? { after: 0, before: 0 };
        const fallback = firstPass[band] ?? { gain: 1, offset: 0 };
        return fitFromSums(bandSums, shift.after, shift.before, fallback);
      });
      return {
        ...firstOnly,
        normalization,
        residualCutDn: cutDn,
        invariantPixels: sums[0]?.count ?? 0,
      };
    },
    encodeApply(encoder, after, normalization, out) {
      for (let band = 0; band < bandCount; band++) {
        const { gain, offset } = normalization[band] ?? { gain: 1, offset: 0 };
        const uniform = uniformOf(applyUniforms, band);
        device.queue.writeBuffer(
          uniform,
          0,
          pixelParams({ groupsPerRow: pixelGroupsPerRow, gain, offset }),
        );
        encodePixel(
          encoder,
          'apply',
          [uniform, bandOf(after, band), unusedRead, unusedRead, unusedWrite, bandOf(out, band)],
          pixelDispatch,
        );
      }
    },
    destroy() {
      for (const buffer of created) buffer.destroy();
    },
  };
  return stage;
}

/** Copies `byteLength` bytes from `offsetBytes` of `source` and returns them. */
async function readBufferAt(
  device: GPUDevice,
  source: GPUBuffer,
  offsetBytes: number,
  byteLength: number,
): Promise<ArrayBuffer> {
  const staging = device.createBuffer({
    label: `${source.label} (read-back)`,
    size: byteLength,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  try {
    const encoder = device.createCommandEncoder({ label: 'normalization read-back' });
    encoder.copyBufferToBuffer(source, offsetBytes, staging, 0, byteLength);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    return staging.getMappedRange().slice(0);
  } finally {
    staging.destroy();
  }
}

/** Smallest and largest finite value of one reduction (null when there was none). */
export interface BandExtremes {
  readonly minValue: number;
  readonly maxValue: number;
}

/**
 * The bandRange reduction on its own, for other stages: min and max of the
 * finite values where a u32 mask is nonzero, `slotCount` values at a time.
 * CPU twin: rangeOf (quantiles.ts) is rangeFromExtremes of these extremes.
 */
export interface BandRangeStage {
  readonly slotCount: number;
  /** Records the extremes of `values` where `mask` ≠ 0 into `slot` (cleared first). */
  encode(encoder: GPUCommandEncoder, slot: number, values: GPUBuffer, mask: GPUBuffer): void;
  /** Every slot's extremes of the last submitted `encode`s, null where no value counted. */
  read(): Promise<(BandExtremes | null)[]>;
  destroy(): void;
}

export function createBandRangeStage(
  device: GPUDevice,
  options: { readonly pixelCount: number; readonly slotCount: number },
): BandRangeStage {
  const { pixelCount, slotCount } = options;
  if (!Number.isInteger(pixelCount) || pixelCount < 1) {
    throw new Error(`Band ranges need at least one pixel (got ${pixelCount})`);
  }
  checkBindingSize(device, 'Band ranges', pixelCount * 4);
  const reduce = reduceKernel(device);
  const dispatch = linearDispatch(
    pixelCount,
    NORMALIZATION_WORKGROUP_SIZE * NORMALIZATION_PIXELS_PER_INVOCATION,
  );
  const uniforms = Array.from({ length: slotCount }, (_, slot) => {
    const data = new ArrayBuffer(NORMALIZATION_REDUCE_PARAMS_LAYOUT.byteLength);
    const u32 = new Uint32Array(data);
    u32[0] = pixelCount;
    u32[1] = dispatch.x;
    u32[2] = 2 * slot;
    return createUniformBuffer(device, `band range params ${slot}`, data);
  });
  const words = createStorageBuffer(device, 'band range words', slotCount * 2 * 4);
  return {
    slotCount,
    encode(encoder, slot, values, mask) {
      const uniform = uniforms[slot];
      if (uniform === undefined) throw new Error(`No band range slot ${slot}`);
      encoder.clearBuffer(words, slot * 2 * 4, 2 * 4);
      encodeDispatch(
        device,
        encoder,
        reduce,
        reduce.pipelines.bandRange,
        'band range',
        [uniform, values, mask, words],
        dispatch,
      );
    },
    async read() {
      const all = new Uint32Array(await readBuffer(device, words, slotCount * 2 * 4));
      return Array.from({ length: slotCount }, (_, slot) => {
        const minWord = all[2 * slot] ?? 0;
        const maxWord = all[2 * slot + 1] ?? 0;
        if (minWord === 0 || maxWord === 0) return null;
        return { minValue: keyToF32(~minWord >>> 0), maxValue: keyToF32(maxWord) };
      });
    },
    destroy() {
      for (const uniform of uniforms) uniform.destroy();
      words.destroy();
    },
  };
}

export interface GpuNormalizationResult extends NormalizationEstimate {
  /** gain · after + offset per band (bandCount = before.length), read back. */
  readonly normalizedAfter: Float32Array[];
}

/**
 * Uploads the bands and the validity mask, estimates the normalization on the
 * GPU (see NormalizationStage.estimate), applies it and reads the bands back.
 * Uses before.length bands; after needs at least as many (extra ones are ignored).
 */
export async function normalizeGpu(
  device: GPUDevice,
  before: readonly Float32Array[],
  after: readonly Float32Array[],
  valid: Uint8Array,
  options: NormalizationOptions,
  stageOptions: Pick<NormalizationStageOptions, 'maxWorkgroupsPerDimension'> = {},
): Promise<GpuNormalizationResult> {
  const pixelCount = valid.length;
  const bandCount = before.length;
  for (const [what, list] of [
    ['before', before],
    ['after', after.slice(0, bandCount)],
  ] as const) {
    list.forEach((band, b) => {
      if (band.length !== pixelCount) {
        throw new Error(
          `${what} band ${b + 1} holds ${band.length} values, expected ${pixelCount}`,
        );
      }
    });
  }
  if (after.length < bandCount) {
    throw new Error(`The after image lacks band ${after.length + 1}`);
  }
  const stage = createNormalizationStage(device, { pixelCount, bandCount, ...stageOptions });
  const uploaded: GPUBuffer[] = [];
  const upload = (label: string, data: Float32Array | Uint32Array): GPUBuffer => {
    const buffer = createStorageBufferFrom(device, label, data);
    uploaded.push(buffer);
    return buffer;
  };
  try {
    const bands: NormalizationBands = {
      before: before.map((band, b) => upload(`normalization before ${b + 1}`, band)),
      after: after
        .slice(0, bandCount)
        .map((band, b) => upload(`normalization after ${b + 1}`, band)),
      valid: upload('normalization valid', widenMask(valid)),
    };
    const estimate = await stage.estimate(bands, options);
    const out = Array.from({ length: bandCount }, (_, b) => {
      const buffer = createStorageBuffer(device, `normalized after ${b + 1}`, pixelCount * 4);
      uploaded.push(buffer);
      return buffer;
    });
    const encoder = device.createCommandEncoder({ label: 'normalization apply' });
    stage.encodeApply(encoder, bands.after, estimate.normalization, out);
    device.queue.submit([encoder.finish()]);
    const normalizedAfter: Float32Array[] = [];
    for (const buffer of out) {
      normalizedAfter.push(new Float32Array(await readBuffer(device, buffer, pixelCount * 4)));
    }
    return { ...estimate, normalizedAfter };
  } finally {
    stage.destroy();
    for (const buffer of uploaded) buffer.destroy();
  }
}
