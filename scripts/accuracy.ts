/**
 * npm run accuracy: how close the CPU analysis comes to the demo generator's
 * truth, next to a plain desktop-GIS chain run on the very same aligned pairs.
 *
 * 1. Generates 14 demo scenes (760 × 560 px at 0.5 m, three piers) at varied
 *    seeds and difficulty: misregistration up to 2 px, illumination gain and
 *    offset, haze, sensor noise, JPEG quality 70–90, the after image on UTM or
 *    WGS 84 lon/lat at 0.55–0.6 m, a berthed ship with deck cargo, trucks.
 *    Seeds 101–114; the defaults were tuned on seeds 201–208, not these.
 * 2. Decodes both GeoTIFFs and aligns after onto before as the app does
 *    (readAligned, estimateShift, readAligned with the shift it applies).
 * 3. Runs the analysis with DEFAULT_ANALYSIS_PARAMS (or QW_ACCURACY_PARAMS),
 *    the same analysis with shadow handling off (the shadow measurement), with
 *    sharpness matching off (its measurement: the mean net error is the bias
 *    between dates), and the GIS chain.
 * 4. Prints per quantity Σ|estimate − truth| / Σ truth over all piers, and how
 *    many piers got the sign of the net change right; and, to show where the
 *    error sits, the share of container roof pixels found per roof colour.
 * 5. Scores the unsupervised change mask against the labels of the real
 *    pairs in ../shared/data/change (precision, recall, F1).
 *
 * QW_ACCURACY_PARAMS=FILE scores the parameters in FILE (the CLI's --params
 * format: missing keys take their defaults) instead of the defaults;
 * QW_ACCURACY_SCENES=N runs N scenes (fewer for a quick look);
 * QW_ACCURACY_FIRST_SEED=S starts at seed S (more scenes beyond the default
 * set, e.g. to see how small a net change the method resolves).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { decode as decodePng } from 'fast-png';
import {
  analyzePairCpu,
  type AnalysisInput,
  type AnalysisResult,
} from '../src/core/analysis/cpu-pipeline.ts';
import {
  analysisParamsFromJson,
  DEFAULT_ANALYSIS_PARAMS,
  type AnalysisParams,
} from '../src/core/analysis/params.ts';
import { rasterizeRois } from '../src/core/analysis/roi-raster.ts';
import { morphologyCpu } from '../src/core/morphology.ts';
import { meanBlurExcessPx2 } from '../src/core/align/resampling-blur.ts';
import { estimateShift, shiftToApply, toLuminance } from '../src/core/align/phase-correlation.ts';
import {
  containerColourName,
  DEFAULT_DEMO_PARAMS,
  ObjectIndex,
  type DemoScene,
  type DemoSceneParams,
} from '../src/core/demo/scene.ts';
import type { DemoTruth } from '../src/core/demo/georeference.ts';
import { mapToPixel } from '../src/core/raster.ts';
import type { PixelPolygon } from '../src/core/analysis/roi-raster.ts';
import { readAligned, gridOf } from '../src/io/align-read.ts';
import { combineMasksCpu } from '../src/core/mask-combine.ts';
import { referenceData, referenceReadBands } from '../src/io/analysis-plan.ts';
import { openRaster, readWindow } from '../src/io/decoder.ts';
import { DEFAULT_DEMO_ENCODING, makeDemoFiles, type DemoEncoding } from '../src/io/demo-files.ts';
import { parseRoiGeoJson, projectRois } from '../src/io/geojson.ts';

export interface SceneSpec {
  readonly label: string;
  readonly params: DemoSceneParams;
  readonly encoding: DemoEncoding;
}

/** An aligned pair on the before grid with the piers in its pixel coordinates. */
export interface PreparedScene {
  readonly label: string;
  readonly widthPx: number;
  readonly heightPx: number;
  readonly before: Float32Array[];
  readonly after: Float32Array[];
  readonly valid: Uint8Array;
  readonly piers: PixelPolygon[];
  readonly pixelAreaM2: number;
  readonly afterBlurExcessPx2: number;
  /** The generator's scene (its objects are the truth of the recall table). */
  readonly demo: DemoScene;
  readonly shiftPx: readonly [number, number];
  readonly truth: DemoTruth;
  readonly renderMs: number;
  readonly alignMs: number;
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** Renders, encodes, decodes and aligns one scene as the app does (readAligned + estimateShift). */
export async function prepareScene(spec: SceneSpec): Promise<PreparedScene> {
  const started = performance.now();
  const files = makeDemoFiles(spec.params, spec.encoding);
  const rendered = performance.now();
  const before = await openRaster({
    kind: 'buffer',
    buffer: toArrayBuffer(files.beforeTif),
    name: 'before.tif',
  });
  const after = await openRaster({
    kind: 'buffer',
    buffer: toArrayBuffer(files.afterTif),
    name: 'after.tif',
  });
  const grid = gridOf(before.info);
  if (grid === null) throw new Error(`${spec.label}: the before image has no georeference`);
  const { width, height } = before.info;
  const target = { grid, width, height, name: 'before.tif' };
  // As the CLI and the app read it: R, G, B and where the before image holds data.
  const reference = referenceData(
    before.info,
    (await readWindow(before, { bands: referenceReadBands(before.info) })).bands,
  );
  const beforeBands = reference.bands;
  const bands = [0, 1, 2];
  const rough = await readAligned(after, target, { shiftPx: [0, 0], bands });
  const shift = estimateShift(toLuminance(beforeBands), toLuminance(rough.bands), width, height, {
    valid: rough.valid,
  });
  // As the CLI: an estimate without agreeing tiles is not applied.
  const { shiftPx } = shiftToApply(shift);
  const aligned = await readAligned(after, target, { shiftPx, bands });
  const rois = projectRois(
    parseRoiGeoJson(JSON.stringify(files.piersGeoJson), 'piers.geojson').rois,
    grid.proj4,
  );
  const t = grid.geoTransform;
  const piers = rois.map((roi): PixelPolygon => ({
    name: roi.name,
    rings: roi.rings.map((ring) => ring.map(([x, y]) => mapToPixel(t, x, y))),
  }));
  return {
    label: spec.label,
    widthPx: width,
    heightPx: height,
    before: beforeBands,
    after: aligned.bands,
    valid: combineMasksCpu(aligned.valid, reference.valid, 'and'),
    piers,
    pixelAreaM2: Math.abs(t.pixelWidth * t.pixelHeight - t.rowRotation * t.columnRotation),
    afterBlurExcessPx2: meanBlurExcessPx2(aligned.blurExcessPx2),
    shiftPx,
    truth: files.truth,
    demo: files.scene,
    renderMs: rendered - started,
    alignMs: performance.now() - rendered,
  };
}

/** Scenes of varied difficulty: seeds, misregistration up to 2 px, light, haze, JPEG, grids, ship, trucks. */
export function sceneSpecs(
  firstSeed: number,
  count: number,
  widthPx = 760,
  heightPx = 560,
): SceneSpec[] {
  const grids: DemoSceneParams['afterGrid'][] = [
    null,
    { crs: 'lonlat', gsdM: 0.6 },
    { crs: 'utm', gsdM: 0.6 },
    { crs: 'lonlat', gsdM: 0.55 },
  ];
  const ships: DemoSceneParams['berthedShip'][] = ['after', 'before', 'both', 'after'];
  const specs: SceneSpec[] = [];
  for (let k = 0; k < count; k++) {
    const seed = firstSeed + k;
    const angle = (k * 2.4 + 0.3) % (2 * Math.PI);
    const magnitude = 0.3 + ((k * 0.37) % 1.7);
    const misregistrationPx: [number, number] = [
      Number((magnitude * Math.cos(angle)).toFixed(2)),
      Number((magnitude * Math.sin(angle)).toFixed(2)),
    ];
    const gain = 0.85 + ((k * 0.13) % 0.35);
    const afterGain: [number, number, number] = [
      gain,
      gain * (1 + 0.02 * (k % 3)),
      gain * (1 + 0.03 * (k % 4)),
    ];
    const params: DemoSceneParams = {
      ...DEFAULT_DEMO_PARAMS,
      seed,
      widthPx,
      heightPx,
      pierRotationDeg: [7, 0, 12, -5][k % 4] ?? 7,
      misregistrationPx,
      afterGain,
      afterOffsetDn: [-5, 8, 0, -12][k % 4] ?? 0,
      afterHaze: [0.06, 0.15, 0.02, 0.1][(k + 1) % 4] ?? 0,
      noiseDn: [1.6, 2.2 + (k % 3)],
      berthedShip: ships[k % ships.length] ?? 'after',
      trucksPerDate: 4 + (k % 5),
      afterGrid: grids[k % grids.length] ?? null,
    };
    const encoding: DemoEncoding = {
      ...DEFAULT_DEMO_ENCODING,
      jpegQuality: [85, 75, 90, 70][k % 4] ?? 85,
    };
    specs.push({
      label: `seed ${seed}: shift (${misregistrationPx.join(', ')}) px, ${params.afterGrid === null ? 'same grid' : `${params.afterGrid.crs} ${params.afterGrid.gsdM} m`}, gain ${gain.toFixed(2)}, haze ${params.afterHaze}, JPEG q${encoding.jpegQuality}, ship ${params.berthedShip}, ${params.trucksPerDate} trucks`,
      params,
      encoding,
    });
  }
  return specs;
}

type Quantity = 'before' | 'after' | 'appeared' | 'disappeared';
const QUANTITIES: readonly Quantity[] = ['before', 'after', 'appeared', 'disappeared'];
type Counts = Record<Quantity, number>;

/** Sums for one method over all piers. */
class Score {
  readonly absError: Counts = { before: 0, after: 0, appeared: 0, disappeared: 0 };
  readonly truth: Counts = { before: 0, after: 0, appeared: 0, disappeared: 0 };
  signsRight = 0;
  piers = 0;
  netErrorSumTeu = 0;
  /** Piers whose true net change lies inside the estimate's low–high net range. */
  netInRange = 0;
  /** Per pier: the true net change and whether the estimate's sign was right. */
  readonly nets: {
    readonly truthTeu: number;
    readonly errorTeu: number;
    readonly right: boolean;
  }[] = [];

  /** Mean of (estimated net − true net) over the piers: a bias between the dates. */
  meanNetErrorTeu(): number {
    return this.netErrorSumTeu / Math.max(1, this.piers);
  }

  /**
   * The sign of the net change is right when sign(round(after − before))
   * equals the truth's; for a pier whose truth is exactly 0 (no sign), when the
   * estimate's low–high net range holds 0.
   */
  add(
    estimate: Counts,
    truth: Counts,
    netTruth: number,
    netRange: readonly [number, number],
  ): boolean {
    for (const q of QUANTITIES) {
      this.absError[q] += Math.abs(estimate[q] - truth[q]);
      this.truth[q] += truth[q];
    }
    const net = estimate.after - estimate.before;
    this.netErrorSumTeu += net - netTruth;
    if (netRange[0] <= netTruth && netTruth <= netRange[1]) this.netInRange++;
    const right =
      netTruth === 0
        ? netRange[0] <= 0 && netRange[1] >= 0
        : Math.sign(Math.round(net)) === Math.sign(netTruth);
    if (right) this.signsRight++;
    this.piers++;
    this.nets.push({ truthTeu: netTruth, errorTeu: net - netTruth, right });
    return right;
  }

  /** Median, 90th percentile and largest |estimated net − true net|, TEU. */
  netErrorSpread(): { readonly median: number; readonly p90: number; readonly max: number } {
    const sorted = this.nets.map((n) => Math.abs(n.errorTeu)).sort((a, b) => a - b);
    const at = (q: number): number =>
      sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    return { median: at(0.5), p90: at(0.9), max: sorted[sorted.length - 1] ?? 0 };
  }

  /** Signs right among the piers whose true net change is at least `minTeu` in size. */
  signsAtLeast(minTeu: number): string {
    const piers = this.nets.filter((n) => Math.abs(n.truthTeu) >= minTeu);
    return `${piers.filter((n) => n.right).length}/${piers.length}`;
  }

  percent(q: Quantity): number {
    return (100 * this.absError[q]) / Math.max(1, this.truth[q]);
  }
}

function truthCounts(pier: DemoTruth['piers'][number]): Counts {
  return {
    before: pier.before_teu,
    after: pier.after_teu,
    appeared: pier.appeared_teu,
    disappeared: pier.disappeared_teu,
  };
}

/** The analysis input of a prepared scene. */
export function analysisInput(scene: PreparedScene): AnalysisInput {
  return {
    widthPx: scene.widthPx,
    heightPx: scene.heightPx,
    before: scene.before,
    after: scene.after,
    valid: scene.valid,
    rois: scene.piers,
    pixelAreaM2: scene.pixelAreaM2,
    afterBlurExcessPx2: scene.afterBlurExcessPx2,
  };
}

interface Estimate extends Counts {
  readonly netRange: readonly [number, number];
}

function ours(
  scene: PreparedScene,
  params: AnalysisParams,
): { estimates: Estimate[]; result: AnalysisResult } {
  const result = analyzePairCpu(analysisInput(scene), params);
  const estimates = result.rois.map((roi): Estimate => ({
    before: roi.before.teu,
    after: roi.after.teu,
    appeared: roi.appeared.teu,
    disappeared: roi.disappeared.teu,
    netRange: [roi.netLowTeu, roi.netHighTeu],
  }));
  return { estimates, result };
}

type ContainerFate = 'standing' | 'appeared' | 'disappeared';

type SceneObject = DemoScene['objects'][0][number];

/** One covered pier pixel at one date (0 before, 1 after), as walkPierPixels hands it out. */
type PierPixelVisitor = (
  date: 0 | 1,
  pier: number,
  object: SceneObject | undefined,
  inMask: boolean,
) => void;

/**
 * Visits every covered pixel inside a pier at both dates, once, with the top
 * object the renderer drew at its centre (undefined: bare ground) and whether
 * the date's occupied mask holds it. The generator's objects are the truth;
 * pixel (col, row) of the before grid is the scene point ((col + ½)·gsd,
 * (row + ½)·gsd).
 */
function walkPierPixels(
  scene: PreparedScene,
  result: AnalysisResult,
  visitors: readonly PierPixelVisitor[],
): void {
  const { demo } = scene;
  const gsdM = demo.params.gsdM;
  for (const date of [0, 1] as const) {
    const index = new ObjectIndex(demo.objects[date], demo.widthM, demo.heightM);
    const mask = date === 0 ? result.masks.before : result.masks.after;
    for (let i = 0; i < scene.widthPx * scene.heightPx; i++) {
      const pier = result.roiIndex[i] ?? -1;
      if (pier < 0 || scene.valid[i] === 0) continue;
      const col = i % scene.widthPx;
      const row = (i - col) / scene.widthPx;
      const object = index.top((col + 0.5) * gsdM, (row + 0.5) * gsdM)?.object;
      for (const visit of visitors) visit(date, pier, object, mask[i] !== 0);
    }
  }
}

/**
 * Where the remaining error sits: the share of container roof pixels (top
 * tier, inside the piers) that fall inside their date's occupied mask, by
 * roof colour and by the container's fate (standing at both dates, or at one
 * only).
 */
class RecallByColour {
  private readonly counts = new Map<string, Record<ContainerFate, [number, number]>>();

  /** The visitor that adds a scene's roof pixels (walkPierPixels). */
  visitor(scene: PreparedScene): PierPixelVisitor {
    const { demo } = scene;
    const placeOf = (o: { cx: number; cy: number }): string => `${o.cx},${o.cy}`;
    // Per date, the places that hold a container at the other date.
    const atOtherDate = ([1, 0] as const).map(
      (other) => new Set(demo.objects[other].filter((o) => o.kind === 'container').map(placeOf)),
    );
    return (date, _pier, o, inMask) => {
      if (o?.kind !== 'container') return;
      const name = containerColourName(o.colour) ?? 'other';
      const fate: ContainerFate = atOtherDate[date]?.has(placeOf(o))
        ? 'standing'
        : date === 1
          ? 'appeared'
          : 'disappeared';
      let entry = this.counts.get(name);
      if (entry === undefined) {
        entry = { standing: [0, 0], appeared: [0, 0], disappeared: [0, 0] };
        this.counts.set(name, entry);
      }
      entry[fate][0]++;
      if (inMask) entry[fate][1]++;
    };
  }

  lines(): string[] {
    const fates: ContainerFate[] = ['standing', 'appeared', 'disappeared'];
    const all = [...this.counts.values()].reduce(
      (sum, entry) => sum + fates.reduce((s, f) => s + entry[f][0], 0),
      0,
    );
    const found = ([px, inMask]: [number, number]): string =>
      px === 0 ? '–' : `${((100 * inMask) / px).toFixed(1)} %`;
    return [
      `  ${'roof colour'.padEnd(12)} ${'share'.padStart(6)} ${'standing'.padStart(9)} ${'appeared'.padStart(9)} ${'gone'.padStart(9)}`,
      ...[...this.counts.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, entry]) => {
          const px = fates.reduce((s, f) => s + entry[f][0], 0);
          return `  ${name.padEnd(12)} ${`${((100 * px) / all).toFixed(0)} %`.padStart(6)} ${found(entry.standing).padStart(9)} ${found(entry.appeared).padStart(9)} ${found(entry.disappeared).padStart(9)}`;
        }),
    ];
  }
}

/** What a date's occupied mask holds, or misses, in a pier: pixels by what was drawn there. */
interface Anatomy {
  /** Container roofs inside the mask. */
  roofs: number;
  /** Container roofs outside it (missed). */
  missed: number;
  /** Mask pixels over bare deck (gaps between boxes, notches, shadows, edges). */
  ground: number;
  /** Mask pixels over trucks (cab or trailer). */
  trucks: number;
  /** Mask pixels over anything else (a ship's hull or deck, a warehouse). */
  other: number;
}

const ANATOMY_ROWS: readonly [keyof Anatomy, string][] = [
  ['roofs', 'roofs found'],
  ['missed', 'roofs missed'],
  ['ground', 'bare deck'],
  ['trucks', 'trucks'],
  ['other', 'ship, other'],
];

/**
 * Where each date's count comes from, in TEU (pixels × pixel area × fill
 * factor ÷ footprint): the roofs found and missed, and what else the mask
 * holds. The count is roofs + bare deck + trucks + other; the fill factor
 * below 1 stands for the deck between boxes that blobs take in.
 */
class ErrorAnatomy {
  private readonly total: [Anatomy, Anatomy] = [emptyAnatomy(), emptyAnatomy()];

  /**
   * A scene's per-pier anatomy at both dates, in TEU, filled by `visit`
   * (walkPierPixels); `done` adds it to the totals once the walk is over.
   */
  scene(
    scene: PreparedScene,
    params: AnalysisParams,
  ): { readonly perPier: [Anatomy, Anatomy][]; visit: PierPixelVisitor; done(): void } {
    const teuPerPx = (scene.pixelAreaM2 * params.fillFactor) / params.teuFootprintM2;
    const perPier: [Anatomy, Anatomy][] = scene.piers.map(() => [emptyAnatomy(), emptyAnatomy()]);
    return {
      perPier,
      visit: (date, pier, o, inMask) => {
        const entry = perPier[pier]?.[date];
        if (entry === undefined) return;
        if (o?.kind === 'container') {
          entry[inMask ? 'roofs' : 'missed'] += teuPerPx;
        } else if (inMask) {
          const what =
            o === undefined
              ? 'ground'
              : o.kind === 'truck-cab' || o.kind === 'truck-trailer'
                ? 'trucks'
                : 'other';
          entry[what] += teuPerPx;
        }
      },
      done: () => {
        for (const pier of perPier) {
          for (const date of [0, 1] as const) {
            for (const [key] of ANATOMY_ROWS) this.total[date][key] += pier[date][key];
          }
        }
      },
    };
  }

  lines(): string[] {
    return [
      `  ${'TEU'.padEnd(14)} ${'before'.padStart(8)} ${'after'.padStart(8)}`,
      ...ANATOMY_ROWS.map(
        ([key, label]) =>
          `  ${label.padEnd(14)} ${this.total[0][key].toFixed(0).padStart(8)} ${this.total[1][key].toFixed(0).padStart(8)}`,
      ),
    ];
  }
}

function emptyAnatomy(): Anatomy {
  return { roofs: 0, missed: 0, ground: 0, trucks: 0, other: 0 };
}

/** "roofs 82.2 found, 6.4 missed; deck 17.1, trucks 2.5, other 0.0": one date of a pier, in TEU. */
function anatomyText(a: Anatomy): string {
  return `roofs ${a.roofs.toFixed(1)} found, ${a.missed.toFixed(1)} missed; deck ${a.ground.toFixed(1)}, trucks ${a.trucks.toFixed(1)}, other ${a.other.toFixed(1)}`;
}

/**
 * The plain desktop-GIS chain on the same warped pair: per pier and date, the
 * RGB distance of each pixel from the pier's per-band median, a fixed
 * threshold, an opening, area ÷ 14.77 m²; appeared = occupied after and not
 * before, disappeared the reverse (also opened). No normalization, no shadow
 * handling, no fill factor, no misregistration tolerance.
 */
const GIS_THRESHOLD_DN = 40;
const GIS_OPEN_RADIUS_PX = 2;

export function gisChain(scene: PreparedScene): Counts[] {
  const { widthPx: w, heightPx: h } = scene;
  const roiIndex = rasterizeRois(scene.piers, w, h);
  const n = w * h;
  const occupied = (bands: readonly Float32Array[]): Uint8Array => {
    const medians = scene.piers.map((_, roi) =>
      [0, 1, 2].map((b) => {
        const values: number[] = [];
        const band = bands[b];
        for (let i = 0; i < n; i++) {
          if (roiIndex[i] === roi && scene.valid[i] !== 0) values.push(band?.[i] ?? 0);
        }
        values.sort((x, y) => x - y);
        return values[Math.floor(values.length / 2)] ?? 0;
      }),
    );
    const mask = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const roi = roiIndex[i] ?? -1;
      const m = medians[roi];
      if (m === undefined || scene.valid[i] === 0) continue;
      const d = Math.hypot(
        (bands[0]?.[i] ?? 0) - (m[0] ?? 0),
        (bands[1]?.[i] ?? 0) - (m[1] ?? 0),
        (bands[2]?.[i] ?? 0) - (m[2] ?? 0),
      );
      mask[i] = d > GIS_THRESHOLD_DN ? 1 : 0;
    }
    return mask;
  };
  const open = (mask: Uint8Array): Uint8Array =>
    morphologyCpu(mask, w, h, { operation: 'open', radiusPx: GIS_OPEN_RADIUS_PX });
  const before = occupied(scene.before);
  const after = occupied(scene.after);
  const appeared = open(after.map((v, i) => (v !== 0 && before[i] === 0 ? 1 : 0)));
  const disappeared = open(before.map((v, i) => (v !== 0 && after[i] === 0 ? 1 : 0)));
  const masks: Record<Quantity, Uint8Array> = {
    before: open(before),
    after: open(after),
    appeared,
    disappeared,
  };
  return scene.piers.map((_, roi) => {
    const counts: Counts = { before: 0, after: 0, appeared: 0, disappeared: 0 };
    for (const q of QUANTITIES) {
      let px = 0;
      for (let i = 0; i < n; i++) if (masks[q][i] !== 0 && roiIndex[i] === roi) px++;
      counts[q] = (px * scene.pixelAreaM2) / 14.77;
    }
    return counts;
  });
}

// ---------------------------------------------------------------- change masks

interface ChangeScore {
  readonly dataset: string;
  readonly pairs: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

function readRgb(path: string): { width: number; height: number; bands: Float32Array[] } {
  const png = decodePng(readFileSync(path));
  const n = png.width * png.height;
  const c = png.channels;
  const bands = [0, 1, 2].map((b) => {
    const band = new Float32Array(n);
    for (let i = 0; i < n; i++) band[i] = png.data[i * c + Math.min(b, c - 1)] ?? 0;
    return band;
  });
  return { width: png.width, height: png.height, bands };
}

/** Pixel-level precision, recall and F1 of the change mask over all pairs of a dataset. */
export function scoreChangeDataset(folder: string, params: AnalysisParams): ChangeScore | null {
  if (!existsSync(join(folder, 'A'))) return null;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let pairs = 0;
  const names = readdirSync(join(folder, 'A'))
    .filter((f) => f.endsWith('.png'))
    .filter((f) => existsSync(join(folder, 'B', f)) && existsSync(join(folder, 'label', f)))
    .sort();
  for (const name of names) {
    const a = readRgb(join(folder, 'A', name));
    const b = readRgb(join(folder, 'B', name));
    const label = readRgb(join(folder, 'label', name));
    const { width, height } = a;
    const whole = {
      name: 'image',
      rings: [
        [
          [0, 0],
          [width, 0],
          [width, height],
          [0, height],
        ] as [number, number][],
      ],
    };
    const result = analyzePairCpu(
      {
        widthPx: width,
        heightPx: height,
        before: a.bands,
        after: b.bands,
        valid: new Uint8Array(width * height).fill(1),
        rois: [whole],
        pixelAreaM2: 0.25,
      },
      params,
    );
    const truth = label.bands[0];
    for (let i = 0; i < width * height; i++) {
      const predicted = result.masks.change[i] !== 0;
      const actual = (truth?.[i] ?? 0) > 127;
      if (predicted && actual) tp++;
      else if (predicted) fp++;
      else if (actual) fn++;
    }
    pairs++;
  }
  const precision = tp / Math.max(1, tp + fp);
  const recall = tp / Math.max(1, tp + fn);
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { dataset: folder.split('/').pop() ?? folder, pairs, precision, recall, f1 };
}

// ---------------------------------------------------------------- main

function pct(value: number): string {
  return `${value.toFixed(1)} %`.padStart(8);
}

async function main(): Promise<void> {
  const started = performance.now();
  const count = Number(process.env['QW_ACCURACY_SCENES'] ?? 14);
  const firstSeed = Number(process.env['QW_ACCURACY_FIRST_SEED'] ?? 101);
  const specs = sceneSpecs(firstSeed, count);
  const paramsFile =
    process.env['QW_ACCURACY_PARAMS'] === '' ? undefined : process.env['QW_ACCURACY_PARAMS'];
  let params = DEFAULT_ANALYSIS_PARAMS;
  try {
    // Not the CLI's readParams: src/cli/analyze.ts imports WGSL, which tsx cannot load.
    if (paramsFile !== undefined) params = analysisParamsFromJson(readFileSync(paramsFile, 'utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(`QW_ACCURACY_PARAMS ${paramsFile ?? ''}: ${reason}`);
    process.exit(1);
  }
  const oursScore = new Score();
  const noShadowScore = new Score();
  const noSharpnessScore = new Score();
  const gisScore = new Score();
  const noShadowParams: AnalysisParams = { ...params, shadowHandling: 'off' };
  const noSharpnessParams: AnalysisParams = {
    ...params,
    sharpnessMatching: 'off',
  };
  const recall = new RecallByColour();
  const anatomy = new ErrorAnatomy();
  let prepareMs = 0;
  let analysisMs = 0;
  console.log(
    `Accuracy on ${specs.length} generated scenes (${paramsFile === undefined ? 'default AnalysisParams; tuned on other seeds' : `AnalysisParams of ${paramsFile}`})\n`,
  );
  for (const spec of specs) {
    const scene = await prepareScene(spec);
    prepareMs += scene.renderMs + scene.alignMs;
    const t0 = performance.now();
    const { estimates, result } = ours(scene, params);
    analysisMs += performance.now() - t0;
    const sceneAnatomy = anatomy.scene(scene, params);
    walkPierPixels(scene, result, [recall.visitor(scene), sceneAnatomy.visit]);
    sceneAnatomy.done();
    const anatomies = sceneAnatomy.perPier;
    const withoutShadows = ours(scene, noShadowParams).estimates;
    const withoutSharpness = ours(scene, noSharpnessParams).estimates;
    const gis = gisChain(scene);
    console.log(
      `${spec.label}; shift found (${scene.shiftPx.map((v) => v.toFixed(2)).join(', ')}) px`,
    );
    scene.truth.piers.forEach((pier, k) => {
      const truth = truthCounts(pier);
      const e = estimates[k];
      const g = gis[k];
      const s = withoutShadows[k];
      const m = withoutSharpness[k];
      if (e === undefined || g === undefined || s === undefined || m === undefined) return;
      const right = oursScore.add(e, truth, pier.net_teu, e.netRange);
      // The GIS chain has no range: a zero truth needs an estimate that rounds to 0.
      const gisNet = Math.round(g.after - g.before);
      gisScore.add(g, truth, pier.net_teu, [gisNet, gisNet]);
      noShadowScore.add(s, truth, pier.net_teu, s.netRange);
      noSharpnessScore.add(m, truth, pier.net_teu, m.netRange);
      const cells = QUANTITIES.map((q) => `${e[q].toFixed(0)}/${truth[q]}`).join('  ');
      console.log(
        `  ${pier.name} (${pier.scenario.padEnd(10)}) ours/truth before, after, appeared, disappeared: ${cells}  net ${(e.after - e.before).toFixed(0)}/${pier.net_teu}${right ? '' : '  SIGN WRONG'}`,
      );
      const pierAnatomy = anatomies[k];
      if (!right && pierAnatomy !== undefined) {
        console.log(`    before: ${anatomyText(pierAnatomy[0])}`);
        console.log(`    after:  ${anatomyText(pierAnatomy[1])}`);
      }
    });
  }

  console.log('\nΣ|estimate − truth| / Σ truth over all piers:\n');
  console.log(
    `  ${'quantity'.padEnd(12)} ${'ours'.padStart(8)} ${'no shadow'.padStart(10)} ${'no sharpen'.padStart(10)} ${'GIS chain'.padStart(10)}`,
  );
  for (const q of QUANTITIES) {
    console.log(
      `  ${q.padEnd(12)} ${pct(oursScore.percent(q))} ${pct(noShadowScore.percent(q)).padStart(10)} ${pct(noSharpnessScore.percent(q)).padStart(10)} ${pct(gisScore.percent(q)).padStart(10)}`,
    );
  }
  const signs = (s: Score): string => `${s.signsRight}/${s.piers}`;
  console.log(
    `  ${'net sign'.padEnd(12)} ${signs(oursScore).padStart(8)} ${signs(noShadowScore).padStart(10)} ${signs(noSharpnessScore).padStart(10)} ${signs(gisScore).padStart(10)}`,
  );
  const inRange = (s: Score): string => `${s.netInRange}/${s.piers}`;
  console.log(
    `  ${'net in range'.padEnd(12)} ${inRange(oursScore).padStart(8)} ${inRange(noShadowScore).padStart(10)} ${inRange(noSharpnessScore).padStart(10)} ${'–'.padStart(10)}  (true net inside the low–high range)`,
  );
  const meanNetError = (s: Score): string => s.meanNetErrorTeu().toFixed(2);
  console.log(
    `  ${'mean net err'.padEnd(12)} ${meanNetError(oursScore).padStart(8)} ${meanNetError(noShadowScore).padStart(10)} ${meanNetError(noSharpnessScore).padStart(10)} ${meanNetError(gisScore).padStart(10)}  (TEU, estimate − truth: the bias)`,
  );
  for (const [row, pick] of [
    ['net err 50%', 'median'],
    ['net err 90%', 'p90'],
    ['net err max', 'max'],
  ] as const) {
    const cell = (score: Score): string => score.netErrorSpread()[pick].toFixed(1);
    console.log(
      `  ${row.padEnd(12)} ${cell(oursScore).padStart(8)} ${cell(noShadowScore).padStart(10)} ${cell(noSharpnessScore).padStart(10)} ${cell(gisScore).padStart(10)}  (TEU, |estimate − truth| of the net: ${pick === 'p90' ? '90th percentile' : pick === 'max' ? 'largest' : 'median'})`,
    );
  }
  for (const minTeu of [2, 5]) {
    const label = `sign |Δ|≥${minTeu}`;
    console.log(
      `  ${label.padEnd(12)} ${oursScore.signsAtLeast(minTeu).padStart(8)} ${noShadowScore.signsAtLeast(minTeu).padStart(10)} ${noSharpnessScore.signsAtLeast(minTeu).padStart(10)} ${gisScore.signsAtLeast(minTeu).padStart(10)}  (piers whose true net change is at least ${minTeu} TEU)`,
    );
  }
  console.log(
    '\nContainer roof pixels inside their date’s occupied mask (ours), by roof colour and fate:\n',
  );
  for (const line of recall.lines()) console.log(line);
  console.log(
    '\nWhat the occupied masks hold, in TEU (pixels × area × fill factor ÷ footprint), all piers:\n',
  );
  for (const line of anatomy.lines()) console.log(line);
  const worst = Math.max(...QUANTITIES.map((q) => oursScore.percent(q)));
  const target = worst <= 10 && oursScore.signsRight === oursScore.piers;
  console.log(
    `\nTarget (every quantity ≤ 10 %, every sign right): ${target ? 'met' : 'NOT met'} (worst ${worst.toFixed(1)} %)`,
  );
  console.log(
    `Time: scenes rendered, encoded, decoded and aligned ${(prepareMs / 1000).toFixed(1)} s; analysis ${(analysisMs / specs.length).toFixed(0)} ms per scene`,
  );

  const changeRoot = join(
    dirname(fileURLToPath(import.meta.url)),
    '..',
    '..',
    'shared',
    'data',
    'change',
  );
  console.log(`\nChange masks on real pairs (${changeRoot}), unsupervised, pixel level:\n`);
  for (const mode of ['manual', 'otsu'] as const) {
    for (const dataset of ['levir-cd', 'dsifn-cd']) {
      const score = scoreChangeDataset(join(changeRoot, dataset), {
        ...params,
        thresholdMode: mode,
      });
      if (score === null) {
        console.log(`  ${dataset}: not found`);
        continue;
      }
      console.log(
        `  ${score.dataset.padEnd(9)} thresholds ${mode.padEnd(6)} ${score.pairs} pairs  precision ${score.precision.toFixed(3)}  recall ${score.recall.toFixed(3)}  F1 ${score.f1.toFixed(3)}`,
      );
    }
  }
  console.log(`\nTotal ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main();
}
