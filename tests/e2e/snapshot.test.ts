/**
 * "Export snapshot…" in the built app (CPU worker: ?gpu=off): the downloaded
 * PNG read back with independent readers (pngjs for the image,
 * png-chunks-extract for the "quaywatch" iTXt chunk), its numbers against the
 * pier table and the analysis, the PNG dropped back to restore the
 * parameters; and the same scene drawn in Node through the CLI's canvas
 * (@napi-rs/canvas), compared with the page's figure.
 */
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pixelmatch from 'pixelmatch';
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import proj4 from 'proj4';
import { afterAll, describe, expect, test } from 'vitest';
import {
  LARGE_FIXTURE_GEO,
  largeFixtureName,
  makeLargeFixture,
} from '../../scripts/make-large-fixture.ts';
import { renderScenePng } from '../../src/cli/snapshot.ts';
import { layoutOfScene, type SnapshotScene } from '../../src/core/export/snapshot-draw.ts';
import type { SnapshotMetadata } from '../../src/core/export/snapshot-metadata.ts';
import type { ViewGeo } from '../../src/core/view-geo.ts';
import { appScene, type SnapshotSource } from '../../src/ui/snapshot-export.ts';
import { collectPageErrors, useAppInBrowser } from '../support/browser.ts';
import { pierTableNumbers, TABLE_TIMEOUT_MS, waitForParams } from '../support/pier-table.ts';
import { itxtChunksOf } from '../support/png-text-chunks.ts';

const app = useAppInBrowser();

const VIEWPORT = { width: 1280, height: 1000 };
/**
 * Share of the imagery pane's pixels that may differ between Chromium's and
 * @napi-rs/canvas's drawing of one scene: the pane holds text (pier labels,
 * the date, the scale bar's length) whose fonts and anti-aliasing differ.
 */
const PANE_DIFFERENT_MAX = 0.005;
/** The same over the whole figure: title, legend and table are all text. */
const WHOLE_DIFFERENT_MAX = 0.01;

const scratch = mkdtempSync(join(tmpdir(), 'qw-snapshot-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** Opens the panel once, sets layout and scale, exports, and returns the downloaded bytes. */
async function exportSnapshot(
  page: Page,
  layout: 'single' | 'side-by-side',
  scale: 'screen' | '2x' | 'full',
): Promise<Uint8Array> {
  const panel = page.locator('qw-snapshot-panel');
  if (
    !(await panel.locator('details').evaluate((details) => (details as HTMLDetailsElement).open))
  ) {
    await panel.locator('summary').click();
  }
  await panel.locator('select[aria-label="Snapshot layout"]').selectOption(layout);
  await panel.locator('select[aria-label="Snapshot scale"]').selectOption(scale);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    panel.getByRole('button', { name: 'Export PNG' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('quaywatch-snapshot.png');
  const path = join(scratch, `${layout}-${scale}.png`);
  await download.saveAs(path);
  await expect
    .poll(() => panel.locator('.status').textContent())
    .toMatch(/Saved quaywatch-snapshot\.png \(\d+ KiB(, imagery read at full resolution)?\)/);
  return new Uint8Array(readFileSync(path));
}

/** The "quaywatch" chunk through png-chunks-extract, its iTXt fields split by hand. */
function snapshotChunk(png: Uint8Array): SnapshotMetadata {
  const found = itxtChunksOf(png); // checks every CRC
  expect(found.map((chunk) => [chunk.keyword, chunk.flag])).toEqual([['quaywatch', 0]]);
  return JSON.parse(found[0]?.text ?? '') as SnapshotMetadata;
}

interface ShownNumbers {
  params: unknown;
  rois: {
    name: string;
    before: number;
    after: number;
    appeared: number;
    disappeared: number;
    net: number;
    low: number;
    high: number;
  }[];
}

/** The analysis the app shows: its parameters and unrounded per-pier numbers. */
async function shownAnalysis(page: Page): Promise<ShownNumbers> {
  return page.locator('qw-app').evaluate((element) => {
    interface Teu {
      teu: number;
    }
    interface Shown {
      params: unknown;
      result: {
        rois: {
          name: string;
          before: Teu;
          after: Teu;
          appeared: Teu;
          disappeared: Teu;
          netTeu: number;
          netLowTeu: number;
          netHighTeu: number;
        }[];
      };
    }
    const shown = (element as unknown as { lastAnalysis?: Shown }).lastAnalysis;
    if (shown === undefined) throw new Error('no analysis shown');
    return {
      params: shown.params,
      rois: shown.result.rois.map((roi) => ({
        name: roi.name,
        before: roi.before.teu,
        after: roi.after.teu,
        appeared: roi.appeared.teu,
        disappeared: roi.disappeared.teu,
        net: roi.netTeu,
        low: roi.netLowTeu,
        high: roi.netHighTeu,
      })),
    };
  });
}

const round2 = (value: number): number => Math.round(value * 100) / 100;

/**
 * What the app hands its snapshot renderer now (its `collectSnapshot`), moved
 * to Node. The view's geo helper is a function, so it comes as its two values
 * at the point Node's `appScene` asks for (found by a first, dry call).
 */
async function snapshotSourceInNode(page: Page): Promise<SnapshotSource> {
  const fetchSource = (at: readonly [number, number] | null) =>
    page.locator('qw-app').evaluate((element, point) => {
      const collect = (element as unknown as { collectSnapshot: () => SnapshotSource | null })
        .collectSnapshot;
      const source = collect();
      if (source === null) throw new Error('nothing to snapshot');
      // Functions do not cross into Node: the geo helper comes as values, the reader stays.
      const geo = source.geo;
      // eslint-disable-next-line @typescript-eslint/no-unused-vars -- left behind on purpose
      const { readFullResolution, ...plain } = source;
      return {
        ...plain,
        geo: null,
        geoAt:
          geo === null || point === null
            ? null
            : {
                metresPerPixel: geo.metresPerPixel(point[0], point[1]),
                northDegrees: geo.northDegrees(point[0], point[1]),
              },
      };
    }, at);
  let asked: [number, number] | null = null;
  const probe = {
    metresPerPixel: (x: number, y: number) => {
      asked = [x, y];
      return 1;
    },
    northDegrees: () => 0,
  } as unknown as ViewGeo;
  const dry = await fetchSource(null);
  appScene({ ...dry, geo: probe }, { layout: 'single', scale: 'screen', title: '', credit: '' });
  const source = await fetchSource(asked);
  const at = source.geoAt;
  const geo =
    at === null
      ? null
      : ({
          metresPerPixel: () => at.metresPerPixel,
          northDegrees: () => at.northDegrees,
        } as unknown as ViewGeo);
  return { ...source, geo };
}

/** The app's single-layout scene for a snapshot's title and credit; it shows the snapshot's area. */
function sceneOfSnapshot(
  source: SnapshotSource,
  meta: SnapshotMetadata,
  scale: 'screen' | 'full',
): SnapshotScene {
  const scene = appScene(source, {
    layout: 'single',
    scale,
    title: meta.title,
    credit: meta.credit,
  });
  expect([...scene.rectImagePx]).toEqual(meta.view.rectImagePx);
  return scene;
}

describe('annotated snapshot', () => {
  test('export at screen and 2×: the PNG carries the table and the parameters, a drop restores them; Node draws the same figure', async () => {
    const context = await app.browser.newContext({ viewport: VIEWPORT, acceptDownloads: true });
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${app.server.url}?gpu=off`);
    await page.locator('qw-pier-table tbody tr').first().waitFor({ timeout: TABLE_TIMEOUT_MS });
    await waitForParams(page, 'default parameters');
    const table = await pierTableNumbers(page);
    const shown = await shownAnalysis(page);
    expect(table.length).toBeGreaterThan(1);

    const screen = await exportSnapshot(page, 'single', 'screen');
    const twice = await exportSnapshot(page, 'single', '2x');
    const sideBySide = await exportSnapshot(page, 'side-by-side', 'screen');
    const full = await exportSnapshot(page, 'single', 'full');
    const [screenImage, twiceImage, sideImage] = [screen, twice, sideBySide].map((png) =>
      PNG.sync.read(Buffer.from(png)),
    );
    if (screenImage === undefined || twiceImage === undefined || sideImage === undefined) {
      throw new Error('three PNGs');
    }
    expect(screenImage.width).toBeGreaterThan(600);
    expect([twiceImage.width, twiceImage.height]).toEqual([
      screenImage.width * 2,
      screenImage.height * 2,
    ]);

    const meta = snapshotChunk(screen);
    const meta2 = snapshotChunk(twice);
    const metaSide = snapshotChunk(sideBySide);
    // Per-pier numbers: as the table rounds them, and exactly the analysis's to 2 decimals.
    expect(meta.rois.map((roi) => roi.name)).toEqual(table.map((row) => row.name));
    expect(
      meta.rois.map((roi) =>
        [roi.before_teu, roi.after_teu, roi.appeared_teu, roi.disappeared_teu, roi.net_teu].map(
          (value) => Math.round(value),
        ),
      ),
    ).toEqual(table.map((row) => row.values));
    expect(meta.rois).toEqual(
      shown.rois.map((roi) => ({
        name: roi.name,
        before_teu: round2(roi.before),
        after_teu: round2(roi.after),
        appeared_teu: round2(roi.appeared),
        disappeared_teu: round2(roi.disappeared),
        net_teu: round2(roi.net),
        range_teu: [round2(roi.low), round2(roi.high)],
      })),
    );
    expect(meta.params).toEqual(shown.params);
    expect(meta.files.map((file) => [file.role, file.name])).toEqual([
      ['before', 'before.tif'],
      ['after', 'after.tif'],
    ]);
    expect(meta.version).toBe(
      (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version,
    );
    expect(meta.title).toBe('Quaywatch — before.tif → after.tif');
    expect(meta.alignment.shiftPx).toHaveLength(2);
    expect(meta.view.overlays).toContain('blobs');
    expect([meta.view.layout, metaSide.view.layout]).toEqual(['single', 'side-by-side']);
    // 2× shows the same area at twice the output scale; the same numbers.
    expect(meta2.view.rectImagePx).toEqual(meta.view.rectImagePx);
    expect(meta2.view.outputPxPerImagePx).toBeCloseTo(meta.view.outputPxPerImagePx * 2, 12);
    expect(meta2.rois).toEqual(meta.rois);
    // Side by side adds a second pane and the gap between them (8 px at screen scale).
    const paneWidthPx = Math.round(meta.view.rectImagePx[2] * meta.view.outputPxPerImagePx);
    expect(sideImage.width).toBe(screenImage.width + paneWidthPx + 8);
    expect(sideImage.height).toBe(screenImage.height);

    // App and CLI drawing paths, one scene: the app's own inputs, laid out by the app's
    // appScene in Node, drawn by the CLI's @napi-rs/canvas renderer.
    const source = await snapshotSourceInNode(page);
    const scene = sceneOfSnapshot(source, meta, 'screen');
    expect(scene.outputPxPerImagePx).toBe(meta.view.outputPxPerImagePx);
    const layout = layoutOfScene(scene);
    expect([layout.widthPx, layout.heightPx]).toEqual([screenImage.width, screenImage.height]);
    // Full resolution of the area: one output px per image px (the demo is far below the cap).
    const fullScene = appScene(source, {
      layout: 'single',
      scale: 'full',
      title: meta.title,
      credit: meta.credit,
    });
    const fullMeta = snapshotChunk(full);
    expect(fullMeta.view.outputPxPerImagePx).toBe(1);
    expect(fullMeta.view.rectImagePx).toEqual([...fullScene.rectImagePx]);
    const fullLayout = layoutOfScene(fullScene);
    const fullImage = PNG.sync.read(Buffer.from(full));
    expect([fullImage.width, fullImage.height]).toEqual([fullLayout.widthPx, fullLayout.heightPx]);
    expect(fullLayout.panes[0]?.width).toBe(Math.round(fullMeta.view.rectImagePx[2]));

    const nodeImage = PNG.sync.read(Buffer.from(renderScenePng(scene)));
    expect([nodeImage.width, nodeImage.height]).toEqual([screenImage.width, screenImage.height]);
    const pane = layout.panes[0];
    if (pane === undefined) throw new Error('one pane');
    const crop = (image: PNG): Uint8Array => {
      const out = new Uint8Array(pane.width * pane.height * 4);
      for (let y = 0; y < pane.height; y++) {
        const start = ((pane.y + y) * image.width + pane.x) * 4;
        out.set(image.data.subarray(start, start + pane.width * 4), y * pane.width * 4);
      }
      return out;
    };
    const paneDifferent = pixelmatch(
      crop(screenImage),
      crop(nodeImage),
      undefined,
      pane.width,
      pane.height,
      { threshold: 0.1 },
    );
    const wholeDifferent = pixelmatch(
      screenImage.data,
      nodeImage.data,
      undefined,
      screenImage.width,
      screenImage.height,
      { threshold: 0.1 },
    );
    console.log(
      `snapshot ${screenImage.width}×${screenImage.height}: Chromium vs @napi-rs/canvas differ in ` +
        `${paneDifferent} of ${pane.width * pane.height} pane px, ${wholeDifferent} px in all`,
    );
    expect(paneDifferent / (pane.width * pane.height)).toBeLessThan(PANE_DIFFERENT_MAX);
    expect(wholeDifferent / (screenImage.width * screenImage.height)).toBeLessThan(
      WHOLE_DIFFERENT_MAX,
    );

    // Nudge the shift and change a parameter, then drop the screen snapshot back: both come back.
    const applied = page.locator('qw-alignment-panel [data-testid="applied"]');
    await expect(applied.textContent()).resolves.toContain('(+0.00, +0.00) px');
    expect(meta.alignment.shiftPx).toEqual([0, 0]);
    await page.getByRole('button', { name: 'Nudge after image right 0.1 px' }).click();
    await expect.poll(() => applied.textContent()).toContain('(+0.10, +0.00) px');
    const threshold = page.locator('qw-params-panel input[type="number"][name="thresholdDn"]');
    await threshold.fill('60');
    await threshold.press('Tab');
    await waitForParams(page, 'thresholdDn 60');
    const dropped = join(scratch, 'quaywatch-snapshot.png');
    writeFileSync(dropped, screen);
    await page.locator('header input[type="file"]').setInputFiles(dropped);
    await waitForParams(page, 'default parameters');
    await expect(threshold.inputValue()).resolves.toBe('30');
    await expect
      .poll(() => page.locator('qw-app .session-notice').textContent())
      .toBe(
        'Snapshot quaywatch-snapshot.png: restored parameters (default parameters), view, ' +
          'shift (0.00, 0.00) px.',
      );
    await expect.poll(() => applied.textContent()).toContain('(+0.00, +0.00) px');
    await expect.poll(() => pierTableNumbers(page)).toEqual(table);
    await expect.poll(() => shownAnalysis(page)).toEqual(shown);
    // The snapshot was not taken for imagery.
    await expect(
      page.locator('qw-file-list').getByText('quaywatch-snapshot.png').count(),
    ).resolves.toBe(0);

    // A PNG without the chunk: "Load snapshot…" says so; a drop opens it as imagery.
    const plain = new PNG({ width: 4, height: 3 });
    plain.data.fill(128);
    const plainPath = join(scratch, 'plain.png');
    writeFileSync(plainPath, PNG.sync.write(plain));
    await page.locator('qw-snapshot-panel input[type="file"]').setInputFiles(plainPath);
    await expect
      .poll(() => page.locator('qw-app .session-notice').textContent())
      .toBe('plain.png carries no Quaywatch parameters (no "quaywatch" chunk): nothing restored.');
    // …next to the control as well.
    await expect(page.locator('qw-snapshot-panel .status').textContent()).resolves.toContain(
      'plain.png carries no Quaywatch parameters',
    );
    await expect(threshold.inputValue()).resolves.toBe('30');
    await page.locator('header input[type="file"]').setInputFiles(plainPath);
    await expect
      .poll(() => page.locator('qw-file-list').getByText('plain.png').count())
      .toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await context.close();
  }, 600_000);
  test('full scale of a 20000² image: the area is read again at full resolution, not enlarged from the display copy', async () => {
    const before = join(tmpdir(), largeFixtureName(20000));
    await makeLargeFixture(before, 20000);
    const after = join(tmpdir(), `copy-${largeFixtureName(20000)}`);
    if (!existsSync(after)) copyFileSync(before, after);
    // One pier over full-resolution px 1000–1200 (UTM 52N, 0.5 m, as the fixture).
    const toLonLat = proj4(`+proj=utm +zone=52 +datum=WGS84 +units=m +no_defs`, 'WGS84');
    const corner = (x: number, y: number): [number, number] =>
      toLonLat.forward([
        LARGE_FIXTURE_GEO.originX + x * LARGE_FIXTURE_GEO.pixelSizeX,
        LARGE_FIXTURE_GEO.originY - y * LARGE_FIXTURE_GEO.pixelSizeY,
      ]);
    const piers = join(scratch, 'large-piers.geojson');
    writeFileSync(
      piers,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            properties: { name: 'Test pier' },
            geometry: {
              type: 'Polygon',
              coordinates: [
                [
                  corner(1000, 1200),
                  corner(1200, 1200),
                  corner(1200, 1000),
                  corner(1000, 1000),
                  corner(1000, 1200),
                ],
              ],
            },
          },
        ],
      }),
    );
    const context = await app.browser.newContext({ viewport: VIEWPORT, acceptDownloads: true });
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${app.server.url}?demo=none&gpu=off`);
    await page.locator('qw-app header input[type="file"]').setInputFiles([before, after, piers]);
    await page.locator('qw-pier-table tbody tr').first().waitFor({ timeout: TABLE_TIMEOUT_MS });
    // One screen px per image px around (5000, 5000), far from the pier and its overlays.
    await page.locator('qw-app qw-compare-view').evaluate((view) => {
      (view as unknown as { viewState: unknown }).viewState = {
        mode: 'swipe',
        centreImagePx: [5000, 5000],
        scale: 1,
        dividerFraction: 0.5,
        blinkRateHz: 2,
        onionOpacity: 0.5,
      };
    });
    await expect
      .poll(() =>
        page
          .locator('qw-app qw-compare-view')
          .evaluate(
            (view) => (view as unknown as { transform: { scale: number } }).transform.scale,
          ),
      )
      .toBe(1);

    const png = await exportSnapshot(page, 'single', 'full');
    await expect(page.locator('qw-snapshot-panel .status').textContent()).resolves.toContain(
      'imagery read at full resolution',
    );
    const meta = snapshotChunk(png);
    expect(meta.view.outputPxPerImagePx).toBe(1);
    const source = await snapshotSourceInNode(page);
    // The display copy is an overview: the full image is 20000 px, its copy at most 4096.
    expect(source.before.image.width).toBeLessThan(20000);
    const scene = sceneOfSnapshot(source, meta, 'full');
    const pane = layoutOfScene(scene).panes[0];
    if (pane === undefined) throw new Error('one pane');
    const image = PNG.sync.read(Buffer.from(png));
    // Red is x mod 256: at full resolution it wraps from 255 to 0 within a pixel or two
    // (two where the area starts between pixels); enlarged from an overview of every
    // 8th pixel, the fall spreads over about 8 px.
    const row = pane.y + Math.floor(pane.height / 2);
    const red = Array.from(
      { length: pane.width },
      (_, k) => image.data[(row * image.width + pane.x + k) * 4] ?? 0,
    );
    const falls: number[] = [];
    for (let k = 0; k < red.length; k++) {
      if ((red[k] ?? 0) < 240 || (red[k + 1] ?? 255) >= 240) continue;
      let width = 1;
      while (k + width < red.length && (red[k + width] ?? 0) > 15) width++;
      if (k + width < red.length) falls.push(width);
    }
    expect(falls.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...falls)).toBeLessThanOrEqual(2);
    // Between the wraps, one px to the next is one step of red.
    const steps = red.slice(1).map((value, k) => (value - (red[k] ?? 0) + 256) % 256);
    expect(steps.filter((step) => step === 1).length).toBeGreaterThan(0.9 * steps.length);
    expect(errors).toEqual([]);
    await context.close();
  });
});
