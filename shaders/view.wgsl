// Draws the before and after images into the canvas with a swipe divider
// (no CPU twin: display only; the analysis never reads these pixels).
//
// One full-screen triangle. The fragment shader maps its canvas pixel into the
// image rectangle (letterboxed to keep the aspect ratio), samples the before
// texture left of the divider and the after texture right of it, and draws the
// divider line itself.
//
// Bindings: 0 uniform view, 1 sampler, 2 before texture, 3 after texture.

struct ViewUniforms {
  imageOffsetPx: vec2<f32>,
  imageSizePx: vec2<f32>,
  dividerXPx: f32,
  dividerHalfWidthPx: f32,
  padding0: vec2<f32>,
  background: vec4<f32>,
  dividerColour: vec4<f32>,
}

@group(0) @binding(0) var<uniform> view: ViewUniforms;
@group(0) @binding(1) var imageSampler: sampler;
@group(0) @binding(2) var beforeTexture: texture_2d<f32>;
@group(0) @binding(3) var afterTexture: texture_2d<f32>;

@vertex
fn vertexMain(@builtin(vertex_index) index: u32) -> @builtin(position) vec4<f32> {
  // A triangle that covers the whole clip space.
  let x = f32((index << 1u) & 2u) * 2.0 - 1.0;
  let y = f32(index & 2u) * 2.0 - 1.0;
  return vec4<f32>(x, y, 0.0, 1.0);
}

@fragment
fn fragmentMain(@builtin(position) position: vec4<f32>) -> @location(0) vec4<f32> {
  let pixel = position.xy;
  let uv = (pixel - view.imageOffsetPx) / view.imageSizePx;
  // Sample both unconditionally (uniform control flow), then choose.
  let before = textureSampleLevel(beforeTexture, imageSampler, uv, 0.0);
  let after = textureSampleLevel(afterTexture, imageSampler, uv, 0.0);
  var colour = select(after, before, pixel.x < view.dividerXPx);
  let inside = all(uv >= vec2<f32>(0.0)) && all(uv <= vec2<f32>(1.0));
  colour = select(view.background, colour, inside);
  if (abs(pixel.x - view.dividerXPx) <= view.dividerHalfWidthPx) {
    colour = view.dividerColour;
  }
  return vec4<f32>(colour.rgb, 1.0);
}
