/**
 * The pier (ROI) edit model: a list of ROIs in pixel coordinates of the before
 * image at full resolution (corner origin, x right, y down), commands that
 * change it, and undo/redo stacks. Pure: every function returns a new state
 * and leaves its arguments alone, and a state is plain data (JSON round-trips
 * it; `editStateFromJson` checks one read back).
 *
 * Rings are open here (the first vertex is not repeated at the end) and may
 * run either way round; io's GeoJSON export closes and orients them.
 *
 * Validation helpers say whether a ring crosses itself (O(n²) segment test)
 * and how much of an ROI lies outside the image.
 */
import { clipRing, signedArea } from './roi-raster.ts';

export type Vec2 = readonly [number, number];
/** An open ring of vertices in image pixels. */
export type EditRing = readonly Vec2[];
/** Per polygon part: [exterior, ...holes]. */
export type EditPolygons = readonly (readonly EditRing[])[];

export interface EditRoi {
  /** Stable identity within one edit state (never reused, not saved to GeoJSON). */
  readonly key: number;
  /** Unique within the state, never empty. */
  readonly name: string;
  /** The GeoJSON feature id it was read with, kept for export. */
  readonly featureId: string | number | null;
  readonly polygons: EditPolygons;
}

/** An ROI to add: everything but the key, which the state assigns. */
export interface NewRoi {
  readonly name: string;
  readonly featureId?: string | number | null;
  readonly polygons: EditPolygons;
}

/** Where a vertex is: polygon part, ring within the part (0 = exterior), vertex within the ring. */
export interface VertexRef {
  readonly part: number;
  readonly ring: number;
  readonly vertex: number;
}

export type RoiCommand =
  /** Adds an ROI at the end (key = the state's nextKey; the name is made unique). */
  | { readonly type: 'add'; readonly roi: NewRoi }
  | { readonly type: 'delete'; readonly key: number }
  /** Renames (trimmed, made unique); an empty name is refused. */
  | { readonly type: 'rename'; readonly key: number; readonly name: string }
  | {
      readonly type: 'move-vertex';
      readonly key: number;
      readonly at: VertexRef;
      readonly to: Vec2;
    }
  /** Inserts `point` so that it becomes vertex `at.vertex` (0..ring length). */
  | {
      readonly type: 'insert-vertex';
      readonly key: number;
      readonly at: VertexRef;
      readonly point: Vec2;
    }
  /** Removes a vertex; a ring keeps at least 3. */
  | { readonly type: 'delete-vertex'; readonly key: number; readonly at: VertexRef }
  | { readonly type: 'move-roi'; readonly key: number; readonly dx: number; readonly dy: number }
  /** Replaces every ROI (an import); names are made unique. */
  | { readonly type: 'replace-all'; readonly rois: readonly NewRoi[] };

/** One step of history: the ROIs to go back (undo) or forward (redo) to. */
export interface HistoryEntry {
  /** What the step did, for a tooltip ("Rename Pier 4"). */
  readonly label: string;
  readonly rois: readonly EditRoi[];
}

export interface RoiEditState {
  readonly rois: readonly EditRoi[];
  /** The key the next added ROI gets. */
  readonly nextKey: number;
  /** Most recent last. */
  readonly undo: readonly HistoryEntry[];
  /** Most recent last; emptied by any new edit. */
  readonly redo: readonly HistoryEntry[];
}

/** Undo steps kept; older ones are forgotten. */
export const MAX_HISTORY = 200;

/** Thrown for a command that does not fit the state (unknown key, bad vertex, empty name). */
export class RoiEditError extends Error {
  override readonly name = 'RoiEditError';
}

// ---------------------------------------------------------------- state

/** A state holding `rois` with no history (the first load). */
export function createEditState(rois: readonly NewRoi[] = []): RoiEditState {
  const made = withKeys(rois, 1, []);
  return { rois: made, nextKey: 1 + made.length, undo: [], redo: [] };
}

export function canUndo(state: RoiEditState): boolean {
  return state.undo.length > 0;
}

export function canRedo(state: RoiEditState): boolean {
  return state.redo.length > 0;
}

export function findRoi(state: RoiEditState, key: number): EditRoi | undefined {
  return state.rois.find((roi) => roi.key === key);
}

/** `base` if no ROI but `exceptKey` has it, else `base (2)`, `base (3)`, … */
export function uniqueName(
  base: string,
  rois: readonly Pick<EditRoi, 'name' | 'key'>[],
  exceptKey: number | null = null,
): string {
  const taken = new Set(rois.filter((roi) => roi.key !== exceptKey).map((roi) => roi.name));
  if (!taken.has(base)) return base;
  let suffix = 2;
  while (taken.has(`${base} (${suffix})`)) suffix++;
  return `${base} (${suffix})`;
}

/** "Pier n" with the smallest n ≥ count + 1 that is free. */
export function nextPierName(rois: readonly Pick<EditRoi, 'name'>[]): string {
  const taken = new Set(rois.map((roi) => roi.name));
  let n = rois.length + 1;
  while (taken.has(`Pier ${n}`)) n++;
  return `Pier ${n}`;
}

function withKeys(
  rois: readonly NewRoi[],
  firstKey: number,
  others: readonly EditRoi[],
): EditRoi[] {
  const made: EditRoi[] = [...others];
  rois.forEach((roi, k) => {
    const key = firstKey + k;
    const name = uniqueName(checkName(roi.name), made);
    made.push({
      key,
      name,
      featureId: roi.featureId ?? null,
      polygons: checkPolygons(roi.polygons, name),
    });
  });
  return made.slice(others.length);
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new RoiEditError('A pier needs a name');
  return trimmed;
}

function checkPoint(point: Vec2, what: string): Vec2 {
  const [x, y] = point;
  if (!Number.isFinite(x) || !Number.isFinite(y)) {
    throw new RoiEditError(`${what}: ${x}, ${y} is not a finite position`);
  }
  return [x, y];
}

function checkPolygons(polygons: EditPolygons, name: string): EditPolygons {
  if (polygons.length === 0) throw new RoiEditError(`${name} has no polygon`);
  return polygons.map((part) => {
    if (part.length === 0) throw new RoiEditError(`${name} has a polygon without rings`);
    return part.map((ring) => {
      const open = openRing(ring.map((p) => checkPoint(p, name)));
      if (open.length < 3) throw new RoiEditError(`${name} has a ring of fewer than 3 vertices`);
      return open;
    });
  });
}

/** Drops a repeated closing vertex. */
export function openRing(ring: EditRing): EditRing {
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (ring.length > 1 && first !== undefined && last !== undefined && samePoint(first, last)) {
    return ring.slice(0, -1);
  }
  return ring;
}

function samePoint(a: Vec2, b: Vec2): boolean {
  return a[0] === b[0] && a[1] === b[1];
}

// ---------------------------------------------------------------- commands

function indexOfKey(rois: readonly EditRoi[], key: number): number {
  const index = rois.findIndex((roi) => roi.key === key);
  if (index < 0) throw new RoiEditError(`No pier has key ${key}`);
  return index;
}

function ringAt(roi: EditRoi, at: Pick<VertexRef, 'part' | 'ring'>): EditRing {
  const ring = roi.polygons[at.part]?.[at.ring];
  if (ring === undefined) {
    throw new RoiEditError(`${roi.name} has no ring ${at.ring} in polygon ${at.part}`);
  }
  return ring;
}

function withRing(roi: EditRoi, at: Pick<VertexRef, 'part' | 'ring'>, ring: EditRing): EditRoi {
  return {
    ...roi,
    polygons: roi.polygons.map((part, p) =>
      p === at.part ? part.map((old, r) => (r === at.ring ? ring : old)) : part,
    ),
  };
}

function replaceAt(rois: readonly EditRoi[], index: number, roi: EditRoi): EditRoi[] {
  return rois.map((old, k) => (k === index ? roi : old));
}

function checkVertexIndex(roi: EditRoi, ring: EditRing, vertex: number, max: number): void {
  if (!Number.isInteger(vertex) || vertex < 0 || vertex > max) {
    throw new RoiEditError(`${roi.name} has no vertex ${vertex} (ring of ${ring.length})`);
  }
}

/** The ROIs after `command`, and a label; `null` when the command changes nothing. */
function run(
  state: RoiEditState,
  command: RoiCommand,
): { rois: readonly EditRoi[]; nextKey: number; label: string } | null {
  const { rois } = state;
  switch (command.type) {
    case 'add': {
      const [made] = withKeys([command.roi], state.nextKey, rois);
      if (made === undefined) return null;
      return { rois: [...rois, made], nextKey: state.nextKey + 1, label: `Add ${made.name}` };
    }
    case 'delete': {
      const index = indexOfKey(rois, command.key);
      const name = rois[index]?.name ?? '';
      return {
        rois: rois.filter((_, k) => k !== index),
        nextKey: state.nextKey,
        label: `Delete ${name}`,
      };
    }
    case 'rename': {
      const index = indexOfKey(rois, command.key);
      const roi = rois[index];
      if (roi === undefined) return null;
      const name = uniqueName(checkName(command.name), rois, roi.key);
      if (name === roi.name) return null;
      return {
        rois: replaceAt(rois, index, { ...roi, name }),
        nextKey: state.nextKey,
        label: `Rename ${roi.name} to ${name}`,
      };
    }
    case 'move-vertex': {
      const index = indexOfKey(rois, command.key);
      const roi = rois[index];
      if (roi === undefined) return null;
      const ring = ringAt(roi, command.at);
      checkVertexIndex(roi, ring, command.at.vertex, ring.length - 1);
      const to = checkPoint(command.to, roi.name);
      const old = ring[command.at.vertex];
      if (old !== undefined && samePoint(old, to)) return null;
      const moved = ring.map((p, k) => (k === command.at.vertex ? to : p));
      return {
        rois: replaceAt(rois, index, withRing(roi, command.at, moved)),
        nextKey: state.nextKey,
        label: `Move a vertex of ${roi.name}`,
      };
    }
    case 'insert-vertex': {
      const index = indexOfKey(rois, command.key);
      const roi = rois[index];
      if (roi === undefined) return null;
      const ring = ringAt(roi, command.at);
      checkVertexIndex(roi, ring, command.at.vertex, ring.length);
      const point = checkPoint(command.point, roi.name);
      const inserted = [
        ...ring.slice(0, command.at.vertex),
        point,
        ...ring.slice(command.at.vertex),
      ];
      return {
        rois: replaceAt(rois, index, withRing(roi, command.at, inserted)),
        nextKey: state.nextKey,
        label: `Add a vertex to ${roi.name}`,
      };
    }
    case 'delete-vertex': {
      const index = indexOfKey(rois, command.key);
      const roi = rois[index];
      if (roi === undefined) return null;
      const ring = ringAt(roi, command.at);
      checkVertexIndex(roi, ring, command.at.vertex, ring.length - 1);
      if (ring.length <= 3) {
        throw new RoiEditError(`${roi.name}: a ring keeps at least 3 vertices`);
      }
      const removed = ring.filter((_, k) => k !== command.at.vertex);
      return {
        rois: replaceAt(rois, index, withRing(roi, command.at, removed)),
        nextKey: state.nextKey,
        label: `Remove a vertex of ${roi.name}`,
      };
    }
    case 'move-roi': {
      const index = indexOfKey(rois, command.key);
      const roi = rois[index];
      if (roi === undefined) return null;
      const [dx, dy] = checkPoint([command.dx, command.dy], roi.name);
      if (dx === 0 && dy === 0) return null;
      const polygons = roi.polygons.map((part) =>
        part.map((ring) => ring.map(([x, y]): Vec2 => [x + dx, y + dy])),
      );
      return {
        rois: replaceAt(rois, index, { ...roi, polygons }),
        nextKey: state.nextKey,
        label: `Move ${roi.name}`,
      };
    }
    case 'replace-all': {
      const made = withKeys(command.rois, state.nextKey, []);
      return {
        rois: made,
        nextKey: state.nextKey + made.length,
        label: `Replace all piers (${made.length})`,
      };
    }
  }
}

/**
 * The state after `command`, with the previous ROIs on the undo stack and the
 * redo stack emptied. A command that changes nothing returns `state` itself.
 * Throws RoiEditError for a command that does not fit the state.
 */
export function applyEdit(state: RoiEditState, command: RoiCommand): RoiEditState {
  const result = run(state, command);
  if (result === null) return state;
  const undo = [...state.undo, { label: result.label, rois: state.rois }];
  return {
    rois: result.rois,
    nextKey: result.nextKey,
    undo: undo.length > MAX_HISTORY ? undo.slice(undo.length - MAX_HISTORY) : undo,
    redo: [],
  };
}

/** The state before the last edit (the same state when there is nothing to undo). */
export function undo(state: RoiEditState): RoiEditState {
  const entry = state.undo[state.undo.length - 1];
  if (entry === undefined) return state;
  return {
    rois: entry.rois,
    nextKey: state.nextKey,
    undo: state.undo.slice(0, -1),
    redo: [...state.redo, { label: entry.label, rois: state.rois }],
  };
}

/** The state after the last undone edit (the same state when there is nothing to redo). */
export function redo(state: RoiEditState): RoiEditState {
  const entry = state.redo[state.redo.length - 1];
  if (entry === undefined) return state;
  return {
    rois: entry.rois,
    nextKey: state.nextKey,
    undo: [...state.undo, { label: entry.label, rois: state.rois }],
    redo: state.redo.slice(0, -1),
  };
}

// ---------------------------------------------------------------- serialization

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readRois(value: unknown, what: string): EditRoi[] {
  if (!Array.isArray(value)) throw new RoiEditError(`${what} is not a list of piers`);
  const items = value as unknown[];
  const rois = items.map((item, k): EditRoi => {
    if (!isRecord(item)) throw new RoiEditError(`${what}: pier ${k + 1} is not an object`);
    const { key, name, featureId, polygons } = item;
    if (typeof key !== 'number' || !Number.isInteger(key)) {
      throw new RoiEditError(`${what}: pier ${k + 1} has no integer key`);
    }
    if (typeof name !== 'string') throw new RoiEditError(`${what}: pier ${k + 1} has no name`);
    if (featureId !== null && typeof featureId !== 'string' && typeof featureId !== 'number') {
      throw new RoiEditError(`${what}: pier ${k + 1} has a bad featureId`);
    }
    const parts = readPolygons(polygons, `${what}: ${name}`);
    return { key, name: checkName(name), featureId, polygons: checkPolygons(parts, name) };
  });
  if (new Set(rois.map((roi) => roi.key)).size !== rois.length) {
    throw new RoiEditError(`${what}: two piers share a key`);
  }
  return rois;
}

function readPolygons(value: unknown, what: string): Vec2[][][] {
  const fail = (): never => {
    throw new RoiEditError(`${what}: polygons are not [part][ring][vertex] of [x, y]`);
  };
  if (!Array.isArray(value)) return fail();
  return (value as unknown[]).map((part) =>
    Array.isArray(part)
      ? (part as unknown[]).map((ring) =>
          Array.isArray(ring)
            ? (ring as unknown[]).map((p): Vec2 => {
                if (!Array.isArray(p) || p.length !== 2) return fail();
                const [x, y] = p as unknown[];
                return typeof x === 'number' && typeof y === 'number' ? [x, y] : fail();
              })
            : fail(),
        )
      : fail(),
  );
}

function readHistory(value: unknown, what: string): HistoryEntry[] {
  if (!Array.isArray(value)) throw new RoiEditError(`${what} is not a list`);
  return (value as unknown[]).map((entry, k) => {
    if (!isRecord(entry) || typeof entry['label'] !== 'string') {
      throw new RoiEditError(`${what}: step ${k + 1} has no label`);
    }
    return { label: entry['label'], rois: readRois(entry['rois'], `${what}, step ${k + 1}`) };
  });
}

/**
 * A state read back from JSON (e.g. a saved session): checks its shape and
 * every ROI, throws RoiEditError saying what is wrong.
 */
export function editStateFromJson(value: unknown): RoiEditState {
  if (!isRecord(value)) throw new RoiEditError('The pier edit state is not an object');
  const rois = readRois(value['rois'], 'piers');
  const undoSteps = readHistory(value['undo'] ?? [], 'undo history');
  const redoSteps = readHistory(value['redo'] ?? [], 'redo history');
  const keys = [rois, ...undoSteps.map((e) => e.rois), ...redoSteps.map((e) => e.rois)]
    .flat()
    .map((roi) => roi.key);
  const nextKeyValue = value['nextKey'];
  const nextKey =
    typeof nextKeyValue === 'number' && Number.isInteger(nextKeyValue) ? nextKeyValue : 1;
  return {
    rois,
    nextKey: Math.max(nextKey, 1 + Math.max(0, ...keys)),
    undo: undoSteps,
    redo: redoSteps,
  };
}

// ---------------------------------------------------------------- validation

function orientation(a: Vec2, b: Vec2, c: Vec2): number {
  const value = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  return value > 0 ? 1 : value < 0 ? -1 : 0;
}

function withinBox(a: Vec2, b: Vec2, p: Vec2): boolean {
  return (
    Math.min(a[0], b[0]) <= p[0] &&
    p[0] <= Math.max(a[0], b[0]) &&
    Math.min(a[1], b[1]) <= p[1] &&
    p[1] <= Math.max(a[1], b[1])
  );
}

/** Where segments ab and cd meet (crossing or touching), or null. */
export function segmentIntersection(a: Vec2, b: Vec2, c: Vec2, d: Vec2): Vec2 | null {
  const o1 = orientation(a, b, c);
  const o2 = orientation(a, b, d);
  const o3 = orientation(c, d, a);
  const o4 = orientation(c, d, b);
  if (o1 !== o2 && o3 !== o4 && o1 !== 0 && o2 !== 0 && o3 !== 0 && o4 !== 0) {
    // Proper crossing: solve a + t (b − a) on cd.
    const rx = b[0] - a[0];
    const ry = b[1] - a[1];
    const sx = d[0] - c[0];
    const sy = d[1] - c[1];
    const t = ((c[0] - a[0]) * sy - (c[1] - a[1]) * sx) / (rx * sy - ry * sx);
    return [a[0] + t * rx, a[1] + t * ry];
  }
  if (o1 === 0 && withinBox(a, b, c)) return c;
  if (o2 === 0 && withinBox(a, b, d)) return d;
  if (o3 === 0 && withinBox(c, d, a)) return a;
  if (o4 === 0 && withinBox(c, d, b)) return b;
  return null;
}

/**
 * Rings longer than this are not checked for crossings: the test is O(n²),
 * and an imported outline of tens of thousands of vertices would take seconds
 * on every edit.
 */
export const MAX_VERTICES_FOR_CROSSING_CHECK = 4000;

/**
 * Where an (open or closed) ring meets itself other than at the shared vertex
 * of neighbouring edges, or null: a crossing, a vertex on another edge, or a
 * repeated vertex; null unchecked for rings over MAX_VERTICES_FOR_CROSSING_CHECK. O(n²).
 */
export function ringSelfIntersection(ring: EditRing): Vec2 | null {
  if (ring.length > MAX_VERTICES_FOR_CROSSING_CHECK) return null;
  // Consecutive duplicates are zero-length edges, not crossings.
  const open = openRing(ring).filter((p, k, all) => {
    const previous = all[k - 1];
    return previous === undefined || !samePoint(p, previous);
  });
  const first = open[0];
  const last = open[open.length - 1];
  if (open.length > 1 && first !== undefined && last !== undefined && samePoint(first, last)) {
    open.pop();
  }
  const n = open.length;
  if (n < 4) return null;
  for (let i = 0; i < n; i++) {
    const a = open[i];
    const b = open[(i + 1) % n];
    if (a === undefined || b === undefined) continue;
    for (let j = i + 2; j < n; j++) {
      if (i === 0 && j === n - 1) continue; // neighbours through the closing edge
      const c = open[j];
      const d = open[(j + 1) % n];
      if (c === undefined || d === undefined) continue;
      const hit = segmentIntersection(a, b, c, d);
      if (hit !== null) return hit;
    }
  }
  return null;
}

/**
 * Share of the ROI's area inside the image [0, width] × [0, height], 0..1
 * (exterior rings; holes ignored). 1 when every vertex is inside.
 */
export function fractionInsideImage(
  roi: Pick<EditRoi, 'polygons'>,
  width: number,
  height: number,
): number {
  const exteriors = roi.polygons.flatMap((part) => (part[0] === undefined ? [] : [part[0]]));
  const allInside = exteriors.every((ring) =>
    ring.every(([x, y]) => x >= 0 && x <= width && y >= 0 && y <= height),
  );
  if (allInside) return 1;
  let total = 0;
  let inside = 0;
  for (const ring of exteriors) {
    total += Math.abs(signedArea(ring));
    inside += Math.abs(signedArea(clipRing(ring, width, height)));
  }
  return total > 0 ? Math.min(1, inside / total) : 0;
}

export type RoiProblemKind = 'outside' | 'partly-outside' | 'self-intersecting';

export interface RoiProblem {
  readonly kind: RoiProblemKind;
  /** One sentence for the list and the tooltip. */
  readonly message: string;
  /** Where to put the mark on the layer (image pixels). */
  readonly at: Vec2;
}

function centroidOfVertices(roi: Pick<EditRoi, 'polygons'>): Vec2 {
  const points = roi.polygons.flatMap((part) => part[0] ?? []);
  const n = Math.max(1, points.length);
  return [points.reduce((s, p) => s + p[0], 0) / n, points.reduce((s, p) => s + p[1], 0) / n];
}

/** What is wrong with an ROI on an image of width × height pixels (empty when nothing is). */
export function roiProblems(
  roi: Pick<EditRoi, 'polygons' | 'name'>,
  width: number,
  height: number,
): RoiProblem[] {
  const problems: RoiProblem[] = [];
  const inside = fractionInsideImage(roi, width, height);
  const centre = centroidOfVertices(roi);
  if (inside <= 0) {
    problems.push({
      kind: 'outside',
      message: `${roi.name} lies outside the image: it counts nothing`,
      at: centre,
    });
  } else if (inside < 1 - 1e-9) {
    const outside = Math.max(0.1, (1 - inside) * 100).toFixed(1);
    problems.push({
      kind: 'partly-outside',
      message: `${roi.name} is partly outside the image (${outside} % of its area): that part counts nothing`,
      at: centre,
    });
  }
  for (const part of roi.polygons) {
    for (const ring of part) {
      const hit = ringSelfIntersection(ring);
      if (hit !== null) {
        problems.push({
          kind: 'self-intersecting',
          message: `${roi.name} crosses itself: its area is ambiguous — move a vertex to untangle it`,
          at: hit,
        });
        return problems;
      }
    }
  }
  return problems;
}
