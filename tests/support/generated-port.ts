/**
 * Generated port scenes (src/core/demo/scene.ts) as analysis inputs, rendered
 * on the before grid at both dates, for the browser tier.
 */
import type { AnalysisInput } from '../../src/core/analysis/cpu-pipeline.ts';
import type { PixelPolygon } from '../../src/core/analysis/roi-raster.ts';
import { beforeGrid } from '../../src/core/demo/georeference.ts';
import {
  buildDemoScene,
  DEFAULT_DEMO_PARAMS,
  renderDemoDate,
  type DemoSceneParams,
} from '../../src/core/demo/scene.ts';

/**
 * The scene of `params` (over the demo defaults) as an input whose `invalidStripPx`
 * columns at the east edge hold no data.
 */
export function generatedPortInput(
  params: Partial<DemoSceneParams>,
  invalidStripPx = 0,
): AnalysisInput {
  const scene = buildDemoScene({ ...DEFAULT_DEMO_PARAMS, ...params });
  const grid = beforeGrid(scene);
  const { width, height } = grid;
  const n = width * height;
  const render = (date: 0 | 1): Float32Array[] => {
    const rgb = renderDemoDate(scene, {
      date,
      width,
      height,
      pixelToScene: grid.pixelToScene,
      supersample: 1,
    });
    return [0, 1, 2].map((b) => Float32Array.from({ length: n }, (_, i) => rgb[i * 3 + b] ?? 0));
  };
  const gsd = scene.params.gsdM;
  const rois: PixelPolygon[] = scene.piers.map((pier) => ({
    name: pier.name,
    rings: [pier.corners.map(([x, y]) => [x / gsd, y / gsd] as const)],
  }));
  const valid = Uint8Array.from({ length: n }, (_, i) =>
    i % width < width - invalidStripPx ? 1 : 0,
  );
  return {
    widthPx: width,
    heightPx: height,
    before: render(0),
    after: render(1),
    valid,
    rois,
    pixelAreaM2: gsd * gsd,
  };
}

/** A small scene (400 × 300 px, seed 777) whose 24 east columns hold no data (exercises the domain). */
export function makeInput(): AnalysisInput {
  return generatedPortInput(
    { seed: 777, widthPx: 400, heightPx: 300, gsdM: 0.6, afterGrid: null },
    24,
  );
}
