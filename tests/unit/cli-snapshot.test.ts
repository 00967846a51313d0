import { createCanvas } from '@napi-rs/canvas';
import { PNG } from 'pngjs';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { cliScene, renderScenePng, type CliSnapshotInput } from '../../src/cli/snapshot.ts';
import { coarsePixelCaveat } from '../../src/io/analysis-plan.ts';
import type { AnalysisResult } from '../../src/core/analysis/cpu-pipeline.ts';
import { DEFAULT_ANALYSIS_PARAMS } from '../../src/core/analysis/params.ts';
import { PLAIN_RASTER_INFO } from '../support/raster-info.ts';
import {
  drawSnapshot,
  layoutOfScene,
  type SnapshotScene,
} from '../../src/core/export/snapshot-draw.ts';
import type { Rgba8Image } from '../../src/core/raster.ts';
import { DEFAULT_DEMO_PARAMS } from '../../src/core/demo/scene.ts';
import { makeDemoFiles } from '../../src/io/demo-files.ts';
import { pairArgs, quaywatch, type CliRun } from '../support/cli.ts';
import { itxtChunksOf } from '../support/png-text-chunks.ts';

let folder = '';

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'quaywatch-snapshot-'));
  const files = makeDemoFiles({ ...DEFAULT_DEMO_PARAMS, widthPx: 560, heightPx: 420, seed: 31 });
  writeFileSync(join(folder, 'before.tif'), files.beforeTif);
  writeFileSync(join(folder, 'after.tif'), files.afterTif);
  writeFileSync(join(folder, 'piers.geojson'), JSON.stringify(files.piersGeoJson));
}, 60_000);

function analyze(out: string, ...extra: string[]): CliRun {
  return quaywatch(
    'analyze',
    ...pairArgs(folder),
    '--out',
    out,
    '--backend',
    'cpu',
    '--credit',
    'Imagery: Quaywatch synthetic demo pair',
    ...extra,
  );
}

/** The "quaywatch" iTXt text, split out of chunks found by an independent parser. */
function quaywatchChunk(png: Uint8Array): Record<string, unknown> {
  const chunk = itxtChunksOf(png).find((candidate) => candidate.keyword === 'quaywatch');
  if (chunk === undefined) throw new Error('no quaywatch iTXt chunk');
  expect(chunk.flag).toBe(0); // uncompressed
  return JSON.parse(chunk.text) as Record<string, unknown>;
}

describe('quaywatch analyze writes snapshot.png', () => {
  test('it decodes, and its chunk carries the numbers of result.json', () => {
    const out = join(folder, 'single');
    const run = analyze(out);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const png = new Uint8Array(readFileSync(join(out, 'snapshot.png')));
    const image = PNG.sync.read(Buffer.from(png));
    // The whole analysis window at full resolution plus the frame (snapshot-layout.ts).
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as {
      rois: Record<string, unknown>[];
      params: unknown;
      alignment: unknown;
    };
    const metadata = quaywatchChunk(png) as {
      version: string;
      rois: Record<string, unknown>[];
      params: unknown;
      alignment: unknown;
      files: { name: string; role: string; sizeBytes: number }[];
      view: { rectImagePx: number[]; outputPxPerImagePx: number; layout: string };
      credit: string;
    };
    const [, , windowWidth = 0, windowHeight = 0] = metadata.view.rectImagePx;
    expect(metadata.view).toMatchObject({ layout: 'single', outputPxPerImagePx: 1 });
    expect(image.width).toBe(12 + windowWidth + 12 + 300 + 12);
    expect(image.height).toBeGreaterThanOrEqual(64 + windowHeight + 36);
    const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string })
      .version;
    expect(metadata.version).toBe(version);
    expect(metadata.params).toEqual(result.params);
    expect(metadata.alignment).toEqual(result.alignment);
    expect(metadata.credit).toBe('Imagery: Quaywatch synthetic demo pair');
    expect(metadata.files.map((file) => [file.role, file.name])).toEqual([
      ['before', 'before.tif'],
      ['after', 'after.tif'],
    ]);
    expect(metadata.files[0]?.sizeBytes).toBe(readFileSync(join(folder, 'before.tif')).length);
    const keys = [
      'name',
      'before_teu',
      'after_teu',
      'appeared_teu',
      'disappeared_teu',
      'net_teu',
      'range_teu',
    ];
    expect(metadata.rois.length).toBe(3);
    metadata.rois.forEach((roi, index) => {
      for (const key of keys) expect(roi[key]).toEqual(result.rois[index]?.[key]);
    });
    // Not a blank image: the imagery pane has many distinct colours.
    const colours = new Set<number>();
    for (let i = 0; i < image.data.length; i += 4 * 7) colours.add(image.data.readUInt32BE(i));
    expect(colours.size).toBeGreaterThan(500);
  }, 120_000);

  test('side by side is two panes wide; a bad layout is refused by name', () => {
    const out = join(folder, 'side');
    const run = analyze(out, '--snapshot-layout', 'side-by-side');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const png = readFileSync(join(out, 'snapshot.png'));
    const image = PNG.sync.read(png);
    const metadata = quaywatchChunk(new Uint8Array(png)) as { view: { rectImagePx: number[] } };
    const windowWidth = metadata.view.rectImagePx[2] ?? 0;
    expect(image.width).toBe(12 + 2 * windowWidth + 8 + 12 + 300 + 12);
    if (process.env['QW_WRITE_DOCS'] === '1') {
      mkdirSync('docs', { recursive: true });
      copyFileSync(join(out, 'snapshot.png'), 'docs/snapshot-side-by-side.png');
    }
    const bad = analyze(join(folder, 'bad'), '--snapshot-layout', 'diagonal');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('--snapshot-layout takes single or side-by-side');
  }, 120_000);
});

describe('the CLI snapshot scene', () => {
  test('draws the unrounded numbers, as the app does (result.json keeps 2 decimals)', () => {
    const side = 8;
    const n = side * side;
    const band = new Uint8Array(n).fill(120);
    const empty = new Uint8Array(n);
    const masks = Object.fromEntries(
      ['before', 'after', 'appeared', 'disappeared', 'change', 'shadowBefore', 'shadowAfter'].map(
        (name) => [name, empty],
      ),
    );
    const teu = (value: number) => ({
      teu: value,
      lowTeu: value,
      highTeu: value,
      areaM2: 0,
      blobs: 0,
    });
    const roi = { name: 'Pier 1', before: teu(12.2496), after: teu(59.199), netTeu: 46.9494 };
    const scene = cliScene({
      out: folder,
      before: { info: PLAIN_RASTER_INFO, bands: [band, band, band] },
      after: { info: PLAIN_RASTER_INFO, bands: [band, band, band] },
      valid: new Uint8Array(n).fill(1),
      windowPx: [0, 0, side, side],
      rois: [
        {
          name: 'Pier 1',
          rings: [
            [
              [1, 1],
              [7, 1],
              [7, 7],
              [1, 7],
            ],
          ],
        },
      ],
      result: { rois: [roi], masks } as unknown as AnalysisResult,
      params: DEFAULT_ANALYSIS_PARAMS,
      alignment: { shiftPx: [0, 0], method: 'given shift' },
      numbers: [{ name: 'Pier 1', before_teu: 12.25, after_teu: 59.2, net_teu: 46.95 }],
    } as unknown as CliSnapshotInput);
    // Drawn to one decimal: 12.2, 59.2, +46.9 (12.25 and 46.95 would draw 12.3 and 47.0).
    expect(scene.piers[0]).toMatchObject({ beforeTeu: 12.2496, afterTeu: 59.199, netTeu: 46.9494 });
  });
});

/** A scene over flat grey imagery of width × height px, nothing drawn on it but `more`. */
function greyScene(
  width: number,
  height: number,
  outputPxPerImagePx: number,
  more: Partial<SnapshotScene>,
): SnapshotScene {
  const grey = { width, height, rgba: new Uint8ClampedArray(width * height * 4).fill(128) };
  const rect = [0, 0, width, height] as const;
  return {
    layout: 'single',
    rectImagePx: rect,
    outputPxPerImagePx,
    textScale: 1,
    before: { image: grey, rectImagePx: rect, label: 'BEFORE' },
    after: { image: grey, rectImagePx: rect, label: 'AFTER' },
    overlays: [],
    piers: [],
    metresPerImagePx: null,
    northDegrees: null,
    title: '',
    credit: '',
    footnote: '',
    ...more,
  };
}

/** A pier box from x0 to x1, rows 50–150. */
function box(x0: number, x1: number): [number, number][] {
  return [
    [x0, 50],
    [x1, 50],
    [x1, 150],
    [x0, 150],
  ];
}

describe('pier labels on the snapshot', () => {
  test('a long name is cut to its pier, the net TEU kept whole; partial coverage is marked', () => {
    const long = 'North container quay, berths 4 to 7, reefer stacks and the empty depot';
    const scene = greyScene(400, 200, 1, {
      piers: [
        { name: long, rings: [box(20, 180)], beforeTeu: 80, afterTeu: 11.5, netTeu: -68.5 },
        {
          name: 'Pier 2',
          rings: [box(200, 380)],
          beforeTeu: 1,
          afterTeu: 2,
          netTeu: 1,
          coverage: 0.5,
        },
      ],
    });
    const canvas = createCanvas(layoutOfScene(scene).widthPx, layoutOfScene(scene).heightPx);
    const ctx = canvas.getContext('2d');
    const drawn: { text: string; x: number; width: number }[] = [];
    const fillText = ctx.fillText.bind(ctx);
    ctx.fillText = (text: string, x: number, y: number) => {
      drawn.push({ text, x, width: ctx.measureText(text).width });
      fillText(text, x, y);
    };
    drawSnapshot(ctx, scene, () => canvas);
    const first = drawn.find((label) => label.text.startsWith('North'));
    const second = drawn.find((label) => label.text.startsWith('Pier 2'));
    if (first === undefined || second === undefined) throw new Error('both labels drawn');
    expect(first.text).toMatch(/^North .*… {2}−68\.5 TEU$/);
    // It ends before the next pier's label begins.
    expect(first.x + first.width).toBeLessThan(second.x);
    // The table's row of a pier half off the images says so; a whole one's does not.
    const covered = drawn.filter((label) => / \(50 %( covered)?\)$/.test(label.text));
    expect(covered.map((label) => label.text)).toEqual(['Pier 2 (50 %)']);
  });

  test('six-digit counts: the number columns move apart instead of overlapping', () => {
    const pier = {
      name: 'Pier 1',
      rings: [box(20, 180)],
      beforeTeu: 123456.7,
      afterTeu: 234567.8,
      netTeu: 111111.1,
    };
    const scene = greyScene(400, 40, 1, { piers: [pier] });
    const layout = layoutOfScene(scene);
    const canvas = createCanvas(layout.widthPx, layout.heightPx);
    const ctx = canvas.getContext('2d');
    const drawn: { text: string; left: number; right: number }[] = [];
    const fillText = ctx.fillText.bind(ctx);
    ctx.fillText = (text: string, x: number, y: number) => {
      const width = ctx.measureText(text).width;
      const right = ctx.textAlign === 'right' ? x : x + width;
      drawn.push({ text, left: right - width, right });
      fillText(text, x, y);
    };
    drawSnapshot(ctx, scene, () => canvas);
    const cell = (text: string) => {
      const found = drawn.find((entry) => entry.text === text);
      if (found === undefined) throw new Error(`${text} drawn`);
      return found;
    };
    const [name, before, after, net] = ['Pier 1', '123456.7', '234567.8', '+111111.1'].map(cell);
    expect(name!.right).toBeLessThan(before!.left);
    expect(before!.right).toBeLessThan(after!.left);
    expect(after!.right).toBeLessThan(net!.left);
    // The net column keeps its place at the figure's right.
    expect(net!.right).toBe(layout.table.columnRightXs[2]);
  });

  test('pixels too coarse for containers: the caveat is drawn whole under the table, in a taller figure', () => {
    const pier = { name: 'Pier 1', rings: [box(20, 180)], beforeTeu: 4, afterTeu: 2, netTeu: -2 };
    const coarse = { ...PLAIN_RASTER_INFO, gsdM: 5 };
    const caveats = coarsePixelCaveat([PLAIN_RASTER_INFO, coarse]);
    expect(caveats[0]).toBe('⚠ 5.0 m pixels: a container, 2.4 m');
    expect(coarsePixelCaveat([PLAIN_RASTER_INFO, { ...coarse, gsdM: 0.5 }])).toEqual([]);
    const plain = greyScene(400, 40, 1, { piers: [pier] });
    const scene = greyScene(400, 40, 1, { piers: [pier], caveats });
    const layout = layoutOfScene(scene);
    expect(layout.heightPx).toBeGreaterThan(layoutOfScene(plain).heightPx);
    const canvas = createCanvas(layout.widthPx, layout.heightPx);
    const ctx = canvas.getContext('2d');
    const drawn: { text: string; y: number; colour: unknown }[] = [];
    const fillText = ctx.fillText.bind(ctx);
    ctx.fillText = (text: string, x: number, y: number) => {
      drawn.push({ text, y, colour: ctx.fillStyle });
      fillText(text, x, y);
    };
    drawSnapshot(ctx, scene, () => canvas);
    const lines = drawn.filter((entry) => caveats.includes(entry.text));
    // Every line whole (none cut to fit), in order, below the pier's row.
    expect(lines.map((entry) => entry.text)).toEqual(caveats);
    const row = drawn.find((entry) => entry.text === 'Pier 1');
    expect(lines[0]?.y).toBeGreaterThan(row?.y ?? Infinity);
    // In the warning colour, not the table's.
    expect(lines.map((entry) => entry.colour)).toEqual(caveats.map(() => '#ffb4b4'));
    expect(row?.colour).not.toBe('#ffb4b4');
  });

  test('a name the long coverage note would cut keeps its letters beside a short one; off-pane piers get no label', () => {
    // A real-data audit: "S… (92 % covered)" and "O… 0.0 TEU" drawn at the pane's corner
    // for a pier off the picture.
    const pier = { beforeTeu: 2118, afterTeu: 2200, netTeu: 82 };
    const scene = greyScene(400, 200, 1, {
      footnote: 'Quaywatch test',
      piers: [
        { ...pier, name: 'Ship berth west', rings: [box(20, 180)], coverage: 0.92 },
        { ...pier, name: 'Off image', rings: [box(900, 1000)], coverage: 0 },
      ],
    });
    const canvas = createCanvas(layoutOfScene(scene).widthPx, layoutOfScene(scene).heightPx);
    const ctx = canvas.getContext('2d');
    const drawn: string[] = [];
    const fillText = ctx.fillText.bind(ctx);
    ctx.fillText = (text: string, x: number, y: number) => {
      drawn.push(text);
      fillText(text, x, y);
    };
    drawSnapshot(ctx, scene, () => canvas);
    expect(drawn).toContain('Ship ber… (92 %)');
    expect(drawn).toContain('Quaywatch test · (N %): the share of a pier both images cover');
    // One label in the pane (its table row aside): the off-image pier's is not drawn.
    expect(drawn.filter((text) => text.endsWith('.0 TEU'))).toEqual(['Ship ber…  +82.0 TEU']);
  });
});

describe('snapshot drawing of a zoomed-out view', () => {
  /** A 64 × 64 picture: transparent, with a red line on every 8th row from row 0. */
  function lines(): Rgba8Image {
    const rgba = new Uint8ClampedArray(64 * 64 * 4);
    for (let y = 0; y < 64; y += 8) {
      for (let x = 0; x < 64; x++) rgba.set([255, 0, 0, 255], (y * 64 + x) * 4);
    }
    return { width: 64, height: 64, rgba };
  }
  /** Red px in the pane of a quarter-scale snapshot of the picture over grey imagery. */
  function redInPane(minify: 'max' | undefined): number {
    const scene = greyScene(64, 64, 0.25, {
      overlays: [
        {
          id: 'blobs',
          image: lines(),
          rectImagePx: [0, 0, 64, 64],
          opacity01: 1,
          legend: [],
          ...(minify === undefined ? {} : { minify }),
        },
      ],
    });
    const pane = layoutOfScene(scene).panes[0];
    if (pane === undefined) throw new Error('one pane');
    const png = PNG.sync.read(Buffer.from(renderScenePng(scene)));
    let red = 0;
    for (let y = pane.y; y < pane.y + pane.height; y++) {
      for (let x = pane.x; x < pane.x + pane.width; x++) {
        const i = (y * png.width + x) * 4;
        if ((png.data[i] ?? 0) > 200 && (png.data[i + 1] ?? 255) < 60) red++;
      }
    }
    return red;
  }

  test("a 'max' overlay keeps its one-pixel lines at ¼ scale; sampled plainly they can vanish", () => {
    // 16 × 16 pane px: every other row a line at ¼ scale (less what the pane's date label
    // covers); plain sampling takes rows 4k + 1 or 4k + 2, never a line.
    const kept = redInPane('max');
    const plain = redInPane(undefined);
    console.log(`red pane px at ¼ scale: ${kept} with 'max' levels, ${plain} sampled plainly`);
    expect(kept).toBeGreaterThan(80);
    expect(plain).toBe(0);
  });
});
