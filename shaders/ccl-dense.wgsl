// Dense component ids from the union-find forest of shaders/ccl-label.wgsl,
// and the final compress of that forest into canonical labels: 0 for
// background, 1..count in raster order of each component's smallest pixel. A
// root is a pixel whose parent is its own index (the merge is over, so roots
// no longer change); a component's id is the number of roots at or before its
// root, an inclusive prefix sum of root flags in raster order.
// CPU twin: denseIds in src/core/ccl.ts.
//
// Four entry points, dispatched in this order, each once (no host loop). The
// prefix sum is hierarchical with three levels: pixels, blocks of
// B = SCAN_WORKGROUP_SIZE · SCAN_PIXELS_PER_INVOCATION pixels, groups of
// S = SCAN_WORKGROUP_SIZE blocks; writeIds adds up the levels, so no pass goes
// back down the hierarchy.
//   rankRoots   one workgroup per block, SCAN_PIXELS_PER_INVOCATION
//               consecutive pixels per invocation (a serial count, then one
//               workgroup scan): rank[root] = inclusive rank of the root within
//               its block, for roots only; the block's total into blockOffset.
//   scanBlocks  one workgroup per group: blockOffset becomes exclusive prefix
//               sums within the group, the group's total into groupOffset.
//   scanGroups  one workgroup: groupOffset becomes exclusive prefix sums, S
//               groups per round, scanGroupCount / S rounds rounded up (one
//               round up to 128 Mpx); writes the count.
//   writeIds    labels[i] = root(i) (the compress) and
//               ids[i] = groupOffset[root / (B·S)] + blockOffset[root / B] + rank[root].
//
// Tiling: rankRoots and scanBlocks run one workgroup per block or group, the
// workgroup index folded into 2-D (row length num_workgroups.x); writeIds runs
// one invocation per pixel, a 1-D dispatch folded into 2-D (scanRowStride
// invocations per dispatch row); scanGroups is a single workgroup. Scans are
// Hillis & Steele (1986) in workgroup memory; barriers sit in uniform control
// flow only (no early return before them).
//
// Bindings: 0 uniform params, 1 labels (atomic u32 per pixel: the forest in,
// canonical labels out, 0xFFFFFFFF = background), 2 rank (u32 per pixel,
// scratch, written at roots only), 3 blockOffset (u32 per block, scratch),
// 4 ids (u32 per pixel, written), 5 count (one u32, written), 6 groupOffset
// (u32 per group, scratch).

override SCAN_WORKGROUP_SIZE: u32 = 256u;
// At most 32: root flags of one invocation's pixels are kept as bits of a u32.
override SCAN_PIXELS_PER_INVOCATION: u32 = 8u;

const BACKGROUND: u32 = 0xFFFFFFFFu;

struct CclParams {
  width: u32,
  height: u32,
  pixelCount: u32,
  scanRowStride: u32,
  scanBlockCount: u32,
  scanGroupCount: u32,
  padding0: u32,
  padding1: u32,
}

@group(0) @binding(0) var<uniform> params: CclParams;
@group(0) @binding(1) var<storage, read_write> labels: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read_write> rank: array<u32>;
@group(0) @binding(3) var<storage, read_write> blockOffset: array<u32>;
@group(0) @binding(4) var<storage, read_write> ids: array<u32>;
@group(0) @binding(5) var<storage, read_write> count: array<u32>;
@group(0) @binding(6) var<storage, read_write> groupOffset: array<u32>;

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
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) workgroups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let block = wid.y * workgroups.x + wid.x;
  let blockPixels = SCAN_WORKGROUP_SIZE * SCAN_PIXELS_PER_INVOCATION;
  let first = block * blockPixels + lid * SCAN_PIXELS_PER_INVOCATION;
  var rootBits = 0u;
  var roots = 0u;
  for (var k = 0u; k < SCAN_PIXELS_PER_INVOCATION; k++) {
    let i = first + k;
    if (i < params.pixelCount && atomicLoad(&labels[i]) == i) {
      rootBits |= 1u << k;
      roots += 1u;
    }
  }
  let inclusive = workgroupInclusiveScan(lid, roots);
  var running = inclusive - roots;
  for (var k = 0u; k < SCAN_PIXELS_PER_INVOCATION; k++) {
    if ((rootBits & (1u << k)) != 0u) {
      running += 1u;
      rank[first + k] = running;
    }
  }
  if (lid == SCAN_WORKGROUP_SIZE - 1u && block < params.scanBlockCount) {
    blockOffset[block] = inclusive;
  }
}

@compute @workgroup_size(SCAN_WORKGROUP_SIZE)
fn scanBlocks(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let group = wid.y * groups.x + wid.x;
  let b = group * SCAN_WORKGROUP_SIZE + lid;
  var total = 0u;
  if (b < params.scanBlockCount) {
    total = blockOffset[b];
  }
  let inclusive = workgroupInclusiveScan(lid, total);
  if (b < params.scanBlockCount) {
    blockOffset[b] = inclusive - total;
  }
  if (lid == SCAN_WORKGROUP_SIZE - 1u && group < params.scanGroupCount) {
    groupOffset[group] = inclusive;
  }
}

@compute @workgroup_size(SCAN_WORKGROUP_SIZE)
fn scanGroups(@builtin(local_invocation_index) lid: u32) {
  let rounds = (params.scanGroupCount + SCAN_WORKGROUP_SIZE - 1u) / SCAN_WORKGROUP_SIZE;
  var carry = 0u;
  for (var round = 0u; round < rounds; round++) {
    let g = round * SCAN_WORKGROUP_SIZE + lid;
    var total = 0u;
    if (g < params.scanGroupCount) {
      total = groupOffset[g];
    }
    let inclusive = workgroupInclusiveScan(lid, total);
    if (g < params.scanGroupCount) {
      groupOffset[g] = carry + inclusive - total;
    }
    carry += scratch[SCAN_WORKGROUP_SIZE - 1u];
    // The next round overwrites scratch: everyone must have read the total.
    workgroupBarrier();
  }
  if (lid == 0u) {
    count[0] = carry;
  }
}

// Every pointer goes to a smaller index, so a find takes at most pixelCount
// steps. A find halves the path it walks (each node it passes points on to
// its grandparent, Tarjan & van Leeuwen 1984, "Worst-case analysis of set
// union algorithms", J. ACM 31(2)): the border merge leaves chains of tile
// roots as long as the tiles across a large component, and every pixel of the
// component walks them, so later walkers find them short. Other invocations
// may meanwhile lower a pointer to an ancestor (atomicMin), which keeps every
// chain leading to the same root; roots never change here.
fn findRoot(start: u32) -> u32 {
  var node = start;
  for (var step = 0u; step < params.pixelCount; step++) {
    let next = atomicLoad(&labels[node]);
    if (next == node) {
      break;
    }
    let grand = atomicLoad(&labels[next]);
    if (grand != next) {
      atomicMin(&labels[node], grand);
    }
    node = grand;
  }
  return node;
}

@compute @workgroup_size(SCAN_WORKGROUP_SIZE)
fn writeIds(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.y * params.scanRowStride + gid.x;
  if (i >= params.pixelCount) {
    return;
  }
  let parent = atomicLoad(&labels[i]);
  if (parent == BACKGROUND) {
    ids[i] = 0u;
    return;
  }
  let root = findRoot(parent);
  if (root != parent) {
    atomicStore(&labels[i], root);
  }
  let blockPixels = SCAN_WORKGROUP_SIZE * SCAN_PIXELS_PER_INVOCATION;
  let groupPixels = blockPixels * SCAN_WORKGROUP_SIZE;
  ids[i] = groupOffset[root / groupPixels] + blockOffset[root / blockPixels] + rank[root];
}
