// Components of one cleaned mask reduced to what the TEU estimate needs
// (CPU twin: componentAreas, keepComponents and roiBlobCounts in
// src/core/analysis/estimate.ts, which estimateFromMask chains; wrapper
// src/gpu/component-estimate.ts). Inputs: the mask, its 8-connected
// canonical labels (src/gpu/ccl.ts: smallest pixel index, 0xFFFFFFFF for
// background) and an ROI index per pixel (i32, -1 outside every ROI).
//
// Entry points, in order (the caller zeroes perLabel before componentArea and
// again before the first roiBits, and zeroes roiCounts):
//   componentArea  perLabel[label] = the component's pixel count.
//   keep           kept = the pixel's component has >= minKeepPx pixels (its
//                  whole area, inside and outside ROIs). For a kept pixel in
//                  ROI r < roiCount: roiCounts[r] += 1 (area) and, when a
//                  4-neighbour is outside the mask or the pixel is on the image
//                  edge, roiCounts[roiCount + r] += 1 (rim).
//   roiBits        for kept pixels in ROIs roiBase .. roiBase + 31: bit
//                  (r - roiBase) of perLabel[label] by atomicOr.
//   countBlobs     at each component's root (labels[i] = i): one more blob in
//                  roiCounts[2 * roiCount + r] for every bit set, then the word
//                  goes back to 0 for the next group of 32 ROIs.
// roiBits and countBlobs run once per group of 32 ROIs (roiBase = 0, 32, …), so
// the blob count of ROI r is exactly the number of distinct kept components
// with a pixel in r, with one u32 per label whatever the ROI count.
//   countRoots     instead of roiBits and countBlobs, where the caller knows
//                  that every set mask pixel lies in an ROI and no two ROIs
//                  touch, so every component lies in one ROI: at each kept
//                  component's root, one more blob in roiCounts[2 * roiCount + r]
//                  for the root's ROI r. One invocation per pixel, one pass
//                  whatever the ROI count (roiBase is not used), the same counts.
//
// componentArea, keep and roiBits take one invocation per run of RUN_PX pixels
// of a row and fold pixels locally while the label (or ROI) stays the same,
// flushing one atomic per change instead of one per pixel; countBlobs and
// countRoots take PIXELS_PER_INVOCATION pixels per invocation (pixelOf in
// component-pass.wgsl). Dispatches may be folded into 2-D; segmentRowStride
// and pixelRowStride rebuild the linear index.
// componentArea and keep first stage their workgroup's runs in workgroup
// memory (shaders/component-pass.wgsl, which the wrapper prepends), so that their
// reads (the label; for keep the ROI and the 4-neighbours too) and keep's
// writes to kept are coalesced; the fold then reads workgroup memory.
//
// Bindings: 0 uniform params, 1 mask, 2 labels (u32 per pixel, read), 3 rois
// (i32 per pixel, read), 4 perLabel (atomic u32 per pixel, indexed by label),
// 5 kept (u32 per pixel, written by keep), 6 roiCounts (atomic u32, 3 * roiCount).

override WORKGROUP_SIZE: u32 = 64u;
override RUN_PX: u32 = 32u;
const BACKGROUND: u32 = 0xFFFFFFFFu;
const ROIS_PER_PASS: u32 = 32u;
const SKIP: u32 = 0xFFFFFFFFu;
const RIM_BIT: u32 = 0x80000000u;

struct ComponentEstimateParams {
  width: u32,
  height: u32,
  pixelCount: u32,
  pixelRowStride: u32,
  segmentsPerRow: u32,
  segmentCount: u32,
  segmentRowStride: u32,
  roiCount: u32,
  minKeepPx: u32,
  roiBase: u32,
  padding0: u32,
  padding1: u32,
}

@group(0) @binding(0) var<uniform> params: ComponentEstimateParams;
@group(0) @binding(1) var<storage, read> mask: array<u32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
@group(0) @binding(3) var<storage, read> rois: array<i32>;
@group(0) @binding(4) var<storage, read_write> perLabel: array<atomic<u32>>;
@group(0) @binding(5) var<storage, read_write> kept: array<u32>;
@group(0) @binding(6) var<storage, read_write> roiCounts: array<atomic<u32>>;

/** The run's row and first column, or none past the last run. */
struct Segment {
  valid: bool,
  y: u32,
  x0: u32,
}

fn segmentOf(id: vec3<u32>) -> Segment {
  let s = id.y * params.segmentRowStride + id.x;
  if (s >= params.segmentCount) {
    return Segment(false, 0u, 0u);
  }
  return Segment(true, s / params.segmentsPerRow, (s % params.segmentsPerRow) * RUN_PX);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn componentArea(
  @builtin(workgroup_id) workgroup: vec3<u32>,
  @builtin(local_invocation_index) t: u32,
) {
  // Staged (component-pass.wgsl): the labels, then the fold in workgroup memory.
  var cursor = firstStaged(workgroup, t);
  for (var j = 0u; j < RUN_PX; j++) {
    var label = BACKGROUND;
    let x = stagedX(cursor);
    if (x != NOT_IN_IMAGE) {
      label = labels[cursor.y * params.width + x];
    }
    staged[j * WORKGROUP_SIZE + t] = label;
    cursor = nextStaged(cursor);
  }
  workgroupBarrier();
  var current = BACKGROUND;
  var pixels = 0u;
  for (var r = 0u; r < RUN_PX; r++) {
    let label = staged[t * RUN_PX + r];
    if (label != current) {
      if (current < params.pixelCount && pixels != 0u) {
        atomicAdd(&perLabel[current], pixels);
      }
      current = label;
      pixels = 0u;
    }
    pixels += 1u;
  }
  if (current < params.pixelCount && pixels != 0u) {
    atomicAdd(&perLabel[current], pixels);
  }
}

fn isRim(x: u32, y: u32, i: u32) -> bool {
  let w = params.width;
  if (x == 0u || y == 0u || x + 1u == w || y + 1u == params.height) {
    return true;
  }
  return mask[i - 1u] == 0u || mask[i + 1u] == 0u || mask[i - w] == 0u || mask[i + w] == 0u;
}

/** The ROI of pixel i when it counts (0 .. roiCount - 1), else roiCount. */
fn roiOf(i: u32) -> u32 {
  let roi = rois[i];
  return select(params.roiCount, u32(roi), roi >= 0 && u32(roi) < params.roiCount);
}

fn flushRoi(roi: u32, area: u32, rim: u32) {
  if (roi >= params.roiCount) {
    return;
  }
  if (area != 0u) {
    atomicAdd(&roiCounts[roi], area);
  }
  if (rim != 0u) {
    atomicAdd(&roiCounts[params.roiCount + roi], rim);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn keep(
  @builtin(workgroup_id) workgroup: vec3<u32>,
  @builtin(local_invocation_index) t: u32,
) {
  // Staged (component-pass.wgsl): kept is written here, coalesced; each slot keeps its
  // ROI (bits 0..30, roiCount when the pixel is in none) and its rim flag (bit 31),
  // or SKIP.
  var cursor = firstStaged(workgroup, t);
  for (var j = 0u; j < RUN_PX; j++) {
    var entry = SKIP;
    let x = stagedX(cursor);
    let y = cursor.y;
    if (x != NOT_IN_IMAGE) {
      let i = y * params.width + x;
      let label = labels[i];
      var keepIt = false;
      if (label < params.pixelCount) {
        keepIt = atomicLoad(&perLabel[label]) >= params.minKeepPx;
      }
      kept[i] = select(0u, 1u, keepIt);
      if (keepIt) {
        entry = roiOf(i) | select(0u, RIM_BIT, isRim(x, y, i));
      }
    }
    staged[j * WORKGROUP_SIZE + t] = entry;
    cursor = nextStaged(cursor);
  }
  workgroupBarrier();
  var current = params.roiCount;
  var area = 0u;
  var rim = 0u;
  for (var r = 0u; r < RUN_PX; r++) {
    let entry = staged[t * RUN_PX + r];
    if (entry == SKIP) {
      continue;
    }
    let roi = entry & ~RIM_BIT;
    if (roi != current) {
      flushRoi(current, area, rim);
      current = roi;
      area = 0u;
      rim = 0u;
    }
    area += 1u;
    if ((entry & RIM_BIT) != 0u) {
      rim += 1u;
    }
  }
  flushRoi(current, area, rim);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn roiBits(@builtin(global_invocation_id) id: vec3<u32>) {
  let segment = segmentOf(id);
  if (!segment.valid) {
    return;
  }
  let w = params.width;
  var current = BACKGROUND;
  var bits = 0u;
  for (var k = 0u; k < RUN_PX; k++) {
    let x = segment.x0 + k;
    if (x >= w) {
      break;
    }
    let i = segment.y * w + x;
    let roi = roiOf(i);
    let label = labels[i];
    if (kept[i] == 0u || roi >= params.roiCount || roi < params.roiBase ||
        roi - params.roiBase >= ROIS_PER_PASS || label >= params.pixelCount) {
      continue;
    }
    if (label != current) {
      if (bits != 0u) {
        atomicOr(&perLabel[current], bits);
      }
      current = label;
      bits = 0u;
    }
    bits = bits | (1u << (roi - params.roiBase));
  }
  if (bits != 0u) {
    atomicOr(&perLabel[current], bits);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn countBlobs(@builtin(global_invocation_id) id: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  for (var p = 0u; p < PIXELS_PER_INVOCATION; p++) {
    let i = pixelOf(id, lid, p);
    if (i >= params.pixelCount || labels[i] != i) {
      continue;
    }
    var bits = atomicExchange(&perLabel[i], 0u);
    for (var k = 0u; k < ROIS_PER_PASS && bits != 0u; k++) {
      let bit = firstTrailingBit(bits);
      atomicAdd(&roiCounts[2u * params.roiCount + params.roiBase + bit], 1u);
      bits = bits & (bits - 1u);
    }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn countRoots(@builtin(global_invocation_id) id: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  for (var p = 0u; p < PIXELS_PER_INVOCATION; p++) {
    let i = pixelOf(id, lid, p);
    if (i >= params.pixelCount || labels[i] != i || kept[i] == 0u) {
      continue;
    }
    let roi = roiOf(i);
    if (roi < params.roiCount) {
      atomicAdd(&roiCounts[2u * params.roiCount + roi], 1u);
    }
  }
}
