// Per-component statistics in one pass with 32-bit atomics
// (CPU twin: src/core/component-stats.ts).
//
// Inputs, one u32/f32 per pixel in raster order (width × height):
//   labels  dense component id, 0 = background, 1..componentCount
//   change  f32 change score; summed in fixed point: round-half-even(change · changeScale)
//           clamped to ±2147483520 (the largest f32 below 2³¹), NaN counts 0
//   kinds   kind code; code & 3 selects one of four counters
//           (bit 0 = occupied before, bit 1 = occupied after)
//   rois    ROI id mask, 0 = outside every ROI, 1..roiCount; larger ids count as outside
// Output, per component c (id c + 1):
//   records[c · 16 + f]  16 u32 words (offsets in src/core/kernel-layout.ts):
//     0 pixel count; 1..4 min x, min y, max x, max y; 5/6 Σx lo/hi; 7/8 Σy lo/hi;
//     9/10 Σ fixed-point change lo/hi (two's complement i64); 11..14 kind counts;
//     15 boundary pixels (a 4-neighbour has another id, or the pixel is on the image edge)
//   roiCounts[c · roiCount + r]  pixels of component c inside ROI r + 1
// 64-bit sums are carried by hand: add the low word, and when it wrapped, one
// more into the high word. Every addition commutes, so the result is exact and
// the same on any adapter and in any order.
//
// Entry points: `clear` (one invocation per component: writes the identity of
// each reduction) then `accumulate` (one invocation per run of RUN_PX pixels of
// one row). A run folds pixels locally while (id, ROI) stays the same and
// flushes one set of atomics per change, so a large blob costs ~1/RUN_PX of the
// atomics of a per-pixel scheme. Dispatches may be folded into 2-D; the linear
// index is rebuilt from num_workgroups.
//
// Bindings: 0 uniform params, 1 labels, 2 change, 3 kinds, 4 rois (read),
// 5 records, 6 roiCounts (atomic, written).

override WORKGROUP_SIZE: u32 = 64u;
override RUN_PX: u32 = 32u;
const RECORD_WORDS: u32 = 16u;
const MAX_ROIS: u32 = 64u;
const FIXED_LIMIT: f32 = 2147483520.0;

struct ComponentStatsParams {
  width: u32,
  height: u32,
  componentCount: u32,
  roiCount: u32,
  segmentCount: u32,
  segmentsPerRow: u32,
  changeScale: f32,
  padding0: u32,
}

@group(0) @binding(0) var<uniform> params: ComponentStatsParams;
@group(0) @binding(1) var<storage, read> labels: array<u32>;
@group(0) @binding(2) var<storage, read> change: array<f32>;
@group(0) @binding(3) var<storage, read> kinds: array<u32>;
@group(0) @binding(4) var<storage, read> rois: array<u32>;
@group(0) @binding(5) var<storage, read_write> records: array<atomic<u32>>;
@group(0) @binding(6) var<storage, read_write> roiCounts: array<atomic<u32>>;

fn linearIndex(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
  return gid.y * (groups.x * WORKGROUP_SIZE) + gid.x;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn clear(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
) {
  let c = linearIndex(gid, groups);
  if (c >= params.componentCount) {
    return;
  }
  let base = c * RECORD_WORDS;
  for (var f = 0u; f < RECORD_WORDS; f++) {
    atomicStore(&records[base + f], 0u);
  }
  atomicStore(&records[base + 1u], 0xffffffffu);
  atomicStore(&records[base + 2u], 0xffffffffu);
  let k = min(params.roiCount, MAX_ROIS);
  for (var r = 0u; r < k; r++) {
    atomicStore(&roiCounts[c * k + r], 0u);
  }
}

/** round-half-even(v · changeScale), clamped; NaN gives 0 (tested on the bits, not v != v). */
fn quantize(v: f32) -> i32 {
  if ((bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u) {
    return 0;
  }
  return i32(round(clamp(v * params.changeScale, -FIXED_LIMIT, FIXED_LIMIT)));
}

/** Adds the 64-bit value (lo, hi) to records[at], records[at + 1]. */
fn add64(at: u32, lo: u32, hi: u32) {
  var carry = 0u;
  if (lo != 0u) {
    let old = atomicAdd(&records[at], lo);
    carry = select(0u, 1u, old + lo < old);
  }
  if (hi + carry != 0u) {
    atomicAdd(&records[at + 1u], hi + carry);
  }
}

/** What one run has folded since its last flush. */
struct Run {
  id: u32,
  roi: u32,
  count: u32,
  minX: u32,
  maxX: u32,
  sumX: u32,
  changeLo: u32,
  changeHi: u32,
  kind0: u32,
  kind1: u32,
  kind2: u32,
  kind3: u32,
  boundary: u32,
}

fn emptyRun() -> Run {
  return Run(0u, 0u, 0u, 0xffffffffu, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u);
}

fn flush(run: ptr<function, Run>, y: u32) {
  let r = *run;
  if (r.id == 0u || r.count == 0u) {
    return;
  }
  let base = (r.id - 1u) * RECORD_WORDS;
  atomicAdd(&records[base], r.count);
  atomicMin(&records[base + 1u], r.minX);
  atomicMin(&records[base + 2u], y);
  atomicMax(&records[base + 3u], r.maxX);
  atomicMax(&records[base + 4u], y);
  add64(base + 5u, r.sumX, 0u);
  // y < 2²⁶ and count ≤ RUN_PX ≤ 32, so y · count < 2³¹.
  add64(base + 7u, y * r.count, 0u);
  add64(base + 9u, r.changeLo, r.changeHi);
  if (r.kind0 != 0u) { atomicAdd(&records[base + 11u], r.kind0); }
  if (r.kind1 != 0u) { atomicAdd(&records[base + 12u], r.kind1); }
  if (r.kind2 != 0u) { atomicAdd(&records[base + 13u], r.kind2); }
  if (r.kind3 != 0u) { atomicAdd(&records[base + 14u], r.kind3); }
  if (r.boundary != 0u) { atomicAdd(&records[base + 15u], r.boundary); }
  if (r.roi != 0u) {
    atomicAdd(&roiCounts[(r.id - 1u) * params.roiCount + (r.roi - 1u)], r.count);
  }
}

fn isBoundary(x: u32, y: u32, i: u32, id: u32) -> bool {
  let w = params.width;
  if (x == 0u || y == 0u || x + 1u == w || y + 1u == params.height) {
    return true;
  }
  return labels[i - 1u] != id || labels[i + 1u] != id || labels[i - w] != id ||
    labels[i + w] != id;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn accumulate(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
) {
  let s = linearIndex(gid, groups);
  if (s >= params.segmentCount) {
    return;
  }
  let w = params.width;
  let y = s / params.segmentsPerRow;
  let x0 = (s % params.segmentsPerRow) * RUN_PX;
  let roiLimit = min(params.roiCount, MAX_ROIS);
  var run = emptyRun();
  for (var k = 0u; k < RUN_PX; k++) {
    let x = x0 + k;
    if (x >= w) {
      break;
    }
    let i = y * w + x;
    var id = labels[i];
    if (id > params.componentCount) {
      id = 0u;
    }
    var roi = rois[i];
    if (roi > roiLimit) {
      roi = 0u;
    }
    if (id != run.id || roi != run.roi) {
      flush(&run, y);
      run = emptyRun();
      run.id = id;
      run.roi = roi;
    }
    if (id == 0u) {
      continue;
    }
    run.count += 1u;
    run.minX = min(run.minX, x);
    run.maxX = max(run.maxX, x);
    run.sumX += x;
    // Signed 64-bit accumulation of the fixed-point change.
    let q = quantize(change[i]);
    let lo = run.changeLo + bitcast<u32>(q);
    run.changeHi += select(0u, 1u, lo < run.changeLo) + select(0u, 0xffffffffu, q < 0);
    run.changeLo = lo;
    switch (kinds[i] & 3u) {
      case 0u: { run.kind0 += 1u; }
      case 1u: { run.kind1 += 1u; }
      case 2u: { run.kind2 += 1u; }
      default: { run.kind3 += 1u; }
    }
    if (isBoundary(x, y, i, labels[i])) {
      run.boundary += 1u;
    }
  }
  flush(&run, y);
}
