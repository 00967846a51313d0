// Draws the before and after images into one pane of the view (no CPU twin:
// display only; the analysis never reads these pixels).
//
// One full-screen triangle per pane, clipped to the pane by the scissor. The
// fragment shader maps its canvas pixel to an image position (full-resolution
// before pixels: image = (pixel − pane origin − image origin) / scale), then to
// texture coordinates over the image's full extent (display textures may be
// smaller than the image), and shows, by `mode`:
//   0 the before image, 1 the after image,
//   2 swipe: before left of the divider, after right of it, and the divider,
//   3 onion skin: after over before at `onionOpacity`.
// The sampler is nearest when magnified (single pixels stay crisp blocks) and
// trilinear over the mipmap chain when minified.
//
// Bindings: 0 uniform view, 1 sampler, 2 before texture, 3 after texture.

struct ViewUniforms {
  paneOriginPx: vec2<f32>,
  imageOriginPx: vec2<f32>,
  imageSizePx: vec2<f32>,
  scale: f32,
  mode: u32,
  dividerXPx: f32,
  dividerHalfWidthPx: f32,
  onionOpacity: f32,
  padding0: f32,
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

// ViewUniforms.mode (VIEW_MODE in src/core/kernel-layout.ts; a unit test keeps them equal).
const MODE_BEFORE: u32 = 0u;
const MODE_AFTER: u32 = 1u;
const MODE_SWIPE: u32 = 2u;
const MODE_ONION: u32 = 3u;

@fragment
fn fragmentMain(@builtin(position) position: vec4<f32>) -> @location(0) vec4<f32> {
  let pixel = position.xy;
  let imagePx = (pixel - view.paneOriginPx - view.imageOriginPx) / view.scale;
  let uv = imagePx / view.imageSizePx;
  // Sample both unconditionally (uniform control flow for the derivatives), then choose.
  let before = textureSample(beforeTexture, imageSampler, uv);
  let after = textureSample(afterTexture, imageSampler, uv);
  var colour = before; // MODE_BEFORE
  if (view.mode == MODE_AFTER) {
    colour = after;
  } else if (view.mode == MODE_SWIPE) {
    colour = select(after, before, pixel.x < view.dividerXPx);
  } else if (view.mode == MODE_ONION) {
    colour = mix(before, after, view.onionOpacity);
  }
  let inside = all(uv >= vec2<f32>(0.0)) && all(uv <= vec2<f32>(1.0));
  colour = select(view.background, colour, inside);
  if (view.mode == MODE_SWIPE && abs(pixel.x - view.dividerXPx) <= view.dividerHalfWidthPx) {
    colour = view.dividerColour;
  }
  return vec4<f32>(colour.rgb, 1.0);
}
