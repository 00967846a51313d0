/**
 * The container analysis on the GPU: the same input, parameters and result as
 * analyzePairCpu (src/core/analysis/cpu-pipeline.ts, whose header lists
 * stages 1–9), bit for bit where the arithmetic is (see each stage's twin).
 *
 * Where each stage runs (buffers stay on the GPU between GPU stages; what
 * comes back is named):
 *  1. ROI raster, domain, uploads             CPU (rasterizeRois) in prepareGpuInput: once
 *                                             per input where the caller keeps it
 * 1b. Sharpness matching                      GPU (BlurStage with sharpnessMatch's 3 taps)
 *  2. Normalization estimate + apply          GPU (NormalizationStage; tiny fits on the CPU)
 *  3. Gaussian smoothing of all six bands     GPU (BlurStage)
 *  4. Surface colour per ROI (medians)        GPU: band ranges (BandRangeStage, 12 numbers
 *                                             back), per-ROI histograms (SurfaceStage,
 *                                             roiCount · 6 · 4096 counts back); bin edges
 *                                             before and medians after on the CPU
 *  5. Texture + occupancy score               GPU (TextureStage, OccupancyStage)
 *  6. Best-match change, both directions      GPU (ChangeStage)
 *  7. Otsu (thresholdMode 'otsu')             GPU: domain maxima (BandRangeStage, 8 numbers
 *                                             back), 256-bin histograms (HistogramStage,
 *                                             counts back); Otsu on the CPU
 *     Thresholds and AND/OR into raw masks    GPU (MorphologyStage.encodeThreshold: to bits)
 *  8. Opening, closing, AND domain            GPU (MorphologyStage on bits; the AND as it unpacks)
 *     Hole filling                            GPU (HoleFillStage: labelling of the complement,
 *                                             per-component area and open flag, fill)
 *  9. Components, areas, TEU                  GPU (ComponentEstimateStage: labelling,
 *                                             component areas, minAreaM2, per-ROI area, rim
 *                                             and blob counts, the blobs in one pass where no
 *                                             two ROIs touch); 3 · roiCount counts per mask
 *                                             back, TEU from them on the CPU (teuFromCounts)
 * The result's seven masks (kept before/after/appeared/disappeared, change,
 * shadow before/after) are packed to a byte per pixel on the GPU
 * (MaskPackStage) and read back once at the end; nothing is labelled on the
 * CPU. The change magnitude (heat map) is quantized to a byte per pixel on the
 * GPU (ChangeMagnitudeStage) and read back the same way. Every compiled
 * pipeline is cached per device by its wrapper, so a re-run on the same
 * device (a slider move) compiles nothing; buffers and uniforms are made per
 * run.
 */
import {
  checkAnalysisInput,
  sharpnessMatch,
  finishAnalysis,
  type AnalysisInput,
  type AnalysisResult,
} from '../core/analysis/cpu-pipeline.ts';
import {
  maxHolePxOf,
  minKeptAreaPx,
  teuFromCounts,
  type MaskEstimate,
} from '../core/analysis/estimate.ts';
import type { Rgb } from '../core/analysis/occupancy.ts';
import { validateAnalysisParams, type AnalysisParams } from '../core/analysis/params.ts';
import { rasterizeRois, roisTouch } from '../core/analysis/roi-raster.ts';
import { otsuThreshold } from '../core/histogram.ts';
import { changeLevelsPerDn } from '../core/analysis/change-magnitude.ts';
import { createBlurStage } from './blur.ts';
import { createInt32Buffer, createStorageBufferFrom, readBuffers } from './buffers.ts';
import { createCclScratch } from './ccl.ts';
import { createChangeStage } from './change.ts';
import { createChangeMagnitudeStage } from './change-magnitude.ts';
import { createComponentEstimateStage, decodeRoiCounts } from './component-estimate.ts';
import { createHistogramStage, HISTOGRAM_COUNTS_BYTES } from './histogram.ts';
import { createHoleFillStage } from './hole-fill.ts';
import { createMorphologyStage } from './morphology.ts';
import type { MorphologyOptions } from '../core/morphology.ts';
import { createBandRangeStage, createNormalizationStage } from './normalization.ts';
import { guardNormalization } from '../core/analysis/normalization.ts';
import {
  createOccupancyStage,
  createTextureStage,
  domainRoiIndex,
  type RgbBuffers,
} from './occupancy.ts';
import { GpuTimer } from './gpu-timer.ts';
import { createMaskPackStage } from './mask-pack.ts';
import { checkBindingSize, createStorageBuffer, widenMask } from './raster-kernels.ts';
import { createSurfaceStage, rangeOfExtremes } from './surface.ts';

function rgb(buffers: readonly GPUBuffer[]): RgbBuffers {
  const [r, g, b] = buffers;
  if (r === undefined || g === undefined || b === undefined) throw new Error('internal: bands');
  return [r, g, b];
}

/** Optional parts of a run. */
export interface GpuRunOptions {
  /** The input already prepared on this device (prepareGpuInput); the run leaves it intact. */
  readonly prepared?: PreparedGpuInput;
  /** Each submission's label and GPU time (timestamp queries), where the device has them. */
  readonly onGpuSpans?: (spans: readonly { readonly label: string; readonly ms: number }[]) => void;
}

/**
 * What every run on one input needs whatever the parameters: the ROI raster
 * and domain (stage 1, on the CPU) and the bands, valid mask, domain and
 * domain ROI index uploaded. A caller that re-runs on the same input (the app,
 * on every parameter change) prepares it once and passes it to each run, so a
 * slider move neither rasterizes nor uploads again; runs only read it. The
 * caller destroys it (about 36 bytes a pixel of GPU memory).
 */
export interface PreparedGpuInput {
  readonly input: AnalysisInput;
  readonly roiIndex: Int32Array;
  readonly before: RgbBuffers;
  readonly after: RgbBuffers;
  readonly valid: GPUBuffer;
  readonly domain: GPUBuffer;
  readonly domainRoi: GPUBuffer;
  /**
   * No two ROIs of the domain touch, so every component of a mask inside the
   * domain lies in one ROI and the estimate counts blobs in one pass.
   */
  readonly componentsInOneRoi: boolean;
  destroy(): void;
}

export function prepareGpuInput(device: GPUDevice, input: AnalysisInput): PreparedGpuInput {
  checkAnalysisInput(input);
  const { widthPx: w, heightPx: h } = input;
  const pixelCount = w * h;
  checkBindingSize(device, 'Analysis', pixelCount * 4);
  const roiIndex = rasterizeRois(input.rois, w, h);
  const domainRoi = domainRoiIndex(roiIndex, input.valid);
  // A plain loop: TypedArray.from with a mapping function costs ~75 ns a pixel in V8.
  const domain = new Uint8Array(pixelCount);
  for (let i = 0; i < pixelCount; i++) domain[i] = (domainRoi[i] ?? -1) >= 0 ? 1 : 0;
  const componentsInOneRoi = !roisTouch(domainRoi, w, h);
  const buffers: GPUBuffer[] = [];
  const upload = (label: string, data: Float32Array | Uint32Array): GPUBuffer => {
    const buffer = createStorageBufferFrom(device, label, data);
    buffers.push(buffer);
    return buffer;
  };
  try {
    const domainRoiBuffer = createInt32Buffer(device, 'analysis domain ROI', domainRoi);
    buffers.push(domainRoiBuffer);
    return {
      input,
      roiIndex,
      before: rgb(
        input.before.slice(0, 3).map((band, k) => upload(`analysis before ${k + 1}`, band)),
      ),
      after: rgb(input.after.slice(0, 3).map((band, k) => upload(`analysis after ${k + 1}`, band))),
      valid: upload('analysis valid', widenMask(input.valid)),
      domain: upload('analysis domain', widenMask(domain)),
      domainRoi: domainRoiBuffer,
      componentsInOneRoi,
      destroy: () => {
        for (const buffer of buffers) buffer.destroy();
      },
    };
  } catch (error) {
    for (const buffer of buffers) buffer.destroy();
    throw error;
  }
}

export async function analyzePairGpu(
  device: GPUDevice,
  input: AnalysisInput,
  params: AnalysisParams,
  options: GpuRunOptions = {},
): Promise<AnalysisResult> {
  validateAnalysisParams(params);
  checkAnalysisInput(input);
  if (options.prepared !== undefined && options.prepared.input !== input) {
    throw new Error('internal: the prepared input belongs to another analysis input');
  }
  const { widthPx: w, heightPx: h } = input;
  const pixelCount = w * h;
  const imageBytes = pixelCount * 4;
  checkBindingSize(device, 'Analysis', imageBytes);
  const timingsMs: Record<string, number> = {};
  let clock = performance.now();
  const lap = (stage: string): void => {
    const now = performance.now();
    timingsMs[stage] = now - clock;
    clock = now;
  };

  // Everything created here is destroyed in the finally block.
  const owned: { destroy(): void }[] = [];
  const own = <T extends { destroy(): void }>(resource: T): T => {
    owned.push(resource);
    return resource;
  };
  const image = (label: string): GPUBuffer => own(createStorageBuffer(device, label, imageBytes));
  // Fewer than 64 submissions below; each is timed where the device has timestamp queries.
  const timer = GpuTimer.create(device, 64);
  if (timer !== null) owned.push(timer);
  const submit = (label: string, record: (encoder: GPUCommandEncoder) => void): void => {
    const encoder = device.createCommandEncoder({ label });
    if (timer === null) record(encoder);
    else
      timer.wrap(encoder, () => {
        record(encoder);
      });
    device.queue.submit([encoder.finish()]);
  };

  try {
    // 1. ROI raster and domain (CPU) and the uploads: prepared by the caller, or here.
    const prepared = options.prepared ?? own(prepareGpuInput(device, input));
    const { roiIndex } = prepared;
    const roiCount = input.rois.length;
    const domainBuffer = prepared.domain;
    const validBuffer = prepared.valid;
    const domainRoiBuffer = prepared.domainRoi;
    lap('roi raster');

    // 1b. Sharpness matching: the sharper date softened (3-tap blur) into buffers of
    // this run, so the prepared bands stay as read for the next run.
    let beforeRaw: readonly GPUBuffer[] = prepared.before;
    let afterRaw: readonly GPUBuffer[] = prepared.after;
    const match = sharpnessMatch(input, params);
    if (match !== null) {
      const soften = own(
        createBlurStage(device, w, h, { blurRadiusPx: 1, weights: match.weights }),
      );
      const sharper = match.date === 'before' ? beforeRaw : afterRaw;
      const softened = sharper.map((_, k) => image(`analysis ${match.date} softened ${k + 1}`));
      submit('analysis sharpness match', (encoder) => {
        sharper.forEach((band, k) => {
          soften.encode(encoder, band, softened[k] ?? band);
        });
      });
      if (match.date === 'before') beforeRaw = softened;
      else afterRaw = softened;
    }
    lap('sharpness match');
    const normalizationStage = own(createNormalizationStage(device, { pixelCount, bandCount: 3 }));
    const estimate = await normalizationStage.estimate(
      {
        before: beforeRaw,
        after: afterRaw,
        valid: validBuffer,
      },
      params,
      submit,
    );
    const { normalization, warning: normalizationWarning } = guardNormalization(
      estimate.normalization,
    );
    const afterNormalized = [1, 2, 3].map((k) => image(`analysis after normalized ${k}`));
    submit('analysis normalize', (encoder) => {
      normalizationStage.encodeApply(encoder, afterRaw, normalization, afterNormalized);
    });
    lap('normalize');

    // 3. Smoothing (GPU); radius 0 leaves the bands as they are, as on the CPU.
    const blurred = params.blurRadiusPx > 0;
    const blur = blurred
      ? own(createBlurStage(device, w, h, { blurRadiusPx: params.blurRadiusPx }))
      : null;
    const smooth = (bands: readonly GPUBuffer[], label: string): RgbBuffers =>
      rgb(blurred ? bands.map((_, k) => image(`${label} ${k + 1}`)) : bands);
    const before = smooth(beforeRaw, 'analysis before smoothed');
    const after = smooth(afterNormalized, 'analysis after smoothed');
    // 5a. Texture of the unsmoothed luminance (GPU), recorded in the same submit.
    const textured = params.textureThresholdDn > 0;
    const textureStage = textured
      ? own(createTextureStage(device, w, h, params.textureRadiusPx))
      : null;
    const textureBefore = textured ? image('analysis texture before') : undefined;
    const textureAfter = textured ? image('analysis texture after') : undefined;
    submit('analysis smooth + texture', (encoder) => {
      if (blur !== null) {
        beforeRaw.forEach((band, k) => {
          blur.encode(encoder, band, before[k] ?? band);
        });
        afterNormalized.forEach((band, k) => {
          blur.encode(encoder, band, after[k] ?? band);
        });
      }
      if (textureStage !== null && textureBefore !== undefined && textureAfter !== undefined) {
        textureStage.encode(encoder, rgb(beforeRaw), textureBefore);
        textureStage.encode(encoder, rgb(afterNormalized), textureAfter);
      }
    });
    lap('smooth');

    // 4. Surface medians per ROI: ranges and histograms on the GPU, edges and medians on the CPU.
    const bandRanges = own(createBandRangeStage(device, { pixelCount, slotCount: 6 }));
    submit('analysis surface ranges', (encoder) => {
      [...before, ...after].forEach((band, slot) => {
        bandRanges.encode(encoder, slot, band, validBuffer);
      });
    });
    const ranges = (await bandRanges.read()).map(rangeOfExtremes);
    const surfaceStage = own(createSurfaceStage(device, { pixelCount, roiCount, slotCount: 2 }));
    submit('analysis surface histograms', (encoder) => {
      surfaceStage.encode(encoder, 0, before, domainRoiBuffer, ranges.slice(0, 3));
      surfaceStage.encode(encoder, 1, after, domainRoiBuffer, ranges.slice(3, 6));
    });
    const [surfaceBefore, surfaceAfter] = await surfaceStage.readSurfaces();
    if (surfaceBefore === undefined || surfaceAfter === undefined) {
      throw new Error('internal: two surface tables expected');
    }
    lap('surface');

    // 5b. Occupancy (one stage per date: the surface table is a queue write) and 6. change.
    const occupancyStage = (surfaces: readonly Rgb[]): ReturnType<typeof createOccupancyStage> => {
      const stage = own(
        createOccupancyStage(device, { pixelCount, roiCount, params, useTexture: textured }),
      );
      stage.setSurfaces(surfaces);
      return stage;
    };
    const occupancyBefore = occupancyStage(surfaceBefore);
    const occupancyAfter = occupancyStage(surfaceAfter);
    const scoreBefore = image('analysis occupancy before');
    const scoreAfter = image('analysis occupancy after');
    const shadowBefore = image('analysis shadow before');
    const shadowAfter = image('analysis shadow after');
    const changeStage = own(createChangeStage(device, w, h, params));
    const changeAfter = image('analysis change after');
    const changeBefore = image('analysis change before');
    submit('analysis occupancy + change', (encoder) => {
      occupancyBefore.encode(
        encoder,
        before,
        domainRoiBuffer,
        scoreBefore,
        shadowBefore,
        textureBefore,
      );
      occupancyAfter.encode(encoder, after, domainRoiBuffer, scoreAfter, shadowAfter, textureAfter);
      changeStage.encodeBoth(encoder, after, before, domainRoiBuffer, changeAfter, changeBefore);
    });
    lap('occupancy + change');

    // 7. Thresholds: manual, or Otsu over [0, domain max] (otsuOver in cpu-pipeline.ts):
    // the maxima and the histograms on the GPU, Otsu on the CPU.
    const otsuOf = async (values: readonly GPUBuffer[]): Promise<number[]> => {
      const maxima = own(createBandRangeStage(device, { pixelCount, slotCount: values.length }));
      submit('analysis otsu maxima', (encoder) => {
        values.forEach((buffer, slot) => {
          maxima.encode(encoder, slot, buffer, domainBuffer);
        });
      });
      // The largest domain value, 0 when none is positive: otsuOver's range end.
      const maxDn = (await maxima.read()).map((e) => (e === null ? 0 : Math.max(0, e.maxValue)));
      const histograms = values.map((buffer, k) => {
        const max = maxDn[k] ?? 0;
        if (!(max > 0)) return null;
        const range = { minValue: 0, maxValue: max };
        const stage = own(createHistogramStage(device, { pixelCount, range, useValidMask: true }));
        const counts = own(createStorageBuffer(device, `otsu counts ${k}`, HISTOGRAM_COUNTS_BYTES));
        return { buffer, range, stage, counts };
      });
      submit('analysis otsu histograms', (encoder) => {
        for (const entry of histograms) {
          entry?.stage.encode(encoder, entry.buffer, entry.counts, domainBuffer);
        }
      });
      const present = histograms.filter((entry) => entry !== null);
      const counts = await readBuffers(
        device,
        present.map((entry) => ({ buffer: entry.counts, byteLength: HISTOGRAM_COUNTS_BYTES })),
      );
      return histograms.map((entry) => {
        const bytes = entry === null ? undefined : counts[present.indexOf(entry)];
        return entry === null || bytes === undefined
          ? 0
          : otsuThreshold(new Uint32Array(bytes), entry.range).thresholdDn;
      });
    };
    const otsu =
      params.thresholdMode === 'otsu'
        ? await otsuOf([scoreBefore, scoreAfter, changeBefore, changeAfter])
        : null;
    const thresholdsDn = {
      before: otsu?.[0] ?? params.thresholdDn,
      after: otsu?.[1] ?? params.thresholdDn,
      changeBefore: otsu?.[2] ?? params.changeThresholdDn,
      changeAfter: otsu?.[3] ?? params.changeThresholdDn,
    };
    // Opening then closing as one stage, on masks packed to bits; an empty chain
    // only unpacks (and clips).
    const morphologyChain: MorphologyOptions[] = [];
    if (params.openRadiusPx > 0) {
      morphologyChain.push({ operation: 'open', radiusPx: params.openRadiusPx });
    }
    if (params.closeRadiusPx > 0) {
      morphologyChain.push({ operation: 'close', radiusPx: params.closeRadiusPx });
    }
    const morphology = own(createMorphologyStage(device, w, h, morphologyChain));
    // The five raw masks go from their scores straight to bits, a pass each: before and
    // after (with the unchanged pixels' consensus), appeared = after ∧ changed after,
    // disappeared = before ∧ changed before, change = changed after ∨ changed before
    // (the CPU twin's raw masks).
    const bitMask = (name: string): GPUBuffer =>
      own(createStorageBuffer(device, `analysis raw ${name} bits`, morphology.wordCount * 4));
    const bitsBefore = bitMask('before');
    const bitsAfter = bitMask('after');
    const bitsAppeared = bitMask('appeared');
    const bitsDisappeared = bitMask('disappeared');
    const bitsChange = bitMask('change');
    const rawBits = [bitsBefore, bitsAfter, bitsAppeared, bitsDisappeared, bitsChange];
    // Pixels unchanged by a margin take one decision for both dates (unchangedChangeFraction).
    const unchangedLimits = {
      changeAfter,
      unchangedAfterDn: params.unchangedChangeFraction * thresholdsDn.changeAfter,
      changeBefore,
      unchangedBeforeDn: params.unchangedChangeFraction * thresholdsDn.changeBefore,
    };
    const changedAfter = { values: changeAfter, thresholdDn: thresholdsDn.changeAfter };
    const changedBefore = { values: changeBefore, thresholdDn: thresholdsDn.changeBefore };
    // The change magnitude for the view, a byte per pixel (read back with the masks).
    const levelsPerDn = changeLevelsPerDn(thresholdsDn);
    const magnitudeStage = own(createChangeMagnitudeStage(device, pixelCount, levelsPerDn));
    const magnitudePacked = own(
      createStorageBuffer(device, 'analysis change magnitude', magnitudeStage.packedByteLength),
    );
    submit('analysis raw masks + change magnitude', (encoder) => {
      morphology.encodeThreshold(encoder, scoreBefore, thresholdsDn.before, bitsBefore, {
        ...unchangedLimits,
        other: scoreAfter,
        otherThresholdDn: thresholdsDn.after,
      });
      morphology.encodeThreshold(encoder, scoreAfter, thresholdsDn.after, bitsAfter, {
        ...unchangedLimits,
        other: scoreBefore,
        otherThresholdDn: thresholdsDn.before,
      });
      // Appeared and disappeared need no consensus: a pixel it decides has changed
      // below the change threshold, so it is in neither (unchangedChangeFraction ≤ 1).
      morphology.encodeThreshold(encoder, scoreAfter, thresholdsDn.after, bitsAppeared, {
        ...changedAfter,
        combine: 'and',
      });
      morphology.encodeThreshold(encoder, scoreBefore, thresholdsDn.before, bitsDisappeared, {
        ...changedBefore,
        combine: 'and',
      });
      morphology.encodeThreshold(encoder, changeAfter, thresholdsDn.changeAfter, bitsChange, {
        ...changedBefore,
        combine: 'or',
      });
      magnitudeStage.encode(encoder, changeAfter, changeBefore, magnitudePacked);
    });
    lap('threshold');

    // 8. Opening and closing, ANDed with the domain, hole filling; 9. components and
    // per-ROI counts: all on the GPU in one submission, one labelling scratch for all.
    const scratch = own(createCclScratch(device, w, h));
    const holes =
      params.maxHoleM2 > 0
        ? own(
            createHoleFillStage(device, {
              widthPx: w,
              heightPx: h,
              maxHolePx: maxHolePxOf(params.maxHoleM2, input.pixelAreaM2),
              scratch,
            }),
          )
        : null;
    const estimateStage = own(
      createComponentEstimateStage(device, {
        widthPx: w,
        heightPx: h,
        roiCount,
        minKeepPx: minKeptAreaPx(params.minAreaM2, input.pixelAreaM2),
        scratch,
        // The estimated masks lie inside the domain (ANDed with it, holes filled within it).
        componentsInOneRoi: prepared.componentsInOneRoi,
      }),
    );
    // before, after, appeared, disappeared, change
    const cleanedMasks = rawBits.map((_, k) => image(`analysis cleaned ${k + 1}`));
    const finalMasks =
      holes === null ? cleanedMasks : rawBits.map((_, k) => image(`analysis filled ${k + 1}`));
    const estimated = finalMasks.slice(0, 4);
    const keptMasks = estimated.map((_, k) => image(`analysis kept ${k + 1}`));
    const roiCounts = estimated.map((_, k) =>
      own(
        createStorageBuffer(device, `analysis ROI counts ${k + 1}`, estimateStage.countsByteLength),
      ),
    );
    // The result's masks, packed to bytes for the read-back.
    const changeMask = finalMasks[4];
    if (changeMask === undefined) throw new Error('internal: five masks expected');
    const resultMasks = [...keptMasks, changeMask, shadowBefore, shadowAfter];
    const pack = own(createMaskPackStage(device, pixelCount));
    const packedMasks = resultMasks.map((_, k) =>
      own(createStorageBuffer(device, `analysis packed mask ${k + 1}`, pack.packedByteLength)),
    );
    submit('analysis morphology + holes + components', (encoder) => {
      rawBits.forEach((bits, k) => {
        const cleaned = cleanedMasks[k];
        const filled = finalMasks[k];
        if (cleaned === undefined || filled === undefined) throw new Error('internal: masks');
        // The morphology ANDs its result with the domain as it unpacks it.
        morphology.encodeFromBits(encoder, bits, cleaned, domainBuffer);
        // Appeared (disappeared): holes fill only off the final before (after) mask, a
        // block that stood while boxes came around it (the CPU twin's `standing`); that
        // mask is final by now, and not this one's.
        const standing = k === 2 ? finalMasks[0] : k === 3 ? finalMasks[1] : undefined;
        holes?.encode(encoder, cleaned, domainBuffer, filled, standing);
      });
      estimated.forEach((mask, k) => {
        const kept = keptMasks[k];
        const counts = roiCounts[k];
        if (kept === undefined || counts === undefined) throw new Error('internal: mask buffers');
        estimateStage.encode(encoder, mask, domainRoiBuffer, kept, counts);
      });
      resultMasks.forEach((mask, k) => {
        const packed = packedMasks[k];
        if (packed === undefined) throw new Error('internal: packed mask buffers');
        pack.encode(encoder, mask, packed);
      });
    });
    lap('morphology');

    // The small counts, the packed masks and the change magnitude come back in one read-back.
    const [read, gpuSpans] = await Promise.all([
      readBuffers(device, [
        ...roiCounts.map((buffer) => ({ buffer, byteLength: estimateStage.countsByteLength })),
        ...packedMasks.map((buffer) => ({ buffer, byteLength: pack.packedByteLength })),
        { buffer: magnitudePacked, byteLength: magnitudeStage.packedByteLength },
      ]),
      timer?.readSpansMs(),
    ]);
    // Packed bytes: a byte per pixel, pixelCount of them (the words may hold up to 3 more).
    const countWords = read.slice(0, roiCounts.length).map((bytes) => new Uint32Array(bytes));
    const masks = read
      .slice(roiCounts.length, roiCounts.length + packedMasks.length)
      .map((bytes) => new Uint8Array(bytes, 0, pixelCount));
    const magnitudeBytes = read[roiCounts.length + packedMasks.length];
    if (magnitudeBytes === undefined) throw new Error('internal: change magnitude read-back');
    const changeLevels = new Uint8Array(magnitudeBytes, 0, pixelCount);
    const estimates = countWords.map((words, k): MaskEstimate => {
      const kept = masks[k];
      if (kept === undefined) throw new Error('internal: four kept masks expected');
      return {
        perRoi: teuFromCounts(decodeRoiCounts(words, roiCount), input.pixelAreaM2, params),
        kept,
      };
    });
    const [change, shadowMaskBefore, shadowMaskAfter] = masks.slice(4);
    if (change === undefined || shadowMaskBefore === undefined || shadowMaskAfter === undefined) {
      throw new Error('internal: three more masks expected');
    }
    lap('components');
    // GPU busy time summed over the submissions (timestamp queries), where the device has them.
    if (gpuSpans !== undefined) {
      timingsMs['gpu'] = gpuSpans.reduce((total, span) => total + span.ms, 0);
      options.onGpuSpans?.(gpuSpans);
    }

    return finishAnalysis({
      input,
      roiIndex,
      estimates,
      change,
      changeMagnitude: { levels: changeLevels, dnPerLevel: 1 / levelsPerDn },
      shadowBefore: shadowMaskBefore,
      shadowAfter: shadowMaskAfter,
      surfaceBefore,
      surfaceAfter,
      normalization,
      thresholdsDn,
      timingsMs,
      warnings: normalizationWarning === null ? [] : [normalizationWarning],
    });
  } finally {
    for (const resource of owned) resource.destroy();
  }
}
