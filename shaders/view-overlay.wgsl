// Draws one overlay (an RGBA picture over the imagery: a change mask, blobs)
// into one pane of the view, alpha-blended over what is there (no CPU twin:
// display only).
//
// Six vertices make the overlay's rectangle, given in image pixels
// (full-resolution before pixels); the vertex shader places it on the canvas
// with the view transform (screen = pane origin + image origin + scale ·
// image). The fragment shader samples the overlay (nearest when magnified,
// trilinear when minified) and multiplies its alpha by `opacity`; the pipeline
// blends with src-alpha / one-minus-src-alpha. The scissor keeps it in its pane.
//
// Bindings: 0 uniform overlay, 1 sampler, 2 overlay texture.

struct OverlayUniforms {
  canvasSizePx: vec2<f32>,
  paneOriginPx: vec2<f32>,
  imageOriginPx: vec2<f32>,
  scale: f32,
  opacity: f32,
  rectImagePx: vec4<f32>,
}

struct VertexOut {
  @builtin(position) position: vec4<f32>,
  @location(0) uv: vec2<f32>,
}

@group(0) @binding(0) var<uniform> overlay: OverlayUniforms;
@group(0) @binding(1) var overlaySampler: sampler;
@group(0) @binding(2) var overlayTexture: texture_2d<f32>;

@vertex
fn vertexMain(@builtin(vertex_index) index: u32) -> VertexOut {
  // Two triangles: corners (0,0) (1,0) (0,1) and (0,1) (1,0) (1,1).
  var corners = array<vec2<f32>, 6>(
    vec2<f32>(0.0, 0.0),
    vec2<f32>(1.0, 0.0),
    vec2<f32>(0.0, 1.0),
    vec2<f32>(0.0, 1.0),
    vec2<f32>(1.0, 0.0),
    vec2<f32>(1.0, 1.0),
  );
  let corner = corners[index];
  let imagePx = overlay.rectImagePx.xy + corner * overlay.rectImagePx.zw;
  let screen = overlay.paneOriginPx + overlay.imageOriginPx + imagePx * overlay.scale;
  let clip = vec2<f32>(
    screen.x / overlay.canvasSizePx.x * 2.0 - 1.0,
    1.0 - screen.y / overlay.canvasSizePx.y * 2.0,
  );
  var out: VertexOut;
  out.position = vec4<f32>(clip, 0.0, 1.0);
  out.uv = corner;
  return out;
}

@fragment
fn fragmentMain(in: VertexOut) -> @location(0) vec4<f32> {
  let colour = textureSample(overlayTexture, overlaySampler, in.uv);
  return vec4<f32>(colour.rgb, colour.a * overlay.opacity);
}
