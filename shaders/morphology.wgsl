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
// Entry points, run in this order by src/gpu/morphology.ts:
//   pack    one invocation per pixel of 8 words' worth (256 a workgroup,
//           coalesced reads), u32 mask (nonzero = foreground) -> bits
//   threshold  instead of pack, the same shape: f32 values -> bits, set where
//           valuesA > thresholdA (f32, strict, NaN never: threshold.wgsl's
//           test), AND or OR the same of valuesB (combine 1 or 2; 0: A
//           alone), so a raw mask goes from its scores to bits in one pass
//           (CPU twin: thresholdCombinedCpu in src/core/threshold.ts); with
//           consensus != 0, a pixel whose change scores (changeAfterScores,
//           changeBeforeScores) both lie below unchangedAfterDn /
//           unchangedBeforeDn is set where valuesA + valuesB > thresholdA +
//           thresholdB instead, one decision for both dates on ground that
//           did not change (twin: occupiedWithConsensusCpu)
//   step    one invocation per word: erode or dilate, bits -> bits
//   unpack  one invocation per pixel: bits -> u32 0/1, ANDed with
//           clip[i] != 0 when clipToMask != 0
// Dispatches may be folded into 2-D; rowStride (invocations per dispatch row)
// rebuilds the linear index.
//
// Bindings: 0 uniform params, 1 halfWidths (u32, step only), 2 input (pack:
//           u32 mask; step, unpack: bits), 3 output (pack, threshold, step:
//           bits; unpack: u32 mask), 4 clip (u32 mask; unpack only, read when
//           clipToMask != 0, else any buffer); threshold only: 5 valuesA, 6
//           valuesB (f32; read when combine != 0 or consensus != 0, else any
//           buffer), 7 uniform thresholds, 8 changeAfterScores, 9
//           changeBeforeScores (f32; read when consensus != 0, else any buffer).

override WORKGROUP_SIZE: u32 = 256u;
override MAX_RADIUS_PX: u32 = 64u;

// MorphologyParams.operation (MORPHOLOGY_STEP_CODE in src/core/morphology.ts; a
// unit test keeps them equal).
const OPERATION_ERODE: u32 = 0u;
const OPERATION_DILATE: u32 = 1u;

// ThresholdBitsParams.combine (THRESHOLD_BITS_COMBINE_CODE in src/core/threshold.ts).
const COMBINE_NONE: u32 = 0u;
const COMBINE_AND: u32 = 1u;
const COMBINE_OR: u32 = 2u;

struct ThresholdBitsParams {
  thresholdA: f32,
  thresholdB: f32,
  combine: u32,
  consensus: u32,
  unchangedAfterDn: f32,
  unchangedBeforeDn: f32,
  padding0: u32,
  padding1: u32,
}

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
@group(0) @binding(5) var<storage, read> valuesA: array<f32>;
@group(0) @binding(6) var<storage, read> valuesB: array<f32>;
@group(0) @binding(7) var<uniform> thresholds: ThresholdBitsParams;
@group(0) @binding(8) var<storage, read> changeAfterScores: array<f32>;
@group(0) @binding(9) var<storage, read> changeBeforeScores: array<f32>;

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

// The pixel invocation j stands for in pack and threshold (bit j % 32 of word
// j / 32; WORKGROUP_SIZE is a multiple of 32, so a workgroup holds whole
// words), or -1 past the image or in a row's padding.
fn pixelOfBit(j: u32) -> i32 {
  let word = j / 32u;
  let x = (word % params.wordsPerRow) * 32u + j % 32u;
  if (word >= params.wordsPerRow * params.height || x >= params.width) {
    return -1;
  }
  return i32((word / params.wordsPerRow) * params.width + x);
}

// Every invocation's bit gathered into its word, written by the word's first
// invocation. Called in uniform control flow (it holds a barrier).
fn storeBits(j: u32, lid: u32, isSet: bool) {
  pixelBits[lid] = select(0u, 1u << (j % 32u), isSet);
  workgroupBarrier();
  let word = j / 32u;
  if (lid % 32u == 0u && word < params.wordsPerRow * params.height) {
    var packed = 0u;
    for (var b = 0u; b < 32u; b++) {
      packed = packed | pixelBits[lid + b];
    }
    output[word] = packed;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn pack(
  @builtin(global_invocation_id) id: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let j = linearIndex(id);
  let pixel = pixelOfBit(j);
  storeBits(j, lid, pixel >= 0 && input[u32(pixel)] != 0u);
}

// By bit pattern: WGSL lets compilers assume no NaN, so v > t alone is not enough.
fn isNan(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

fn above(v: f32, thresholdDn: f32) -> bool {
  return !isNan(v) && v > thresholdDn;
}

// Both change scores below their limits (strictly; NaN never is).
fn isUnchanged(i: u32) -> bool {
  let after = changeAfterScores[i];
  let before = changeBeforeScores[i];
  return !isNan(after) && !isNan(before) && after < thresholds.unchangedAfterDn &&
    before < thresholds.unchangedBeforeDn;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn threshold(
  @builtin(global_invocation_id) id: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let j = linearIndex(id);
  let pixel = pixelOfBit(j);
  var isSet = false;
  if (pixel >= 0) {
    let i = u32(pixel);
    isSet = above(valuesA[i], thresholds.thresholdA);
    if (thresholds.consensus != 0u && isUnchanged(i)) {
      // One decision for both dates where the ground did not change.
      isSet = above(valuesA[i] + valuesB[i], thresholds.thresholdA + thresholds.thresholdB);
    } else if (thresholds.combine == COMBINE_AND) {
      isSet = isSet && above(valuesB[i], thresholds.thresholdB);
    } else if (thresholds.combine == COMBINE_OR) {
      isSet = isSet || above(valuesB[i], thresholds.thresholdB);
    }
  }
  storeBits(j, lid, isSet);
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
