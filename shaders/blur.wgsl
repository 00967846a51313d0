// Separable smoothing of a single-band f32 image (CPU twin: src/core/blur.ts).
//
// Two entry points, run in this order by src/gpu/blur.ts:
//   horizontal  source (the image)        → destination (row-blurred scratch)
//   vertical    source (row-blurred copy) → destination (the smoothed image)
// Each output pixel is sum_{k=0..2r} weights[k] * source[clamped (x or y) + k - r],
// taps summed in increasing k; indices outside the image clamp to the nearest
// edge pixel (replicate). r = min(params.radiusPx, MAX_RADIUS_PX), so the tap
// loop is bounded; radius 0 with weights [1] is the identity.
//
// Tiling: one invocation per output pixel in WORKGROUP_WIDTH x WORKGROUP_HEIGHT
// tiles over a 2-D dispatch (x = column, y = row). Taps are read straight from
// storage; neighbouring invocations read overlapping taps, which caches serve.
//
// Bindings: 0 uniform params, 1 weights (2r + 1 f32, normalized on the CPU),
//           2 source (width*height f32, row-major), 3 destination (written).

override WORKGROUP_WIDTH: u32 = 16u;
override WORKGROUP_HEIGHT: u32 = 16u;
override MAX_RADIUS_PX: u32 = 64u;

struct BlurParams {
  width: u32,
  height: u32,
  radiusPx: u32,
  padding0: u32,
}

@group(0) @binding(0) var<uniform> params: BlurParams;
@group(0) @binding(1) var<storage, read> weights: array<f32>;
@group(0) @binding(2) var<storage, read> source: array<f32>;
@group(0) @binding(3) var<storage, read_write> destination: array<f32>;

@compute @workgroup_size(WORKGROUP_WIDTH, WORKGROUP_HEIGHT)
fn horizontal(@builtin(global_invocation_id) gid: vec3<u32>) {
  let w = params.width;
  if (gid.x >= w || gid.y >= params.height) {
    return;
  }
  let r = i32(min(params.radiusPx, MAX_RADIUS_PX));
  let row = gid.y * w;
  let x = i32(gid.x);
  var acc = 0.0;
  for (var k = 0; k <= 2 * r; k++) {
    let xs = clamp(x + k - r, 0, i32(w) - 1);
    acc += weights[k] * source[row + u32(xs)];
  }
  destination[row + gid.x] = acc;
}

@compute @workgroup_size(WORKGROUP_WIDTH, WORKGROUP_HEIGHT)
fn vertical(@builtin(global_invocation_id) gid: vec3<u32>) {
  let w = params.width;
  let h = params.height;
  if (gid.x >= w || gid.y >= h) {
    return;
  }
  let r = i32(min(params.radiusPx, MAX_RADIUS_PX));
  let y = i32(gid.y);
  var acc = 0.0;
  for (var k = 0; k <= 2 * r; k++) {
    let ys = clamp(y + k - r, 0, i32(h) - 1);
    acc += weights[k] * source[u32(ys) * w + gid.x];
  }
  destination[gid.y * w + gid.x] = acc;
}
