// Misregistration-tolerant change (CPU twin: bestMatchChange in
// src/core/analysis/occupancy.ts). shadow-test.wgsl is prepended by the wrapper.
//
// For a pixel p with domainRoi[p] ≥ 0 and x = moving(p): the candidates q are
// the reference pixels inside the image with |q − p|² ≤ r², r = radiusPx,
// visited in raster order of their offsets (dy outer, dx inner, −r … r), with
// y = reference(q), d = √((e_R² + e_G²) + e_B²), e = x − y, and a running best:
//   if d < best (or no best yet): best = 0 when shadowTest ≠ 0 and
//   (shadowOf(x, y) or shadowOf(y, x)), else d.
// NaN distances are skipped. change[p] = best (+∞ when no candidate gave
// one), 0 outside the domain. One dispatch per direction: the wrapper swaps
// moving and reference for the other date.
//
// The output is bound as u32 holding f32 bits so that +∞ can be written
// (WGSL has no infinite literal).
//
// Tiling: one invocation per pixel in WORKGROUP_WIDTH × WORKGROUP_HEIGHT tiles;
// the disc loops are bounded by MAX_RADIUS_PX (larger radii are refused before
// they reach the shader).
//
// Bindings: 0 uniform params; 1, 2, 3 moving red, green, blue; 4, 5, 6
//           reference red, green, blue (width·height f32 each); 7 domainRoi
//           (width·height i32, ≥ 0 inside the domain); 8 change (width·height
//           u32 = f32 bits, written).

override WORKGROUP_WIDTH: u32 = 16u;
override WORKGROUP_HEIGHT: u32 = 16u;
override MAX_RADIUS_PX: u32 = 16u;

const F32_INFINITY_BITS: u32 = 0x7f800000u;

struct ChangeParams {
  width: u32,
  height: u32,
  radiusPx: u32,
  shadowTest: u32,
  shadowMinLumRatio: f32,
  shadowMaxLumRatio: f32,
  shadowChromaTolerance: f32,
  padding0: u32,
  luma: vec4<f32>,
}

@group(0) @binding(0) var<uniform> params: ChangeParams;
@group(0) @binding(1) var<storage, read> movingRed: array<f32>;
@group(0) @binding(2) var<storage, read> movingGreen: array<f32>;
@group(0) @binding(3) var<storage, read> movingBlue: array<f32>;
@group(0) @binding(4) var<storage, read> referenceRed: array<f32>;
@group(0) @binding(5) var<storage, read> referenceGreen: array<f32>;
@group(0) @binding(6) var<storage, read> referenceBlue: array<f32>;
@group(0) @binding(7) var<storage, read> domainRoi: array<i32>;
@group(0) @binding(8) var<storage, read_write> change: array<u32>;

// By bit pattern: WGSL lets compilers assume no NaN.
fn isNan(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

@compute @workgroup_size(WORKGROUP_WIDTH, WORKGROUP_HEIGHT)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let width = params.width;
  let height = params.height;
  if (gid.x >= width || gid.y >= height) {
    return;
  }
  let p = gid.y * width + gid.x;
  if (domainRoi[p] < 0) {
    change[p] = 0u;
    return;
  }
  let luma = params.luma.xyz;
  let x = vec3<f32>(movingRed[p], movingGreen[p], movingBlue[p]);
  let r = i32(min(params.radiusPx, MAX_RADIUS_PX));
  let px = i32(gid.x);
  let py = i32(gid.y);
  var best = 0.0;
  var found = false;
  for (var dy = -r; dy <= r; dy++) {
    let qy = py + dy;
    for (var dx = -r; dx <= r; dx++) {
      let qx = px + dx;
      if (dx * dx + dy * dy > r * r || qx < 0 || qy < 0 || qx >= i32(width) ||
          qy >= i32(height)) {
        continue;
      }
      let q = u32(qy) * width + u32(qx);
      let y = vec3<f32>(referenceRed[q], referenceGreen[q], referenceBlue[q]);
      let e = x - y;
      var d = sqrt(e.x * e.x + e.y * e.y + e.z * e.z);
      if (isNan(d) || (found && !(d < best))) {
        continue;
      }
      if (params.shadowTest != 0u &&
          (shadowOf(x, y, luma, params.shadowMinLumRatio, params.shadowMaxLumRatio,
                    params.shadowChromaTolerance) ||
           shadowOf(y, x, luma, params.shadowMinLumRatio, params.shadowMaxLumRatio,
                    params.shadowChromaTolerance))) {
        d = 0.0;
      }
      best = d;
      found = true;
    }
  }
  change[p] = select(F32_INFINITY_BITS, bitcast<u32>(best), found);
}
