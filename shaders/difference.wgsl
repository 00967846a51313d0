// Per-pixel change between two co-registered images (CPU twin: src/core/difference.ts).
//
// Inputs are band-planar f32: band b of pixel i at b * pixelCount + i.
// Output holds three planes of pixelCount values:
//   0  signed luminance change sum_b w_b * (after_b - before_b)  (positive = brighter)
//   1  max over bands of |after_b - before_b|
//   2  change-vector magnitude sqrt(sum_b (after_b - before_b)^2)
// One invocation per pixel. The dispatch may be folded into 2-D for large
// images; rowStride (invocations per dispatch row) rebuilds the linear index.
//
// Bindings: 0 uniform params, 1 before, 2 after, 3 change (written).

override WORKGROUP_SIZE: u32 = 256u;

struct DifferenceParams {
  pixelCount: u32,
  bandCount: u32,
  rowStride: u32,
  padding0: u32,
  weights: vec4<f32>,
}

@group(0) @binding(0) var<uniform> params: DifferenceParams;
@group(0) @binding(1) var<storage, read> before: array<f32>;
@group(0) @binding(2) var<storage, read> after: array<f32>;
@group(0) @binding(3) var<storage, read_write> change: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n = params.pixelCount;
  let i = gid.y * params.rowStride + gid.x;
  if (i >= n) {
    return;
  }
  var luma = 0.0;
  var maxAbs = 0.0;
  var sumSq = 0.0;
  let bands = min(params.bandCount, 4u);
  for (var b = 0u; b < bands; b++) {
    let d = after[b * n + i] - before[b * n + i];
    luma += params.weights[b] * d;
    maxAbs = max(maxAbs, abs(d));
    sumSq += d * d;
  }
  change[i] = luma;
  change[n + i] = maxAbs;
  change[2u * n + i] = sqrt(sumSq);
}
