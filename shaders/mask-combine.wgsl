// Combines two binary masks pixel by pixel (CPU twin: src/core/mask-combine.ts).
//
// result = (a ≠ 0) AND (b ≠ 0)   — entry point andMasks
// result = (a ≠ 0) OR  (b ≠ 0)   — entry point orMasks
// result = (a ≠ 0) AND (b = 0)   — entry point andNotMasks
// as u32 0/1. One invocation per pixel; the dispatch may be folded into 2-D,
// rowStride (invocations per dispatch row) rebuilds the linear index.
//
// Bindings: 0 uniform params, 1 mask a, 2 mask b, 3 result (written).

override WORKGROUP_SIZE: u32 = 256u;

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

@compute @workgroup_size(WORKGROUP_SIZE)
fn andMasks(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.y * params.rowStride + id.x;
  if (i >= params.pixelCount) {
    return;
  }
  result[i] = select(0u, 1u, a[i] != 0u && b[i] != 0u);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn orMasks(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.y * params.rowStride + id.x;
  if (i >= params.pixelCount) {
    return;
  }
  result[i] = select(0u, 1u, a[i] != 0u || b[i] != 0u);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn andNotMasks(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.y * params.rowStride + id.x;
  if (i >= params.pixelCount) {
    return;
  }
  result[i] = select(0u, 1u, a[i] != 0u && b[i] == 0u);
}
