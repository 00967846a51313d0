// Per-pixel steps of the radiometric normalization, one band per dispatch (CPU
// twin: src/core/analysis/normalization.ts; wrapper src/gpu/normalization.ts).
//
// residual: d = |gain * after + offset - before| (f32); for valid pixels
//   residual = max(residual, d) ignoring a NaN d, starting from 0 when
//   firstBand != 0; invalid pixels get 0 (every reader masks them).
// maskedSums: over pixels with valid != 0 and residual <= cut, the f32 sums of
//   a = after - shiftAfter and b = before - shiftBefore: one record of
//   SUM_WORDS = 5 words per workgroup, out[group * 5 + (0 count, 1 sum a,
//   2 sum a^2, 3 sum b, 4 sum b^2)]. Each invocation folds PIXELS_PER_INVOCATION
//   pixels sequentially, then the workgroup adds pairwise in a tree; the caller
//   adds the records in f64. Shifting by the pass-1 quantile midpoints keeps
//   sum a^2 / n - (sum a / n)^2 from cancelling in f32.
// apply: out = gain * after + offset for every pixel.
//
// Tiling: residual and apply take one pixel per invocation (index gid.y *
// groupsPerRow * WORKGROUP_SIZE + gid.x); maskedSums takes WORKGROUP_SIZE *
// PIXELS_PER_INVOCATION consecutive pixels per workgroup, read coalesced.
// Workgroup ids may be folded into 2-D (groupsPerRow workgroups per row).
//
// Bindings: 0 uniform params, 1 after (pixelCount f32), 2 before (pixelCount
//           f32), 3 valid (pixelCount u32), 4 residual (pixelCount f32; written
//           by residual, read by maskedSums), 5 out (f32: sums records or the
//           normalized band). Unused bindings take any 4-byte buffer.

override WORKGROUP_SIZE: u32 = 256u;
override PIXELS_PER_INVOCATION: u32 = 16u;

const SUM_WORDS: u32 = 5u;

struct PixelParams {
  pixelCount: u32,
  groupsPerRow: u32,
  firstBand: u32,
  gain: f32,
  offset: f32,
  cut: f32,
  shiftAfter: f32,
  shiftBefore: f32,
}

@group(0) @binding(0) var<uniform> params: PixelParams;
@group(0) @binding(1) var<storage, read> after: array<f32>;
@group(0) @binding(2) var<storage, read> before: array<f32>;
@group(0) @binding(3) var<storage, read> valid: array<u32>;
@group(0) @binding(4) var<storage, read_write> residual: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;

// Sums of a, a^2, b, b^2 per invocation, then per tree level; counts apart.
var<workgroup> localSums: array<vec4<f32>, WORKGROUP_SIZE>;
var<workgroup> localCounts: array<f32, WORKGROUP_SIZE>;

// By bit pattern: WGSL lets compilers assume no NaN, so v != v may fold away.
fn isNan(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

fn pixelIndex(gid: vec3<u32>) -> u32 {
  return gid.y * params.groupsPerRow * WORKGROUP_SIZE + gid.x;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn residualMax(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = pixelIndex(gid);
  if (i >= params.pixelCount) {
    return;
  }
  if (valid[i] == 0u) {
    residual[i] = 0.0;
    return;
  }
  let d = abs(params.gain * after[i] + params.offset - before[i]);
  var worst = 0.0;
  if (params.firstBand == 0u) {
    worst = residual[i];
  }
  if (!isNan(d) && d > worst) {
    worst = d;
  }
  residual[i] = worst;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn maskedSums(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let group = wid.y * params.groupsPerRow + wid.x;
  let first = group * WORKGROUP_SIZE * PIXELS_PER_INVOCATION;
  var sums = vec4<f32>(0.0);
  var count = 0.0;
  for (var k = 0u; k < PIXELS_PER_INVOCATION; k++) {
    let i = first + k * WORKGROUP_SIZE + lid;
    if (i < params.pixelCount) {
      let r = residual[i];
      if (valid[i] != 0u && !isNan(r) && r <= params.cut) {
        let a = after[i] - params.shiftAfter;
        let b = before[i] - params.shiftBefore;
        sums += vec4<f32>(a, a * a, b, b * b);
        count += 1.0;
      }
    }
  }
  localSums[lid] = sums;
  localCounts[lid] = count;
  workgroupBarrier();
  // Pairwise tree: log2(WORKGROUP_SIZE) levels (a power of two, checked in TS).
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) {
      localSums[lid] += localSums[lid + stride];
      localCounts[lid] += localCounts[lid + stride];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let total = localSums[0];
    let base = group * SUM_WORDS;
    out[base] = localCounts[0];
    out[base + 1u] = total.x;
    out[base + 2u] = total.y;
    out[base + 3u] = total.z;
    out[base + 4u] = total.w;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn apply(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = pixelIndex(gid);
  if (i >= params.pixelCount) {
    return;
  }
  out[i] = params.gain * after[i] + params.offset;
}
