/**
 * The container analysis on the CPU: an aligned pair of RGB images and ROI
 * polygons in, TEU per ROI before, after, appeared, disappeared and net out.
 *
 * Stages (each one a data-parallel kernel on the GPU: per-pixel maps,
 * neighbourhood ops with a radius, histograms/reductions, labelling,
 * per-component reductions; nothing iterates to convergence):
 *  1. ROI raster (roi-raster.ts); domain = inside an ROI and valid at both dates.
 * 1b. Sharpness matching (sharpnessMatch): the sharper date is softened by the
 *     blur variance resampling added to the other (3-tap kernel, blur.ts).
 *  2. Normalize after to before per band (normalization.ts): two fixed passes.
 *  3. Smooth every band of both dates: Gaussian, blurRadiusPx (blur.ts).
 *  4. Surface colour per ROI and date: per-band median (occupancy.ts).
 *  5. Occupancy score per date: max(hue/brightness distance from the surface,
 *     texture of the unsmoothed luminance scaled by thresholdDn /
 *     textureThresholdDn); 0 for surface in shadow (occupancy.ts).
 *  6. Change per date: best match within matchRadiusPx in the other date,
 *     shadow-only differences count 0.
 *  7. Thresholds: thresholdDn / changeThresholdDn, or Otsu (1979) per date
 *     over the domain's histogram (histogram.ts).
 *     occupied_d = score_d > t_d, except where both change scores are below
 *     unchangedChangeFraction · t_c: there score_b + score_a > t_b + t_a at
 *     both dates (one decision for ground that did not change);
 *     appeared = occupied_after ∧ changeAfter > t_c;
 *     disappeared = occupied_before ∧ changeBefore > t_c.
 *  8. Morphology on each mask: opening(openRadiusPx) then closing
 *     (closeRadiusPx), disc (morphology.ts), AND domain, then holes up to
 *     maxHoleM2 filled (estimate.ts: labelling of the complement).
 *  9. 8-connected components, per-component area, minAreaM2, per-ROI share,
 *     TEU with a low–high range (estimate.ts).
 * net = after − before, its range from the two ranges.
 * For the view: the change magnitude, a byte per pixel (change-magnitude.ts).
 */
import { blurCpu, varianceMatchWeights } from '../blur.ts';
import { histogramCpu, otsuThreshold } from '../histogram.ts';
import { combineMasksCpu } from '../mask-combine.ts';
import { occupiedWithConsensusCpu, thresholdCpu } from '../threshold.ts';
import { changeLevelsPerDn, changeMagnitudeCpu, type ChangeMagnitude } from './change-magnitude.ts';
import { morphologyCpu } from '../morphology.ts';
import {
  estimateFromMask,
  fillHoles,
  maxHolePxOf,
  type MaskEstimate,
  type TeuEstimate,
} from './estimate.ts';
import {
  applyNormalization,
  estimateNormalization,
  guardNormalization,
  type BandNormalization,
} from './normalization.ts';
import {
  bestMatchChange,
  occupancyDistance,
  surfaceColours,
  textureOf,
  type Rgb,
} from './occupancy.ts';
import { validateAnalysisParams, type AnalysisParams } from './params.ts';
import { rasterizeRois, type PixelPolygon } from './roi-raster.ts';

export interface AnalysisInput {
  readonly widthPx: number;
  readonly heightPx: number;
  /** R, G, B of the before image. */
  readonly before: readonly Float32Array[];
  /** R, G, B of the after image, resampled onto the before grid. */
  readonly after: readonly Float32Array[];
  /** 1 where the after image covers the pixel (and both hold data). */
  readonly valid: Uint8Array;
  /** ROIs in pixel coordinates of the before grid (corner origin). */
  readonly rois: readonly PixelPolygon[];
  /** Ground area of one pixel, m². */
  readonly pixelAreaM2: number;
  /**
   * Blur variance (px², mean of the two axes) that resampling added to the
   * after image beyond the before image's own (resamplingBlurExcessPx2 in
   * src/core/align/resampling-blur.ts; negative: the before image is the
   * softer one). Absent or 0: no sharpness matching.
   */
  readonly afterBlurExcessPx2?: number;
}

/** Below this excess (px²) the dates count as equally sharp. */
const SHARPNESS_MATCH_MIN_PX2 = 0.01;

/**
 * Stage 1b: which date to soften and with which 3 weights (blur radius 1),
 * or null. The sharper date gets a kernel of the measured excess variance, so
 * that both dates carry the same blur before anything is compared.
 */
export function sharpnessMatch(
  input: Pick<AnalysisInput, 'afterBlurExcessPx2'>,
  params: Pick<AnalysisParams, 'sharpnessMatching'>,
): { readonly date: 'before' | 'after'; readonly weights: Float32Array } | null {
  const excess = input.afterBlurExcessPx2 ?? 0;
  if (params.sharpnessMatching === 'off' || !(Math.abs(excess) >= SHARPNESS_MATCH_MIN_PX2)) {
    return null;
  }
  return { date: excess > 0 ? 'before' : 'after', weights: varianceMatchWeights(Math.abs(excess)) };
}

export interface RoiResult {
  readonly name: string;
  readonly before: TeuEstimate;
  readonly after: TeuEstimate;
  readonly appeared: TeuEstimate;
  readonly disappeared: TeuEstimate;
  readonly netTeu: number;
  readonly netLowTeu: number;
  readonly netHighTeu: number;
  readonly surfaceBefore: Rgb;
  readonly surfaceAfter: Rgb;
}

export interface AnalysisMasks {
  readonly before: Uint8Array;
  readonly after: Uint8Array;
  readonly appeared: Uint8Array;
  readonly disappeared: Uint8Array;
  /** Changed at all (either direction, any colour), cleaned like the others; no area filter. */
  readonly change: Uint8Array;
  /** Pixels taken for shadow (surface in shade) at each date. */
  readonly shadowBefore: Uint8Array;
  readonly shadowAfter: Uint8Array;
}

export interface AnalysisResult {
  readonly rois: RoiResult[];
  readonly normalization: BandNormalization[];
  /** About the whole result, for the analyst (e.g. a normalization not applied). */
  readonly warnings: readonly string[];
  /** Thresholds actually used (the manual ones, or Otsu's). */
  readonly thresholdsDn: {
    readonly before: number;
    readonly after: number;
    readonly changeBefore: number;
    readonly changeAfter: number;
  };
  readonly masks: AnalysisMasks;
  /** max(change after, change before) per pixel, quantized (heat map, a blob's mean change). */
  readonly changeMagnitude: ChangeMagnitude;
  readonly roiIndex: Int32Array;
  readonly timingsMs: Record<string, number>;
}

/** Throws a specific message for an input no pipeline can run on (shared with the GPU pipeline). */
export function checkAnalysisInput(input: AnalysisInput): void {
  const n = input.widthPx * input.heightPx;
  if (!Number.isInteger(input.widthPx) || !Number.isInteger(input.heightPx) || n < 1) {
    throw new Error(
      `Analysis needs a positive integer size (got ${input.widthPx} × ${input.heightPx})`,
    );
  }
  if (input.before.length < 3 || input.after.length < 3) {
    throw new Error(
      `Analysis needs R, G and B at both dates (got ${input.before.length} and ${input.after.length} bands)`,
    );
  }
  for (const [name, bands] of [
    ['before', input.before],
    ['after', input.after],
  ] as const) {
    for (const band of bands) {
      if (band.length !== n)
        throw new Error(`A ${name} band holds ${band.length} values, expected ${n}`);
    }
  }
  if (input.valid.length !== n)
    throw new Error(`The validity mask holds ${input.valid.length} values, expected ${n}`);
  if (!(input.pixelAreaM2 > 0))
    throw new Error(`pixelAreaM2 must be positive (got ${input.pixelAreaM2})`);
  if (input.rois.length === 0) throw new Error('Analysis needs at least one ROI');
}

/**
 * Otsu's threshold of `values` over the domain, on [0, largest finite value]:
 * an infinite score (a pixel whose distances are all NaN) goes to the top bin,
 * as the GPU's range reduction, which keeps finite values only, has it.
 */
function otsuOver(values: Float32Array, domain: Uint8Array): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? 0;
    if (domain[i] !== 0 && v > max && v !== Infinity) max = v;
  }
  if (!(max > 0)) return 0;
  const range = { minValue: 0, maxValue: max };
  return otsuThreshold(histogramCpu(values, range, domain), range).thresholdDn;
}

/** `make()` on the first call, its value on later ones. */
function lazily<T>(make: () => T): () => T {
  let made: { readonly value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

function and(a: Uint8Array, b: Uint8Array): Uint8Array {
  return combineMasksCpu(a, b, 'and');
}

/** Inputs up to this many pixels keep their stage outputs in a CpuStageMemo (about 85 bytes a pixel: 680 MB at most). */
export const STAGE_MEMO_MAX_PX = 8_000_000;

/**
 * Stage outputs of the last run on one input, for the next run on the same
 * input: a stage runs again only when a parameter it depends on (or the
 * input) changed. Moving a threshold reruns the occupancy and the masks it
 * touches, not the normalization, smoothing, texture and change before them;
 * moving the minimum area or the TEU arithmetic reruns stage 9 only (the
 * cleaned masks are kept, each keyed by the thresholds it was made with).
 * Inputs over STAGE_MEMO_MAX_PX pixels keep nothing (memory first).
 */
export class CpuStageMemo {
  private input: AnalysisInput | undefined;
  private readonly stages = new Map<string, { readonly key: string; readonly value: unknown }>();
  private computedThisRun: string[] = [];

  /** The stages the current (or last) run computed rather than reused. */
  get computed(): readonly string[] {
    return this.computedThisRun;
  }

  /** Starts a run: `computed` lists only what the run computes from here on. */
  beginRun(): void {
    this.computedThisRun = [];
  }

  /** `compute()`, or its value from the last run when `input` and `deps` are the same. */
  stage<T>(input: AnalysisInput, name: string, deps: readonly unknown[], compute: () => T): T {
    if (input.widthPx * input.heightPx > STAGE_MEMO_MAX_PX) {
      this.clear();
      this.computedThisRun.push(name);
      return compute();
    }
    if (input !== this.input) {
      this.clear();
      this.input = input;
    }
    const key = JSON.stringify(deps);
    const kept = this.stages.get(name);
    if (kept?.key === key) return kept.value as T;
    this.computedThisRun.push(name);
    const value = compute();
    this.stages.set(name, { key, value });
    return value;
  }

  clear(): void {
    this.input = undefined;
    this.stages.clear();
  }
}

/** How many stages a CpuStageMemo keeps (a run without one computes them all). */
export const CPU_STAGE_COUNT = 13;
/** How many steps analyzePairCpuSteps takes: it yields after each but the last. */
export const CPU_STEP_COUNT = 15;

export function analyzePairCpu(
  input: AnalysisInput,
  params: AnalysisParams,
  memo?: CpuStageMemo,
): AnalysisResult {
  const steps = analyzePairCpuSteps(input, params, memo);
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

/**
 * analyzePairCpu one stage group at a time: yields the name of each group
 * done, returns the result. The worker yields to its messages between steps,
 * so a stale run stops at the next one and keeps in `memo` what it finished
 * (analysis.worker.ts); each step is a few hundred ms on a port of 1 Mpx.
 */
export function* analyzePairCpuSteps(
  input: AnalysisInput,
  params: AnalysisParams,
  memo?: CpuStageMemo,
): Generator<string, AnalysisResult> {
  validateAnalysisParams(params);
  checkAnalysisInput(input);
  memo?.beginRun();
  // Without a memo every stage runs.
  const stage = <T>(name: string, deps: readonly unknown[], compute: () => T): T =>
    memo === undefined ? compute() : memo.stage(input, name, deps, compute);
  const { widthPx: w, heightPx: h } = input;
  const timingsMs: Record<string, number> = {};
  let clock = performance.now();
  const lap = (stage: string): void => {
    const now = performance.now();
    timingsMs[stage] = now - clock;
    clock = now;
  };
  // A step's caller may wait between steps (the worker reads its messages): not stage time.
  function* pause(step: string): Generator<string, void> {
    const paused = performance.now();
    yield step;
    clock += performance.now() - paused;
  }

  // Each stage's key: the parameters it and the stages before it read.
  const { roiIndex, domain } = stage('roi raster', [], () => {
    const index = rasterizeRois(input.rois, w, h);
    const inside = new Uint8Array(w * h);
    for (let i = 0; i < inside.length; i++) {
      inside[i] = (index[i] ?? -1) >= 0 && input.valid[i] !== 0 ? 1 : 0;
    }
    return { roiIndex: index, domain: inside };
  });
  lap('roi raster');
  yield* pause('roi raster');

  const matchKey = [params.sharpnessMatching];
  const { before3, after3 } = stage('sharpness match', matchKey, () => {
    const match = sharpnessMatch(input, params);
    const soften = (date: 'before' | 'after', bands: readonly Float32Array[]): Float32Array[] =>
      match?.date === date
        ? bands.map((band) => blurCpu(band, w, h, { blurRadiusPx: 1, weights: match.weights }))
        : [...bands];
    return {
      before3: soften('before', input.before.slice(0, 3)),
      after3: soften('after', input.after.slice(0, 3)),
    };
  });
  lap('sharpness match');
  yield* pause('sharpness match');

  const normalizeKey = [
    ...matchKey,
    params.normalizeLowPct,
    params.normalizeHighPct,
    params.invariantPct,
  ];
  const { normalization, normalizationWarning, afterNormalized } = stage(
    'normalize',
    normalizeKey,
    () => {
      const guarded = guardNormalization(
        estimateNormalization(before3, after3, input.valid, params),
      );
      return {
        normalization: guarded.normalization,
        normalizationWarning: guarded.warning,
        afterNormalized: applyNormalization(after3, guarded.normalization),
      };
    },
  );
  lap('normalize');
  yield* pause('normalize');

  const smoothKey = [...normalizeKey, params.blurRadiusPx];
  const { before, after } = stage('smooth', smoothKey, () => {
    const smooth = (band: Float32Array): Float32Array =>
      params.blurRadiusPx === 0 ? band : blurCpu(band, w, h, { blurRadiusPx: params.blurRadiusPx });
    return { before: before3.map(smooth), after: afterNormalized.map(smooth) };
  });
  lap('smooth');
  yield* pause('smooth');

  const roiCount = input.rois.length;
  const { surfaceBefore, surfaceAfter } = stage('surface', smoothKey, () => ({
    surfaceBefore: surfaceColours(before, roiIndex, input.valid, roiCount),
    surfaceAfter: surfaceColours(after, roiIndex, input.valid, roiCount),
  }));
  yield* pause('surface');
  const textured = params.textureThresholdDn > 0;
  const { textureBefore, textureAfter } = stage(
    'texture',
    [...normalizeKey, textured, params.textureRadiusPx],
    () => ({
      textureBefore: textured ? textureOf(before3, w, h, params.textureRadiusPx) : null,
      textureAfter: textured ? textureOf(afterNormalized, w, h, params.textureRadiusPx) : null,
    }),
  );
  yield* pause('texture');
  const shadowKey = [
    params.shadowHandling,
    params.shadowMinLumRatio,
    params.shadowMaxLumRatio,
    params.shadowChromaTolerance,
  ];
  const occupancyKey = [
    ...smoothKey,
    textured,
    params.textureRadiusPx,
    ...shadowKey,
    params.brightnessWeight,
    params.thresholdDn,
    params.textureThresholdDn,
  ];
  const { occBefore, occAfter } = stage('occupancy', occupancyKey, () => ({
    occBefore: occupancyDistance(
      before,
      roiIndex,
      input.valid,
      surfaceBefore,
      textureBefore,
      params,
    ),
    occAfter: occupancyDistance(after, roiIndex, input.valid, surfaceAfter, textureAfter, params),
  }));
  lap('occupancy');
  yield* pause('occupancy');

  const changeKey = [...smoothKey, params.matchRadiusPx, ...shadowKey];
  const { changeAfter, changeBefore } = stage('change', changeKey, () => ({
    changeAfter: bestMatchChange(after, before, w, h, domain, params),
    changeBefore: bestMatchChange(before, after, w, h, domain, params),
  }));
  lap('change');
  yield* pause('change');

  const otsu = params.thresholdMode === 'otsu';
  const thresholdsDn = {
    before: otsu ? otsuOver(occBefore.distance, domain) : params.thresholdDn,
    after: otsu ? otsuOver(occAfter.distance, domain) : params.thresholdDn,
    changeBefore: otsu ? otsuOver(changeBefore, domain) : params.changeThresholdDn,
    changeAfter: otsu ? otsuOver(changeAfter, domain) : params.changeThresholdDn,
  };
  // Made when a cleaned mask below is not kept from the last run.
  // Pixels unchanged by a margin take one decision for both dates (unchangedChangeFraction).
  const unchangedLimits = {
    changeAfter,
    unchangedAfterDn: params.unchangedChangeFraction * thresholdsDn.changeAfter,
    changeBefore,
    unchangedBeforeDn: params.unchangedChangeFraction * thresholdsDn.changeBefore,
  };
  const rawBefore = (): Uint8Array =>
    occupiedWithConsensusCpu(occBefore.distance, thresholdsDn.before, {
      ...unchangedLimits,
      other: occAfter.distance,
      otherThresholdDn: thresholdsDn.after,
    });
  const rawAfter = (): Uint8Array =>
    occupiedWithConsensusCpu(occAfter.distance, thresholdsDn.after, {
      ...unchangedLimits,
      other: occBefore.distance,
      otherThresholdDn: thresholdsDn.before,
    });
  // As the GPU's threshold-to-bits passes (thresholdCombinedCpu), each change mask made
  // once for the masks that read it. Appeared and disappeared take each date's own
  // threshold: the consensus only decides pixels that did not change.
  const changedAfter = lazily(() => thresholdCpu(changeAfter, thresholdsDn.changeAfter));
  const changedBefore = lazily(() => thresholdCpu(changeBefore, thresholdsDn.changeBefore));
  const rawAppeared = (): Uint8Array =>
    and(thresholdCpu(occAfter.distance, thresholdsDn.after), changedAfter());
  const rawDisappeared = (): Uint8Array =>
    and(thresholdCpu(occBefore.distance, thresholdsDn.before), changedBefore());
  const rawChange = (): Uint8Array => combineMasksCpu(changedAfter(), changedBefore(), 'or');
  // The change magnitude for the view (timed with the thresholds, as on the GPU).
  const levelsPerDn = changeLevelsPerDn(thresholdsDn);
  const changeMagnitude: ChangeMagnitude = {
    levels: changeMagnitudeCpu(changeAfter, changeBefore, levelsPerDn),
    dnPerLevel: 1 / levelsPerDn,
  };
  lap('threshold');
  yield* pause('threshold');

  // `standing`: for appeared (disappeared), the cleaned before (after) mask. A hole in
  // the appeared mask that was occupied before is a block that stood while new boxes
  // came around it, not one that came: holes fill only off it (a ∨ (filled ∧ ¬standing)).
  const clean = (mask: Uint8Array, standing?: Uint8Array): Uint8Array => {
    let m = mask;
    if (params.openRadiusPx > 0)
      m = morphologyCpu(m, w, h, { operation: 'open', radiusPx: params.openRadiusPx });
    if (params.closeRadiusPx > 0)
      m = morphologyCpu(m, w, h, { operation: 'close', radiusPx: params.closeRadiusPx });
    m = and(m, domain);
    if (!(params.maxHoleM2 > 0)) return m;
    const maxHolePx = maxHolePxOf(params.maxHoleM2, input.pixelAreaM2);
    return fillHoles(m, domain, w, h, maxHolePx, standing);
  };
  // Each cleaned mask is keyed by what its raw mask reads, thresholds as used.
  const morphologyKey = [params.openRadiusPx, params.closeRadiusPx, params.maxHoleM2];
  const cleaned = (
    name: string,
    deps: readonly unknown[],
    raw: () => Uint8Array,
    standing?: Uint8Array,
  ): Uint8Array =>
    stage(`clean ${name}`, [...deps, ...morphologyKey], () => clean(raw(), standing));
  // Each date's mask reads both dates' scores and thresholds and, for the unchanged
  // pixels, the change scores and thresholds.
  const occupiedKey = [
    ...occupancyKey,
    ...changeKey,
    thresholdsDn.before,
    thresholdsDn.after,
    thresholdsDn.changeAfter,
    thresholdsDn.changeBefore,
    params.unchangedChangeFraction,
  ];
  const cleanBefore = cleaned('before', occupiedKey, rawBefore);
  yield* pause('clean before');
  const cleanAfter = cleaned('after', occupiedKey, rawAfter);
  yield* pause('clean after');
  const cleanAppeared = cleaned('appeared', occupiedKey, rawAppeared, cleanBefore);
  yield* pause('clean appeared');
  const cleanDisappeared = cleaned('disappeared', occupiedKey, rawDisappeared, cleanAfter);
  yield* pause('clean disappeared');
  const change = cleaned(
    'change',
    [...changeKey, thresholdsDn.changeAfter, thresholdsDn.changeBefore],
    rawChange,
  );
  lap('morphology');
  yield* pause('morphology');
  const masksClean = [cleanBefore, cleanAfter, cleanAppeared, cleanDisappeared];

  const estimates = masksClean.map((mask) =>
    estimateFromMask(mask, w, h, roiIndex, roiCount, input.pixelAreaM2, params),
  );
  lap('components');
  // The result is the caller's to keep or hand over (a worker transfers its
  // buffers): arrays the memo keeps go out as copies.
  const own = <T extends Uint8Array | Int32Array>(kept: T): T =>
    memo === undefined ? kept : (kept.slice() as T);
  return finishAnalysis({
    input,
    roiIndex: own(roiIndex),
    estimates,
    change: own(change),
    changeMagnitude,
    shadowBefore: own(occBefore.shadow),
    shadowAfter: own(occAfter.shadow),
    surfaceBefore,
    surfaceAfter,
    normalization,
    thresholdsDn,
    timingsMs,
    warnings: normalizationWarning === null ? [] : [normalizationWarning],
  });
}

/** Everything the CPU and GPU pipelines hand to the shared last step. */
export interface AnalysisTail {
  readonly input: AnalysisInput;
  readonly roiIndex: Int32Array;
  /**
   * Stage 9 of the cleaned before, after, appeared and disappeared masks, in
   * that order: estimateFromMask on the CPU, the same counts and arithmetic
   * on the GPU (src/gpu/component-estimate.ts).
   */
  readonly estimates: readonly MaskEstimate[];
  readonly change: Uint8Array;
  readonly changeMagnitude: ChangeMagnitude;
  readonly shadowBefore: Uint8Array;
  readonly shadowAfter: Uint8Array;
  readonly surfaceBefore: readonly Rgb[];
  readonly surfaceAfter: readonly Rgb[];
  readonly normalization: BandNormalization[];
  readonly thresholdsDn: AnalysisResult['thresholdsDn'];
  readonly timingsMs: Record<string, number>;
  readonly warnings: readonly string[];
}

/**
 * The most a pier's bare-surface colour may differ between the dates (per
 * band, DN, after normalization) before it is called unsure: the synthetic
 * scenes' filled piers reach 19 DN; a deck half covered in one colour at one
 * date took that colour for its surface (85 DN off) and read 1029 TEU for 532.
 */
export const SURFACE_DISAGREEMENT_DN = 30;

/**
 * A warning for each pier whose surface colours at the two dates differ by
 * more than SURFACE_DISAGREEMENT_DN: the surface is the per-band median of
 * the pier's pixels, which containers covering most of it at one date pull to
 * their colour, so the counts of that date cannot be trusted.
 */
export function surfaceDisagreementWarnings(rois: readonly RoiResult[]): string[] {
  return rois.flatMap((roi) => {
    const apart = Math.max(
      ...[0, 1, 2].map((b) => Math.abs((roi.surfaceBefore[b] ?? 0) - (roi.surfaceAfter[b] ?? 0))),
    );
    if (!(apart > SURFACE_DISAGREEMENT_DN)) return [];
    return [
      `${roi.name}: its bare surface looks ${Math.round(apart)} DN apart at the two dates, as when containers cover most of it at one date and their colour is taken for the surface, so its counts may be far off; a pier outline that takes in more bare quay gives the surface more to go on`,
    ];
  });
}

/** The result from stage 9's estimates: TEU per ROI with ranges, net = after − before. */
export function finishAnalysis(tail: AnalysisTail): AnalysisResult {
  const { input, roiIndex, surfaceBefore, surfaceAfter } = tail;
  const [eb, ea, eap, edis] = tail.estimates;
  if (eb === undefined || ea === undefined || eap === undefined || edis === undefined) {
    throw new Error('internal: four masks expected');
  }
  const rois = input.rois.map((roi, k): RoiResult => {
    const b = eb.perRoi[k];
    const a = ea.perRoi[k];
    const ap = eap.perRoi[k];
    const d = edis.perRoi[k];
    if (b === undefined || a === undefined || ap === undefined || d === undefined) {
      throw new Error(`internal: no estimate for ROI ${roi.name}`);
    }
    return {
      name: roi.name,
      before: b,
      after: a,
      appeared: ap,
      disappeared: d,
      netTeu: a.teu - b.teu,
      netLowTeu: a.lowTeu - b.highTeu,
      netHighTeu: a.highTeu - b.lowTeu,
      surfaceBefore: surfaceBefore[k] ?? [Number.NaN, Number.NaN, Number.NaN],
      surfaceAfter: surfaceAfter[k] ?? [Number.NaN, Number.NaN, Number.NaN],
    };
  });
  return {
    rois,
    normalization: tail.normalization,
    warnings: [...tail.warnings, ...surfaceDisagreementWarnings(rois)],
    thresholdsDn: tail.thresholdsDn,
    masks: {
      before: eb.kept,
      after: ea.kept,
      appeared: eap.kept,
      disappeared: edis.kept,
      change: tail.change,
      shadowBefore: tail.shadowBefore,
      shadowAfter: tail.shadowAfter,
    },
    changeMagnitude: tail.changeMagnitude,
    roiIndex,
    timingsMs: tail.timingsMs,
  };
}
