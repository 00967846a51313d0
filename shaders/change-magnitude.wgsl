// Change magnitude for the heat map, a byte per pixel packed four to a u32
// word for read-back (CPU twin: changeMagnitudeCpu in
// src/core/analysis/change-magnitude.ts; wrapper src/gpu/change-magnitude.ts).
//
// level(i) = min(255, floor(max(changeAfter[i], changeBefore[i]) * levelsPerDn)),
// pixel 4j + k in bits 8k .. 8k + 7 of packed[j]; past pixelCount the bytes
// are 0. Only a product (correctly rounded in WGSL), no division, so equal
// change scores give the CPU's levels exactly.
//
// One invocation per output word; rowStride rebuilds the linear index of a
// dispatch folded into 2-D.
//
// Bindings: 0 uniform params, 1 changeAfter (f32, read), 2 changeBefore
// (f32, read), 3 packed (u32 per four pixels, written).

override WORKGROUP_SIZE: u32 = 256u;

struct ChangeMagnitudeParams {
  pixelCount: u32,
  wordCount: u32,
  rowStride: u32,
  levelsPerDn: f32,
}

@group(0) @binding(0) var<uniform> params: ChangeMagnitudeParams;
@group(0) @binding(1) var<storage, read> changeAfter: array<f32>;
@group(0) @binding(2) var<storage, read> changeBefore: array<f32>;
@group(0) @binding(3) var<storage, read_write> packed: array<u32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let j = id.y * params.rowStride + id.x;
  if (j >= params.wordCount) {
    return;
  }
  var word = 0u;
  for (var k = 0u; k < 4u; k++) {
    let i = 4u * j + k;
    if (i < params.pixelCount) {
      let scaled = max(changeAfter[i], changeBefore[i]) * params.levelsPerDn;
      let level = u32(min(floor(scaled), 255.0));
      word = word | (level << (8u * k));
    }
  }
  packed[j] = word;
}
