// Occupancy score per pixel (CPU twin: occupancyDistance in
// src/core/analysis/occupancy.ts). shadow-test.wgsl is prepended by the wrapper.
//
// For a pixel whose ROI index roi = domainRoi[i] is ≥ 0 and below roiCount,
// with x = (red, green, blue)[i] (smoothed) and s = surfaces[roi].xyz:
//   shadow[i] = 1, distance[i] = 0   when shadowTest ≠ 0 and shadowOf(x, s);
//   otherwise shadow[i] = 0 and, with L = lum(x) / lum(s) (1 when lum(s) ≤ 0),
//   hue       = √((c_R² + c_G²) + c_B²), c = x − L·s,
//   brightness = (brightnessWeight·√3)·|lum(x) − lum(s)|,
//   textured  = textureValues[i]·thresholdDn / textureThresholdDn when
//               useTexture ≠ 0 and textureThresholdDn > 0, else 0,
//   distance[i] = max(max(hue, brightness), textured).
// Elsewhere distance and shadow are 0. Every parameter is a uniform.
//
// Tiling: one invocation per pixel, 1-D workgroups of WORKGROUP_SIZE folded
// into a 2-D dispatch for large images (rowStride rebuilds the linear index).
//
// Bindings: 0 uniform params; 1, 2, 3 red, green, blue (pixelCount f32);
//           4 textureValues (pixelCount f32; any 4-byte buffer when useTexture
//           = 0); 5 domainRoi (pixelCount i32: the ROI index where the pixel
//           is valid, −1 elsewhere); 6 surfaces (roiCount vec4<f32>, w unused);
//           7 distance (pixelCount f32, written); 8 shadow (pixelCount u32 0/1, written).

override WORKGROUP_SIZE: u32 = 256u;

const SQRT3: f32 = 1.7320508075688772;

struct OccupancyParams {
  pixelCount: u32,
  rowStride: u32,
  roiCount: u32,
  shadowTest: u32,
  useTexture: u32,
  brightnessWeight: f32,
  thresholdDn: f32,
  textureThresholdDn: f32,
  shadowMinLumRatio: f32,
  shadowMaxLumRatio: f32,
  shadowChromaTolerance: f32,
  padding0: u32,
  luma: vec4<f32>,
}

@group(0) @binding(0) var<uniform> params: OccupancyParams;
@group(0) @binding(1) var<storage, read> red: array<f32>;
@group(0) @binding(2) var<storage, read> green: array<f32>;
@group(0) @binding(3) var<storage, read> blue: array<f32>;
@group(0) @binding(4) var<storage, read> textureValues: array<f32>;
@group(0) @binding(5) var<storage, read> domainRoi: array<i32>;
@group(0) @binding(6) var<storage, read> surfaces: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read_write> distance: array<f32>;
@group(0) @binding(8) var<storage, read_write> shadow: array<u32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.y * params.rowStride + gid.x;
  if (i >= params.pixelCount) {
    return;
  }
  var score = 0.0;
  var inShadow = 0u;
  let roi = domainRoi[i];
  if (roi >= 0 && u32(roi) < params.roiCount) {
    let luma = params.luma.xyz;
    let s = surfaces[u32(roi)].xyz;
    let x = vec3<f32>(red[i], green[i], blue[i]);
    if (params.shadowTest != 0u &&
        shadowOf(x, s, luma, params.shadowMinLumRatio, params.shadowMaxLumRatio,
                 params.shadowChromaTolerance)) {
      inShadow = 1u;
    } else {
      let ls = luminanceOf(s, luma);
      let lx = luminanceOf(x, luma);
      var gain = 1.0;
      if (ls > 0.0) {
        gain = lx / ls;
      }
      let c = x - gain * s;
      let hue = sqrt(c.x * c.x + c.y * c.y + c.z * c.z);
      let brightness = (params.brightnessWeight * SQRT3) * abs(lx - ls);
      var textured = 0.0;
      if (params.useTexture != 0u && params.textureThresholdDn > 0.0) {
        textured = (textureValues[i] * params.thresholdDn) / params.textureThresholdDn;
      }
      score = max(max(hue, brightness), textured);
    }
  }
  distance[i] = score;
  shadow[i] = inShadow;
}
