// Binary erosion and dilation on masks packed to bits (CPU twin:
// src/core/morphology.ts; packing twins packMaskBitsCpu / unpackMaskBitsCpu).
//
// The structuring element is given by rows: halfWidths[offset + |dy|] for
// |dy| <= r is the largest |dx| in row dy (r for a square, floor(sqrt(r*r -
// dy*dy)) for a disc), r = min(params.radiusPx, MAX_RADIUS_PX), so every loop
// is bounded; one buffer holds the rows of every step of a chain, each step at
// its halfWidthsOffset. operation 0 = erode (target = background), 1 = dilate
// (target = foreground). The element is clipped to the image: erosion treats
// outside as foreground, dilation as background, so outside is never a target.
//
// Why bits: a u32 per pixel made each step two full-image passes of 4 bytes a
// pixel read and written (about 1 GB a step at 64 Mpx); packed, a step moves
// 1/32 of that and the mask stays in the GPU's L2. Only the pack (mask in) and
// the unpack (mask out, ANDed with the clip) touch u32 masks.
//
// Packed layout: rows padded to whole words, wordsPerRow = ceil(width / 32);
// bit b of word (y, q) is pixel (32q + b, y); bits past the width are 0.
//
// Three entry points, run in this order by src/gpu/morphology.ts:
//   pack    one invocation per pixel of 8 words' worth (256 a workgroup,
//           coalesced reads), u32 mask (nonzero = foreground) -> bits
//   step    one invocation per word: erode or dilate, bits -> bits
//   unpack  one invocation per pixel: bits -> u32 0/1, ANDed with
//           clip[i] != 0 when clipToMask != 0
// Dispatches may be folded into 2-D; rowStride (invocations per dispatch row)
// rebuilds the linear index.
//
// Bindings: 0 uniform params, 1 halfWidths (u32, step only), 2 input (pack:
//           u32 mask; step, unpack: bits), 3 output (pack, step: bits;
//           unpack: u32 mask), 4 clip (u32 mask; unpack only, read when
//           clipToMask != 0, else any buffer).

override WORKGROUP_SIZE: u32 = 256u;
override MAX_RADIUS_PX: u32 = 64u;

// MorphologyParams.operation (MORPHOLOGY_STEP_CODE in src/core/morphology.ts; a
// unit test keeps them equal).
const OPERATION_ERODE: u32 = 0u;
const OPERATION_DILATE: u32 = 1u;

struct MorphologyParams {
  width: u32,
  height: u32,
  wordsPerRow: u32,
  rowStride: u32,
  radiusPx: u32,
  operation: u32,
  halfWidthsOffset: u32,
  clipToMask: u32,
}

@group(0) @binding(0) var<uniform> params: MorphologyParams;
@group(0) @binding(1) var<storage, read> halfWidths: array<u32>;
@group(0) @binding(2) var<storage, read> input: array<u32>;
@group(0) @binding(3) var<storage, read_write> output: array<u32>;
@group(0) @binding(4) var<storage, read> clip: array<u32>;

// A workgroup's pixels, a bit each, before eight invocations gather them into words.
var<workgroup> pixelBits: array<u32, WORKGROUP_SIZE>;

fn linearIndex(id: vec3<u32>) -> u32 {
  return id.y * params.rowStride + id.x;
}

// Pixels of word q of a row that lie inside the image.
fn inImageBits(q: u32) -> u32 {
  let tail = params.width % 32u;
  return select(0xffffffffu, (1u << tail) - 1u, tail != 0u && q + 1u == params.wordsPerRow);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn pack(
  @builtin(global_invocation_id) id: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  // Invocation j stands for bit j % 32 of word j / 32 (WORKGROUP_SIZE is a multiple
  // of 32, so a workgroup holds whole words).
  let j = linearIndex(id);
  let wordCount = params.wordsPerRow * params.height;
  let word = j / 32u;
  let x = (word % params.wordsPerRow) * 32u + j % 32u;
  var bit = 0u;
  if (word < wordCount && x < params.width) {
    let y = word / params.wordsPerRow;
    bit = select(0u, 1u << (j % 32u), input[y * params.width + x] != 0u);
  }
  pixelBits[lid] = bit;
  workgroupBarrier();
  if (lid % 32u == 0u && word < wordCount) {
    var packed = 0u;
    for (var b = 0u; b < 32u; b++) {
      packed = packed | pixelBits[lid + b];
    }
    output[word] = packed;
  }
}

// Target bits (foreground for dilation, background for erosion) of word q of row
// y; 0 outside the image, where no pixel is a target.
fn targetWord(y: u32, q: i32, dilate: bool) -> u32 {
  if (q < 0 || u32(q) >= params.wordsPerRow) {
    return 0u;
  }
  let word = input[y * params.wordsPerRow + u32(q)];
  return select(~word, word, dilate) & inImageBits(u32(q));
}

// The 32 target bits of row y starting at pixel `start` (may lie off the row).
fn targetBitsAt(y: u32, start: i32, dilate: bool) -> u32 {
  let q = start >> 5u;
  let shift = u32(start & 31);
  let low = targetWord(y, q, dilate) >> shift;
  if (shift == 0u) {
    return low;
  }
  return low | (targetWord(y, q + 1, dilate) << (32u - shift));
}

// Bits of word q of row y with a target within halfWidth pixels along the row.
fn rowHits(y: u32, q: u32, halfWidth: u32, dilate: bool) -> u32 {
  let start = i32(q * 32u);
  var hits = targetBitsAt(y, start, dilate);
  for (var k = 1u; k <= halfWidth; k++) {
    hits = hits | targetBitsAt(y, start - i32(k), dilate) | targetBitsAt(y, start + i32(k), dilate);
  }
  return hits;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn step(@builtin(global_invocation_id) id: vec3<u32>) {
  let j = linearIndex(id);
  if (j >= params.wordsPerRow * params.height) {
    return;
  }
  let y = j / params.wordsPerRow;
  let q = j % params.wordsPerRow;
  let r = min(params.radiusPx, MAX_RADIUS_PX);
  let dilate = params.operation == OPERATION_DILATE;
  var hits = 0u;
  for (var dy = 0u; dy <= r; dy++) {
    let halfWidth = min(halfWidths[params.halfWidthsOffset + dy], MAX_RADIUS_PX);
    if (y >= dy) {
      hits = hits | rowHits(y - dy, q, halfWidth, dilate);
    }
    if (dy > 0u && y + dy < params.height) {
      hits = hits | rowHits(y + dy, q, halfWidth, dilate);
    }
  }
  // Dilation: set where a foreground pixel is under the element; erosion: kept
  // where no background pixel is.
  output[j] = select(~hits, hits, dilate) & inImageBits(q);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn unpack(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = linearIndex(id);
  if (i >= params.width * params.height) {
    return;
  }
  let y = i / params.width;
  let x = i % params.width;
  let bit = (input[y * params.wordsPerRow + x / 32u] >> (x % 32u)) & 1u;
  let inClip = params.clipToMask == 0u || clip[i] != 0u;
  output[i] = select(0u, bit, inClip);
}
