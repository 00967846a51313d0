/**
 * Per-pixel change magnitude for the heat map and a blob's mean change: the
 * larger of the two best-match change scores (stage 6 of cpu-pipeline.ts),
 * quantized to one byte so the GPU read-back stays a byte per pixel.
 *
 * Semantics (shaders/change-magnitude.wgsl computes exactly this, in f32):
 *   levelsPerDn = f32(CHANGE_LEVEL_AT_THRESHOLD / max(changeThresholdBefore, changeThresholdAfter)),
 *                 or f32(1) when both thresholds are 0 (nothing to scale by);
 *   level = min(255, floor(f32(max(changeAfter, changeBefore) · levelsPerDn))).
 * So level CHANGE_LEVEL_AT_THRESHOLD is the (larger) change threshold and 255
 * about four times it; the product of two f32 is correctly rounded on the GPU
 * too, so equal change scores give equal levels (no division on the GPU).
 */

/** The level that stands for the change threshold itself. */
export const CHANGE_LEVEL_AT_THRESHOLD = 64;
export const CHANGE_LEVEL_MAX = 255;

export interface ChangeMagnitude {
  /** One level per pixel of the analysis window, 0..255. */
  readonly levels: Uint8Array;
  /** DN of change per level: a level × this is the change in DN (at the level's lower edge). */
  readonly dnPerLevel: number;
}

/** Levels per DN of change (an f32 value, as the shader receives it). */
export function changeLevelsPerDn(thresholdsDn: {
  readonly changeBefore: number;
  readonly changeAfter: number;
}): number {
  const thresholdDn = Math.max(thresholdsDn.changeBefore, thresholdsDn.changeAfter);
  return Math.fround(thresholdDn > 0 ? CHANGE_LEVEL_AT_THRESHOLD / thresholdDn : 1);
}

/** CPU twin of shaders/change-magnitude.wgsl. */
export function changeMagnitudeCpu(
  changeAfter: Float32Array,
  changeBefore: Float32Array,
  levelsPerDn: number,
): Uint8Array {
  if (changeAfter.length !== changeBefore.length) {
    throw new Error(
      `Change scores differ in size (${changeAfter.length} and ${changeBefore.length} pixels)`,
    );
  }
  const scale = Math.fround(levelsPerDn);
  const levels = new Uint8Array(changeAfter.length);
  for (let i = 0; i < levels.length; i++) {
    const value = Math.max(changeAfter[i] ?? 0, changeBefore[i] ?? 0);
    // f32 × f32 is exact in a double; fround is the GPU's correctly rounded product.
    const scaled = Math.fround(value * scale);
    levels[i] = Math.min(CHANGE_LEVEL_MAX, Math.floor(scaled));
  }
  return levels;
}

/** Mean change in DN over the pixels listed (level × dnPerLevel, each level at its lower edge). */
export function meanChangeDn(magnitude: ChangeMagnitude, pixels: ArrayLike<number>): number {
  if (pixels.length === 0) return 0;
  let sum = 0;
  for (let k = 0; k < pixels.length; k++) sum += magnitude.levels[pixels[k] ?? 0] ?? 0;
  return (sum / pixels.length) * magnitude.dnPerLevel;
}
