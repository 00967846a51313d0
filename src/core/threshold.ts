/**
 * CPU twin of shaders/threshold.wgsl: f32 image → binary mask.
 *
 * Semantics: mask[i] = 1 exactly when value[i] > thresholdDn, both compared as
 * f32 (thresholdDn is rounded with Math.fround, as the uniform is), the value is
 * not NaN, and — when a validity mask is given — validMask[i] ≠ 0. Otherwise 0.
 * So a value equal to the threshold is background, and NaN is background.
 * GPU and CPU agree exactly.
 */
import { combineMasksCpu } from './mask-combine.ts';

export function validateThresholdInput(
  values: Float32Array,
  thresholdDn: number,
  validMask?: Uint8Array,
): void {
  if (values.length < 1) throw new Error('Threshold needs at least one pixel');
  if (Number.isNaN(thresholdDn)) throw new Error('thresholdDn must be a number (got NaN)');
  if (validMask !== undefined && validMask.length !== values.length) {
    throw new Error(
      `Threshold validity mask holds ${validMask.length} values, expected ${values.length}`,
    );
  }
}

export function thresholdCpu(
  values: Float32Array,
  thresholdDn: number,
  validMask?: Uint8Array,
): Uint8Array {
  validateThresholdInput(values, thresholdDn, validMask);
  const t = Math.fround(thresholdDn);
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    // NaN > t is false, so NaN is background without a special case.
    const valid = validMask === undefined || validMask[i] !== 0;
    out[i] = valid && (values[i] ?? Number.NaN) > t ? 1 : 0;
  }
  return out;
}

/** ThresholdBitsParams.combine in shaders/morphology.wgsl (a unit test keeps them equal). */
export const THRESHOLD_BITS_COMBINE_CODE = { none: 0, and: 1, or: 2 } as const;

/** A second thresholded image and how it joins the first (Values: as UnchangedConsensus). */
export interface ThresholdSecond<Values = Float32Array> {
  readonly values: Values;
  readonly thresholdDn: number;
  readonly combine: 'and' | 'or';
}

/**
 * Twin of morphology.wgsl's threshold entry point before it packs the mask to
 * bits (packMaskBitsCpu): thresholdCpu of `values`, ANDed or ORed with
 * thresholdCpu of a second image, as the analysis makes its raw appeared,
 * disappeared and change masks.
 */
export function thresholdCombinedCpu(
  values: Float32Array,
  thresholdDn: number,
  second?: ThresholdSecond,
): Uint8Array {
  const first = thresholdCpu(values, thresholdDn);
  if (second === undefined) return first;
  if (second.values.length !== values.length) {
    throw new Error(
      `The second thresholded image holds ${second.values.length} values, expected ${values.length}`,
    );
  }
  return combineMasksCpu(first, thresholdCpu(second.values, second.thresholdDn), second.combine);
}

/**
 * A date's occupancy scores with the other date's, for the unchanged-pixel
 * consensus (Values: Float32Array here, GPUBuffer for the GPU pass).
 */
export interface UnchangedConsensus<Values = Float32Array> {
  /** The other date's scores and threshold. */
  readonly other: Values;
  readonly otherThresholdDn: number;
  /** Change scores, after → before and before → after, and the limits below which a pixel is unchanged. */
  readonly changeAfter: Values;
  readonly unchangedAfterDn: number;
  readonly changeBefore: Values;
  readonly unchangedBeforeDn: number;
}

/**
 * Twin of morphology.wgsl's threshold with its consensus on: a date's
 * occupied mask where a pixel whose change scores both lie below their
 * limits (strictly, so limits of 0 leave every pixel to its own date) is set
 * when its two dates' scores sum above the two thresholds' sum, and any
 * other pixel when its own score is above its own threshold. Sums and
 * comparisons in f32, NaN never above, as on the GPU.
 */
export function occupiedWithConsensusCpu(
  values: Float32Array,
  thresholdDn: number,
  consensus: UnchangedConsensus,
): Uint8Array {
  const n = values.length;
  for (const [name, array] of [
    ['other', consensus.other],
    ['changeAfter', consensus.changeAfter],
    ['changeBefore', consensus.changeBefore],
  ] as const) {
    if (array.length !== n) throw new Error(`${name} holds ${array.length} values, expected ${n}`);
  }
  const own = thresholdCpu(values, thresholdDn);
  const sumThreshold = Math.fround(
    Math.fround(thresholdDn) + Math.fround(consensus.otherThresholdDn),
  );
  const limitAfter = Math.fround(consensus.unchangedAfterDn);
  const limitBefore = Math.fround(consensus.unchangedBeforeDn);
  for (let i = 0; i < n; i++) {
    // NaN < limit is false: a pixel without a change score decides alone.
    const unchanged =
      (consensus.changeAfter[i] ?? Number.NaN) < limitAfter &&
      (consensus.changeBefore[i] ?? Number.NaN) < limitBefore;
    if (!unchanged) continue;
    const sum = Math.fround((values[i] ?? Number.NaN) + (consensus.other[i] ?? Number.NaN));
    own[i] = sum > sumThreshold ? 1 : 0;
  }
  return own;
}
