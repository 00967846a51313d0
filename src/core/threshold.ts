/**
 * CPU twin of shaders/threshold.wgsl: f32 image → binary mask.
 *
 * Semantics: mask[i] = 1 exactly when value[i] > thresholdDn, both compared as
 * f32 (thresholdDn is rounded with Math.fround, as the uniform is), the value is
 * not NaN, and — when a validity mask is given — validMask[i] ≠ 0. Otherwise 0.
 * So a value equal to the threshold is background, and NaN is background.
 * GPU and CPU agree exactly.
 */

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

/** A second thresholded image and how it joins the first. */
export interface ThresholdSecond {
  readonly values: Float32Array;
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
  const other = thresholdCpu(second.values, second.thresholdDn);
  for (let i = 0; i < first.length; i++) {
    const a = first[i] !== 0;
    const b = other[i] !== 0;
    first[i] = (second.combine === 'and' ? a && b : a || b) ? 1 : 0;
  }
  return first;
}
