// One binary erosion or dilation step on a 0/1 mask (CPU twin: src/core/morphology.ts).
//
// The structuring element is given by rows: halfWidths[|dy|] for |dy| <= r is
// the largest |dx| in row dy (r for a square, floor(sqrt(r*r - dy*dy)) for a
// disc), r = min(params.radiusPx, MAX_RADIUS_PX), so every loop is bounded.
// operation 0 = erode (target = background), 1 = dilate (target = foreground);
// input pixels are foreground when nonzero. The element is clipped to the image:
// erosion treats outside as foreground, dilation as background.
//
// Two entry points, run in this order by src/gpu/morphology.ts:
//   rows     input = mask      -> output = distance along the row to the
//            nearest in-image target pixel, capped at r + 1 (u32)
//   columns  input = distances -> output = mask: hit = some in-image row y + dy
//            (|dy| <= r) has distance <= halfWidths[|dy|]; erosion writes
//            !hit, dilation writes hit (as 0/1), ANDed with clip[i] != 0
//            when clipToMask != 0
// Opening and closing are two such steps (erode then dilate, or the reverse).
// The clip lets the analysis AND a closing with its domain in the closing's
// last pass instead of a mask-combine pass of its own (a full read and write
// of the mask saved per mask).
//
// Tiling: one invocation per pixel in WORKGROUP_WIDTH x WORKGROUP_HEIGHT tiles
// over a 2-D dispatch (x = column, y = row).
//
// Bindings: 0 uniform params, 1 halfWidths (r + 1 u32), 2 input (width*height
//           u32), 3 output (width*height u32, written), 4 clip (width*height
//           u32; read by columns only when clipToMask != 0, else any buffer).

override WORKGROUP_WIDTH: u32 = 16u;
override WORKGROUP_HEIGHT: u32 = 16u;
override MAX_RADIUS_PX: u32 = 64u;

// MorphologyParams.operation (MORPHOLOGY_STEP_CODE in src/core/morphology.ts; a
// unit test keeps them equal).
const OPERATION_ERODE: u32 = 0u;
const OPERATION_DILATE: u32 = 1u;

struct MorphologyParams {
  width: u32,
  height: u32,
  radiusPx: u32,
  operation: u32,
  clipToMask: u32,
  padding0: u32,
  padding1: u32,
  padding2: u32,
}

@group(0) @binding(0) var<uniform> params: MorphologyParams;
@group(0) @binding(1) var<storage, read> halfWidths: array<u32>;
@group(0) @binding(2) var<storage, read> input: array<u32>;
@group(0) @binding(3) var<storage, read_write> output: array<u32>;
@group(0) @binding(4) var<storage, read> clip: array<u32>;

fn isTarget(i: u32) -> bool {
  return (input[i] != 0u) == (params.operation == OPERATION_DILATE);
}

@compute @workgroup_size(WORKGROUP_WIDTH, WORKGROUP_HEIGHT)
fn rows(@builtin(global_invocation_id) gid: vec3<u32>) {
  let w = params.width;
  let x = gid.x;
  if (x >= w || gid.y >= params.height) {
    return;
  }
  let r = min(params.radiusPx, MAX_RADIUS_PX);
  let row = gid.y * w;
  var d = r + 1u;
  for (var k = 0u; k <= r; k++) {
    let left = x >= k && isTarget(row + x - k);
    let right = x + k < w && isTarget(row + x + k);
    if (left || right) {
      d = k;
      break;
    }
  }
  output[row + x] = d;
}

@compute @workgroup_size(WORKGROUP_WIDTH, WORKGROUP_HEIGHT)
fn columns(@builtin(global_invocation_id) gid: vec3<u32>) {
  let w = params.width;
  let h = params.height;
  let x = gid.x;
  let y = gid.y;
  if (x >= w || y >= h) {
    return;
  }
  let r = min(params.radiusPx, MAX_RADIUS_PX);
  var hit = false;
  for (var dy = 0u; dy <= r; dy++) {
    let hw = halfWidths[dy];
    let above = y >= dy && input[(y - dy) * w + x] <= hw;
    let below = y + dy < h && input[(y + dy) * w + x] <= hw;
    if (above || below) {
      hit = true;
      break;
    }
  }
  let dilate = params.operation == OPERATION_DILATE;
  let i = y * w + x;
  let inClip = params.clipToMask == 0u || clip[i] != 0u;
  output[i] = select(0u, 1u, hit == dilate && inClip);
}
