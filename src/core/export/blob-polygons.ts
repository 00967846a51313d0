/**
 * Every kept blob of an analysis as polygons in window pixel coordinates, with
 * the numbers the blob click shows (blob-pick.ts): kind, area, mean change and
 * the ROI holding most of it. Pure: masks in, pixel polygons out; io turns
 * them into GeoJSON (src/io/export-blobs.ts).
 *
 * A blob is an 8-connected component of one kind's mask (overlays.ts
 * `inKind`; the kinds are exported separately, so a pixel that is both
 * "appeared" and "present at both dates" lies in one blob of each kind).
 *
 * Outlines follow pixel edges. Pixels that touch only at a corner are drawn as
 * separate polygons of the blob (a MultiPolygon meeting at that point) rather
 * than as one ring that touches itself: each polygon is a 4-connected part of
 * the blob with its holes. No ring passes a corner twice: where a gap meets
 * the outside, or two parts of a hole meet, only at a corner, the ring is split
 * there (a hole touching its exterior, or two holes touching, at one point).
 * Rings are open (no repeated first position), list only corners, and run
 * clockwise on screen (y down) for exteriors, counter-clockwise for holes; io
 * closes and re-orients them for RFC 7946.
 */
import { labelComponentsCpu } from '../ccl.ts';
import { signedArea } from '../roi-raster.ts';
import type { BlobSource } from '../analysis/blob-pick.ts';
import { BLOB_KINDS, inKind, onOutline, type BlobKind } from '../analysis/overlays.ts';

/** [x, y] in window pixels, corner origin. */
export type PixelCorner = readonly [number, number];
/** [exterior, ...holes], each ring open. */
export type PixelPolygonRings = readonly (readonly PixelCorner[])[];

export type { BlobSource };

export interface RoiShare {
  readonly roi: string;
  readonly areaPx: number;
}

export interface TracedBlob {
  readonly kind: BlobKind;
  /** 1..N within its kind, in raster order of the blob's first pixel. */
  readonly number: number;
  /** The blob's first pixel in raster order (a pixel `pickBlob` can be asked about). */
  readonly firstPixel: number;
  readonly areaPx: number;
  readonly areaM2: number;
  /** Its outline pixels, m² (as the blob click's `rimM2`). */
  readonly rimM2: number;
  /** Mean change magnitude over the blob, DN (as `meanChangeDn`). */
  readonly meanChangeDn: number;
  /** Pixels of the blob in each ROI, most first (ties: ROI order); empty when in none. */
  readonly rois: readonly RoiShare[];
  /** The ROI holding most of the blob (the blob click's `roiName`), or null. */
  readonly roiName: string | null;
  readonly polygons: readonly PixelPolygonRings[];
}

// Directions of a boundary edge on screen (y down), clockwise: a right turn is d + 1.
const EAST = 0;
const SOUTH = 1;
const WEST = 2;
const NORTH = 3;
const STEP_X = [1, 0, -1, 0] as const;
const STEP_Y = [0, 1, 0, -1] as const;

/** 4-connected part labels (1..N, raster order) of a 0/1 mask; 0 for background. */
function label4(mask: Uint8Array, widthPx: number, heightPx: number): Int32Array {
  const parts = new Int32Array(widthPx * heightPx);
  const stack = new Int32Array(widthPx * heightPx);
  let next = 0;
  for (let seed = 0; seed < mask.length; seed++) {
    if (mask[seed] === 0 || parts[seed] !== 0) continue;
    next++;
    let top = 0;
    stack[top++] = seed;
    parts[seed] = next;
    while (top > 0) {
      const i = stack[--top] ?? 0;
      const x = i % widthPx;
      const neighbours = [
        x > 0 ? i - 1 : -1,
        x < widthPx - 1 ? i + 1 : -1,
        i >= widthPx ? i - widthPx : -1,
        i + widthPx < widthPx * heightPx ? i + widthPx : -1,
      ];
      for (const q of neighbours) {
        if (q >= 0 && mask[q] !== 0 && parts[q] === 0) {
          parts[q] = next;
          stack[top++] = q;
        }
      }
    }
  }
  return parts;
}

/**
 * Boundary rings of a 0/1 mask along pixel edges, foreground on the right of
 * the direction of travel (screen coordinates). Where two foreground pixels
 * meet only at a corner the ring turns right, staying with its pixel, so every
 * ring borders one 4-connected part. Each ring comes with the foreground pixel
 * under its first (eastward) edge.
 */
function traceRings(
  mask: Uint8Array,
  widthPx: number,
  heightPx: number,
): { readonly pixel: number; readonly ring: PixelCorner[] }[] {
  const stride = widthPx + 1;
  // Bit d of a vertex: an edge leaves it in direction d.
  const out = new Uint8Array(stride * (heightPx + 1));
  const at = (x: number, y: number): boolean =>
    x >= 0 && y >= 0 && x < widthPx && y < heightPx && mask[y * widthPx + x] !== 0;
  for (let y = 0; y < heightPx; y++) {
    for (let x = 0; x < widthPx; x++) {
      if (!at(x, y)) continue;
      const v = y * stride + x;
      if (!at(x, y - 1)) out[v] = (out[v] ?? 0) | (1 << EAST);
      if (!at(x + 1, y)) out[v + 1] = (out[v + 1] ?? 0) | (1 << SOUTH);
      if (!at(x, y + 1)) out[v + stride + 1] = (out[v + stride + 1] ?? 0) | (1 << WEST);
      if (!at(x - 1, y)) out[v + stride] = (out[v + stride] ?? 0) | (1 << NORTH);
    }
  }
  const used = new Uint8Array(out.length);
  const rings: { pixel: number; ring: PixelCorner[] }[] = [];
  for (let y = 0; y < heightPx; y++) {
    for (let x = 0; x < widthPx; x++) {
      const start = y * stride + x;
      if (((out[start] ?? 0) & (1 << EAST)) === 0 || ((used[start] ?? 0) & (1 << EAST)) !== 0) {
        continue;
      }
      const ring: PixelCorner[] = [];
      let vx = x;
      let vy = y;
      let direction = EAST;
      let previous = -1;
      for (;;) {
        const v = vy * stride + vx;
        used[v] = (used[v] ?? 0) | (1 << direction);
        if (direction !== previous) ring.push([vx, vy]);
        previous = direction;
        vx += STEP_X[direction as 0 | 1 | 2 | 3];
        vy += STEP_Y[direction as 0 | 1 | 2 | 3];
        const bits = out[vy * stride + vx] ?? 0;
        const right = (direction + 1) % 4;
        // Two ways out only where pixels meet at a corner: then the right turn.
        const next =
          (bits & (1 << right)) !== 0
            ? right
            : (bits & (1 << direction)) !== 0
              ? direction
              : (direction + 3) % 4;
        if (vx === x && vy === y && next === EAST) break;
        direction = next;
      }
      // The start corner is a turn unless the ring arrived there heading east.
      if (previous === EAST) ring.shift();
      rings.push({ pixel: y * widthPx + x, ring });
    }
  }
  return rings;
}

/**
 * A ring that passes a corner twice (pixels meeting at a corner around a gap
 * that reaches the outside, or a hole pinched at a corner) split there into
 * rings that each pass it once: an exterior with a hole touching it at one
 * point, or two holes touching at one point, as simple-features rules allow.
 */
function splitAtRepeatedCorners(ring: readonly PixelCorner[], stride: number): PixelCorner[][] {
  const loops: PixelCorner[][] = [];
  const path: PixelCorner[] = [];
  const indexOf = new Map<number, number>();
  const keyOf = ([x, y]: PixelCorner): number => y * stride + x;
  for (const corner of ring) {
    const at = indexOf.get(keyOf(corner));
    if (at !== undefined) {
      const loop = path.splice(at);
      for (const c of loop) indexOf.delete(keyOf(c));
      loops.push(loop);
    }
    indexOf.set(keyOf(corner), path.length);
    path.push(corner);
  }
  loops.push(path);
  return loops;
}

/** The kept blobs of one kind, traced, in raster order of their first pixel. */
export function traceBlobsOfKind(
  source: BlobSource,
  kind: BlobKind,
  maxBlobs = Infinity,
): TracedBlob[] {
  const { widthPx, heightPx, masks } = source;
  const n = widthPx * heightPx;
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (inKind(masks, kind, i)) mask[i] = 1;
  const { ids, count } = labelComponentsCpu(mask, widthPx, heightPx);
  if (count > maxBlobs) throw new TooManyBlobs(count, maxBlobs);
  const areaPx = new Float64Array(count + 1);
  const rimPx = new Float64Array(count + 1);
  const inside = (i: number): boolean => mask[i] === 1;
  const levelSum = new Float64Array(count + 1);
  const firstPixel = new Int32Array(count + 1).fill(-1);
  const roiCount = source.roiNames.length;
  // Pixels per (blob, ROI), sparse: a blob meets one ROI or a few of up to
  // 1000 piers (MAX_ROIS, io/geojson.ts), so a dense blobs × ROIs table (8 B each: 560 MB for 70 000
  // blobs over 1000 piers) would be almost all zeros. The first ROI a blob
  // meets is counted in typed arrays; any other goes to a map.
  const firstRoi = new Int32Array(count + 1).fill(-1);
  const firstRoiPx = new Float64Array(count + 1);
  const otherRoiPx = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const id = ids[i] ?? 0;
    if (id === 0) continue;
    areaPx[id] = (areaPx[id] ?? 0) + 1;
    if (onOutline(source, inside, i)) rimPx[id] = (rimPx[id] ?? 0) + 1;
    levelSum[id] = (levelSum[id] ?? 0) + (source.changeMagnitude.levels[i] ?? 0);
    if (firstPixel[id] === -1) firstPixel[id] = i;
    const roi = source.roiIndex[i] ?? -1;
    if (roi < 0 || roi >= roiCount) continue;
    if (firstRoi[id] === -1) firstRoi[id] = roi;
    if (firstRoi[id] === roi) {
      firstRoiPx[id] = (firstRoiPx[id] ?? 0) + 1;
    } else {
      const k = id * roiCount + roi;
      otherRoiPx.set(k, (otherRoiPx.get(k) ?? 0) + 1);
    }
  }
  const sharesOf = new Map<number, { roi: number; areaPx: number }[]>();
  for (const [k, px] of otherRoiPx) {
    const id = Math.floor(k / roiCount);
    const shares = sharesOf.get(id) ?? [];
    shares.push({ roi: k - id * roiCount, areaPx: px });
    sharesOf.set(id, shares);
  }
  const parts = label4(mask, widthPx, heightPx);
  // Per 4-connected part: its exterior and holes; parts in order of their first pixel.
  const exteriorOf = new Map<number, { readonly blob: number; readonly ring: PixelCorner[] }>();
  const holesOf = new Map<number, PixelCorner[][]>();
  for (const traced of traceRings(mask, widthPx, heightPx)) {
    const part = parts[traced.pixel] ?? 0;
    for (const ring of splitAtRepeatedCorners(traced.ring, widthPx + 1)) {
      // A 4-connected part has one exterior; every other ring of it is a hole.
      // Positive: clockwise on screen (y down), an exterior.
      if (signedArea(ring) > 0) exteriorOf.set(part, { blob: ids[traced.pixel] ?? 0, ring });
      else holesOf.set(part, [...(holesOf.get(part) ?? []), ring]);
    }
  }
  const polygonsOf: PixelPolygonRings[][] = Array.from({ length: count + 1 }, () => []);
  for (const [part, { blob, ring }] of exteriorOf) {
    polygonsOf[blob]?.push([ring, ...(holesOf.get(part) ?? [])]);
  }
  const blobs: TracedBlob[] = [];
  for (let id = 1; id <= count; id++) {
    const area = areaPx[id] ?? 0;
    const first = firstRoi[id] ?? -1;
    const shares = [
      ...(first === -1 ? [] : [{ roi: first, areaPx: firstRoiPx[id] ?? 0 }]),
      ...(sharesOf.get(id) ?? []),
    ];
    // Ties go to the earlier ROI, as the blob click's strict "more than" does.
    shares.sort((a, b) => b.areaPx - a.areaPx || a.roi - b.roi);
    const rois: RoiShare[] = shares.map(({ roi, areaPx: inRoi }) => ({
      roi: source.roiNames[roi] ?? `ROI ${roi + 1}`,
      areaPx: inRoi,
    }));
    blobs.push({
      kind,
      number: id,
      firstPixel: firstPixel[id] ?? 0,
      areaPx: area,
      areaM2: area * source.pixelAreaM2,
      rimM2: (rimPx[id] ?? 0) * source.pixelAreaM2,
      meanChangeDn:
        area === 0 ? 0 : ((levelSum[id] ?? 0) / area) * source.changeMagnitude.dnPerLevel,
      rois,
      roiName: rois[0]?.roi ?? null,
      polygons: polygonsOf[id] ?? [],
    });
  }
  return blobs;
}

/** The kept blobs of every kind: appeared, then disappeared, then present at both dates. */
export function traceBlobs(source: BlobSource, maxBlobs = Infinity): TracedBlob[] {
  let left = maxBlobs;
  return BLOB_KINDS.flatMap((kind) => {
    const blobs = traceBlobsOfKind(source, kind, left);
    left -= blobs.length;
    return blobs;
  });
}

/** Raised before tracing when the blobs outnumber the limit given (counted so far, and the limit). */
export class TooManyBlobs extends Error {
  override readonly name = 'TooManyBlobs';
  constructor(
    readonly atLeast: number,
    readonly limit: number,
    message = `more than ${limit} blobs (${atLeast} of one kind)`,
  ) {
    super(message);
  }
}
