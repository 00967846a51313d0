// Hole filling of a binary mask inside a domain (CPU twin: holeBackground,
// holeStatsCpu and fillFromHoleStats in src/core/analysis/estimate.ts, which
// fillHoles chains; wrapper src/gpu/hole-fill.ts).
//
// A hole is a 4-connected component of the background (domain pixels outside
// the mask; 4 because blobs are 8-connected) that touches neither the image
// edge nor a 4-neighbour outside the domain, with at most maxHolePx pixels;
// holes become mask. Entry points, in order, around a 4-connected labelling
// of the background (src/gpu/ccl.ts, canonical
// labels: the component's smallest pixel index, 0xFFFFFFFF for none):
//   background  out = domain != 0 && mask == 0, PIXELS_PER_INVOCATION pixels per
//               invocation (pixelOf, component-pass.wgsl).
//   holeStats   one invocation per run of RUN_PX pixels of a row: per label,
//               the pixel count and whether any pixel lies on the image edge
//               or next to a pixel outside the domain, folded while the label
//               stays the same, then added to stats[label] (count in bits
//               0..30, the "open" flag in bit 31 by atomicOr; labelling takes
//               at most 2^31 - 1 pixels, so counts never reach bit 31). The
//               workgroup's runs are staged in workgroup memory first, with
//               coalesced reads (shaders/component-pass.wgsl, which the wrapper
//               prepends).
//   fill        as background, per pixel: out = mask != 0, or the pixel's
//               background component is closed and has <= maxHolePx pixels
//               and noFill == 0 there (the analysis fills an appeared mask's
//               holes only off the before mask; without one, the wrapper
//               binds the mask, which is 0 wherever a hole is).
// Dispatches may be folded into 2-D; pixelRowStride and segmentRowStride
// rebuild the linear index. The caller zeroes stats before holeStats.
//
// Bindings: 0 uniform params, 1 mask, 2 domain, 3 labels (u32 per pixel,
// read), 4 stats (atomic u32 per pixel, indexed by label), 5 out (u32 per
// pixel, written: the background for `background`, the filled mask for `fill`),
// 6 noFill (u32 per pixel, read by `fill`; any buffer but out that is 0 on the
// background, such as the mask).

override WORKGROUP_SIZE: u32 = 64u;
override RUN_PX: u32 = 32u;
const BACKGROUND: u32 = 0xFFFFFFFFu;
const OPEN_BIT: u32 = 0x80000000u;

struct HoleFillParams {
  width: u32,
  height: u32,
  pixelCount: u32,
  pixelRowStride: u32,
  segmentsPerRow: u32,
  segmentCount: u32,
  segmentRowStride: u32,
  maxHolePx: u32,
}

@group(0) @binding(0) var<uniform> params: HoleFillParams;
@group(0) @binding(1) var<storage, read> mask: array<u32>;
@group(0) @binding(2) var<storage, read> domain: array<u32>;
@group(0) @binding(3) var<storage, read> labels: array<u32>;
@group(0) @binding(4) var<storage, read_write> stats: array<atomic<u32>>;
@group(0) @binding(5) var<storage, read_write> out: array<u32>;
@group(0) @binding(6) var<storage, read> noFill: array<u32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn background(@builtin(global_invocation_id) id: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  for (var k = 0u; k < PIXELS_PER_INVOCATION; k++) {
    let i = pixelOf(id, lid, k);
    if (i < params.pixelCount) {
      out[i] = select(0u, 1u, domain[i] != 0u && mask[i] == 0u);
    }
  }
}

fn touchesOutside(x: u32, y: u32, i: u32) -> bool {
  let w = params.width;
  if (x == 0u || y == 0u || x + 1u == w || y + 1u == params.height) {
    return true;
  }
  return domain[i - 1u] == 0u || domain[i + 1u] == 0u || domain[i - w] == 0u ||
    domain[i + w] == 0u;
}

fn flush(label: u32, pixels: u32, open: bool) {
  if (label >= params.pixelCount || pixels == 0u) {
    return;
  }
  atomicAdd(&stats[label], pixels);
  if (open) {
    atomicOr(&stats[label], OPEN_BIT);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn holeStats(
  @builtin(workgroup_id) workgroup: vec3<u32>,
  @builtin(local_invocation_index) t: u32,
) {
  // Staged (component-pass.wgsl): each slot keeps a background label with its "open"
  // flag in bit 31 (labels stay below 2^31 - 1), or BACKGROUND.
  var cursor = firstStaged(workgroup, t);
  for (var j = 0u; j < RUN_PX; j++) {
    var entry = BACKGROUND;
    let x = stagedX(cursor);
    if (x != NOT_IN_IMAGE) {
      let i = cursor.y * params.width + x;
      let label = labels[i];
      if (label != BACKGROUND) {
        entry = label | select(0u, OPEN_BIT, touchesOutside(x, cursor.y, i));
      }
    }
    staged[j * WORKGROUP_SIZE + t] = entry;
    cursor = nextStaged(cursor);
  }
  workgroupBarrier();
  var current = BACKGROUND;
  var pixels = 0u;
  var open = false;
  for (var r = 0u; r < RUN_PX; r++) {
    let entry = staged[t * RUN_PX + r];
    let label = select(entry & ~OPEN_BIT, BACKGROUND, entry == BACKGROUND);
    if (label != current) {
      flush(current, pixels, open);
      current = label;
      pixels = 0u;
      open = false;
    }
    if (label != BACKGROUND) {
      pixels += 1u;
      open = open || (entry & OPEN_BIT) != 0u;
    }
  }
  flush(current, pixels, open);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn fill(@builtin(global_invocation_id) id: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  for (var k = 0u; k < PIXELS_PER_INVOCATION; k++) {
    let i = pixelOf(id, lid, k);
    if (i >= params.pixelCount) {
      continue;
    }
    let label = labels[i];
    var hole = false;
    if (label < params.pixelCount) {
      let word = atomicLoad(&stats[label]);
      hole = (word & OPEN_BIT) == 0u && (word & ~OPEN_BIT) <= params.maxHolePx;
      hole = hole && noFill[i] == 0u;
    }
    out[i] = select(0u, 1u, mask[i] != 0u || hole);
  }
}
