// Per-pixel maps of the texture measure (CPU twins: luminanceOf and
// absDifferenceOf in src/core/analysis/occupancy.ts). The whole measure,
//   texture = boxMean_r(|lum − gauss_r(lum)|),
// is luminance → blur.wgsl (Gaussian, r) → absDifference → blur.wgsl (box, r),
// recorded by src/gpu/occupancy.ts (createTextureStage).
//
// luminance:     lum[i] = (w_R·red[i] + w_G·green[i]) + w_B·blue[i], weights a uniform.
// absDifference: high[i] = |a[i] − b[i]|.
//
// Tiling: one invocation per pixel, 1-D workgroups of WORKGROUP_SIZE folded
// into a 2-D dispatch for large images (rowStride rebuilds the linear index).
//
// Bindings: 0 uniform params; luminance: 1, 2, 3 red, green, blue, 4 lum
//           (written); absDifference: 5 a, 6 b, 7 high (written); all
//           pixelCount f32. Each entry point's layout holds only its own bindings.

override WORKGROUP_SIZE: u32 = 256u;

struct TextureParams {
  pixelCount: u32,
  rowStride: u32,
  padding0: u32,
  padding1: u32,
  luma: vec4<f32>,
}

@group(0) @binding(0) var<uniform> params: TextureParams;
@group(0) @binding(1) var<storage, read> red: array<f32>;
@group(0) @binding(2) var<storage, read> green: array<f32>;
@group(0) @binding(3) var<storage, read> blue: array<f32>;
@group(0) @binding(4) var<storage, read_write> lum: array<f32>;
@group(0) @binding(5) var<storage, read> a: array<f32>;
@group(0) @binding(6) var<storage, read> b: array<f32>;
@group(0) @binding(7) var<storage, read_write> high: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn luminance(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.y * params.rowStride + gid.x;
  if (i >= params.pixelCount) {
    return;
  }
  let w = params.luma;
  lum[i] = w.x * red[i] + w.y * green[i] + w.z * blue[i];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn absDifference(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.y * params.rowStride + gid.x;
  if (i >= params.pixelCount) {
    return;
  }
  high[i] = abs(a[i] - b[i]);
}
