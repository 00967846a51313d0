/**
 * The container analysis with the per-pixel and neighbourhood stages on the
 * GPU: the same input, parameters and result as analyzePairCpu
 * (src/core/analysis/cpu-pipeline.ts, whose header lists stages 1–9).
 *
 * Where each stage runs (buffers stay on the GPU between GPU stages):
 *  1. ROI raster, domain                      CPU (rasterizeRois), uploaded once
 *  2. Normalization estimate + apply          GPU (NormalizationStage; tiny fits on the CPU)
 *  3. Gaussian smoothing of all six bands     GPU (BlurStage)
 *  4. Surface colour per ROI (medians)        CPU: the six smoothed bands are read back
 *                                             and surfaceColours runs, as on the CPU
 *  5. Texture + occupancy score               GPU (TextureStage, OccupancyStage)
 *  6. Best-match change, both directions      GPU (ChangeStage)
 *  7. Otsu (thresholdMode 'otsu')             max over the domain on the CPU from the
 *                                             read-back scores, 256-bin histogram on the
 *                                             GPU (HistogramStage), Otsu on the CPU
 *     Thresholds, AND/OR of masks             GPU (ThresholdStage, a small mask kernel here)
 *  8. Opening, closing, AND domain            GPU (MorphologyStage, mask kernel)
 *     Hole filling                            CPU (fillHoles: labelling of the complement)
 *  9. Components, areas, TEU                  CPU (estimateFromMask) on the read-back masks
 * Steps 8 (holes) and 9 use the CPU code so that the semantics are exactly the
 * CPU pipeline's; GPU labelling (ccl.ts, component-stats.ts) is not wired in yet.
 */
import {
  checkAnalysisInput,
  finishAnalysis,
  type AnalysisInput,
  type AnalysisResult,
} from '../core/analysis/cpu-pipeline.ts';
import { fillHoles } from '../core/analysis/estimate.ts';
import { surfaceColours, type Rgb } from '../core/analysis/occupancy.ts';
import { validateAnalysisParams, type AnalysisParams } from '../core/analysis/params.ts';
import { rasterizeRois } from '../core/analysis/roi-raster.ts';
import { otsuThreshold } from '../core/histogram.ts';
import { createBlurStage } from './blur.ts';
import { createInt32Buffer, createStorageBufferFrom, readBuffer } from './buffers.ts';
import { createChangeStage } from './change.ts';
import { createHistogramStage, HISTOGRAM_COUNTS_BYTES } from './histogram.ts';
import { createMorphologyStage } from './morphology.ts';
import { createNormalizationStage } from './normalization.ts';
import {
  createOccupancyStage,
  createTextureStage,
  domainRoiIndex,
  type RgbBuffers,
} from './occupancy.ts';
import { checkBindingSize, createStorageBuffer, narrowMask, widenMask } from './raster-kernels.ts';
import { createMaskCombineStage } from './mask-combine.ts';
import { createThresholdStage } from './threshold.ts';

/** As otsuOver in cpu-pipeline.ts: the largest domain value (0 when none is positive). */
function domainMax(values: Float32Array, domain: Uint8Array): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? 0;
    if (domain[i] !== 0 && v > max) max = v;
  }
  return max;
}

function rgb(buffers: readonly GPUBuffer[]): RgbBuffers {
  const [r, g, b] = buffers;
  if (r === undefined || g === undefined || b === undefined) throw new Error('internal: bands');
  return [r, g, b];
}

export async function analyzePairGpu(
  device: GPUDevice,
  input: AnalysisInput,
  params: AnalysisParams,
): Promise<AnalysisResult> {
  validateAnalysisParams(params);
  checkAnalysisInput(input);
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
  const upload = (label: string, data: Float32Array | Uint32Array): GPUBuffer =>
    own(createStorageBufferFrom(device, label, data));
  const submit = (label: string, record: (encoder: GPUCommandEncoder) => void): void => {
    const encoder = device.createCommandEncoder({ label });
    record(encoder);
    device.queue.submit([encoder.finish()]);
  };
  const readF32 = async (buffer: GPUBuffer): Promise<Float32Array> =>
    new Float32Array(await readBuffer(device, buffer, imageBytes));
  const readMask = async (buffer: GPUBuffer): Promise<Uint8Array> =>
    narrowMask(new Uint32Array(await readBuffer(device, buffer, imageBytes)));

  try {
    // 1. ROI raster and domain (CPU), uploaded once.
    const roiIndex = rasterizeRois(input.rois, w, h);
    const roiCount = input.rois.length;
    const domainRoi = domainRoiIndex(roiIndex, input.valid);
    const domain = Uint8Array.from(domainRoi, (roi) => (roi >= 0 ? 1 : 0));
    const domainBuffer = upload('analysis domain', widenMask(domain));
    const domainRoiBuffer = own(createInt32Buffer(device, 'analysis domain ROI', domainRoi));
    lap('roi raster');

    // 2. Normalization (GPU reductions, CPU fits) and its application.
    const beforeRaw = input.before
      .slice(0, 3)
      .map((band, k) => upload(`analysis before ${k + 1}`, band));
    const afterRaw = input.after
      .slice(0, 3)
      .map((band, k) => upload(`analysis after ${k + 1}`, band));
    const normalizationStage = own(createNormalizationStage(device, { pixelCount, bandCount: 3 }));
    const estimate = await normalizationStage.estimate(
      {
        before: beforeRaw,
        after: afterRaw,
        valid: upload('analysis valid', widenMask(input.valid)),
      },
      params,
    );
    const normalization = estimate.normalization;
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

    // 4. Surface medians per ROI on the CPU, from the read-back smoothed bands.
    const readBands = async (bands: RgbBuffers): Promise<Float32Array[]> => {
      const out: Float32Array[] = [];
      for (const band of bands) out.push(await readF32(band));
      return out;
    };
    const surfaceBefore: Rgb[] = surfaceColours(
      await readBands(before),
      roiIndex,
      input.valid,
      roiCount,
    );
    const surfaceAfter: Rgb[] = surfaceColours(
      await readBands(after),
      roiIndex,
      input.valid,
      roiCount,
    );
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

    // 7. Thresholds: manual, or Otsu over [0, domain max] with the histogram on the GPU.
    const otsuOf = async (values: GPUBuffer, label: string): Promise<number> => {
      // The range needs the domain maximum first; read back, as otsuOver computes it.
      const maxDn = domainMax(await readF32(values), domain);
      if (!(maxDn > 0)) return 0;
      const range = { minValue: 0, maxValue: maxDn };
      const stage = own(createHistogramStage(device, { pixelCount, range, useValidMask: true }));
      const counts = own(createStorageBuffer(device, `${label} counts`, HISTOGRAM_COUNTS_BYTES));
      submit(`${label} histogram`, (encoder) => {
        stage.encode(encoder, values, counts, domainBuffer);
      });
      const histogram = new Uint32Array(await readBuffer(device, counts, HISTOGRAM_COUNTS_BYTES));
      return otsuThreshold(histogram, range).thresholdDn;
    };
    const otsu = params.thresholdMode === 'otsu';
    const thresholdsDn = {
      before: otsu ? await otsuOf(scoreBefore, 'otsu before') : params.thresholdDn,
      after: otsu ? await otsuOf(scoreAfter, 'otsu after') : params.thresholdDn,
      changeBefore: otsu
        ? await otsuOf(changeBefore, 'otsu change before')
        : params.changeThresholdDn,
      changeAfter: otsu ? await otsuOf(changeAfter, 'otsu change after') : params.changeThresholdDn,
    };
    const threshold = (values: GPUBuffer, thresholdDn: number, label: string): GPUBuffer => {
      const stage = own(
        createThresholdStage(device, { pixelCount, thresholdDn, useValidMask: false }),
      );
      const mask = image(label);
      submit(label, (encoder) => {
        stage.encode(encoder, values, mask);
      });
      return mask;
    };
    const rawBefore = threshold(scoreBefore, thresholdsDn.before, 'analysis raw before');
    const rawAfter = threshold(scoreAfter, thresholdsDn.after, 'analysis raw after');
    const changedAfter = threshold(changeAfter, thresholdsDn.changeAfter, 'analysis changed after');
    const changedBefore = threshold(
      changeBefore,
      thresholdsDn.changeBefore,
      'analysis changed before',
    );

    const combine = own(createMaskCombineStage(device, pixelCount));
    const rawAppeared = image('analysis raw appeared');
    const rawDisappeared = image('analysis raw disappeared');
    const rawChange = image('analysis raw change');
    submit('analysis combine', (encoder) => {
      combine.encode(encoder, 'and', rawAfter, changedAfter, rawAppeared);
      combine.encode(encoder, 'and', rawBefore, changedBefore, rawDisappeared);
      combine.encode(encoder, 'or', changedAfter, changedBefore, rawChange);
    });
    lap('threshold');

    // 8. Opening, closing (in place) and AND domain on the GPU.
    const open =
      params.openRadiusPx > 0
        ? own(
            createMorphologyStage(device, w, h, {
              operation: 'open',
              radiusPx: params.openRadiusPx,
            }),
          )
        : null;
    const close =
      params.closeRadiusPx > 0
        ? own(
            createMorphologyStage(device, w, h, {
              operation: 'close',
              radiusPx: params.closeRadiusPx,
            }),
          )
        : null;
    const rawMasks = [rawBefore, rawAfter, rawAppeared, rawDisappeared, rawChange];
    const cleanedMasks = rawMasks.map((_, k) => image(`analysis cleaned ${k + 1}`));
    submit('analysis morphology', (encoder) => {
      rawMasks.forEach((mask, k) => {
        open?.encode(encoder, mask, mask);
        close?.encode(encoder, mask, mask);
        combine.encode(encoder, 'and', mask, domainBuffer, cleanedMasks[k] ?? mask);
      });
    });
    // Hole filling on the CPU (labelling of the complement), as in the CPU pipeline.
    const maxHolePx = params.maxHoleM2 / input.pixelAreaM2;
    const cleaned: Uint8Array[] = [];
    for (const buffer of cleanedMasks) {
      const mask = await readMask(buffer);
      cleaned.push(params.maxHoleM2 > 0 ? fillHoles(mask, domain, w, h, maxHolePx) : mask);
    }
    const [cleanBefore, cleanAfter, cleanAppeared, cleanDisappeared, change] = cleaned;
    if (
      cleanBefore === undefined ||
      cleanAfter === undefined ||
      cleanAppeared === undefined ||
      cleanDisappeared === undefined ||
      change === undefined
    ) {
      throw new Error('internal: five masks expected');
    }
    const shadowMaskBefore = await readMask(shadowBefore);
    const shadowMaskAfter = await readMask(shadowAfter);
    lap('morphology');

    // 9. Components and TEU on the CPU: the same code as the CPU pipeline.
    return finishAnalysis({
      input,
      params,
      roiIndex,
      roiCount,
      cleanMasks: [cleanBefore, cleanAfter, cleanAppeared, cleanDisappeared],
      change,
      shadowBefore: shadowMaskBefore,
      shadowAfter: shadowMaskAfter,
      surfaceBefore,
      surfaceAfter,
      normalization,
      thresholdsDn,
      timingsMs,
      lap,
    });
  } finally {
    for (const resource of owned) resource.destroy();
  }
}
