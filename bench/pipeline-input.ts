/**
 * The input of bench/pipeline.ts, built the same way in Node and in the
 * browser page: one generated port scene (piers with stacked containers,
 * a berthed ship, trucks, shadows; the after date with its own gain, haze,
 * sun and misregistration) rendered once at 1024 × 1024 px, then tiled k × k
 * for 1, 4, 16 and 64 Mpx, with each tile's piers as ROIs (3 per Mpx: the
 * density of a port, so the ROI count grows with the image as it would for a
 * larger port). Pure code (no Node or DOM APIs), deterministic.
 */
import type { AnalysisInput } from '../src/core/analysis/cpu-pipeline.ts';
import type { PixelPolygon } from '../src/core/analysis/roi-raster.ts';
import { beforeGrid } from '../src/core/demo/georeference.ts';
import { buildDemoScene, DEFAULT_DEMO_PARAMS, renderDemoDate } from '../src/core/demo/scene.ts';

/** Side of the rendered tile: 1024² px = 1 Mpx. */
export const TILE_PX = 1024;

/** Image sizes of the bench, in Mpx (2^20 px); each a square of tiles. */
export const PIPELINE_SIZES_MPX = [1, 4, 16, 64] as const;

interface Tile {
  /** R, G, B planes per date, TILE_PX² each. */
  readonly before: readonly Float32Array[];
  readonly after: readonly Float32Array[];
  readonly rois: readonly PixelPolygon[];
  readonly pixelAreaM2: number;
}

let cachedTile: Tile | undefined;

function renderTile(): Tile {
  const scene = buildDemoScene({
    ...DEFAULT_DEMO_PARAMS,
    widthPx: TILE_PX,
    heightPx: TILE_PX,
    afterGrid: null,
  });
  const grid = beforeGrid(scene);
  const n = TILE_PX * TILE_PX;
  const planes = (date: 0 | 1): Float32Array[] => {
    const rgb = renderDemoDate(scene, {
      date,
      width: grid.width,
      height: grid.height,
      pixelToScene: grid.pixelToScene,
      supersample: 1,
    });
    const bands = [new Float32Array(n), new Float32Array(n), new Float32Array(n)] as const;
    for (let i = 0; i < n; i++) {
      bands[0][i] = rgb[3 * i] ?? 0;
      bands[1][i] = rgb[3 * i + 1] ?? 0;
      bands[2][i] = rgb[3 * i + 2] ?? 0;
    }
    return [...bands];
  };
  const gsd = scene.params.gsdM;
  return {
    before: planes(0),
    after: planes(1),
    rois: scene.piers.map((pier) => ({
      name: pier.name,
      rings: [pier.corners.map(([x, y]) => [x / gsd, y / gsd] as const)],
    })),
    pixelAreaM2: gsd * gsd,
  };
}

function tiled(plane: Float32Array, tilesPerSide: number): Float32Array {
  const side = TILE_PX * tilesPerSide;
  const out = new Float32Array(side * side);
  for (let row = 0; row < side; row++) {
    const source = plane.subarray((row % TILE_PX) * TILE_PX, (row % TILE_PX) * TILE_PX + TILE_PX);
    for (let t = 0; t < tilesPerSide; t++) out.set(source, row * side + t * TILE_PX);
  }
  return out;
}

/**
 * A `megapixels`-Mpx analysis input (megapixels a power of 4: 1, 4, 16, 64):
 * the tile repeated, every tile's piers an ROI named "<pier> r<row>c<col>",
 * the after image valid everywhere.
 */
export function pipelineInput(megapixels: number): AnalysisInput {
  const tilesPerSide = Math.round(Math.sqrt(megapixels));
  if (tilesPerSide < 1 || tilesPerSide * tilesPerSide !== megapixels) {
    throw new Error(`pipelineInput: ${megapixels} Mpx is not a square number of 1-Mpx tiles`);
  }
  cachedTile ??= renderTile();
  const tile = cachedTile;
  const side = TILE_PX * tilesPerSide;
  const rois: PixelPolygon[] = [];
  for (let r = 0; r < tilesPerSide; r++) {
    for (let c = 0; c < tilesPerSide; c++) {
      for (const roi of tile.rois) {
        rois.push({
          name: `${roi.name} r${r}c${c}`,
          rings: roi.rings.map((ring) =>
            ring.map(([x, y]) => [x + c * TILE_PX, y + r * TILE_PX] as const),
          ),
        });
      }
    }
  }
  return {
    widthPx: side,
    heightPx: side,
    before: tile.before.map((plane) => tiled(plane, tilesPerSide)),
    after: tile.after.map((plane) => tiled(plane, tilesPerSide)),
    valid: new Uint8Array(side * side).fill(1),
    rois,
    pixelAreaM2: tile.pixelAreaM2,
  };
}

/** One timed analysis call: wall clock around it and the pipeline's own stage laps. */
export interface BenchRun {
  readonly wallMs: number;
  readonly timingsMs: Record<string, number>;
}

/** The timed runs of one backend at one size, and what they found (a sanity check). */
export interface SizeReport {
  readonly megapixels: number;
  readonly runs: readonly BenchRun[];
  /** Rendering (first call only) and tiling of the input; not part of any run. */
  readonly inputBuildMs: number;
  readonly roiCount: number;
  /** TEU summed over all ROIs, before and after, of the last run. */
  readonly teu: { readonly before: number; readonly after: number };
}

export type GpuInfo =
  | {
      readonly available: true;
      readonly adapter: string;
      readonly maxStorageBufferBindingSize: number;
      readonly maxBufferSize: number;
    }
  | { readonly available: false; readonly reason: string };

/** Median of `values` (upper median for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
