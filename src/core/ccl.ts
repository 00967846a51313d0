/**
 * CPU twin of shaders/ccl-label.wgsl and shaders/ccl-dense.wgsl: connected-
 * component labelling of a binary mask, 8-connected (4-connected on request:
 * the background of 8-connected blobs, whose enclosed components are the
 * blobs' holes — the (8, 4) pairing of digital topology, Rosenfeld 1970,
 * "Connectivity in digital pictures", J. ACM 17(1)).
 *
 * Label convention (identical bits on GPU and CPU):
 *   labels[i] = −1 for background (0xFFFFFFFF read as i32 on the GPU side),
 *   labels[i] = the smallest linear index (y·width + x) of i's component.
 *   ids (and denseIds(labels)): 0 for background, 1..count numbered in raster
 *   order of each component's smallest pixel (being the label, increasing label order).
 *
 * Algorithm: block-based two-pass labelling (Grana, Borghesani & Cucchiara
 * 2010, "Optimized block-based connected components labeling with decision
 * trees", BBDT). Under 8-connectivity all foreground pixels of a 2×2 block are
 * connected, so the first pass labels blocks, not pixels: each block's 10
 * relevant bits (its 4 pixels and the 6 neighbour pixels that can touch it)
 * index a precomputed action table — which of the neighbour blocks NW, N, NE,
 * W it joins, with joins already implied by earlier merges dropped — so a block
 * costs one table load and one switch instead of a chain of unpredictable
 * branches per pixel. Equivalences live in a compact union-find over the
 * provisional block labels (Wu, Otoo & Suzuki 2009, "Optimizing two-pass
 * connected-component labeling algorithms": array union-find, every entry
 * points at a smaller label, so one increasing sweep flattens it).
 *
 * Canonical labels: each provisional label keeps the smallest first pixel of
 * the blocks given it directly; the flatten sweep takes the minimum over each
 * set. Dense ids: the second pass writes pixels in raster order, and the first
 * pixel it meets of a component is its smallest, so numbering roots on first
 * sight gives raster order of the canonical pixel with no sort.
 *
 * labelComponentsWithStatsCpu also sums per-block statistics (area, bounding
 * box, Σx, Σy — what OpenCV's connectedComponentsWithStats gives) into the
 * provisional labels during the first pass and folds them into the roots in
 * the flatten sweep: one update per block instead of one per pixel.
 * labelIdsWithStatsCpu gives the same ids and statistics without the
 * canonical labels (OpenCV's output: one label image plus statistics), keeping
 * the provisional labels in the ids array itself and skipping the
 * smallest-pixel bookkeeping. Typed arrays only, no per-pixel allocation
 * beyond the output images.
 */

export const BACKGROUND_LABEL = -1;

/** 8: pixels touching by a side or a corner are connected; 4: by a side only. */
export type Connectivity = 4 | 8;

export interface LabelResult {
  /** Per pixel: −1 background, else the component's smallest linear pixel index. */
  readonly labels: Int32Array;
  /** Per pixel: 0 background, else 1..count in raster order of the label (= denseIds(labels)). */
  readonly ids: Int32Array;
  /** Number of components. */
  readonly count: number;
}

/**
 * Per-component statistics, index id − 1. Same values as the matching fields
 * of componentStatsCpu (src/core/component-stats.ts) on the dense ids:
 * pixel count, inclusive bounds, and the exact integer sums of x and y.
 */
export interface LabelStatsResult extends LabelResult {
  readonly pixelCount: Uint32Array;
  readonly minX: Uint32Array;
  readonly minY: Uint32Array;
  readonly maxX: Uint32Array;
  readonly maxY: Uint32Array;
  /** Σx and Σy over the component's pixels (exact: below 2⁵³). */
  readonly sumX: Float64Array;
  readonly sumY: Float64Array;
}

/** Checks the shapes both implementations rely on; throws a specific message. */
export function validateMask(mask: Uint8Array, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`Labelling needs a positive integer size (got ${width}×${height})`);
  }
  // Labels are i32 on the CPU and u32 with 0xFFFFFFFF as background on the GPU.
  if (width * height > 0x7fffffff) {
    throw new Error(`Labelling handles at most 2³¹−1 pixels (got ${width}×${height})`);
  }
  if (mask.length !== width * height) {
    throw new Error(
      `Mask of ${width}×${height} must hold ${width * height} values, got ${mask.length}`,
    );
  }
}

// Bits of a block's code. The block X holds pixels a b / c d; its neighbour
// blocks are P (NW), Q (N), R (NE), S (W). Only these neighbour pixels can
// touch X: P.d, Q.c, Q.d, R.c (row above) and S.b, S.d (column to the left).
const BIT_A = 1;
const BIT_B = 2;
const BIT_C = 4;
const BIT_D = 8;
const BIT_PD = 16;
const BIT_QC = 32;
const BIT_QD = 64;
const BIT_RC = 128;
const BIT_SB = 256;
const BIT_SD = 512;

// Actions: 0 empty block; otherwise 1 | the neighbours to join (none: a new label).
const JOIN_Q = 2;
const JOIN_S = 4;
const JOIN_P = 8;
const JOIN_R = 16;

/** Action per 10-bit block code (see the bit constants). */
const BLOCK_ACTION: Uint8Array = (() => {
  const table = new Uint8Array(1024);
  for (let code = 0; code < 1024; code++) {
    const has = (bit: number): boolean => (code & bit) !== 0;
    if ((code & (BIT_A | BIT_B | BIT_C | BIT_D)) === 0) continue;
    const a = has(BIT_A);
    const b = has(BIT_B);
    const c = has(BIT_C);
    const joinQ = (a || b) && (has(BIT_QC) || has(BIT_QD));
    let joinS = (a || c) && (has(BIT_SB) || has(BIT_SD));
    let joinP = a && has(BIT_PD);
    let joinR = b && has(BIT_RC);
    // Joins already made when an earlier block was labelled (BBDT's pruning):
    // Q.c touches P.d and S.b, R.c touches Q.d, so those pairs share a set.
    if (joinQ && joinP && has(BIT_QC)) joinP = false;
    if (joinQ && joinR && has(BIT_QD)) joinR = false;
    if (joinQ && joinS && has(BIT_QC) && has(BIT_SB)) joinS = false;
    // S.b touches P.d: S joined P when S was labelled.
    if (joinS && joinP && has(BIT_SB)) joinP = false;
    table[code] =
      1 | (joinQ ? JOIN_Q : 0) | (joinS ? JOIN_S : 0) | (joinP ? JOIN_P : 0) | (joinR ? JOIN_R : 0);
  }
  return table;
})();

/** Per low nibble (a b c d): pixel count and offsets of the block's statistics. */
const NIBBLE_COUNT = new Uint8Array(16);
/** 0 when the left column (a or c) is set, else 1: minX = x + this. */
const NIBBLE_MIN_DX = new Uint8Array(16);
/** 1 when the right column (b or d) is set: maxX = x + this; Σx = count·x + (b + d). */
const NIBBLE_MAX_DX = new Uint8Array(16);
const NIBBLE_MIN_DY = new Uint8Array(16);
const NIBBLE_MAX_DY = new Uint8Array(16);
const NIBBLE_SUM_DX = new Uint8Array(16);
const NIBBLE_SUM_DY = new Uint8Array(16);
/** Offset of the block's first foreground pixel in raster order: 0, 1, or width (+1). */
const NIBBLE_FIRST_DX = new Uint8Array(16);
const NIBBLE_FIRST_DY = new Uint8Array(16);
for (let n = 1; n < 16; n++) {
  const a = n & 1;
  const b = (n >> 1) & 1;
  const c = (n >> 2) & 1;
  const d = (n >> 3) & 1;
  NIBBLE_COUNT[n] = a + b + c + d;
  NIBBLE_MIN_DX[n] = a | c ? 0 : 1;
  NIBBLE_MAX_DX[n] = b | d;
  NIBBLE_MIN_DY[n] = a | b ? 0 : 1;
  NIBBLE_MAX_DY[n] = c | d;
  NIBBLE_SUM_DX[n] = b + d;
  NIBBLE_SUM_DY[n] = c + d;
  NIBBLE_FIRST_DY[n] = a | b ? 0 : 1;
  NIBBLE_FIRST_DX[n] = a | b ? (a ? 0 : 1) : c ? 0 : 1;
}

/** 1 for a nonzero byte, else 0, without a branch (bytes are 0..255). */
function bit(value: number): number {
  return (value + 255) >> 8;
}

/** Root of label x, halving the path; every entry points at a smaller (or its own) label. */
function findRoot(parent: Int32Array, x: number): number {
  let node = x;
  let up = parent[node] ?? node;
  while (up !== node) {
    const grand = parent[up] ?? up;
    parent[node] = grand;
    node = up;
    up = grand;
  }
  return node;
}

/** Joins the sets of labels a and b under the smaller root; returns that root. */
function union(parent: Int32Array, a: number, b: number): number {
  if (a === b) return a; // two neighbours that already carry the same label: common
  const rootA = findRoot(parent, a);
  const rootB = findRoot(parent, b);
  if (rootA < rootB) {
    parent[rootB] = rootA;
    return rootA;
  }
  parent[rootA] = rootB;
  return rootB;
}

/** The 10-bit code of the block at pixel (x, y0), with bounds checks (image borders). */
function blockCodeChecked(
  mask: Uint8Array,
  width: number,
  height: number,
  x: number,
  y0: number,
): number {
  const at = (px: number, py: number): number =>
    px >= 0 && px < width && py >= 0 && py < height ? bit(mask[py * width + px] ?? 0) : 0;
  return (
    at(x, y0) |
    (at(x + 1, y0) << 1) |
    (at(x, y0 + 1) << 2) |
    (at(x + 1, y0 + 1) << 3) |
    (at(x - 1, y0 - 1) << 4) |
    (at(x, y0 - 1) << 5) |
    (at(x + 1, y0 - 1) << 6) |
    (at(x + 2, y0 - 1) << 7) |
    (at(x - 1, y0) << 8) |
    (at(x - 1, y0 + 1) << 9)
  );
}

/** Per-provisional-label state of the first pass. */
interface ScanState {
  /**
   * The output array (labels; ids in labelIdsWithStatsCpu), holding each
   * block's provisional label at its lower-left pixel (upper-left in a last,
   * one-row block row) until the second pass overwrites it: no separate block
   * array to allocate and fault in.
   */
  readonly blockLabels: Int32Array;
  /** Union-find over provisional labels; label 0 stands for background. */
  readonly parent: Int32Array;
  /**
   * Smallest first pixel of the blocks given the label directly; −1 for label 0.
   * Only [−1] when the caller wants dense ids alone (raster order needs no minimum).
   */
  readonly minIndex: Int32Array;
  readonly withMinIndex: boolean;
  readonly labelCount: number;
  readonly stats: BlockStats | undefined;
}

interface BlockStats {
  readonly pixelCount: Uint32Array;
  readonly minX: Uint32Array;
  readonly minY: Uint32Array;
  readonly maxX: Uint32Array;
  readonly maxY: Uint32Array;
  readonly sumX: Float64Array;
  readonly sumY: Float64Array;
}

/** Copies of a per-label array in a longer one (the rest zero). */
function grownInt32(from: Int32Array, length: number): Int32Array {
  const to = new Int32Array(length);
  to.set(from);
  return to;
}
function grownUint32(from: Uint32Array, length: number): Uint32Array {
  const to = new Uint32Array(length);
  to.set(from);
  return to;
}
function grownFloat64(from: Float64Array, length: number): Float64Array {
  const to = new Float64Array(length);
  to.set(from);
  return to;
}

function newBlockStats(capacity: number): BlockStats {
  return {
    pixelCount: new Uint32Array(capacity),
    minX: new Uint32Array(capacity),
    minY: new Uint32Array(capacity),
    maxX: new Uint32Array(capacity),
    maxY: new Uint32Array(capacity),
    sumX: new Float64Array(capacity),
    sumY: new Float64Array(capacity),
  };
}

/**
 * First pass: a provisional label per 2×2 block, equivalences in `parent`.
 * With `withStats`, per-label area, bounds and sums of the blocks given it.
 */
function scanBlocks(
  mask: Uint8Array,
  width: number,
  height: number,
  blockLabels: Int32Array,
  withStats: boolean,
  withMinIndex: boolean,
): ScanState {
  const blocksWide = (width + 1) >> 1;
  const blocksHigh = (height + 1) >> 1;
  // Per-label arrays grow by doubling: sizing them for the worst case (one
  // label per block) costs V8 hundreds of MB of external memory per call at
  // 16 Mpx, and with it full garbage collections. The capacity must be an
  // integer: a fractional one made `label >= capacity` miss the label equal to
  // its ceiling, whose writes then fell off the end of the typed arrays.
  const blockCount = blocksWide * blocksHigh;
  let capacity = Math.min(blockCount + 1, 4096 + Math.floor(blockCount / 16));
  let parent: Int32Array = new Int32Array(capacity);
  let minIndex: Int32Array = new Int32Array(withMinIndex ? capacity : 1);
  minIndex[0] = BACKGROUND_LABEL;
  const statsCapacity = withStats ? capacity : 0;
  let count: Uint32Array = new Uint32Array(statsCapacity);
  let minXs: Uint32Array = new Uint32Array(statsCapacity);
  let minYs: Uint32Array = new Uint32Array(statsCapacity);
  let maxXs: Uint32Array = new Uint32Array(statsCapacity);
  let maxYs: Uint32Array = new Uint32Array(statsCapacity);
  let sumXs: Float64Array = new Float64Array(statsCapacity);
  let sumYs: Float64Array = new Float64Array(statsCapacity);
  let labelCount = 0;
  // Blocks whose neighbours all lie inside the image take the unchecked path:
  // a row above, a row below, and x + 2 < width (R.c and X.b exist).
  const fastEnd = width >= 3 ? (width - 1) >> 1 : 0;

  for (let by = 0; by < blocksHigh; by++) {
    const y0 = by << 1;
    const top = y0 * width;
    const bottom = top + width;
    const above = top - width;
    const rowFast = by > 0 && y0 + 1 < height;
    // Where this block row keeps its labels (see ScanState.blockLabels).
    const store = y0 + 1 < height ? bottom : top;
    // Bits carried from the block to the left: its Q.d/R.c become P.d/Q.c and
    // its b/d become S.b/S.d. At x = 0: no P or S; Q.c is the pixel above.
    let previous = rowFast ? bit(mask[above] ?? 0) << 7 : 0;
    for (let bx = 0; bx < blocksWide; bx++) {
      const x = bx << 1;
      let code: number;
      if (rowFast && bx < fastEnd) {
        code =
          ((previous >> 2) & (BIT_PD | BIT_QC)) |
          ((previous << 7) & BIT_SB) |
          ((previous << 6) & BIT_SD) |
          bit(mask[top + x] ?? 0) |
          (bit(mask[top + x + 1] ?? 0) << 1) |
          (bit(mask[bottom + x] ?? 0) << 2) |
          (bit(mask[bottom + x + 1] ?? 0) << 3) |
          (bit(mask[above + x + 1] ?? 0) << 6) |
          (bit(mask[above + x + 2] ?? 0) << 7);
        previous = code;
      } else {
        code = blockCodeChecked(mask, width, height, x, y0);
      }
      const action = BLOCK_ACTION[code] ?? 0;
      if (action === 0) continue; // blockLabels is zero already
      const block = store + x;
      const nibble = code & 15;
      let label: number;
      switch (action >> 1) {
        case 0: {
          label = ++labelCount;
          if (label >= capacity) {
            capacity = Math.min(blockCount + 1, capacity * 2);
            parent = grownInt32(parent, capacity);
            if (withMinIndex) minIndex = grownInt32(minIndex, capacity);
            if (withStats) {
              count = grownUint32(count, capacity);
              minXs = grownUint32(minXs, capacity);
              minYs = grownUint32(minYs, capacity);
              maxXs = grownUint32(maxXs, capacity);
              maxYs = grownUint32(maxYs, capacity);
              sumXs = grownFloat64(sumXs, capacity);
              sumYs = grownFloat64(sumYs, capacity);
            }
          }
          parent[label] = label;
          if (withMinIndex) {
            minIndex[label] =
              top + (NIBBLE_FIRST_DY[nibble] ?? 0) * width + x + (NIBBLE_FIRST_DX[nibble] ?? 0);
          }
          if (withStats) {
            // A new label: set, not accumulate, so the arrays need no initialising.
            const pixels = NIBBLE_COUNT[nibble] ?? 0;
            count[label] = pixels;
            minXs[label] = x + (NIBBLE_MIN_DX[nibble] ?? 0);
            maxXs[label] = x + (NIBBLE_MAX_DX[nibble] ?? 0);
            minYs[label] = y0 + (NIBBLE_MIN_DY[nibble] ?? 0);
            maxYs[label] = y0 + (NIBBLE_MAX_DY[nibble] ?? 0);
            sumXs[label] = pixels * x + (NIBBLE_SUM_DX[nibble] ?? 0);
            sumYs[label] = pixels * y0 + (NIBBLE_SUM_DY[nibble] ?? 0);
          }
          blockLabels[block] = label;
          continue;
        }
        case JOIN_Q >> 1:
          label = blockLabels[above + x] ?? 0;
          break;
        case JOIN_S >> 1: {
          label = blockLabels[block - 2] ?? 0;
          // Only a W join can give a smaller first pixel: the set may start in
          // the lower row of this block row, and this block has an upper pixel.
          if (withMinIndex && (code & (BIT_A | BIT_B)) !== 0) {
            const first = top + x + (code & BIT_A ? 0 : 1);
            if (first < (minIndex[label] ?? 0)) minIndex[label] = first;
          }
          break;
        }
        case JOIN_P >> 1:
          label = blockLabels[above + x - 2] ?? 0;
          break;
        case JOIN_R >> 1:
          label = blockLabels[above + x + 2] ?? 0;
          break;
        default: {
          // Two or more joins: union them (the merged root is the smallest label).
          label = -1;
          if (action & JOIN_Q) label = blockLabels[above + x] ?? 0;
          if (action & JOIN_P) {
            const other = blockLabels[above + x - 2] ?? 0;
            label = label < 0 ? other : union(parent, label, other);
          }
          if (action & JOIN_R) {
            const other = blockLabels[above + x + 2] ?? 0;
            label = label < 0 ? other : union(parent, label, other);
          }
          if (action & JOIN_S) {
            const other = blockLabels[block - 2] ?? 0;
            label = union(parent, label, other);
          }
        }
      }
      blockLabels[block] = label;
      if (withStats) {
        const pixels = NIBBLE_COUNT[nibble] ?? 0;
        count[label] = (count[label] ?? 0) + pixels;
        const blockMinX = x + (NIBBLE_MIN_DX[nibble] ?? 0);
        if (blockMinX < (minXs[label] ?? 0)) minXs[label] = blockMinX;
        const blockMaxX = x + (NIBBLE_MAX_DX[nibble] ?? 0);
        if (blockMaxX > (maxXs[label] ?? 0)) maxXs[label] = blockMaxX;
        // A joined block is never in an earlier block row than its label, but it
        // may use the upper pixel row where the label had only the lower one.
        const blockMaxY = y0 + (NIBBLE_MAX_DY[nibble] ?? 0);
        if (blockMaxY > (maxYs[label] ?? 0)) maxYs[label] = blockMaxY;
        const blockMinY = y0 + (NIBBLE_MIN_DY[nibble] ?? 0);
        if (blockMinY < (minYs[label] ?? 0)) minYs[label] = blockMinY;
        sumXs[label] = (sumXs[label] ?? 0) + pixels * x + (NIBBLE_SUM_DX[nibble] ?? 0);
        sumYs[label] = (sumYs[label] ?? 0) + pixels * y0 + (NIBBLE_SUM_DY[nibble] ?? 0);
      }
    }
  }
  const stats: BlockStats | undefined = withStats
    ? {
        pixelCount: count,
        minX: minXs,
        minY: minYs,
        maxX: maxXs,
        maxY: maxYs,
        sumX: sumXs,
        sumY: sumYs,
      }
    : undefined;
  return { blockLabels, parent, minIndex, withMinIndex, labelCount, stats };
}

/**
 * Flattens the union-find (parent[l] < l is already a root when l is reached)
 * and folds each label's minimum first pixel and statistics into its root;
 * then gives every label its root's canonical pixel.
 */
function flatten(state: ScanState): void {
  const { parent, minIndex, withMinIndex, labelCount, stats } = state;
  for (let label = 1; label <= labelCount; label++) {
    const up = parent[label] ?? label;
    if (up === label) continue;
    const root = parent[up] ?? up;
    parent[label] = root;
    if (withMinIndex && (minIndex[label] ?? 0) < (minIndex[root] ?? 0)) {
      minIndex[root] = minIndex[label] ?? 0;
    }
    if (stats !== undefined) {
      const { pixelCount, minX, minY, maxX, maxY, sumX, sumY } = stats;
      pixelCount[root] = (pixelCount[root] ?? 0) + (pixelCount[label] ?? 0);
      minX[root] = Math.min(minX[root] ?? 0, minX[label] ?? 0);
      minY[root] = Math.min(minY[root] ?? 0, minY[label] ?? 0);
      maxX[root] = Math.max(maxX[root] ?? 0, maxX[label] ?? 0);
      maxY[root] = Math.max(maxY[root] ?? 0, maxY[label] ?? 0);
      sumX[root] = (sumX[root] ?? 0) + (sumX[label] ?? 0);
      sumY[root] = (sumY[root] ?? 0) + (sumY[label] ?? 0);
    }
  }
  if (!withMinIndex) return;
  for (let label = 1; label <= labelCount; label++) {
    minIndex[label] = minIndex[parent[label] ?? 0] ?? 0;
  }
}

/**
 * Second pass over one pixel row (y0 or y0 + 1) of a block row, in raster
 * order: writes canonical labels and dense ids, numbering a root when its
 * first (= smallest) pixel is met. Returns the updated component count.
 */
function writeRow(
  mask: Uint8Array,
  state: ScanState,
  idOfRoot: Int32Array,
  labels: Int32Array,
  ids: Int32Array,
  width: number,
  rowStart: number,
  storeStart: number,
  count: number,
): number {
  const { blockLabels, parent, minIndex } = state;
  const pairs = width >> 1;
  let next = count;
  for (let bx = 0; bx < pairs; bx++) {
    // Read before the write below, which may overwrite this very entry.
    const provisional = blockLabels[storeStart + (bx << 1)] ?? 0;
    const i = rowStart + (bx << 1);
    const left = mask[i] ?? 0;
    const right = mask[i + 1] ?? 0;
    const root = parent[provisional] ?? 0;
    let id = idOfRoot[root] ?? 0;
    if (id === 0 && (left | right) !== 0) {
      id = ++next;
      idOfRoot[root] = id;
    }
    // All ones for a foreground byte, else zero: label 0 maps to −1/0 anyway,
    // but a background pixel in a foreground block must not take the block's label.
    const leftFg = -left >> 31;
    const rightFg = -right >> 31;
    const label = minIndex[provisional] ?? 0;
    labels[i] = label | ~leftFg;
    labels[i + 1] = label | ~rightFg;
    ids[i] = id & leftFg;
    ids[i + 1] = id & rightFg;
  }
  if ((width & 1) !== 0) {
    const i = rowStart + width - 1;
    const provisional = blockLabels[storeStart + width - 1] ?? 0;
    if ((mask[i] ?? 0) !== 0) {
      const root = parent[provisional] ?? 0;
      let id = idOfRoot[root] ?? 0;
      if (id === 0) {
        id = ++next;
        idOfRoot[root] = id;
      }
      labels[i] = minIndex[provisional] ?? 0;
      ids[i] = id;
    } else {
      labels[i] = BACKGROUND_LABEL;
    }
  }
  return next;
}

/**
 * writeRow for dense ids alone: the provisional labels live in `ids` itself
 * (each read before the write that may overwrite it), no canonical labels.
 */
function writeIdsRow(
  mask: Uint8Array,
  parent: Int32Array,
  idOfRoot: Int32Array,
  ids: Int32Array,
  width: number,
  rowStart: number,
  storeStart: number,
  count: number,
): number {
  const pairs = width >> 1;
  let next = count;
  for (let bx = 0; bx < pairs; bx++) {
    const provisional = ids[storeStart + (bx << 1)] ?? 0;
    const i = rowStart + (bx << 1);
    const left = mask[i] ?? 0;
    const right = mask[i + 1] ?? 0;
    const root = parent[provisional] ?? 0;
    let id = idOfRoot[root] ?? 0;
    if (id === 0 && (left | right) !== 0) {
      id = ++next;
      idOfRoot[root] = id;
    }
    ids[i] = id & (-left >> 31);
    ids[i + 1] = id & (-right >> 31);
  }
  if ((width & 1) !== 0) {
    const i = rowStart + width - 1;
    const provisional = ids[storeStart + width - 1] ?? 0;
    if ((mask[i] ?? 0) !== 0) {
      const root = parent[provisional] ?? 0;
      let id = idOfRoot[root] ?? 0;
      if (id === 0) {
        id = ++next;
        idOfRoot[root] = id;
      }
      ids[i] = id;
    } else {
      ids[i] = 0;
    }
  }
  return next;
}

/** Both passes; `withStats` adds the per-label sums. */
function label(
  mask: Uint8Array,
  width: number,
  height: number,
  withStats: boolean,
): { result: LabelResult; state: ScanState; idOfRoot: Int32Array } {
  validateMask(mask, width, height);
  const state = scanBlocks(mask, width, height, new Int32Array(width * height), withStats, true);
  flatten(state);
  const labels = state.blockLabels;
  const ids = new Int32Array(width * height);
  const idOfRoot = new Int32Array(state.labelCount + 1);
  let count = 0;
  for (let y = 0; y < height; y++) {
    const storeRow = Math.min(y | 1, height - 1);
    count = writeRow(mask, state, idOfRoot, labels, ids, width, y * width, storeRow * width, count);
  }
  return { result: { labels, ids, count }, state, idOfRoot };
}

/** 8-connected (default) or 4-connected labelling; nonzero mask values are foreground. */
export function labelComponentsCpu(
  mask: Uint8Array,
  width: number,
  height: number,
  connectivity: Connectivity = 8,
): LabelResult {
  return connectivity === 4
    ? labelFourConnected(mask, width, height)
    : label(mask, width, height, false).result;
}

/**
 * 4-connected labelling, same conventions: a plain per-pixel two-pass
 * union-find (each pixel joins its north and west neighbours; the block trick
 * above rests on 8-connectivity). Hole filling labels the background with it.
 */
function labelFourConnected(mask: Uint8Array, width: number, height: number): LabelResult {
  validateMask(mask, width, height);
  const n = width * height;
  // parent over linear indices; every entry points at a smaller (or its own) index.
  const parent = new Int32Array(n).fill(BACKGROUND_LABEL);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (mask[i] === 0) continue;
      parent[i] = i;
      if (y > 0 && mask[i - width] !== 0) union(parent, i, i - width);
      if (x > 0 && mask[i - 1] !== 0) union(parent, i, i - 1);
    }
  }
  const labels = new Int32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const up = parent[i] ?? BACKGROUND_LABEL;
    if (up < 0) {
      labels[i] = BACKGROUND_LABEL;
    } else {
      // Raster order: the parent (a smaller index) is already final.
      const root = up === i ? i : (labels[up] ?? up);
      labels[i] = root;
      if (root === i) count++;
    }
  }
  return { labels, ids: denseIds(labels), count };
}

/**
 * Labelling plus area, bounding box and coordinate sums per component (what
 * OpenCV's connectedComponentsWithStats reports), accumulated per 2×2 block.
 */
export function labelComponentsWithStatsCpu(
  mask: Uint8Array,
  width: number,
  height: number,
): LabelStatsResult {
  const { result, state, idOfRoot } = label(mask, width, height, true);
  return { ...result, ...statsById(state, idOfRoot, result.count) };
}

/** The roots' statistics moved to index id − 1. */
function statsById(state: ScanState, idOfRoot: Int32Array, count: number): BlockStats {
  const out = newBlockStats(count);
  const from = state.stats ?? newBlockStats(0);
  for (let root = 1; root <= state.labelCount; root++) {
    if (state.parent[root] !== root) continue;
    const c = (idOfRoot[root] ?? 0) - 1;
    out.pixelCount[c] = from.pixelCount[root] ?? 0;
    out.minX[c] = from.minX[root] ?? 0;
    out.minY[c] = from.minY[root] ?? 0;
    out.maxX[c] = from.maxX[root] ?? 0;
    out.maxY[c] = from.maxY[root] ?? 0;
    out.sumX[c] = from.sumX[root] ?? 0;
    out.sumY[c] = from.sumY[root] ?? 0;
  }
  return out;
}

/** Dense ids and statistics, without the canonical labels: see labelIdsWithStatsCpu. */
export interface IdStatsResult {
  /** Per pixel: 0 background, else 1..count in raster order of each component's first pixel. */
  readonly ids: Int32Array;
  readonly count: number;
  readonly pixelCount: Uint32Array;
  readonly minX: Uint32Array;
  readonly minY: Uint32Array;
  readonly maxX: Uint32Array;
  readonly maxY: Uint32Array;
  readonly sumX: Float64Array;
  readonly sumY: Float64Array;
}

/**
 * labelComponentsWithStatsCpu without the canonical `labels` image: one Int32
 * image of dense ids plus the per-component statistics — exactly what
 * OpenCV's connectedComponentsWithStats returns (its label image numbers
 * components 1..N in raster order of their first pixel too). The ids array
 * doubles as the first pass's provisional-label store, so this allocates and
 * writes one pixel-sized image instead of two and skips the smallest-pixel
 * bookkeeping. ids, count and statistics equal labelComponentsWithStatsCpu's.
 */
export function labelIdsWithStatsCpu(
  mask: Uint8Array,
  width: number,
  height: number,
): IdStatsResult {
  validateMask(mask, width, height);
  const ids = new Int32Array(width * height);
  const state = scanBlocks(mask, width, height, ids, true, false);
  flatten(state);
  const idOfRoot = new Int32Array(state.labelCount + 1);
  let count = 0;
  for (let y = 0; y < height; y++) {
    const storeRow = Math.min(y | 1, height - 1);
    count = writeIdsRow(
      mask,
      state.parent,
      idOfRoot,
      ids,
      width,
      y * width,
      storeRow * width,
      count,
    );
  }
  return { ids, count, ...statsById(state, idOfRoot, count) };
}

/**
 * Dense ids from canonical labels: 0 for background, 1..N in raster order of
 * each component's smallest pixel.
 */
export function denseIds(labels: Int32Array): Int32Array {
  const ids = new Int32Array(labels.length);
  let next = 0;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] ?? BACKGROUND_LABEL;
    if (label === i) ids[i] = ++next;
    else if (label >= 0) ids[i] = ids[label] ?? 0;
  }
  return ids;
}
