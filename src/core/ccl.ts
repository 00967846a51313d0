/**
 * CPU twin of shaders/ccl-label.wgsl and shaders/ccl-dense.wgsl: connected-
 * component labelling of a binary mask, 8-connected.
 *
 * Label convention (identical bits on GPU and CPU):
 *   labels[i] = −1 for background (0xFFFFFFFF read as i32 on the GPU side),
 *   labels[i] = the smallest linear index (y·width + x) of i's component.
 *   ids (and denseIds(labels)): 0 for background, 1..count numbered in raster
 *   order of each component's smallest pixel (being the label, increasing label order).
 *
 * Algorithm: one raster scan with the decision tree of Wu, Otoo & Suzuki 2009
 * ("Optimizing two-pass connected-component labeling algorithms") over the
 * already-visited neighbours NW, N, NE, W, with union-find kept in the label
 * array itself: every entry points at a smaller (or its own) index and union
 * links the larger root under the smaller, so each root is its component's
 * smallest pixel. A second raster scan flattens (labels[i] < i is already
 * final) and numbers the roots as it meets them.
 * Typed arrays only, no per-pixel allocation.
 */

export const BACKGROUND_LABEL = -1;

export interface LabelResult {
  /** Per pixel: −1 background, else the component's smallest linear pixel index. */
  readonly labels: Int32Array;
  /** Per pixel: 0 background, else 1..count in raster order of the label (= denseIds(labels)). */
  readonly ids: Int32Array;
  /** Number of components. */
  readonly count: number;
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

/** Root of x with path compression; every entry on the path points at a smaller index. */
function findRoot(labels: Int32Array, x: number): number {
  let root = x;
  let parent = labels[root] ?? root;
  while (parent !== root) {
    root = parent;
    parent = labels[root] ?? root;
  }
  let node = x;
  while (node !== root) {
    const next = labels[node] ?? root;
    labels[node] = root;
    node = next;
  }
  return root;
}

/** Joins the sets of a and b; returns the merged root (the smaller of the two roots). */
function union(labels: Int32Array, a: number, b: number): number {
  const rootA = findRoot(labels, a);
  const rootB = findRoot(labels, b);
  if (rootA < rootB) {
    labels[rootB] = rootA;
    return rootA;
  }
  labels[rootA] = rootB;
  return rootB;
}

/**
 * Provisional label of a pixel on a border column (x = 0 or x = width − 1) of
 * row y ≥ 1: the decision tree with bounds checks. Interior pixels take the
 * unchecked copy inside labelComponentsCpu.
 */
function labelBorderPixel(
  mask: Uint8Array,
  labels: Int32Array,
  width: number,
  x: number,
  i: number,
): number {
  if (mask[i] === 0) return BACKGROUND_LABEL;
  const above = i - width;
  const hasW = x > 0;
  const hasE = x + 1 < width;
  const n = mask[above] !== 0;
  const ne = hasE && mask[above + 1] !== 0;
  const nw = hasW && mask[above - 1] !== 0;
  const w = hasW && mask[i - 1] !== 0;
  if (n) return labels[above] ?? i;
  if (ne) {
    if (nw) return union(labels, above + 1, above - 1);
    if (w) return union(labels, above + 1, i - 1);
    return labels[above + 1] ?? i;
  }
  if (nw) return labels[above - 1] ?? i;
  if (w) return labels[i - 1] ?? i;
  return i;
}

/** 8-connected labelling; nonzero mask values are foreground. */
export function labelComponentsCpu(mask: Uint8Array, width: number, height: number): LabelResult {
  validateMask(mask, width, height);
  const labels = new Int32Array(width * height);

  // First row: only W is visited.
  for (let x = 0; x < width; x++) {
    if (mask[x] === 0) labels[x] = BACKGROUND_LABEL;
    else labels[x] = x > 0 && mask[x - 1] !== 0 ? (labels[x - 1] ?? x) : x;
  }

  for (let y = 1; y < height; y++) {
    const row = y * width;
    labels[row] = labelBorderPixel(mask, labels, width, 0, row);
    if (width === 1) continue;
    // Sliding window over the visited neighbours: each step reads only NE and
    // the pixel itself (Wu et al. 2009 decision tree; N alone suffices when
    // set, since it touches NW, W and NE).
    let nw = mask[row - width] ?? 0;
    let n = mask[row - width + 1] ?? 0;
    let w = mask[row] ?? 0;
    const end = row + width - 1;
    for (let i = row + 1; i < end; i++) {
      const ne = mask[i - width + 1] ?? 0;
      const centre = mask[i] ?? 0;
      if (centre === 0) labels[i] = BACKGROUND_LABEL;
      else if (n !== 0) labels[i] = labels[i - width] ?? i;
      else if (ne !== 0) {
        if (nw !== 0) labels[i] = union(labels, i - width + 1, i - width - 1);
        else if (w !== 0) labels[i] = union(labels, i - width + 1, i - 1);
        else labels[i] = labels[i - width + 1] ?? i;
      } else if (nw !== 0) labels[i] = labels[i - width - 1] ?? i;
      else if (w !== 0) labels[i] = labels[i - 1] ?? i;
      else labels[i] = i;
      nw = n;
      n = ne;
      w = centre;
    }
    labels[end] = labelBorderPixel(mask, labels, width, width - 1, end);
  }

  // Flatten: labels[i] ≤ i, and every smaller index is already its root.
  // Dense ids come in the same pass (roots are met in raster order).
  let count = 0;
  const pixelCount = width * height;
  const ids = new Int32Array(pixelCount);
  for (let i = 0; i < pixelCount; i++) {
    const parent = labels[i] ?? BACKGROUND_LABEL;
    if (parent === i) ids[i] = ++count;
    else if (parent >= 0) {
      const root = labels[parent] ?? parent;
      labels[i] = root;
      ids[i] = ids[root] ?? 0;
    }
  }
  return { labels, ids, count };
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
