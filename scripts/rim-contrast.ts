/**
 * How well a container's own outline tells its roof from bare concrete: for
 * every visible 20-ft container of the accuracy scenes (both dates), the mean
 * luminance inside its roof (inset 0.6 m along, 0.5 m across) minus the mean
 * along its rim lines (0.09 m and 0.075 m in from the edges, where the
 * generator darkens 0.18 m and 0.15 m), sampled bilinearly every 0.25 m at
 * the container's true position and orientation; and the same score for
 * container-sized boxes on bare concrete at random positions in the piers,
 * along the pier's axis, clear of every object. Prints quantiles per class
 * (grey roofs, other roofs, concrete) and the grey recall at the concrete's
 * 99th and 99.9th percentiles. A measurement for the README's analysis
 * section, not a test.
 *
 *   npx tsx scripts/rim-contrast.ts            seeds 201–204 (the tuning seeds)
 *   QW_RIM_FIRST_SEED=101 QW_RIM_SCENES=14 npx tsx scripts/rim-contrast.ts
 */
import { luminanceOf } from '../src/core/analysis/occupancy.ts';
import { rasterizeRois } from '../src/core/analysis/roi-raster.ts';
import {
  containerColourName,
  ObjectIndex,
  TEU_LENGTH_M,
  TEU_WIDTH_M,
} from '../src/core/demo/scene.ts';
import { Random } from '../src/core/random.ts';
import { prepareScene, sceneSpecs } from './accuracy.ts';

const FIRST_SEED = Number(process.env['QW_RIM_FIRST_SEED'] ?? 201);
const SCENES = Number(process.env['QW_RIM_SCENES'] ?? 4);
const STEP_M = 0.25;
const CONCRETE_TRIES_PER_DATE = 3000;

type ScoreClass = 'grey' | 'other' | 'concrete';
const scores: Record<ScoreClass, number[]> = { grey: [], other: [], concrete: [] };
const random = new Random(3);

function quantile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(p * (sorted.length - 1))] ?? Number.NaN;
}

for (const spec of sceneSpecs(FIRST_SEED, SCENES)) {
  const scene = await prepareScene(spec);
  const { widthPx: w, heightPx: h } = scene;
  const gsdM = spec.params.gsdM;
  const roiIndex = rasterizeRois(scene.piers, w, h);
  for (const date of [0, 1] as const) {
    const luminance = luminanceOf(date === 0 ? scene.before : scene.after);
    /** Bilinear luminance at scene metres (pixel centres at (col + 0.5) · gsd). */
    const sample = (x: number, y: number): number => {
      const px = x / gsdM - 0.5;
      const py = y / gsdM - 0.5;
      const x0 = Math.floor(px);
      const y0 = Math.floor(py);
      if (x0 < 0 || y0 < 0 || x0 + 1 >= w || y0 + 1 >= h) return Number.NaN;
      const fx = px - x0;
      const fy = py - y0;
      const at = (col: number, row: number): number => luminance[row * w + col] ?? Number.NaN;
      const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
      const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
      return top * (1 - fy) + bottom * fy;
    };
    /** Roof inside minus rim lines, DN; NaN where no sample falls in the image. */
    const rimScore = (
      cx: number,
      cy: number,
      ax: number,
      ay: number,
      halfLength: number,
      halfWidth: number,
    ): number => {
      const at = (u: number, v: number): number =>
        sample(cx + ax * u + ay * v, cy + ay * u - ax * v);
      const inner: number[] = [];
      const rim: number[] = [];
      for (let u = -halfLength + 0.6; u <= halfLength - 0.6; u += STEP_M) {
        for (let v = -halfWidth + 0.5; v <= halfWidth - 0.5; v += STEP_M) inner.push(at(u, v));
      }
      for (let v = -halfWidth; v <= halfWidth; v += STEP_M) {
        rim.push(at(-(halfLength - 0.09), v), at(halfLength - 0.09, v));
      }
      for (let u = -halfLength; u <= halfLength; u += STEP_M) {
        rim.push(at(u, -(halfWidth - 0.075)), at(u, halfWidth - 0.075));
      }
      const mean = (values: number[]): number => {
        const finite = values.filter((value) => !Number.isNaN(value));
        return finite.reduce((sum, value) => sum + value, 0) / finite.length;
      };
      return mean(inner) - mean(rim);
    };
    const objects = scene.demo.objects[date];
    const index = new ObjectIndex(objects, scene.demo.widthM, scene.demo.heightM);
    const inPier = (x: number, y: number): boolean => {
      const col = Math.floor(x / gsdM);
      const row = Math.floor(y / gsdM);
      if (col < 0 || row < 0 || col >= w || row >= h) return false;
      return (roiIndex[row * w + col] ?? -1) >= 0 && scene.valid[row * w + col] === 1;
    };
    for (const object of objects) {
      // Visible 20-ft containers: the top object at their own centre.
      if (object.kind !== 'container' || object.halfLength > TEU_LENGTH_M / 2 + 0.01) continue;
      if (index.top(object.cx, object.cy)?.object !== object || !inPier(object.cx, object.cy))
        continue;
      const { cx, cy, ax, ay, halfLength, halfWidth } = object;
      const score = rimScore(cx, cy, ax, ay, halfLength, halfWidth);
      const colour = containerColourName(object.colour);
      if (!Number.isNaN(score)) {
        scores[colour === 'grey' || colour === 'dark grey' ? 'grey' : 'other'].push(score);
      }
    }
    for (let k = 0; k < CONCRETE_TRIES_PER_DATE; k++) {
      const pier = scene.demo.piers[Math.floor(random.next() * scene.demo.piers.length)];
      if (pier === undefined) break;
      const u = random.next() * pier.lengthM;
      const v = (random.next() - 0.5) * pier.widthM * 0.9;
      const cx = pier.rootX + pier.ax * u + pier.ay * v;
      const cy = pier.rootY + pier.ay * u - pier.ax * v;
      const clear = objects.every(
        (object) =>
          Math.hypot(object.cx - cx, object.cy - cy) >= object.halfLength + TEU_LENGTH_M / 2 + 0.8,
      );
      if (!clear || !inPier(cx, cy)) continue;
      const score = rimScore(cx, cy, pier.ax, pier.ay, TEU_LENGTH_M / 2, TEU_WIDTH_M / 2);
      if (!Number.isNaN(score)) scores.concrete.push(score);
    }
  }
}

console.log(
  `rim contrast (roof inside − rim lines, DN), seeds ${FIRST_SEED}–${FIRST_SEED + SCENES - 1}, both dates`,
);
for (const [name, values] of Object.entries(scores)) {
  const quantiles = [0.05, 0.25, 0.5, 0.95, 0.99].map(
    (p) => `q${Math.round(p * 100)} ${quantile(values, p).toFixed(1)}`,
  );
  console.log(`${name.padEnd(9)} n ${String(values.length).padStart(5)}  ${quantiles.join('  ')}`);
}
for (const p of [0.99, 0.999]) {
  const threshold = quantile(scores.concrete, p);
  const share = (values: number[]): string =>
    `${((100 * values.filter((value) => value > threshold).length) / values.length).toFixed(0)} %`;
  console.log(
    `above concrete's ${(100 * p).toFixed(1)} % (${threshold.toFixed(1)} DN): grey ${share(scores.grey)}, other ${share(scores.other)}`,
  );
}
