// Connected-component labelling of a binary mask, 8-connected, by union-find
// in global memory with atomicMin (Playne & Hawick 2018, "A New Algorithm for
// Parallel Connected-Component Labelling on GPUs", IEEE TPDS 29(6)).
// CPU twin: src/core/ccl.ts (labelComponentsCpu).
//
// Three entry points, dispatched in this order, each once (no host loop):
//   init      parent[i] = i for foreground, 0xFFFFFFFF for background.
//   merge     each foreground pixel unions with its already-visited
//             neighbours, pruned by the decision tree of Wu et al. 2009
//             (N alone when set; otherwise NE with NW or W).
//   compress  parent[i] = root(i).
// Union always links the larger root under the smaller index, so every
// pointer goes to a smaller index and a root is its component's smallest
// linear pixel index: the canonical label, the same on any adapter and
// under any interleaving.
//
// Bounds: a find walks a strictly decreasing chain of indices, so at most
// pixelCount steps. Each retry of union strictly lowers the sum of the two
// roots (the linked one is replaced by its smaller new parent, finds only
// lower), so at most 2·pixelCount retries. Both loops stop at those bounds.
//
// Tiling: one invocation per pixel, TILE_WIDTH × TILE_HEIGHT per workgroup,
// a 2-D dispatch over (width, height).
//
// Bindings: 0 uniform params, 1 mask (u32 per pixel, nonzero = foreground),
// 2 parent (atomic u32 per pixel; after compress, the labels).

override TILE_WIDTH: u32 = 16u;
override TILE_HEIGHT: u32 = 16u;

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
@group(0) @binding(1) var<storage, read> mask: array<u32>;
@group(0) @binding(2) var<storage, read_write> parent: array<atomic<u32>>;

fn findRoot(start: u32) -> u32 {
  var node = start;
  for (var step = 0u; step < params.pixelCount; step++) {
    let next = atomicLoad(&parent[node]);
    if (next == node) {
      break;
    }
    node = next;
  }
  return node;
}

// Lock-free union (Playne & Hawick 2018, Alg. 3). If atomicMin finds that the
// root it meant to link was linked meanwhile, that link may be overwritten by
// ours, so the loop goes on to union with the displaced parent.
fn unite(first: u32, second: u32) {
  var a = first;
  var b = second;
  let bound = 2u * params.pixelCount;
  for (var attempt = 0u; attempt < bound; attempt++) {
    a = findRoot(a);
    b = findRoot(b);
    if (a == b) {
      break;
    }
    if (a < b) {
      let old = atomicMin(&parent[b], a);
      if (old == b) {
        break;
      }
      b = old;
    } else {
      let old = atomicMin(&parent[a], b);
      if (old == a) {
        break;
      }
      a = old;
    }
  }
}

fn isForeground(x: u32, y: u32) -> bool {
  return mask[y * params.width + x] != 0u;
}

@compute @workgroup_size(TILE_WIDTH, TILE_HEIGHT)
fn init(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= params.width || gid.y >= params.height) {
    return;
  }
  let i = gid.y * params.width + gid.x;
  atomicStore(&parent[i], select(BACKGROUND, i, mask[i] != 0u));
}

@compute @workgroup_size(TILE_WIDTH, TILE_HEIGHT)
fn merge(@builtin(global_invocation_id) gid: vec3<u32>) {
  let x = gid.x;
  let y = gid.y;
  if (x >= params.width || y >= params.height) {
    return;
  }
  let i = y * params.width + x;
  if (mask[i] == 0u) {
    return;
  }
  let w = params.width;
  let hasW = x > 0u;
  let hasN = y > 0u;
  let hasE = x + 1u < w;
  // N touches NW, W and NE, whose own unions reach it: N alone suffices.
  if (hasN && isForeground(x, y - 1u)) {
    unite(i, i - w);
    return;
  }
  // NW and W touch each other, so one of them is enough.
  if (hasW && hasN && isForeground(x - 1u, y - 1u)) {
    unite(i, i - w - 1u);
  } else if (hasW && isForeground(x - 1u, y)) {
    unite(i, i - 1u);
  }
  if (hasE && hasN && isForeground(x + 1u, y - 1u)) {
    unite(i, i - w + 1u);
  }
}

@compute @workgroup_size(TILE_WIDTH, TILE_HEIGHT)
fn compress(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= params.width || gid.y >= params.height) {
    return;
  }
  let i = gid.y * params.width + gid.x;
  if (atomicLoad(&parent[i]) != BACKGROUND) {
    atomicStore(&parent[i], findRoot(i));
  }
}
