/**
 * CPU twin of shaders/morphology.wgsl: binary erosion, dilation, opening and
 * closing (Serra 1982, "Image Analysis and Mathematical Morphology").
 *
 * Semantics (the shader follows them exactly; GPU and CPU masks are equal):
 * - Input pixel is foreground when ≠ 0; output is 0/1 (radius 0 returns the
 *   input with nonzero normalized to 1, i.e. identity on 0/1 masks).
 * - Structuring element of radius r (`openRadiusPx` / `closeRadiusPx`, at most
 *   MORPHOLOGY_MAX_RADIUS_PX), centred on the pixel:
 *     'square': |dx| ≤ r and |dy| ≤ r;   'disc': dx² + dy² ≤ r².
 * - Borders: the element is clipped to the image. Erosion keeps a pixel when
 *   every in-image pixel under the element is foreground (outside counts as
 *   foreground); dilation sets it when any in-image pixel under the element is
 *   foreground (outside counts as background). So erosion and dilation are
 *   exact duals, opening (erode then dilate) only removes and closing (dilate
 *   then erode) only adds, and a container block cut off by the image edge
 *   survives opening when its visible part holds the clipped element, instead
 *   of being eaten from the edge side.
 *
 * The GPU packs the mask to bits and ORs shifted words of the element's rows
 * (shaders/morphology.wgsl); the result is the same mask. Here, both passes
 * work on rows of the element: halfWidth[|dy|] is the largest |dx|
 * in row dy (r for a square, ⌊√(r² − dy²)⌋ for a disc). Pass 1 finds, per
 * pixel, the distance along its row to the nearest "target" pixel (background
 * for erosion, foreground for dilation), capped at r + 1; pass 2 asks whether
 * some row dy in the image has that distance ≤ halfWidth[|dy|]. Cost O(r) per
 * pixel for both shapes.
 */
import { MORPHOLOGY_MAX_RADIUS_PX } from './kernel-layout.ts';

export type StructuringElement = 'square' | 'disc';
export type MorphologyOperation = 'erode' | 'dilate' | 'open' | 'close';

export interface MorphologyOptions {
  readonly operation: MorphologyOperation;
  readonly radiusPx: number;
  /** 'disc' (default) or 'square'. */
  readonly element?: StructuringElement;
}

/** The two primitive steps and their shader codes (MorphologyParams.operation). */
export const MORPHOLOGY_STEP_CODE = { erode: 0, dilate: 1 } as const;
export type MorphologyStep = keyof typeof MORPHOLOGY_STEP_CODE;

/** Primitive steps of an operation, in order. */
export function morphologySteps(operation: MorphologyOperation): readonly MorphologyStep[] {
  switch (operation) {
    case 'erode':
      return ['erode'];
    case 'dilate':
      return ['dilate'];
    case 'open':
      return ['erode', 'dilate'];
    case 'close':
      return ['dilate', 'erode'];
  }
}

export function validateMorphology(widthPx: number, heightPx: number, radiusPx: number): void {
  if (!Number.isInteger(widthPx) || !Number.isInteger(heightPx) || widthPx < 1 || heightPx < 1) {
    throw new Error(`Morphology needs a positive integer size (got ${widthPx} × ${heightPx})`);
  }
  if (!Number.isInteger(radiusPx) || radiusPx < 0 || radiusPx > MORPHOLOGY_MAX_RADIUS_PX) {
    throw new Error(
      `Morphology radius must be an integer from 0 to ${MORPHOLOGY_MAX_RADIUS_PX} px (got ${radiusPx})`,
    );
  }
}

/** halfWidth[|dy|] for |dy| = 0 … r: the element's half-extent along x in row dy. */
export function elementHalfWidths(radiusPx: number, element: StructuringElement): Uint32Array {
  validateMorphology(1, 1, radiusPx);
  const r = radiusPx;
  const out = new Uint32Array(r + 1);
  for (let dy = 0; dy <= r; dy++) {
    if (element === 'square') {
      out[dy] = r;
    } else {
      // Largest integer h with h² ≤ r² − dy², exactly (no float sqrt at the edge).
      const limit = r * r - dy * dy;
      let h = Math.floor(Math.sqrt(limit));
      while (h * h > limit) h--;
      while ((h + 1) * (h + 1) <= limit) h++;
      out[dy] = h;
    }
  }
  return out;
}

function stepCpu(
  mask: Uint8Array,
  widthPx: number,
  heightPx: number,
  radiusPx: number,
  halfWidths: Uint32Array,
  step: MorphologyStep,
): Uint8Array {
  const r = radiusPx;
  const lookForForeground = step === 'dilate';
  // Pass 1: distance along the row to the nearest target pixel, capped at r + 1.
  const distance = new Uint32Array(mask.length);
  for (let y = 0; y < heightPx; y++) {
    const row = y * widthPx;
    for (let x = 0; x < widthPx; x++) {
      let d = r + 1;
      for (let k = 0; k <= r; k++) {
        const left = x >= k && (mask[row + x - k] !== 0) === lookForForeground;
        const right = x + k < widthPx && (mask[row + x + k] !== 0) === lookForForeground;
        if (left || right) {
          d = k;
          break;
        }
      }
      distance[row + x] = d;
    }
  }
  // Pass 2: is a target pixel under the element in some in-image row?
  const out = new Uint8Array(mask.length);
  for (let y = 0; y < heightPx; y++) {
    for (let x = 0; x < widthPx; x++) {
      let hit = false;
      for (let dy = 0; dy <= r && !hit; dy++) {
        const hw = halfWidths[dy] ?? 0;
        if (y >= dy && (distance[(y - dy) * widthPx + x] ?? 0) <= hw) hit = true;
        if (y + dy < heightPx && (distance[(y + dy) * widthPx + x] ?? 0) <= hw) hit = true;
      }
      out[y * widthPx + x] = hit === lookForForeground ? 1 : 0;
    }
  }
  return out;
}

/**
 * Twin of morphology.wgsl's pack: a mask (nonzero = foreground) as bits, rows
 * padded to whole 32-bit words; bit b of word (y, q) is pixel (32q + b, y),
 * bits past the width 0.
 */
export function packMaskBitsCpu(mask: Uint8Array, widthPx: number, heightPx: number): Uint32Array {
  const wordsPerRow = Math.ceil(widthPx / 32);
  const words = new Uint32Array(wordsPerRow * heightPx);
  for (let y = 0; y < heightPx; y++) {
    for (let x = 0; x < widthPx; x++) {
      if (mask[y * widthPx + x] !== 0) {
        const q = y * wordsPerRow + (x >> 5);
        words[q] = ((words[q] ?? 0) | (1 << (x & 31))) >>> 0;
      }
    }
  }
  return words;
}

/** Twin of morphology.wgsl's unpack (without a clip): bits back to a 0/1 mask. */
export function unpackMaskBitsCpu(
  words: Uint32Array,
  widthPx: number,
  heightPx: number,
): Uint8Array {
  const wordsPerRow = Math.ceil(widthPx / 32);
  const mask = new Uint8Array(widthPx * heightPx);
  for (let y = 0; y < heightPx; y++) {
    for (let x = 0; x < widthPx; x++) {
      mask[y * widthPx + x] = ((words[y * wordsPerRow + (x >> 5)] ?? 0) >>> (x & 31)) & 1;
    }
  }
  return mask;
}

export function validateMorphologyInput(
  mask: Uint8Array,
  widthPx: number,
  heightPx: number,
  radiusPx: number,
): void {
  validateMorphology(widthPx, heightPx, radiusPx);
  if (mask.length !== widthPx * heightPx) {
    throw new Error(`Morphology input holds ${mask.length} values, expected ${widthPx * heightPx}`);
  }
}

/** Applies `options.operation` to a row-major mask; returns a new 0/1 mask. */
export function morphologyCpu(
  mask: Uint8Array,
  widthPx: number,
  heightPx: number,
  options: MorphologyOptions,
): Uint8Array {
  validateMorphologyInput(mask, widthPx, heightPx, options.radiusPx);
  const halfWidths = elementHalfWidths(options.radiusPx, options.element ?? 'disc');
  let current = mask;
  for (const step of morphologySteps(options.operation)) {
    current = stepCpu(current, widthPx, heightPx, options.radiusPx, halfWidths, step);
  }
  return current;
}
