// Luminance and the shadow test, shared by occupancy.wgsl and change.wgsl: the
// wrappers prepend this file to those shaders (it declares no bindings and no
// entry point). CPU twins: luminanceF32 and shadowOf in
// src/core/analysis/occupancy.ts, which round every step to f32 in the order
// written here.
//
// luminance(x) = (w_R·R + w_G·G) + w_B·B with the Rec. 601 weights passed in
// (a uniform, never constants in this file).
//
// shadowOf(x, lit): x looks like `lit` in the shade (Tsai 2006, IEEE TGRS
// 44(6), invariant-colour shadow detection, here against a known lit colour):
//   lum(lit) > 1, lumRatio = lum(x) / lum(lit) in [minLum, maxLum],
//   r_b = (x_b + 1) / (lit_b + 1), m = ((r_R + r_G) + r_B) / 3,
//   |r_b − m| ≤ tol for every band, and −tol/2 ≤ r_B − r_R ≤ 2·tol.

fn luminanceOf(x: vec3<f32>, luma: vec3<f32>) -> f32 {
  return luma.x * x.x + luma.y * x.y + luma.z * x.z;
}

fn shadowOf(
  x: vec3<f32>,
  lit: vec3<f32>,
  luma: vec3<f32>,
  minLum: f32,
  maxLum: f32,
  tol: f32,
) -> bool {
  let ll = luminanceOf(lit, luma);
  if (!(ll > 1.0)) {
    return false;
  }
  let lumRatio = luminanceOf(x, luma) / ll;
  if (lumRatio < minLum || lumRatio > maxLum) {
    return false;
  }
  let r = (x + vec3<f32>(1.0)) / (lit + vec3<f32>(1.0));
  let m = (r.x + r.y + r.z) / 3.0;
  if (abs(r.x - m) > tol || abs(r.y - m) > tol || abs(r.z - m) > tol) {
    return false;
  }
  let blueCast = r.z - r.x;
  return blueCast >= -0.5 * tol && blueCast <= 2.0 * tol;
}
