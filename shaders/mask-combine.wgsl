// Combines two binary masks pixel by pixel (CPU twin: src/core/mask-combine.ts).
//
// result = (a ≠ 0) AND (b ≠ 0)   — entry point andMasks
// result = (a ≠ 0) OR  (b ≠ 0)   — entry point orMasks
// result = (a ≠ 0) AND (b = 0)   — entry point andNotMasks
// as u32 0/1. Each invocation takes PIXELS_PER_INVOCATION pixels, a workgroup
// size apart (workgroup g covers pixels g · WORKGROUP_SIZE · PIXELS_PER_INVOCATION
// onwards, each step coalesced): its loads are independent, so several are in
// flight at once. With one 4-byte load per invocation an H100 streamed about
// 0.7 TB/s (1.2 ms a pass at 64 Mpx), a fifth of its memory's rate: too few
// bytes in flight to cover the latency. The dispatch may be folded into 2-D;
// rowStride (invocations per dispatch row) rebuilds the linear index.
//
// Bindings: 0 uniform params, 1 mask a, 2 mask b, 3 result (written).

override WORKGROUP_SIZE: u32 = 256u;
override PIXELS_PER_INVOCATION: u32 = 4u;

struct MaskCombineParams {
  pixelCount: u32,
  rowStride: u32,
  padding0: u32,
  padding1: u32,
}

@group(0) @binding(0) var<uniform> params: MaskCombineParams;
@group(0) @binding(1) var<storage, read> a: array<u32>;
@group(0) @binding(2) var<storage, read> b: array<u32>;
@group(0) @binding(3) var<storage, read_write> result: array<u32>;

/** This invocation's first pixel: its workgroup's first, plus its index in the workgroup. */
fn firstPixel(id: vec3<u32>, lid: u32) -> u32 {
  let invocation = id.y * params.rowStride + id.x;
  return (invocation - lid) * PIXELS_PER_INVOCATION + lid;
}

const AND: u32 = 0u;
const OR: u32 = 1u;
const AND_NOT: u32 = 2u;

/** Writes `operation` of a and b at this invocation's pixels. */
fn combineAt(id: vec3<u32>, lid: u32, operation: u32) {
  let first = firstPixel(id, lid);
  for (var k = 0u; k < PIXELS_PER_INVOCATION; k++) {
    let i = first + k * WORKGROUP_SIZE;
    if (i < params.pixelCount) {
      let inA = a[i] != 0u;
      let inB = b[i] != 0u;
      var on = inA && inB;
      if (operation == OR) {
        on = inA || inB;
      } else if (operation == AND_NOT) {
        on = inA && !inB;
      }
      result[i] = select(0u, 1u, on);
    }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn andMasks(@builtin(global_invocation_id) id: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  combineAt(id, lid, AND);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn orMasks(@builtin(global_invocation_id) id: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  combineAt(id, lid, OR);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn andNotMasks(
  @builtin(global_invocation_id) id: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  combineAt(id, lid, AND_NOT);
}
