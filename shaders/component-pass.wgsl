// What the component passes share, component-estimate.wgsl and hole-fill.wgsl:
// the wrappers prepend this file to those shaders (it declares no bindings and
// no entry point; it reads their `params`, WORKGROUP_SIZE and RUN_PX, and
// declares PIXELS_PER_INVOCATION and the workgroup array `staged`).
//
// Per-pixel passes: an invocation takes PIXELS_PER_INVOCATION pixels, a
// workgroup size apart (pixelOf), so that several independent loads are in
// flight; the dispatch covers ceil(pixelCount / PIXELS_PER_INVOCATION)
// invocations, pixelRowStride of them per dispatch row.
//
// Run-based passes, staged: a run is RUN_PX pixels of a row (segment s: row
// s / segmentsPerRow, first column (s % segmentsPerRow) · RUN_PX); a workgroup
// of WORKGROUP_SIZE invocations owns WORKGROUP_SIZE consecutive runs, the
// first at workgroup.y · segmentRowStride + workgroup.x · WORKGROUP_SIZE
// (dispatches folded into 2-D keep them contiguous). Its STAGED_PX pixels are
// staged in `staged`, slot = run · RUN_PX + k, in RUN_PX steps: step j takes
// slots j · WORKGROUP_SIZE + t, consecutive pixels of a row, so reads and
// writes are coalesced. Invocation t thus visits column k = t % RUN_PX of every
// RUNS_PER_STEP-th run, and the cursor below advances its row and run without
// a division per pixel. The fold then reads a run per invocation from
// workgroup memory. Read straight from storage, a run per invocation puts the
// lanes of a warp RUN_PX pixels apart (the keep pass took 6.0 ms at 64 Mpx on
// an H100, 3.8 ms staged).

// Pixels per invocation of the per-pixel passes (set by the wrappers).
override PIXELS_PER_INVOCATION: u32 = 4u;
// WORKGROUP_SIZE · RUN_PX (set by the wrappers); WORKGROUP_SIZE is a multiple of RUN_PX.
override STAGED_PX: u32 = 2048u;
override RUNS_PER_STEP: u32 = WORKGROUP_SIZE / RUN_PX;
const NOT_IN_IMAGE: u32 = 0xFFFFFFFFu;

var<workgroup> staged: array<u32, STAGED_PX>;

/** Where invocation t's staging steps read: its run (segment), that run's row and place in the row. */
struct StagingCursor {
  segment: u32,
  y: u32,
  run: u32,
  k: u32,
}

fn firstStaged(workgroup: vec3<u32>, t: u32) -> StagingCursor {
  let segment = workgroup.y * params.segmentRowStride + workgroup.x * WORKGROUP_SIZE + t / RUN_PX;
  return StagingCursor(
    segment,
    segment / params.segmentsPerRow,
    segment % params.segmentsPerRow,
    t % RUN_PX,
  );
}

/** The cursor's column, or NOT_IN_IMAGE past the last run or the row's end. */
fn stagedX(cursor: StagingCursor) -> u32 {
  let x = cursor.run * RUN_PX + cursor.k;
  return select(NOT_IN_IMAGE, x, cursor.segment < params.segmentCount && x < params.width);
}

fn nextStaged(cursor: StagingCursor) -> StagingCursor {
  var next = cursor;
  next.segment += RUNS_PER_STEP;
  next.run += RUNS_PER_STEP;
  for (var wrap = 0u; wrap < RUNS_PER_STEP && next.run >= params.segmentsPerRow; wrap++) {
    next.run -= params.segmentsPerRow;
    next.y += 1u;
  }
  return next;
}

/**
 * Pixel k (< PIXELS_PER_INVOCATION) of a per-pixel invocation: the workgroup's
 * first pixel, plus the invocation's index in it, plus k workgroup sizes.
 */
fn pixelOf(id: vec3<u32>, lid: u32, k: u32) -> u32 {
  return (id.y * params.pixelRowStride + id.x - lid) * PIXELS_PER_INVOCATION + lid +
    k * WORKGROUP_SIZE;
}
