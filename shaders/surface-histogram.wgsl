// Per-ROI histograms of three bands, from which the CPU takes each ROI's
// per-band median: the surface colour of stage 4 (CPU twin:
// surfaceHistogramsCpu in src/core/analysis/surface.ts; wrapper
// src/gpu/surface.ts).
//
// For every pixel with domainRoi = r >= 0 (inside ROI r and valid) and every
// band b whose value v is finite, counts[(r * 3 + b) * BINS + bin] gains one,
// where bin is the number of edges k in 1 .. BINS - 1 with
// edgeKeys[b * BINS + k] <= orderKey(v). The CPU fills the edges
// (surfaceBinEdges): edge k is the order key of the smallest f32 whose bin
// under histogramOf's binning (quantiles.ts: floor((v - min) * BINS / (max -
// min)) in f64, clamped) is at least k, or 0xFFFFFFFF when none is. That
// binning only grows with v, so counting edges gives exactly its bin while
// the shader compares integers and never rounds: the counts, and so the
// medians, equal the CPU's. The count is a binary search of log2(BINS) steps
// (BINS is a power of two); orderKey maps f32 bits to u32 whose unsigned order
// is numeric order (-0 just below +0, which bin alike). Finiteness is tested
// on the bits, since WGSL lets compilers assume finite floats.
//
// One invocation per pixel, three global atomics (the ROI count is not
// bounded, so there is no per-workgroup copy); the dispatch may be folded into
// 2-D, rowStride rebuilds the linear index. The caller zeroes counts.
//
// Bindings: 0 uniform params, 1..3 bands R, G, B (f32 per pixel), 4 domainRoi
// (i32 per pixel, -1 outside), 5 edgeKeys (3 * BINS u32), 6 counts (atomic
// u32, roiCount * 3 * BINS).

override WORKGROUP_SIZE: u32 = 256u;
override BINS: u32 = 4096u;

struct SurfaceHistogramParams {
  pixelCount: u32,
  rowStride: u32,
  roiCount: u32,
  padding0: u32,
}

@group(0) @binding(0) var<uniform> params: SurfaceHistogramParams;
@group(0) @binding(1) var<storage, read> band0: array<f32>;
@group(0) @binding(2) var<storage, read> band1: array<f32>;
@group(0) @binding(3) var<storage, read> band2: array<f32>;
@group(0) @binding(4) var<storage, read> domainRoi: array<i32>;
@group(0) @binding(5) var<storage, read> edgeKeys: array<u32>;
@group(0) @binding(6) var<storage, read_write> counts: array<atomic<u32>>;

fn isFinite(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u;
}

fn orderKey(v: f32) -> u32 {
  let bits = bitcast<u32>(v);
  return select(bits | 0x80000000u, ~bits, (bits & 0x80000000u) != 0u);
}

fn binOf(band: u32, v: f32) -> u32 {
  let key = orderKey(v);
  let base = band * BINS;
  var bin = 0u;
  for (var step = BINS / 2u; step > 0u; step = step / 2u) {
    if (edgeKeys[base + bin + step] <= key) {
      bin += step;
    }
  }
  return bin;
}

fn count(roi: u32, band: u32, v: f32) {
  if (isFinite(v)) {
    atomicAdd(&counts[(roi * 3u + band) * BINS + binOf(band, v)], 1u);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.y * params.rowStride + id.x;
  if (i >= params.pixelCount) {
    return;
  }
  let roi = domainRoi[i];
  if (roi < 0 || u32(roi) >= params.roiCount) {
    return;
  }
  let r = u32(roi);
  count(r, 0u, band0[i]);
  count(r, 1u, band1[i]);
  count(r, 2u, band2[i]);
}
