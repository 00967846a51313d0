// Reductions of one band for the radiometric normalization (CPU twin:
// src/core/analysis/normalization.ts and quantiles.ts; wrapper src/gpu/normalization.ts).
//
// bandRange: min and max of the finite values where valid != 0, as order-
//   preserving u32 keys (f32 bits with the sign flipped so that unsigned order
//   is numeric order), accumulated with atomicMax: out[outOffset] holds
//   ~key(min) and out[outOffset + 1] holds key(max). Every finite f32 has a key
//   and a ~key above 0, so the caller zeroes both words and 0 reads as "no value".
// bandHistogram: BINS counts of the finite values where valid != 0, added to
//   out[outOffset .. outOffset + BINS). Bin of v (minValue, maxValue and
//   binScale = BINS / (maxValue - minValue) are f32 uniforms): v <= minValue -> 0;
//   v >= maxValue -> BINS - 1; otherwise min(BINS - 1, floor((v - minValue) * binScale)).
//   NaN and +-infinity never count. The caller zeroes the counts.
//
// Tiling (both): each workgroup owns WORKGROUP_SIZE * PIXELS_PER_INVOCATION
// consecutive pixels; invocation l reads pixels first + k * WORKGROUP_SIZE + l
// (coalesced) for k < PIXELS_PER_INVOCATION, folds them in workgroup memory
// (a privatized histogram of BINS u32: 16 KiB at 4096 bins) and adds the
// workgroup's result to the global words with one atomic each. Workgroup ids
// may be folded into 2-D; groupsPerRow rebuilds the linear workgroup index.
//
// Bindings: 0 uniform params, 1 values (pixelCount f32), 2 valid (pixelCount
//           u32, nonzero = counts), 3 out (atomic u32, accumulated at outOffset).

override WORKGROUP_SIZE: u32 = 256u;
override PIXELS_PER_INVOCATION: u32 = 16u;
override BINS: u32 = 4096u;

struct ReduceParams {
  pixelCount: u32,
  groupsPerRow: u32,
  outOffset: u32,
  padding0: u32,
  minValue: f32,
  maxValue: f32,
  binScale: f32,
  padding1: f32,
}

@group(0) @binding(0) var<uniform> params: ReduceParams;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read> valid: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<atomic<u32>>;

var<workgroup> localCounts: array<atomic<u32>, BINS>;
var<workgroup> localMinKey: atomic<u32>;
var<workgroup> localMaxKey: atomic<u32>;

// By bit pattern: WGSL lets compilers assume finite floats, so v != v may fold away.
fn isFinite(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u;
}

// Unsigned order of keys is the numeric order of finite f32 (-0 sorts below +0).
fn orderKey(v: f32) -> u32 {
  let bits = bitcast<u32>(v);
  return select(bits | 0x80000000u, ~bits, (bits & 0x80000000u) != 0u);
}

fn binOf(v: f32) -> u32 {
  if (v <= params.minValue) {
    return 0u;
  }
  if (v >= params.maxValue) {
    return BINS - 1u;
  }
  return min(BINS - 1u, u32(floor((v - params.minValue) * params.binScale)));
}

fn firstPixel(wid: vec3<u32>) -> u32 {
  return (wid.y * params.groupsPerRow + wid.x) * WORKGROUP_SIZE * PIXELS_PER_INVOCATION;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn bandRange(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  if (lid == 0u) {
    atomicStore(&localMinKey, 0u);
    atomicStore(&localMaxKey, 0u);
  }
  workgroupBarrier();
  let first = firstPixel(wid);
  var minKey = 0u; // as ~key: larger is smaller
  var maxKey = 0u;
  for (var k = 0u; k < PIXELS_PER_INVOCATION; k++) {
    let i = first + k * WORKGROUP_SIZE + lid;
    if (i < params.pixelCount) {
      let v = values[i];
      if (valid[i] != 0u && isFinite(v)) {
        let key = orderKey(v);
        minKey = max(minKey, ~key);
        maxKey = max(maxKey, key);
      }
    }
  }
  if (minKey != 0u) {
    atomicMax(&localMinKey, minKey);
    atomicMax(&localMaxKey, maxKey);
  }
  workgroupBarrier();
  if (lid == 0u) {
    let groupMin = atomicLoad(&localMinKey);
    if (groupMin != 0u) {
      atomicMax(&out[params.outOffset], groupMin);
      atomicMax(&out[params.outOffset + 1u], atomicLoad(&localMaxKey));
    }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn bandHistogram(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  for (var b = lid; b < BINS; b += WORKGROUP_SIZE) {
    atomicStore(&localCounts[b], 0u);
  }
  workgroupBarrier();
  let first = firstPixel(wid);
  for (var k = 0u; k < PIXELS_PER_INVOCATION; k++) {
    let i = first + k * WORKGROUP_SIZE + lid;
    if (i < params.pixelCount) {
      let v = values[i];
      if (valid[i] != 0u && isFinite(v)) {
        atomicAdd(&localCounts[binOf(v)], 1u);
      }
    }
  }
  workgroupBarrier();
  for (var b = lid; b < BINS; b += WORKGROUP_SIZE) {
    let c = atomicLoad(&localCounts[b]);
    if (c != 0u) {
      atomicAdd(&out[params.outOffset + b], c);
    }
  }
}
