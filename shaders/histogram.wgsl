// 256-bin histogram of a single-band f32 image (CPU twin: src/core/histogram.ts).
//
// Bin of value v (minValue, maxValue and binScale = BINS / (maxValue - minValue)
// come as f32 uniforms): NaN and pixels with mask 0 (when useMask != 0) never
// count; v <= minValue -> 0; v >= maxValue -> BINS - 1; otherwise
// min(BINS - 1, floor((v - minValue) * binScale)).
//
// Tiling: each workgroup owns WORKGROUP_SIZE * PIXELS_PER_INVOCATION consecutive
// pixels; invocation l reads pixels first + k * WORKGROUP_SIZE + l (coalesced)
// for k < PIXELS_PER_INVOCATION, counting into a privatized histogram in
// workgroup memory, then adds its nonzero bins to the global counts with one
// atomicAdd each. Workgroup ids may be folded into 2-D; groupsPerRow rebuilds
// the linear workgroup index. The caller zeroes counts before the dispatch.
//
// Bindings: 0 uniform params, 1 values (pixelCount f32), 2 mask (pixelCount u32,
//           nonzero = valid; any 4-byte buffer when useMask = 0),
//           3 counts (BINS atomic u32, accumulated).

override WORKGROUP_SIZE: u32 = 256u;
override PIXELS_PER_INVOCATION: u32 = 16u;
override BINS: u32 = 256u;

struct HistogramParams {
  pixelCount: u32,
  groupsPerRow: u32,
  useMask: u32,
  padding0: u32,
  minValue: f32,
  maxValue: f32,
  binScale: f32,
  padding1: f32,
}

@group(0) @binding(0) var<uniform> params: HistogramParams;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read> mask: array<u32>;
@group(0) @binding(3) var<storage, read_write> counts: array<atomic<u32>>;

var<workgroup> localCounts: array<atomic<u32>, BINS>;

// By bit pattern: WGSL lets compilers assume no NaN, so v != v may fold away.
fn isNan(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
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

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  for (var b = lid; b < BINS; b += WORKGROUP_SIZE) {
    atomicStore(&localCounts[b], 0u);
  }
  workgroupBarrier();
  let group = wid.y * params.groupsPerRow + wid.x;
  let first = group * WORKGROUP_SIZE * PIXELS_PER_INVOCATION;
  for (var k = 0u; k < PIXELS_PER_INVOCATION; k++) {
    let i = first + k * WORKGROUP_SIZE + lid;
    if (i < params.pixelCount) {
      let v = values[i];
      let valid = params.useMask == 0u || mask[i] != 0u;
      if (valid && !isNan(v)) {
        atomicAdd(&localCounts[binOf(v)], 1u);
      }
    }
  }
  workgroupBarrier();
  for (var b = lid; b < BINS; b += WORKGROUP_SIZE) {
    let c = atomicLoad(&localCounts[b]);
    if (c != 0u) {
      atomicAdd(&counts[b], c);
    }
  }
}
