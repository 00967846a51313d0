/**
 * CPU twin of shaders/component-stats.wgsl: per-component statistics of a
 * dense label image in one pass.
 *
 * Inputs (raster order, width × height):
 *   labels  dense ids, 0 = background, 1..componentCount (ids above count are background)
 *   change  f32 change score per pixel
 *   kinds   kind code per pixel; `code & 3` picks one of four counters —
 *           bit 0 = occupied before, bit 1 = occupied after (KIND_BEFORE, KIND_AFTER)
 *   roiIds  ROI id per pixel: 0 outside, 1..roiCount (larger: outside); the analysis
 *           raster (src/core/analysis/roi-raster.ts) plus one
 *
 * Output: the raw u32 words the shader writes — COMPONENT_STATS_RECORD_WORDS per
 * component (layout in kernel-layout.ts) and componentCount × roiCount
 * per-(component, ROI) pixel counts — so GPU and CPU compare word for word.
 *
 * Exactness: counts, bounding boxes and the sums Σx, Σy are exact integers
 * (64-bit as lo/hi words, exact as numbers up to 2⁵³). The change sum is exact
 * in fixed point: each pixel contributes q = roundHalfEven(fround(change ·
 * changeScale)) clamped to ±2147483520, NaN → 0, summed in 64 bits. So GPU and
 * CPU agree exactly; against the true real sum the error is at most
 * count · (0.5 / changeScale) + Σ|change| · 2⁻²⁴ while |change · changeScale| < 2³¹.
 *
 * Limits: width, height < 2²⁶ (per-run sums in one u32 word), pixelCount < 2³²,
 * roiCount ≤ COMPONENT_STATS_MAX_ROIS (64): per-(component, ROI) counts are dense,
 * componentCount × roiCount words.
 */
import {
  COMPONENT_STATS_FIELD as F,
  COMPONENT_STATS_MAX_ROIS,
  COMPONENT_STATS_MAX_SIDE_PX,
  COMPONENT_STATS_RECORD_WORDS as RECORD_WORDS,
} from './kernel-layout.ts';

/** Kind-code bits: the pixel is occupied in the before / after image. */
export const KIND_BEFORE = 1;
export const KIND_AFTER = 2;
/** Index of each counter in a component's four kind counts (= code & 3). */
export const KIND_NEITHER = 0;
export const KIND_BEFORE_ONLY = 1;
export const KIND_AFTER_ONLY = 2;
export const KIND_BOTH = 3;

/** Default fixed-point scale for the change sum: 1/256 resolution, ±8 388 607 range per pixel. */
export const DEFAULT_CHANGE_SCALE = 256;
/** Largest f32 below 2³¹: the clamp of a fixed-point change value. */
export const CHANGE_FIXED_LIMIT = 2147483520;

export interface ComponentStatsInput extends ComponentStatsShape {
  readonly labels: Uint32Array;
  readonly change: Float32Array;
  readonly kinds: Uint32Array;
  readonly roiIds: Uint16Array | Uint32Array;
}

/** The words both implementations write (see the module comment). */
export interface ComponentStatsRaw {
  readonly componentCount: number;
  readonly roiCount: number;
  readonly changeScale: number;
  /** componentCount × COMPONENT_STATS_RECORD_WORDS. */
  readonly records: Uint32Array;
  /** componentCount × roiCount: pixels of component c inside ROI r + 1 at c·roiCount + r. */
  readonly roiPixelCounts: Uint32Array;
}

/** Image size, id and ROI capacity, and scale of one statistics pass. */
export interface ComponentStatsShape {
  readonly widthPx: number;
  readonly heightPx: number;
  /** Ids 1..componentCount are counted; larger ids are background. */
  readonly componentCount: number;
  readonly roiCount: number;
  /** Fixed-point scale of the change sum (a power of two keeps it exact in f32); default 256. */
  readonly changeScale?: number;
}

/** Checks what both implementations rely on, without the pixels; throws a specific message. */
export function validateComponentStatsShape(shape: ComponentStatsShape): void {
  const { widthPx, heightPx, componentCount, roiCount } = shape;
  const scale = shape.changeScale ?? DEFAULT_CHANGE_SCALE;
  if (!Number.isInteger(widthPx) || !Number.isInteger(heightPx) || widthPx < 1 || heightPx < 1) {
    throw new Error(
      `Component statistics need a positive integer size (got ${widthPx}×${heightPx})`,
    );
  }
  if (widthPx >= COMPONENT_STATS_MAX_SIDE_PX || heightPx >= COMPONENT_STATS_MAX_SIDE_PX) {
    throw new Error(`Component statistics handle sides below 2²⁶ px (got ${widthPx}×${heightPx})`);
  }
  if (widthPx * heightPx > 0xffffffff) {
    throw new Error(`Component statistics handle at most 2³²−1 pixels (got ${widthPx * heightPx})`);
  }
  if (!Number.isInteger(componentCount) || componentCount < 0) {
    throw new Error(`componentCount must be a non-negative integer (got ${componentCount})`);
  }
  if (!Number.isInteger(roiCount) || roiCount < 0 || roiCount > COMPONENT_STATS_MAX_ROIS) {
    throw new Error(
      `Component statistics take 0 to ${COMPONENT_STATS_MAX_ROIS} ROIs per pass (got ${roiCount}); split the ROIs into batches`,
    );
  }
  if (!(scale > 0) || !Number.isFinite(scale) || Math.fround(scale) !== scale) {
    throw new Error(`changeScale must be a positive finite f32 (got ${scale})`);
  }
}

/** Checks the shapes both implementations rely on; throws a specific message. */
export function validateComponentStatsInput(input: ComponentStatsInput): void {
  validateComponentStatsShape(input);
  const { widthPx, heightPx } = input;
  const pixelCount = widthPx * heightPx;
  for (const [name, array] of [
    ['labels', input.labels],
    ['change', input.change],
    ['kinds', input.kinds],
    ['roiIds', input.roiIds],
  ] as const) {
    if (array.length !== pixelCount) {
      throw new Error(
        `${name} of a ${widthPx}×${heightPx} image must hold ${pixelCount} values, got ${array.length}`,
      );
    }
  }
}

/** JS Math.round rounds halves up; WGSL round() rounds them to even. */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** One pixel's fixed-point change, exactly as the shader computes it. */
export function quantizeChange(change: number, changeScale: number): number {
  if (Number.isNaN(change)) return 0;
  const scaled = Math.fround(Math.fround(change) * Math.fround(changeScale));
  return roundHalfEven(Math.min(CHANGE_FIXED_LIMIT, Math.max(-CHANGE_FIXED_LIMIT, scaled)));
}

const TWO_32 = 2 ** 32;

/** Splits a non-negative or signed integer (|v| < 2⁶³, exact as a number) into u32 lo/hi words. */
function splitWords(value: number): [number, number] {
  const hi = Math.floor(value / TWO_32);
  const lo = value - hi * TWO_32;
  return [lo >>> 0, (((hi % TWO_32) + TWO_32) % TWO_32) >>> 0];
}

export function componentStatsCpu(input: ComponentStatsInput): ComponentStatsRaw {
  validateComponentStatsInput(input);
  const {
    widthPx: w,
    heightPx: h,
    labels,
    change,
    kinds,
    roiIds,
    componentCount: n,
    roiCount,
  } = input;
  const changeScale = input.changeScale ?? DEFAULT_CHANGE_SCALE;
  const records = new Uint32Array(n * RECORD_WORDS);
  const roiPixelCounts = new Uint32Array(n * roiCount);
  const sumX = new Float64Array(n);
  const sumY = new Float64Array(n);
  // Change sum as hi·2³² + lo with lo kept in [0, 2³²): exact for any pixel count.
  const changeLo = new Float64Array(n);
  const changeHi = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    records[c * RECORD_WORDS + F.minX] = 0xffffffff;
    records[c * RECORD_WORDS + F.minY] = 0xffffffff;
  }
  const idAt = (i: number): number => {
    const id = labels[i] ?? 0;
    return id > n ? 0 : id;
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const id = idAt(i);
      if (id === 0) continue;
      const c = id - 1;
      const base = c * RECORD_WORDS;
      records[base + F.pixelCount] = (records[base + F.pixelCount] ?? 0) + 1;
      records[base + F.minX] = Math.min(records[base + F.minX] ?? 0, x);
      records[base + F.minY] = Math.min(records[base + F.minY] ?? 0, y);
      records[base + F.maxX] = Math.max(records[base + F.maxX] ?? 0, x);
      records[base + F.maxY] = Math.max(records[base + F.maxY] ?? 0, y);
      sumX[c] = (sumX[c] ?? 0) + x;
      sumY[c] = (sumY[c] ?? 0) + y;
      let lo = (changeLo[c] ?? 0) + quantizeChange(change[i] ?? 0, changeScale);
      const carry = Math.floor(lo / TWO_32);
      lo -= carry * TWO_32;
      changeLo[c] = lo;
      changeHi[c] = (changeHi[c] ?? 0) + carry;
      const kindWord = base + F.kind0 + ((kinds[i] ?? 0) & 3);
      records[kindWord] = (records[kindWord] ?? 0) + 1;
      const raw = labels[i] ?? 0;
      const boundary =
        x === 0 ||
        y === 0 ||
        x === w - 1 ||
        y === h - 1 ||
        labels[i - 1] !== raw ||
        labels[i + 1] !== raw ||
        labels[i - w] !== raw ||
        labels[i + w] !== raw;
      if (boundary) records[base + F.boundaryPx] = (records[base + F.boundaryPx] ?? 0) + 1;
      const roi = roiIds[i] ?? 0;
      if (roi !== 0 && roi <= roiCount) {
        const at = c * roiCount + roi - 1;
        roiPixelCounts[at] = (roiPixelCounts[at] ?? 0) + 1;
      }
    }
  }
  for (let c = 0; c < n; c++) {
    const base = c * RECORD_WORDS;
    [records[base + F.sumXLo], records[base + F.sumXHi]] = splitWords(sumX[c] ?? 0);
    [records[base + F.sumYLo], records[base + F.sumYHi]] = splitWords(sumY[c] ?? 0);
    records[base + F.changeLo] = changeLo[c] ?? 0;
    records[base + F.changeHi] = (((changeHi[c] ?? 0) % TWO_32) + TWO_32) % TWO_32;
  }
  return { componentCount: n, roiCount, changeScale, records, roiPixelCounts };
}

/** Per-component statistics as numbers (struct of arrays, index c for id c + 1). */
export interface ComponentTable {
  readonly componentCount: number;
  readonly roiCount: number;
  readonly pixelCount: Uint32Array;
  /** Inclusive pixel bounds; minX = minY = 2³²−1 and max = 0 for an id with no pixel. */
  readonly minX: Uint32Array;
  readonly minY: Uint32Array;
  readonly maxX: Uint32Array;
  readonly maxY: Uint32Array;
  /** Centroid in corner-origin pixel coordinates (pixel centres at i + 0.5); NaN when empty. */
  readonly centroidXPx: Float64Array;
  readonly centroidYPx: Float64Array;
  /** Σ change in change units (fixed-point sum / changeScale). */
  readonly changeSum: Float64Array;
  readonly meanChange: Float64Array;
  /** componentCount × 4: neither, before only, after only, both (index = kind code & 3). */
  readonly kindCounts: Uint32Array;
  /** Pixels with a 4-neighbour of another id, or on the image edge. */
  readonly boundaryPx: Uint32Array;
  /** componentCount × roiCount, as in ComponentStatsRaw. */
  readonly roiPixelCounts: Uint32Array;
}

/** Unsigned 64-bit words as a number (exact below 2⁵³). */
function u64(lo: number, hi: number): number {
  return hi * TWO_32 + lo;
}

/** Turns the raw words into numbers. */
export function decodeComponentStats(raw: ComponentStatsRaw): ComponentTable {
  const { componentCount: n, roiCount, records, changeScale } = raw;
  const field = (f: number): Uint32Array => {
    const out = new Uint32Array(n);
    for (let c = 0; c < n; c++) out[c] = records[c * RECORD_WORDS + f] ?? 0;
    return out;
  };
  const pixelCount = field(F.pixelCount);
  const centroidXPx = new Float64Array(n);
  const centroidYPx = new Float64Array(n);
  const changeSum = new Float64Array(n);
  const meanChange = new Float64Array(n);
  const kindCounts = new Uint32Array(n * 4);
  for (let c = 0; c < n; c++) {
    const base = c * RECORD_WORDS;
    const word = (f: number): number => records[base + f] ?? 0;
    const count = pixelCount[c] ?? 0;
    centroidXPx[c] = u64(word(F.sumXLo), word(F.sumXHi)) / count + 0.5;
    centroidYPx[c] = u64(word(F.sumYLo), word(F.sumYHi)) / count + 0.5;
    // High word read as i32: two's complement 64-bit.
    changeSum[c] = ((word(F.changeHi) | 0) * TWO_32 + word(F.changeLo)) / changeScale;
    meanChange[c] = (changeSum[c] ?? 0) / count;
    for (let k = 0; k < 4; k++) kindCounts[c * 4 + k] = word(F.kind0 + k);
  }
  return {
    componentCount: n,
    roiCount,
    pixelCount,
    minX: field(F.minX),
    minY: field(F.minY),
    maxX: field(F.maxX),
    maxY: field(F.maxY),
    centroidXPx,
    centroidYPx,
    changeSum,
    meanChange,
    kindCounts,
    boundaryPx: field(F.boundaryPx),
    roiPixelCounts: raw.roiPixelCounts,
  };
}
