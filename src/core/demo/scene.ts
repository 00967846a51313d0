/**
 * Synthetic port scene for the demo pair and for tests: water with ripples,
 * land with warehouses, piers of textured concrete carrying blocks of touching
 * 20-ft and 40-ft containers, trucks, an optional berthed ship with deck cargo,
 * and cast shadows from a per-date sun.
 *
 * Everything is a pure function of ground coordinates and the seed, so ground
 * that did not change renders identically at both dates; only the sun, the
 * water's ripples, the movable objects, illumination, haze and sensor noise
 * differ between dates. The ground truth (TEU per pier per date) is counted
 * from the container slots laid out here, as footprints seen from above.
 *
 * Scene coordinates: metres, x east from the scene's west edge, y south from
 * its north edge. Map coordinates: UTM, E = originE + x, N = originN − y.
 */
import { fractalNoise, latticeHash, Random, valueNoise } from '../random.ts';

/** A 20-ft container (ISO 668 1C): 6.058 m × 2.438 m, 2.591 m high. */
export const TEU_LENGTH_M = 6.058;
export const TEU_WIDTH_M = 2.438;
export const CONTAINER_HEIGHT_M = 2.591;
/** A 40-ft container (1A) is 12.192 m long: two 20-ft slots and the gap between. */
export const FEU_LENGTH_M = 12.192;

export interface Sun {
  /** Degrees clockwise from north, the direction the sun stands in. */
  readonly azimuthDeg: number;
  readonly elevationDeg: number;
}

export type ShipPresence = 'none' | 'before' | 'after' | 'both';

export interface DemoSceneParams {
  readonly seed: number;
  /** Size of the before image in pixels. */
  readonly widthPx: number;
  readonly heightPx: number;
  /** Ground sample distance of the before image, metres. */
  readonly gsdM: number;
  readonly pierCount: number;
  /** Rotation of the piers from due south, degrees (clockwise seen from above). */
  readonly pierRotationDeg: number;
  /** Scene centre, WGS 84 lon/lat; the grid is UTM in that longitude's zone. */
  readonly centreLonLat: readonly [number, number];
  /** Shift of the after image's content against its georeference, in before pixels (x east, y south). */
  readonly misregistrationPx: readonly [number, number];
  /** Radiometric change of the after image: out = gain·in + offset, per band R, G, B. */
  readonly afterGain: readonly [number, number, number];
  readonly afterOffsetDn: number;
  /** 0..1: how far the after image is washed towards haze colour. */
  readonly afterHaze: number;
  /** Sensor noise standard deviation, DN, per date. */
  readonly noiseDn: readonly [number, number];
  readonly sunBefore: Sun;
  readonly sunAfter: Sun;
  readonly berthedShip: ShipPresence;
  /** Trucks on the piers and land at each date. */
  readonly trucksPerDate: number;
  /** Grid of the after image: same as before (null), or another CRS / GSD. */
  readonly afterGrid: { readonly crs: 'utm' | 'lonlat'; readonly gsdM: number } | null;
  /** Acquisition times, ISO 8601 UTC. */
  readonly dates: readonly [string, string];
}

export const DEFAULT_DEMO_PARAMS: DemoSceneParams = {
  seed: 1013,
  widthPx: 1400,
  heightPx: 1000,
  gsdM: 0.5,
  pierCount: 3,
  pierRotationDeg: 7,
  centreLonLat: [130.3045, 42.2432],
  misregistrationPx: [0.6, -0.4],
  afterGain: [1.06, 1.08, 1.1],
  afterOffsetDn: -5,
  afterHaze: 0.06,
  noiseDn: [1.6, 2.2],
  sunBefore: { azimuthDeg: 158, elevationDeg: 38 },
  sunAfter: { azimuthDeg: 196, elevationDeg: 33 },
  berthedShip: 'after',
  trucksPerDate: 6,
  afterGrid: null,
  dates: ['2023-10-13T02:14:00Z', '2023-10-16T02:31:00Z'],
};

export type Scenario = 'reshuffled' | 'emptied' | 'filled';

type Rgb = readonly [number, number, number];

type ObjectKind = 'container' | 'truck-cab' | 'truck-trailer' | 'hull' | 'deck' | 'warehouse';

/** An oriented rectangle standing on the ground (or on a ship's deck). */
interface SceneObject {
  readonly kind: ObjectKind;
  readonly cx: number;
  readonly cy: number;
  /** Unit vector along the object's length. */
  readonly ax: number;
  readonly ay: number;
  readonly halfLength: number;
  readonly halfWidth: number;
  /** Height of the top surface above the ground, metres. */
  readonly topM: number;
  readonly colour: Rgb;
  /** Per-object variation in [0, 1) for fading, dents and the like. */
  readonly variety: number;
}

export interface Pier {
  readonly name: string;
  readonly scenario: Scenario;
  /** Root of the pier's centre line on the shore, scene metres. */
  readonly rootX: number;
  readonly rootY: number;
  /** Unit vector along the pier, seaward. */
  readonly ax: number;
  readonly ay: number;
  readonly lengthM: number;
  readonly widthM: number;
  readonly capacityTeu: number;
  readonly teu: {
    readonly before: number;
    readonly after: number;
    readonly appeared: number;
    readonly disappeared: number;
  };
  /** Corners of the pier's deck in scene metres, counter-clockwise on the map. */
  readonly corners: readonly (readonly [number, number])[];
}

export interface DemoScene {
  readonly params: DemoSceneParams;
  readonly widthM: number;
  readonly heightM: number;
  readonly piers: readonly Pier[];
  /** Objects present at each date (index 0 before, 1 after). */
  readonly objects: readonly [readonly SceneObject[], readonly SceneObject[]];
  /** y of the shoreline at x (scene metres). */
  shoreY(x: number): number;
}

// Container colours seen from above, weighted by how often they show up in
// port imagery; the greys sit close to concrete on purpose.
const CONTAINER_COLOURS: readonly {
  readonly name: string;
  readonly rgb: Rgb;
  readonly weight: number;
}[] = [
  { name: 'blue', rgb: [38, 86, 150], weight: 4 },
  { name: 'red', rgb: [158, 42, 36], weight: 4 },
  { name: 'orange', rgb: [196, 106, 40], weight: 2 },
  { name: 'green', rgb: [52, 112, 70], weight: 2 },
  { name: 'white', rgb: [226, 226, 220], weight: 3 },
  { name: 'grey', rgb: [146, 146, 142], weight: 2 }, // close to concrete
  { name: 'dark grey', rgb: [128, 124, 118], weight: 1 },
  { name: 'brown', rgb: [120, 78, 50], weight: 2 },
  { name: 'yellow', rgb: [206, 176, 52], weight: 1 },
  { name: 'navy', rgb: [30, 58, 96], weight: 2 },
];

/** The palette name of a container's colour ('grey', …), or undefined for another colour. */
export function containerColourName(rgb: Rgb): string | undefined {
  return CONTAINER_COLOURS.find((c) => c.rgb.every((value, band) => value === rgb[band]))?.name;
}

const CONCRETE: Rgb = [156, 154, 147];
const WATER: Rgb = [30, 56, 66];
const LAND: Rgb = [112, 106, 94];
const HAZE: Rgb = [178, 186, 196];

function pickColour(random: Random): Rgb {
  const total = CONTAINER_COLOURS.reduce((sum, c) => sum + c.weight, 0);
  let r = random.next() * total;
  for (const c of CONTAINER_COLOURS) {
    r -= c.weight;
    if (r < 0) return c.rgb;
  }
  return CONTAINER_COLOURS[0]?.rgb ?? [0, 0, 0];
}

const SLOT_GAP_ACROSS_M = 0.14;
const SLOT_GAP_ALONG_M = 0.076;
const SLOT_PITCH_ACROSS_M = TEU_WIDTH_M + SLOT_GAP_ACROSS_M;
const SLOT_PITCH_ALONG_M = TEU_LENGTH_M + SLOT_GAP_ALONG_M;
const ROWS_PER_BLOCK = 7;
const BAYS_PER_BLOCK = 8;
const LANE_ACROSS_M = 8;
const AISLE_ALONG_M = 6;
const PIER_EDGE_MARGIN_M = 4;
const PIER_END_MARGIN_M = 8;

/** One row of touching slots in a block: filled from its start at each date. */
interface RowSegment {
  /** Index of the block the row belongs to; rows of a block fill alike. */
  readonly block: number;
  /** Pier-local (u along, v across) of the first slot's centre. */
  readonly u0: number;
  readonly v: number;
  readonly bays: number;
}

function pierSegments(lengthM: number, widthM: number): RowSegment[] {
  const blockAcross = ROWS_PER_BLOCK * SLOT_PITCH_ACROSS_M;
  const usableWidth = widthM - 2 * PIER_EDGE_MARGIN_M;
  const blocksAcross = Math.max(
    0,
    Math.floor((usableWidth + LANE_ACROSS_M) / (blockAcross + LANE_ACROSS_M)),
  );
  const blockAlong = BAYS_PER_BLOCK * SLOT_PITCH_ALONG_M;
  const usableLength = lengthM - 2 * PIER_END_MARGIN_M;
  const blocksAlong = Math.max(
    0,
    Math.floor((usableLength + AISLE_ALONG_M) / (blockAlong + AISLE_ALONG_M)),
  );
  const spanAcross = blocksAcross * blockAcross + Math.max(0, blocksAcross - 1) * LANE_ACROSS_M;
  const spanAlong = blocksAlong * blockAlong + Math.max(0, blocksAlong - 1) * AISLE_ALONG_M;
  const segments: RowSegment[] = [];
  for (let ba = 0; ba < blocksAlong; ba++) {
    const blockU = (lengthM - spanAlong) / 2 + ba * (blockAlong + AISLE_ALONG_M);
    for (let bc = 0; bc < blocksAcross; bc++) {
      const blockV = -spanAcross / 2 + bc * (blockAcross + LANE_ACROSS_M);
      for (let row = 0; row < ROWS_PER_BLOCK; row++) {
        segments.push({
          block: ba * blocksAcross + bc,
          u0: blockU + SLOT_PITCH_ALONG_M / 2,
          v: blockV + (row + 0.5) * SLOT_PITCH_ACROSS_M,
          bays: BAYS_PER_BLOCK,
        });
      }
    }
  }
  return segments;
}

/**
 * Fill levels (bays from the start of each row) of every block at each date.
 * Fractions of blocks are chosen, not drawn per block, so every scene shows
 * its scenario clearly: an emptied pier loses nearly all it had, a filled one
 * gains most of its capacity, a reshuffled one both loses and gains.
 */
function blockPlan(
  scenario: Scenario,
  blockCount: number,
  bays: number,
  random: Random,
): [number, number][] {
  const order = Array.from({ length: blockCount }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
  }
  const plan: [number, number][] = order.map(() => [0, 0]);
  const count = (fraction: number): number => Math.max(1, Math.round(fraction * blockCount));
  const partial = (): number => random.int(3, bays);
  order.forEach((block, rank) => {
    let levels: [number, number] = [0, 0];
    switch (scenario) {
      case 'emptied':
        // About a fifth of the blocks full before; one keeps a couple of bays.
        if (rank < count(0.2)) levels = [partial(), rank === 0 ? 2 : 0];
        break;
      case 'filled':
        if (rank < count(0.15)) levels = [random.int(1, 3), bays];
        else if (rank < count(0.8)) levels = [0, partial()];
        break;
      case 'reshuffled': {
        const half = count(0.5);
        if (rank < count(0.15))
          levels = [partial(), 0]; // taken away
        else if (rank < half) {
          const level = partial();
          levels = rank % 3 === 0 ? [level, Math.max(1, level - random.int(1, 3))] : [level, level];
        } else if (rank < half + count(0.15)) levels = [0, partial()]; // brought in
        break;
      }
    }
    plan[block] = levels;
  });
  return plan;
}

/**
 * Per-row fill levels from the block's: rows of a block differ by a bay or so,
 * an unchanged block keeps its rows exactly, and emptying or filling never
 * runs the other way within a row.
 */
function rowLevels(block: [number, number], bays: number, random: Random): [number, number] {
  const [lb, la] = block;
  const jitter = random.next() < 0.5 ? 0 : random.int(-2, 1);
  const kb = lb > 0 ? Math.max(0, Math.min(bays, lb + jitter)) : 0;
  if (la === lb) return [kb, kb];
  const ka = la > 0 ? Math.max(0, Math.min(bays, la + random.int(-1, 0))) : 0;
  return [kb, la > lb ? Math.max(kb, ka) : Math.min(kb, ka)];
}

function makeObject(
  kind: ObjectKind,
  cx: number,
  cy: number,
  ax: number,
  ay: number,
  lengthM: number,
  widthM: number,
  topM: number,
  colour: Rgb,
  variety: number,
): SceneObject {
  return {
    kind,
    cx,
    cy,
    ax,
    ay,
    halfLength: lengthM / 2,
    halfWidth: widthM / 2,
    topM,
    colour,
    variety,
  };
}

/** Lays out the scene. Pure: the same params give the same scene. */
export function buildDemoScene(params: DemoSceneParams): DemoScene {
  const random = new Random(params.seed);
  const widthM = params.widthPx * params.gsdM;
  const heightM = params.heightPx * params.gsdM;
  const shoreBase = 0.17 * heightM;
  const shoreSeed = params.seed * 31 + 7;
  const shoreY = (x: number): number => shoreBase + 3 * (valueNoise(x / 40, 0.5, shoreSeed) - 0.5);

  const theta = (params.pierRotationDeg * Math.PI) / 180;
  const ax = Math.sin(theta);
  const ay = Math.cos(theta);
  // Perpendicular, pointing east-ish: (ay, −ax).
  const spacing = widthM / params.pierCount;
  const pierWidth = Math.min(0.46 * spacing, 64);
  const pierLength = 0.66 * heightM;
  const scenarios: Scenario[] = ['reshuffled', 'emptied', 'filled'];

  const before: SceneObject[] = [];
  const after: SceneObject[] = [];
  const piers: Pier[] = [];

  for (let p = 0; p < params.pierCount; p++) {
    const rootX = spacing * (p + 0.5) - ax * pierLength * 0.5 + random.range(-0.03, 0.03) * spacing;
    const rootY = shoreBase - 4;
    const scenario = scenarios[p % scenarios.length] ?? 'reshuffled';
    const segments = pierSegments(pierLength, pierWidth);
    const teu = { before: 0, after: 0, appeared: 0, disappeared: 0 };
    const toScene = (u: number, v: number): [number, number] => [
      rootX + ax * u + ay * v,
      rootY + ay * u - ax * v,
    ];

    const blockCount = segments.reduce((max, segment) => Math.max(max, segment.block + 1), 0);
    const plan = blockPlan(scenario, blockCount, BAYS_PER_BLOCK, random);
    for (const segment of segments) {
      const [kb, ka] = rowLevels(plan[segment.block] ?? [0, 0], segment.bays, random);
      teu.before += kb;
      teu.after += ka;
      teu.appeared += Math.max(0, ka - kb);
      teu.disappeared += Math.max(0, kb - ka);
      // Presence of each bay: both dates, before only, or after only. A 40-ft
      // container takes two bays of the same presence.
      const presence = (bay: number): 0 | 1 | 2 | 3 =>
        ((bay < kb ? 1 : 0) | (bay < ka ? 2 : 0)) as 0 | 1 | 2 | 3;
      let bay = 0;
      const end = Math.max(kb, ka);
      while (bay < end) {
        const here = presence(bay);
        const long =
          bay + 1 < end && presence(bay + 1) === here && bay % 2 === 0 && random.next() < 0.45;
        const bays = long ? 2 : 1;
        const uCentre = segment.u0 + (bay + (bays - 1) / 2) * SLOT_PITCH_ALONG_M;
        const [cx, cy] = toScene(uCentre, segment.v);
        const tiers = random.next() < 0.55 ? 1 : random.next() < 0.7 ? 2 : 3;
        const object = makeObject(
          'container',
          cx,
          cy,
          ax,
          ay,
          long ? FEU_LENGTH_M : TEU_LENGTH_M,
          TEU_WIDTH_M,
          tiers * CONTAINER_HEIGHT_M,
          pickColour(random),
          random.next(),
        );
        if (here & 1) before.push(object);
        if (here & 2) after.push(object);
        bay += bays;
      }
    }
    const halfW = pierWidth / 2;
    const corners: [number, number][] = [
      toScene(0, -halfW),
      toScene(pierLength, -halfW),
      toScene(pierLength, halfW),
      toScene(0, halfW),
    ];
    piers.push({
      name: `Pier ${p + 1}`,
      scenario,
      rootX,
      rootY,
      ax,
      ay,
      lengthM: pierLength,
      widthM: pierWidth,
      capacityTeu: segments.reduce((sum, s) => sum + s.bays, 0),
      teu,
      corners: mapCounterClockwise(corners),
    });
  }

  // Trucks drive the lanes: a cab and a trailer, sometimes loaded with a container.
  for (const [date, list] of [before, after].entries()) {
    const truckRandom = new Random(params.seed * 977 + date * 13 + 1);
    for (let t = 0; t < params.trucksPerDate && piers.length > 0; t++) {
      const pier = truckRandom.pick(piers);
      const u = truckRandom.range(10, pier.lengthM - 20);
      const lane = truckRandom.next() < 0.5 ? -1 : 1;
      const v =
        lane * truckRandom.range(0, 2) +
        (truckRandom.next() < 0.5 ? 0 : lane * (pier.widthM / 2 - 2.5));
      const sense = truckRandom.next() < 0.5 ? 1 : -1;
      const cab: Rgb = truckRandom.pick<Rgb>([
        [220, 220, 214],
        [180, 30, 30],
        [30, 70, 160],
        [230, 200, 40],
      ]);
      const trailerColour =
        truckRandom.next() < 0.5 ? pickColour(truckRandom) : ([70, 70, 72] as Rgb);
      const px = pier.rootX + pier.ax * u + pier.ay * v;
      const py = pier.rootY + pier.ay * u - pier.ax * v;
      list.push(
        makeObject(
          'truck-cab',
          px + sense * pier.ax * 8,
          py + sense * pier.ay * 8,
          pier.ax,
          pier.ay,
          3,
          2.5,
          3.6,
          cab,
          truckRandom.next(),
        ),
      );
      list.push(
        makeObject(
          'truck-trailer',
          px,
          py,
          pier.ax,
          pier.ay,
          12.4,
          2.5,
          2.9,
          trailerColour,
          truckRandom.next(),
        ),
      );
    }
  }

  // Warehouses on land: static, tall, casting long shadows that move with the sun.
  const warehouseRandom = new Random(params.seed * 389 + 5);
  const warehouseCount = Math.max(1, Math.round(widthM / 180));
  for (let w = 0; w < warehouseCount; w++) {
    const lengthM = warehouseRandom.range(40, 70);
    const widthW = warehouseRandom.range(18, 28);
    const cx = (w + 0.5) * (widthM / warehouseCount) + warehouseRandom.range(-10, 10);
    const cy = shoreBase * warehouseRandom.range(0.3, 0.55);
    const roof = warehouseRandom.pick<Rgb>([
      [186, 190, 194],
      [92, 120, 150],
      [160, 84, 70],
    ]);
    const object = makeObject(
      'warehouse',
      cx,
      cy,
      1,
      0,
      lengthM,
      widthW,
      warehouseRandom.range(8, 14),
      roof,
      warehouseRandom.next(),
    );
    before.push(object);
    after.push(object);
  }

  // A ship berthed alongside the emptied pier, with containers on deck.
  const shipPier = piers.find((pier) => pier.scenario === 'emptied') ?? piers[0];
  if (params.berthedShip !== 'none' && shipPier !== undefined) {
    const shipRandom = new Random(params.seed * 733 + 3);
    const beam = 24;
    const length = Math.min(0.85 * shipPier.lengthM, 170);
    const v = shipPier.widthM / 2 + 2 + beam / 2;
    const u = shipPier.lengthM * 0.52;
    const cx = shipPier.rootX + shipPier.ax * u + shipPier.ay * v;
    const cy = shipPier.rootY + shipPier.ay * u - shipPier.ax * v;
    const ship: SceneObject[] = [
      makeObject('hull', cx, cy, shipPier.ax, shipPier.ay, length, beam, 9, [52, 40, 38], 0.5),
    ];
    ship.push(
      makeObject(
        'deck',
        cx - shipPier.ax * length * 0.08,
        cy - shipPier.ay * length * 0.08,
        shipPier.ax,
        shipPier.ay,
        length * 0.8,
        beam - 3,
        9.2,
        [120, 64, 50],
        0.3,
      ),
    );
    // Deck cargo in bays across the beam, aft of the bridge.
    const rowsOnDeck = Math.floor((beam - 4) / SLOT_PITCH_ACROSS_M);
    for (let bayIndex = 0; bayIndex < Math.floor((length * 0.6) / SLOT_PITCH_ALONG_M); bayIndex++) {
      for (let row = 0; row < rowsOnDeck; row++) {
        if (shipRandom.next() < 0.25) continue;
        const du = -length * 0.35 + (bayIndex + 0.5) * SLOT_PITCH_ALONG_M;
        const dv = (row - (rowsOnDeck - 1) / 2) * SLOT_PITCH_ACROSS_M;
        ship.push(
          makeObject(
            'container',
            cx + shipPier.ax * du + shipPier.ay * dv,
            cy + shipPier.ay * du - shipPier.ax * dv,
            shipPier.ax,
            shipPier.ay,
            TEU_LENGTH_M,
            TEU_WIDTH_M,
            9.2 + CONTAINER_HEIGHT_M * shipRandom.int(1, 2),
            pickColour(shipRandom),
            shipRandom.next(),
          ),
        );
      }
    }
    if (params.berthedShip === 'before' || params.berthedShip === 'both') before.push(...ship);
    if (params.berthedShip === 'after' || params.berthedShip === 'both') after.push(...ship);
  }

  return { params, widthM, heightM, piers, objects: [before, after], shoreY };
}

/**
 * Orders a quadrilateral's scene-space corners counter-clockwise as seen on a
 * north-up map (scene y points south, so the signed area flips).
 */
function mapCounterClockwise(corners: [number, number][]): [number, number][] {
  let area = 0;
  for (let i = 0; i < corners.length; i++) {
    const [x0, y0] = corners[i] ?? [0, 0];
    const [x1, y1] = corners[(i + 1) % corners.length] ?? [0, 0];
    area += x0 * -y1 - x1 * -y0;
  }
  return area > 0 ? corners : [...corners].reverse();
}

// ---------------------------------------------------------------------------
// Rendering

/**
 * Bucket grid over the scene for fast point queries of objects: what the
 * renderer draws at a point, and what the accuracy report takes as truth.
 */
export class ObjectIndex {
  private readonly cellM = 8;
  private readonly columns: number;
  private readonly rows: number;
  private readonly cells: SceneObject[][];
  private readonly x0: number;
  private readonly y0: number;

  constructor(objects: readonly SceneObject[], widthM: number, heightM: number) {
    // Margin so that a misregistered or reprojected grid still finds edge objects.
    const margin = 60;
    this.x0 = -margin;
    this.y0 = -margin;
    this.columns = Math.ceil((widthM + 2 * margin) / this.cellM);
    this.rows = Math.ceil((heightM + 2 * margin) / this.cellM);
    this.cells = Array.from({ length: this.columns * this.rows }, () => []);
    for (const object of objects) {
      const extent = object.halfLength + object.halfWidth;
      const c0 = Math.max(0, Math.floor((object.cx - extent - this.x0) / this.cellM));
      const c1 = Math.min(
        this.columns - 1,
        Math.floor((object.cx + extent - this.x0) / this.cellM),
      );
      const r0 = Math.max(0, Math.floor((object.cy - extent - this.y0) / this.cellM));
      const r1 = Math.min(this.rows - 1, Math.floor((object.cy + extent - this.y0) / this.cellM));
      for (let r = r0; r <= r1; r++) {
        for (let c = c0; c <= c1; c++) this.cells[r * this.columns + c]?.push(object);
      }
    }
  }

  /** The highest object whose footprint holds (x, y), with local coordinates. */
  top(x: number, y: number): { object: SceneObject; u: number; v: number } | undefined {
    const c = Math.floor((x - this.x0) / this.cellM);
    const r = Math.floor((y - this.y0) / this.cellM);
    if (c < 0 || r < 0 || c >= this.columns || r >= this.rows) return undefined;
    let best: { object: SceneObject; u: number; v: number } | undefined;
    for (const object of this.cells[r * this.columns + c] ?? []) {
      const dx = x - object.cx;
      const dy = y - object.cy;
      const u = dx * object.ax + dy * object.ay;
      const v = dx * object.ay - dy * object.ax;
      if (Math.abs(u) > object.halfLength || Math.abs(v) > object.halfWidth) continue;
      if (object.kind === 'hull') {
        // Pointed bow: the forward 18 % narrows to a point.
        const bowStart = object.halfLength * 0.64;
        if (
          u > bowStart &&
          Math.abs(v) > object.halfWidth * (1 - (u - bowStart) / (object.halfLength - bowStart))
        )
          continue;
      }
      if (best === undefined || object.topM > best.object.topM) best = { object, u, v };
    }
    return best;
  }

  /** Height of the top surface at (x, y), 0 on open ground. */
  heightAt(x: number, y: number): number {
    return this.top(x, y)?.object.topM ?? 0;
  }
}

/** Where a pixel of the output grid lies in scene metres. */
export type PixelToScene = (col: number, row: number) => readonly [number, number];

function concrete(x: number, y: number, seed: number): Rgb {
  const n = fractalNoise(x / 6, y / 6, seed, 4);
  const stain = valueNoise(x / 23, y / 23, seed + 51);
  const grain = latticeHash(Math.floor(x * 4), Math.floor(y * 4), seed + 3) - 0.5;
  const k = 0.86 + 0.22 * n - (stain > 0.72 ? (stain - 0.72) * 0.6 : 0) + grain * 0.05;
  return [CONCRETE[0] * k, CONCRETE[1] * k, CONCRETE[2] * k];
}

function pierSurface(scene: DemoScene, x: number, y: number): Rgb | undefined {
  const seed = scene.params.seed;
  for (const pier of scene.piers) {
    const dx = x - pier.rootX;
    const dy = y - pier.rootY;
    const u = dx * pier.ax + dy * pier.ay;
    const v = dx * pier.ay - dy * pier.ax;
    const halfW = pier.widthM / 2;
    if (u < 0 || u > pier.lengthM || Math.abs(v) > halfW) continue;
    let colour = concrete(x, y, seed);
    // Dark quay edge with fenders, and a yellow line down the middle lane.
    if (halfW - Math.abs(v) < 0.7 || pier.lengthM - u < 0.7) colour = [62, 60, 58];
    else if (Math.abs(v) < 0.12 && Math.floor(u / 3) % 2 === 0) colour = [214, 184, 58];
    else if (Math.abs(Math.abs(v) - (halfW - PIER_EDGE_MARGIN_M + 0.4)) < 0.1)
      colour = [222, 222, 214];
    // Bollards along the edge.
    if (halfW - Math.abs(v) < 1.3 && halfW - Math.abs(v) > 0.8 && u % 18 < 0.7)
      colour = [40, 40, 40];
    return colour;
  }
  return undefined;
}

function water(x: number, y: number, seed: number, phase: number): Rgb {
  const ripple =
    Math.sin(x * 0.9 + y * 0.35 + phase) * 0.5 +
    Math.sin(x * 0.31 - y * 0.77 + phase * 1.7) * 0.35 +
    (valueNoise(x / 2.5, y / 2.5, seed + 91 + Math.round(phase * 10)) - 0.5) * 0.8;
  const k = 1 + 0.09 * ripple;
  const sheen = Math.max(0, ripple - 0.7) * 22;
  return [WATER[0] * k + sheen, WATER[1] * k + sheen, WATER[2] * k + sheen];
}

function land(x: number, y: number, seed: number): Rgb {
  const n = fractalNoise(x / 9, y / 9, seed + 211, 4);
  const k = 0.8 + 0.35 * n;
  return [LAND[0] * k, LAND[1] * k, LAND[2] * k];
}

function objectColour(
  object: SceneObject,
  u: number,
  v: number,
  x: number,
  y: number,
  seed: number,
): Rgb {
  const [r, g, b] = object.colour;
  const fade = 0.92 + 0.16 * object.variety;
  switch (object.kind) {
    case 'container':
    case 'truck-trailer': {
      // Darker rims and a corrugated roof (ribs across the length).
      const rim = object.halfLength - Math.abs(u) < 0.18 || object.halfWidth - Math.abs(v) < 0.15;
      const ribs = 1 + 0.07 * Math.sin((u * 2 * Math.PI) / 0.42);
      const rust = 1 - 0.12 * Math.max(0, valueNoise(x * 1.3, y * 1.3, seed + 17) - 0.6);
      const k = (rim ? 0.7 : ribs * rust) * fade;
      return [r * k, g * k, b * k];
    }
    case 'warehouse': {
      const ribs = 1 + 0.05 * Math.sin((v * 2 * Math.PI) / 1.1);
      return [r * ribs, g * ribs, b * ribs];
    }
    case 'hull':
    case 'deck':
    case 'truck-cab':
      return [r * fade, g * fade, b * fade];
  }
}

export interface RenderOptions {
  /** 0 before, 1 after. */
  readonly date: 0 | 1;
  readonly width: number;
  readonly height: number;
  readonly pixelToScene: PixelToScene;
  /** Supersamples per axis (2 → 4 samples per pixel). */
  readonly supersample?: number;
}

/**
 * Renders one date to 8-bit RGB, pixel-interleaved. Illumination, haze and
 * noise are applied per date as the params say.
 */
export function renderDemoDate(scene: DemoScene, options: RenderOptions): Uint8Array {
  const { params } = scene;
  const { date, width, height, pixelToScene } = options;
  const ss = options.supersample ?? 2;
  const objects = scene.objects[date];
  const index = new ObjectIndex(objects, scene.widthM, scene.heightM);
  const sun = date === 0 ? params.sunBefore : params.sunAfter;
  const az = (sun.azimuthDeg * Math.PI) / 180;
  // Horizontal step towards the sun in scene coordinates (x east, y south).
  const sunX = Math.sin(az);
  const sunY = -Math.cos(az);
  const rise = Math.tan((sun.elevationDeg * Math.PI) / 180);
  const maxTop = objects.reduce((m, o) => Math.max(m, o.topM), 0);
  const phase = date * 2.1 + params.seed * 0.37;
  const seed = params.seed;
  const noise = new Random(seed * 7 + 101 + date);
  const sigma = params.noiseDn[date];
  const gain = date === 1 ? params.afterGain : [1, 1, 1];
  const offset = date === 1 ? params.afterOffsetDn : 0;
  const haze = date === 1 ? params.afterHaze : 0;

  const shadowed = (x: number, y: number, z: number): boolean => {
    const reach = (maxTop - z) / rise;
    for (let s = 0.5; s <= reach; s += 0.5) {
      if (index.heightAt(x + sunX * s, y + sunY * s) > z + s * rise) return true;
    }
    return false;
  };

  const out = new Uint8Array(width * height * 3);
  const acc: [number, number, number] = [0, 0, 0];
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      acc[0] = acc[1] = acc[2] = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const [x, y] = pixelToScene(col + (sx + 0.5) / ss - 0.5, row + (sy + 0.5) / ss - 0.5);
          const hit = index.top(x, y);
          let colour: Rgb;
          let z = 0;
          if (hit !== undefined) {
            colour = objectColour(hit.object, hit.u, hit.v, x, y, seed);
            z = hit.object.topM;
          } else {
            const surface = pierSurface(scene, x, y);
            if (surface !== undefined) colour = surface;
            else if (y < scene.shoreY(x)) colour = land(x, y, seed);
            else colour = water(x, y, seed, phase);
          }
          if (shadowed(x, y, z))
            colour = [colour[0] * 0.42 + 4, colour[1] * 0.44 + 6, colour[2] * 0.5 + 12];
          acc[0] += colour[0];
          acc[1] += colour[1];
          acc[2] += colour[2];
        }
      }
      const o = (row * width + col) * 3;
      for (let b = 0; b < 3; b++) {
        const radiance = acc[b as 0 | 1 | 2] / (ss * ss);
        const lit = radiance * (gain[b] ?? 1) + offset;
        const hazy = lit * (1 - haze) + (HAZE[b] ?? 0) * haze;
        out[o + b] = Math.max(0, Math.min(255, Math.round(hazy + noise.gaussian() * sigma)));
      }
    }
  }
  return out;
}
