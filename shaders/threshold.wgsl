// Threshold of a single-band f32 image into a 0/1 mask (CPU twin: src/core/threshold.ts).
//
// mask[i] = 1 exactly when values[i] > thresholdDn (f32 comparison, strict: a
// value equal to the threshold is background), values[i] is not NaN, and, when
// useMask != 0, valid[i] != 0; otherwise 0. The threshold is a uniform, never
// a constant in this file.
//
// Tiling: PIXELS_PER_INVOCATION pixels per invocation, a workgroup size apart
// (as mask-combine.wgsl, for the same reason: loads in flight), 1-D workgroups
// of WORKGROUP_SIZE folded into a 2-D dispatch for large images; rowStride
// (invocations per dispatch row) rebuilds the linear index.
//
// Bindings: 0 uniform params, 1 values (pixelCount f32), 2 valid (pixelCount
//           u32; any 4-byte buffer when useMask = 0), 3 mask (pixelCount u32, written).

override WORKGROUP_SIZE: u32 = 256u;
override PIXELS_PER_INVOCATION: u32 = 4u;

struct ThresholdParams {
  pixelCount: u32,
  rowStride: u32,
  useMask: u32,
  thresholdDn: f32,
}

@group(0) @binding(0) var<uniform> params: ThresholdParams;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read> valid: array<u32>;
@group(0) @binding(3) var<storage, read_write> mask: array<u32>;

// By bit pattern: WGSL lets compilers assume no NaN, so v > t alone is not enough.
fn isNan(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  // The workgroup's first pixel plus this invocation's index in it.
  let first = (gid.y * params.rowStride + gid.x - lid) * PIXELS_PER_INVOCATION + lid;
  for (var k = 0u; k < PIXELS_PER_INVOCATION; k++) {
    let i = first + k * WORKGROUP_SIZE;
    if (i < params.pixelCount) {
      let v = values[i];
      let inArea = params.useMask == 0u || valid[i] != 0u;
      mask[i] = select(0u, 1u, inArea && !isNan(v) && v > params.thresholdDn);
    }
  }
}
