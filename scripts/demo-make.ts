/**
 * npm run demo:make [-- options]: writes a demo port pair, deterministic by seed.
 *
 *   --out DIR               output folder (default public/demo)
 *   --seed N                scene seed
 *   --size WxH              before image size in pixels
 *   --gsd M                 before ground sample distance, metres
 *   --misregistration DX,DY after content shift, pixels
 *   --illumination G        after gain (all bands)
 *   --offset DN             after offset
 *   --haze H                0..1
 *   --noise B,A             sensor noise sigma per date, DN
 *   --ship none|before|after|both
 *   --trucks N              trucks per date
 *   --after-grid utm:M | lonlat:M   grid of the after image
 *   --compression jpeg|deflate|none
 *   --jpeg-quality Q
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_DEMO_PARAMS,
  type DemoSceneParams,
  type ShipPresence,
} from '../src/core/demo/scene.ts';
import { DEFAULT_DEMO_ENCODING, makeDemoFiles, type DemoEncoding } from '../src/io/demo-files.ts';

function numbers(text: string, count: number, flag: string): number[] {
  const values = text.split(',').map(Number);
  if (values.length !== count || values.some((v) => !Number.isFinite(v))) {
    throw new Error(`--${flag} takes ${count} comma-separated number(s), got "${text}"`);
  }
  return values;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'public/demo' },
      seed: { type: 'string' },
      size: { type: 'string' },
      gsd: { type: 'string' },
      misregistration: { type: 'string' },
      illumination: { type: 'string' },
      offset: { type: 'string' },
      haze: { type: 'string' },
      noise: { type: 'string' },
      ship: { type: 'string' },
      trucks: { type: 'string' },
      'after-grid': { type: 'string' },
      compression: { type: 'string' },
      'jpeg-quality': { type: 'string' },
    },
  });
  let params: DemoSceneParams = { ...DEFAULT_DEMO_PARAMS };
  let encoding: DemoEncoding = { ...DEFAULT_DEMO_ENCODING };
  if (values.seed !== undefined)
    params = { ...params, seed: numbers(values.seed, 1, 'seed')[0] ?? 0 };
  if (values.size !== undefined) {
    const [w = 0, h = 0] = values.size.split('x').map(Number);
    if (!(w >= 32 && h >= 32))
      throw new Error(`--size takes WxH of at least 32x32, got "${values.size}"`);
    params = { ...params, widthPx: w, heightPx: h };
  }
  if (values.gsd !== undefined)
    params = { ...params, gsdM: numbers(values.gsd, 1, 'gsd')[0] ?? 0.5 };
  if (values.misregistration !== undefined) {
    const [dx = 0, dy = 0] = numbers(values.misregistration, 2, 'misregistration');
    params = { ...params, misregistrationPx: [dx, dy] };
  }
  if (values.illumination !== undefined) {
    const g = numbers(values.illumination, 1, 'illumination')[0] ?? 1;
    params = { ...params, afterGain: [g, g, g] };
  }
  if (values.offset !== undefined)
    params = { ...params, afterOffsetDn: numbers(values.offset, 1, 'offset')[0] ?? 0 };
  if (values.haze !== undefined)
    params = { ...params, afterHaze: numbers(values.haze, 1, 'haze')[0] ?? 0 };
  if (values.noise !== undefined) {
    const [b = 0, a = 0] = numbers(values.noise, 2, 'noise');
    params = { ...params, noiseDn: [b, a] };
  }
  if (values.ship !== undefined) {
    if (!['none', 'before', 'after', 'both'].includes(values.ship))
      throw new Error(`--ship takes none|before|after|both`);
    params = { ...params, berthedShip: values.ship as ShipPresence };
  }
  if (values.trucks !== undefined)
    params = { ...params, trucksPerDate: numbers(values.trucks, 1, 'trucks')[0] ?? 0 };
  const grid = values['after-grid'];
  if (grid !== undefined) {
    const match = /^(utm|lonlat):([\d.]+)$/.exec(grid);
    if (match === null) throw new Error(`--after-grid takes utm:M or lonlat:M, got "${grid}"`);
    params = {
      ...params,
      afterGrid: { crs: match[1] as 'utm' | 'lonlat', gsdM: Number(match[2]) },
    };
  }
  if (values.compression !== undefined) {
    if (!['jpeg', 'deflate', 'none'].includes(values.compression))
      throw new Error('--compression takes jpeg|deflate|none');
    encoding = { ...encoding, compression: values.compression as DemoEncoding['compression'] };
  }
  if (values['jpeg-quality'] !== undefined) {
    encoding = {
      ...encoding,
      jpegQuality: numbers(values['jpeg-quality'], 1, 'jpeg-quality')[0] ?? 85,
    };
  }

  const started = performance.now();
  const files = makeDemoFiles(params, encoding);
  mkdirSync(values.out, { recursive: true });
  const outputs: [string, Uint8Array | string][] = [
    ['before.tif', files.beforeTif],
    ['after.tif', files.afterTif],
    ['piers.geojson', `${JSON.stringify(files.piersGeoJson, null, 2)}\n`],
    ['truth.json', `${JSON.stringify(files.truth, null, 2)}\n`],
  ];
  let total = 0;
  for (const [name, content] of outputs) {
    writeFileSync(join(values.out, name), content);
    const bytes = typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
    total += bytes;
    console.log(`${join(values.out, name)}  ${(bytes / 1024).toFixed(1)} KiB`);
  }
  console.log(
    `total ${(total / 1024 / 1024).toFixed(2)} MiB in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  for (const pier of files.truth.piers) {
    console.log(
      `${pier.name} (${pier.scenario}): before ${pier.before_teu} TEU, after ${pier.after_teu}, +${pier.appeared_teu} −${pier.disappeared_teu}`,
    );
  }
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
