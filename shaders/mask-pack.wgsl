// Packs a mask of one u32 per pixel into bytes, four pixels per u32 word, for
// read-back (CPU twin: packMaskCpu in src/core/mask-combine.ts; wrapper
// src/gpu/mask-pack.ts).
//
// packed[j] holds pixels 4j .. 4j + 3, pixel 4j + k in bits 8k .. 8k + 7 as
// 1 when the mask word is nonzero, else 0; past pixelCount the bytes are 0.
// WebGPU buffers are little-endian, so the host reads the words' bytes as a
// Uint8Array in pixel order: a quarter of the bytes of the u32 mask, and no
// conversion pass on the CPU.
//
// One invocation per output word; the dispatch may be folded into 2-D,
// rowStride (invocations per dispatch row) rebuilds the linear index.
//
// Bindings: 0 uniform params, 1 mask (u32 per pixel, read), 2 packed (u32 per
// four pixels, written).

override WORKGROUP_SIZE: u32 = 256u;

struct MaskPackParams {
  pixelCount: u32,
  wordCount: u32,
  rowStride: u32,
  padding0: u32,
}

@group(0) @binding(0) var<uniform> params: MaskPackParams;
@group(0) @binding(1) var<storage, read> mask: array<u32>;
@group(0) @binding(2) var<storage, read_write> packed: array<u32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let j = id.y * params.rowStride + id.x;
  if (j >= params.wordCount) {
    return;
  }
  var word = 0u;
  for (var k = 0u; k < 4u; k++) {
    let i = 4u * j + k;
    if (i < params.pixelCount && mask[i] != 0u) {
      word = word | (1u << (8u * k));
    }
  }
  packed[j] = word;
}
