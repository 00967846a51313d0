// Connected-component labelling of a binary mask, 8-connected (4-connected
// with CONNECTIVITY = 4: the background of 8-connected blobs, whose holes are
// its 4-connected components), block-based
// union-find: union-find inside each tile in workgroup memory first, then
// union-find in global memory across tile borders only. This is the BUF
// scheme of Allegretti, Bolelli & Grana 2020 ("Optimized Block-Based
// Algorithms to Label Connected Components on GPUs", IEEE TPDS 31(2)), built
// on the lock-free atomicMin union of Playne & Hawick 2018 ("A New Algorithm
// for Parallel Connected-Component Labelling on GPUs", IEEE TPDS 29(6)).
// CPU twin: src/core/ccl.ts (labelComponentsCpu).
//
// Two entry points, dispatched in this order, each once (no host loop); the
// final compress runs in ccl-dense.wgsl (writeIds), which reads these roots:
//   localLabel   one workgroup per TILE_WIDTH × TILE_HEIGHT tile, of
//                TILE_WIDTH × TILE_THREAD_ROWS invocations, each taking
//                TILE_ROWS_PER_INVOCATION pixels of one column: init, union
//                with in-tile neighbours and find, all in workgroup memory;
//                parent[i] = global index of the pixel's tile-local root
//                (0xFFFFFFFF for background).
//   borderMerge  one workgroup per tile, BORDER_WORKGROUP_SIZE invocations
//                covering the tile's top row, left and right columns: union in
//                global memory with the neighbours that lie in other tiles.
// Under 4-connectivity both link N and W, the only earlier 4-neighbours.
// Under 8-connectivity both unions prune by the decision tree of Wu et al. 2009 (N alone when set;
// otherwise NW or W, and NE). localLabel joins each row run first and then
// applies it to the tile as if it were the whole image, keeping only the links
// the runs do not already make, which labels the tile exactly; borderMerge applies it to
// the whole image and keeps only the chosen links that leave the tile, which
// with all in-tile links spans every link the whole-image tree chooses.
//
// Canonical labels: local indices follow raster order inside a tile, and
// unions link the larger root under the smaller index, so every pointer, local
// or global, goes to a smaller linear index and a root is its component's
// smallest linear pixel index, the same on any adapter and interleaving.
//
// Bounds: a find walks a strictly decreasing chain of indices (at most
// TILE_SIZE steps locally, pixelCount globally). Each retry of a union
// strictly lowers the sum of the two roots, so at most 2·TILE_SIZE (locally)
// or 2·pixelCount (globally) retries. Every loop stops at those bounds.
//
// Barriers sit at the top level of localLabel (no early return before them).
// Workgroup memory: 2 · TILE_SIZE u32 (8 KiB for 32 × 32).
//
// Bindings: 0 uniform params, 1 mask (u32 per pixel, nonzero = foreground),
// 2 parent (atomic u32 per pixel; the union-find forest over linear indices).

override TILE_WIDTH: u32 = 32u;
override TILE_HEIGHT: u32 = 32u;
// TILE_THREAD_ROWS · TILE_ROWS_PER_INVOCATION = TILE_HEIGHT (at most 32 rows
// per invocation: their foreground flags are bits of a u32).
override TILE_THREAD_ROWS: u32 = 8u;
override TILE_ROWS_PER_INVOCATION: u32 = 4u;
override TILE_SIZE: u32 = 1024u;
override BORDER_WORKGROUP_SIZE: u32 = 128u;
// 8 or 4 (any value other than 4 labels 8-connected).
override CONNECTIVITY: u32 = 8u;

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
@group(0) @binding(1) var<storage, read> mask: array<u32>;
@group(0) @binding(2) var<storage, read_write> parent: array<atomic<u32>>;

var<workgroup> tileForeground: array<u32, TILE_SIZE>;
var<workgroup> tileParent: array<atomic<u32>, TILE_SIZE>;

// --- Tile-local union-find (workgroup memory, local raster indices).

fn findLocal(start: u32) -> u32 {
  var node = start;
  for (var step = 0u; step < TILE_SIZE; step++) {
    let next = atomicLoad(&tileParent[node]);
    if (next == node) {
      break;
    }
    node = next;
  }
  return node;
}

fn uniteLocal(first: u32, second: u32) {
  var a = first;
  var b = second;
  for (var attempt = 0u; attempt < 2u * TILE_SIZE; attempt++) {
    a = findLocal(a);
    b = findLocal(b);
    if (a == b) {
      break;
    }
    if (a < b) {
      let old = atomicMin(&tileParent[b], a);
      if (old == b) {
        break;
      }
      b = old;
    } else {
      let old = atomicMin(&tileParent[a], b);
      if (old == a) {
        break;
      }
      a = old;
    }
  }
}

fn isTileForeground(lx: u32, ly: u32) -> bool {
  return tileForeground[ly * TILE_WIDTH + lx] != 0u;
}

@compute @workgroup_size(TILE_WIDTH, TILE_THREAD_ROWS)
fn localLabel(
  @builtin(workgroup_id) tile: vec3<u32>,
  @builtin(local_invocation_id) local: vec3<u32>,
) {
  let lx = local.x;
  let x = tile.x * TILE_WIDTH + lx;
  // Invocation row r takes tile rows r, r + TILE_THREAD_ROWS, … so that each
  // step k reads and writes whole tile rows (coalesced).
  var foregroundBits = 0u;
  for (var k = 0u; k < TILE_ROWS_PER_INVOCATION; k++) {
    let ly = local.y + k * TILE_THREAD_ROWS;
    let y = tile.y * TILE_HEIGHT + ly;
    let l = ly * TILE_WIDTH + lx;
    var foreground = false;
    if (x < params.width && y < params.height) {
      foreground = mask[y * params.width + x] != 0u;
    }
    if (foreground) {
      foregroundBits |= 1u << k;
    }
    tileForeground[l] = select(0u, 1u, foreground);
  }
  workgroupBarrier();

  // Each foreground pixel starts under the first pixel of its run along the
  // tile row: a run is one tree before any union, with no atomics. This is the
  // forest the W links would build, so only links between rows remain, and a
  // run needs one per stretch it shares with the row above; a solid tile takes
  // TILE_HEIGHT - 1 unions instead of two per pixel (at 64 Mpx on an H100 the
  // mostly solid background masks of hole filling spent most of localLabel's
  // time in those unions).
  for (var k = 0u; k < TILE_ROWS_PER_INVOCATION; k++) {
    let ly = local.y + k * TILE_THREAD_ROWS;
    let l = ly * TILE_WIDTH + lx;
    var start = lx;
    if ((foregroundBits & (1u << k)) != 0u) {
      for (var step = 0u; step < TILE_WIDTH && start > 0u && isTileForeground(start - 1u, ly); step++) {
        start -= 1u;
      }
    }
    atomicStore(
      &tileParent[l],
      select(BACKGROUND, ly * TILE_WIDTH + start, (foregroundBits & (1u << k)) != 0u),
    );
  }
  workgroupBarrier();

  // Pixels outside the image are background in tileForeground, so only the
  // tile's own edges need checking. Links to the row above, given the runs:
  // under 4-connectivity N, unless NW is set too (then the run's previous pixel
  // linked the same run above, or one before it did); under 8-connectivity,
  // Wu et al.'s tree (N alone when set; otherwise NW or W, and NE) with W
  // already joined, so a pixel whose W is set needs neither N nor NW: the
  // previous pixel linked N (which touches ours in the row above) or, without
  // its own N, its NE, which is our N, and our NW is its N.
  let hasW = lx > 0u;
  let hasE = lx + 1u < TILE_WIDTH;
  for (var k = 0u; k < TILE_ROWS_PER_INVOCATION; k++) {
    if ((foregroundBits & (1u << k)) == 0u) {
      continue;
    }
    let ly = local.y + k * TILE_THREAD_ROWS;
    let l = ly * TILE_WIDTH + lx;
    let hasN = ly > 0u;
    let runStart = !(hasW && isTileForeground(lx - 1u, ly));
    if (CONNECTIVITY == 4u) {
      if (hasN && isTileForeground(lx, ly - 1u) &&
          (runStart || !isTileForeground(lx - 1u, ly - 1u))) {
        uniteLocal(l, l - TILE_WIDTH);
      }
    } else if (hasN && isTileForeground(lx, ly - 1u)) {
      if (runStart) {
        uniteLocal(l, l - TILE_WIDTH);
      }
    } else {
      if (runStart && hasW && hasN && isTileForeground(lx - 1u, ly - 1u)) {
        uniteLocal(l, l - TILE_WIDTH - 1u);
      }
      if (hasE && hasN && isTileForeground(lx + 1u, ly - 1u)) {
        uniteLocal(l, l - TILE_WIDTH + 1u);
      }
    }
  }
  workgroupBarrier();

  for (var k = 0u; k < TILE_ROWS_PER_INVOCATION; k++) {
    let ly = local.y + k * TILE_THREAD_ROWS;
    let y = tile.y * TILE_HEIGHT + ly;
    if (x >= params.width || y >= params.height) {
      continue;
    }
    var label = BACKGROUND;
    if ((foregroundBits & (1u << k)) != 0u) {
      let root = findLocal(ly * TILE_WIDTH + lx);
      let rootX = tile.x * TILE_WIDTH + root % TILE_WIDTH;
      let rootY = tile.y * TILE_HEIGHT + root / TILE_WIDTH;
      label = rootY * params.width + rootX;
    }
    atomicStore(&parent[y * params.width + x], label);
  }
}

// --- Global union-find across tile borders.

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

@compute @workgroup_size(BORDER_WORKGROUP_SIZE)
fn borderMerge(
  @builtin(workgroup_id) tile: vec3<u32>,
  @builtin(local_invocation_index) k: u32,
) {
  // k walks the top row, then the left column below it, then the right column.
  var lx = 0u;
  var ly = 0u;
  if (k < TILE_WIDTH) {
    lx = k;
  } else if (k < TILE_WIDTH + TILE_HEIGHT - 1u) {
    ly = k - TILE_WIDTH + 1u;
  } else if (k < TILE_WIDTH + 2u * (TILE_HEIGHT - 1u)) {
    lx = TILE_WIDTH - 1u;
    ly = k - (TILE_WIDTH + TILE_HEIGHT - 1u) + 1u;
  } else {
    return;
  }
  let x = tile.x * TILE_WIDTH + lx;
  let y = tile.y * TILE_HEIGHT + ly;
  if (x >= params.width || y >= params.height) {
    return;
  }
  let w = params.width;
  let i = y * w + x;
  if (mask[i] == 0u) {
    return;
  }
  let hasW = x > 0u;
  let hasN = y > 0u;
  let hasE = x + 1u < w;
  let topRow = ly == 0u;
  let leftColumn = lx == 0u;
  let rightColumn = lx + 1u == TILE_WIDTH;
  if (CONNECTIVITY == 4u) {
    // A right column's east link is the next tile's west link.
    if (topRow && hasN && isForeground(x, y - 1u)) {
      unite(i, i - w);
    }
    if (leftColumn && hasW && isForeground(x - 1u, y)) {
      unite(i, i - 1u);
    }
    return;
  }
  if (hasN && isForeground(x, y - 1u)) {
    if (topRow) {
      unite(i, i - w);
    }
    return;
  }
  if (hasW && hasN && isForeground(x - 1u, y - 1u)) {
    if (topRow || leftColumn) {
      unite(i, i - w - 1u);
    }
  } else if (hasW && isForeground(x - 1u, y)) {
    if (leftColumn) {
      unite(i, i - 1u);
    }
  }
  if (hasE && hasN && isForeground(x + 1u, y - 1u)) {
    if (topRow || rightColumn) {
      unite(i, i - w + 1u);
    }
  }
}
