// Dense component ids from canonical labels (after shaders/ccl-label.wgsl):
// 0 for background, 1..count in raster order of each component's smallest
// pixel. A root is a pixel whose label is its own index; a component's id is
// the number of roots at or before its root, i.e. an inclusive prefix sum of
// root flags in raster order. CPU twin: denseIds in src/core/ccl.ts.
//
// Three entry points, dispatched in this order, each once (no host loop):
//   rankRoots      per block of SCAN_WORKGROUP_SIZE pixels: inclusive scan of
//                  root flags into rank, block total into blockOffset.
//   scanBlocks     one workgroup turns blockOffset into exclusive prefix sums,
//                  SCAN_WORKGROUP_SIZE blocks per round, scanBlockCount /
//                  SCAN_WORKGROUP_SIZE rounds (rounded up; bounded by the
//                  image size), and writes the component count.
//   writeIds       ids[i] = blockOffset[root / SCAN_WORKGROUP_SIZE] + rank[root].
//
// Tiling: rankRoots and writeIds run one invocation per pixel, a 1-D dispatch
// folded into 2-D (scanRowStride invocations per dispatch row); scanBlocks is
// a single workgroup. Scans are Hillis & Steele (1986) in workgroup memory;
// barriers sit in uniform control flow only (no early return before them).
//
// Bindings: 0 uniform params, 1 labels (u32, 0xFFFFFFFF = background),
// 2 rank (u32 per pixel, scratch), 3 blockOffset (u32 per block, scratch),
// 4 ids (u32 per pixel, written), 5 count (one u32, written).

override SCAN_WORKGROUP_SIZE: u32 = 256u;

const BACKGROUND: u32 = 0xFFFFFFFFu;

struct CclParams {
  width: u32,
  height: u32,
  pixelCount: u32,
  scanRowStride: u32,
  scanBlockCount: u32,
  padding0: u32,
  padding1: u32,
  padding2: u32,
}

@group(0) @binding(0) var<uniform> params: CclParams;
@group(0) @binding(1) var<storage, read> labels: array<u32>;
@group(0) @binding(2) var<storage, read_write> rank: array<u32>;
@group(0) @binding(3) var<storage, read_write> blockOffset: array<u32>;
@group(0) @binding(4) var<storage, read_write> ids: array<u32>;
@group(0) @binding(5) var<storage, read_write> count: array<u32>;

var<workgroup> scratch: array<u32, SCAN_WORKGROUP_SIZE>;

// Inclusive scan of one value per invocation across the workgroup; every
// invocation must call it (it holds barriers).
fn workgroupInclusiveScan(lid: u32, value: u32) -> u32 {
  scratch[lid] = value;
  workgroupBarrier();
  for (var offset = 1u; offset < SCAN_WORKGROUP_SIZE; offset <<= 1u) {
    var add = 0u;
    if (lid >= offset) {
      add = scratch[lid - offset];
    }
    workgroupBarrier();
    scratch[lid] += add;
    workgroupBarrier();
  }
  return scratch[lid];
}

@compute @workgroup_size(SCAN_WORKGROUP_SIZE)
fn rankRoots(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = gid.y * params.scanRowStride + gid.x;
  let inside = i < params.pixelCount;
  var isRoot = 0u;
  if (inside && labels[i] == i) {
    isRoot = 1u;
  }
  let inclusive = workgroupInclusiveScan(lid, isRoot);
  if (inside) {
    rank[i] = inclusive;
  }
  if (lid == SCAN_WORKGROUP_SIZE - 1u && i / SCAN_WORKGROUP_SIZE < params.scanBlockCount) {
    blockOffset[i / SCAN_WORKGROUP_SIZE] = inclusive;
  }
}

@compute @workgroup_size(SCAN_WORKGROUP_SIZE)
fn scanBlocks(@builtin(local_invocation_index) lid: u32) {
  let rounds = (params.scanBlockCount + SCAN_WORKGROUP_SIZE - 1u) / SCAN_WORKGROUP_SIZE;
  var carry = 0u;
  for (var round = 0u; round < rounds; round++) {
    let b = round * SCAN_WORKGROUP_SIZE + lid;
    var total = 0u;
    if (b < params.scanBlockCount) {
      total = blockOffset[b];
    }
    let inclusive = workgroupInclusiveScan(lid, total);
    if (b < params.scanBlockCount) {
      blockOffset[b] = carry + inclusive - total;
    }
    carry += scratch[SCAN_WORKGROUP_SIZE - 1u];
    // The next round overwrites scratch: everyone must have read the total.
    workgroupBarrier();
  }
  if (lid == 0u) {
    count[0] = carry;
  }
}

@compute @workgroup_size(SCAN_WORKGROUP_SIZE)
fn writeIds(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.y * params.scanRowStride + gid.x;
  if (i >= params.pixelCount) {
    return;
  }
  let root = labels[i];
  if (root == BACKGROUND) {
    ids[i] = 0u;
  } else {
    ids[i] = blockOffset[root / SCAN_WORKGROUP_SIZE] + rank[root];
  }
}
