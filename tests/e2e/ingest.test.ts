import { copyFileSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { largeFixtureName, makeLargeFixture } from '../../scripts/make-large-fixture.ts';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { writeTiff } from '../../src/io/tiff-writer.ts';
import { DEFAULT_DEMO_PARAMS } from '../../src/core/demo/scene.ts';
import { collectPageErrors, useAppInBrowser } from '../support/browser.ts';
import { noiseAfterTif } from '../support/demo-after-variants.ts';
import { squarePierGeoJson } from '../support/large-fixture-piers.ts';

const app = useAppInBrowser();

async function open(query: string): Promise<{ page: Page; errors: string[] }> {
  const page = await app.browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = collectPageErrors(page);
  await page.goto(`${app.server.url}${query}`);
  return { page, errors };
}

/** The shift figures "(+1.55, −0.86) px" of a panel line, as numbers. */
function shiftOf(text: string | null): [number, number] {
  const match = /\(([+−-][\d.]+), ([+−-][\d.]+)\) px/.exec(text ?? '');
  if (match === null) throw new Error(`no shift in "${text}"`);
  const value = (s: string): number => Number(s.replace('−', '-'));
  return [value(match[1]!), value(match[2]!)];
}

async function waitForEstimate(page: Page): Promise<[number, number]> {
  const estimate = page.locator('qw-alignment-panel [data-testid="estimate"]');
  await estimate.filter({ hasText: 'fine alignment estimates' }).waitFor({ timeout: 120_000 });
  return shiftOf(await estimate.textContent());
}

describe('ingest and alignment in the app', () => {
  test('the hard pair (after on a lon/lat grid at 0.6 m, shifted) is reprojected and its shift estimated within 0.2 px', async () => {
    const truth = JSON.parse(readFileSync('public/demo/hard/truth.json', 'utf8')) as {
      misregistrationPx: [number, number];
    };
    const { page, errors } = await open('?demo=hard');
    await page.locator('qw-app[data-phase="ready"]').waitFor({ timeout: 120_000 });
    const [dx, dy] = await waitForEstimate(page);
    expect(Math.abs(dx - truth.misregistrationPx[0])).toBeLessThanOrEqual(0.2);
    expect(Math.abs(dy - truth.misregistrationPx[1])).toBeLessThanOrEqual(0.2);
    const panel = page.locator('qw-alignment-panel');
    await expect(panel.locator('span').first().textContent()).resolves.toContain(
      'reprojected EPSG:4326 → EPSG:32652',
    );

    // Accept, then nudge by keyboard: the shift in use follows.
    const applied = panel.locator('[data-testid="applied"]');
    await panel.locator('button', { hasText: 'Accept estimate' }).click();
    await expect
      .poll(async () => shiftOf(await applied.textContent())[0], { timeout: 60_000 })
      .toBeCloseTo(dx, 2);

    // A reload restores that shift and reads the after image with it; the
    // estimate shown is still the whole shift, not what is left beyond it.
    await page.waitForTimeout(1500);
    await page.reload();
    await page.locator('qw-app[data-phase="ready"]').waitFor({ timeout: 120_000 });
    const [dxAgain, dyAgain] = await waitForEstimate(page);
    expect(Math.abs(dxAgain - dx)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(dyAgain - dy)).toBeLessThanOrEqual(0.1);
    await expect
      .poll(async () => shiftOf(await applied.textContent()), { timeout: 60_000 })
      .toEqual([Number(dx.toFixed(2)), Number(dy.toFixed(2))]);
    await panel.focus();
    await page.keyboard.press('ArrowRight');
    await expect
      .poll(async () => shiftOf(await applied.textContent())[0], { timeout: 60_000 })
      .toBeCloseTo(dx + 0.1, 2);
    await page.keyboard.press('Shift+ArrowUp');
    await expect
      .poll(async () => shiftOf(await applied.textContent())[1], { timeout: 60_000 })
      .toBeCloseTo(dy - 1, 2);
    await panel.locator('button', { hasText: 'Reset' }).click();
    await expect
      .poll(async () => shiftOf(await applied.textContent()), { timeout: 60_000 })
      .toEqual([0, 0]);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('a broken file gets its own message and the pair on screen stays', async () => {
    const { page, errors } = await open('');
    await page.locator('qw-app[data-phase="ready"]').waitFor({ timeout: 120_000 });
    const good = readFileSync('public/demo/after.tif');
    await page.locator('qw-app header input[type="file"]').setInputFiles([
      { name: 'truncated.tif', mimeType: 'image/tiff', buffer: good.subarray(0, 600) },
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') },
    ]);
    const entry = page.locator('qw-file-list li[data-name="truncated.tif"]');
    await entry.locator('[role="alert"]').waitFor({ timeout: 60_000 });
    const text = await entry.locator('[role="alert"]').textContent();
    expect(text?.length ?? 0).toBeGreaterThan(10);
    await expect(page.locator('qw-app .notice').textContent()).resolves.toContain(
      'notes.txt: not a GeoTIFF, PNG or JPEG file',
    );
    // The demo pair is still on screen.
    await expect(page.locator('qw-app').getAttribute('data-phase')).resolves.toBe('ready');
    await expect(page.locator('qw-compare-view').count()).resolves.toBe(1);
    expect(errors.filter((e) => !e.includes('Failed to load resource'))).toEqual([]);
    await page.close();
  });

  test('an after image with nothing in common with the before image: its estimate is marked not reliable', async () => {
    const { page, errors } = await open('?demo=none');
    await page.locator('qw-app header input[type="file"]').setInputFiles([
      {
        name: 'before.tif',
        mimeType: 'image/tiff',
        buffer: readFileSync('public/demo/before.tif'),
      },
      // Noise on the demo's after grid: the correlation has no peak to find.
      {
        name: 'noise.tif',
        mimeType: 'image/tiff',
        buffer: Buffer.from(noiseAfterTif(DEFAULT_DEMO_PARAMS)),
      },
    ]);
    const estimate = page.locator('qw-alignment-panel [data-testid="estimate"]');
    await estimate.filter({ hasText: 'fine alignment estimates' }).waitFor({ timeout: 120_000 });
    await expect(estimate.textContent()).resolves.toMatch(
      /\(not reliable: [0-2] of \d+ tiles found a distinct peak \(peak ratio [\d.]+\)\)$/,
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  test('images that do not overlap get a clear message', async () => {
    const { page } = await open('?demo=none');
    const far = writeTiff([
      {
        width: 64,
        height: 64,
        samplesPerPixel: 3,
        bitsPerSample: 8,
        data: new Uint8Array(64 * 64 * 3).fill(90),
        georeference: {
          modelType: 'projected',
          epsg: 32652,
          originX: 700000,
          originY: 4600000,
          pixelSizeX: 0.5,
          pixelSizeY: 0.5,
        },
        dateTime: '2023:10:20 02:00:00',
      },
    ]);
    await page.locator('qw-app header input[type="file"]').setInputFiles([
      {
        name: 'before.tif',
        mimeType: 'image/tiff',
        buffer: readFileSync('public/demo/before.tif'),
      },
      { name: 'far.tif', mimeType: 'image/tiff', buffer: Buffer.from(far) },
    ]);
    const alert = page.locator('qw-app .placeholder [role="alert"]');
    await alert.waitFor({ timeout: 60_000 });
    await expect(alert.textContent()).resolves.toMatch(
      /^The images do not overlap: far\.tif covers .*; before\.tif covers /,
    );
    await page.close();
  });

  const levir = '../shared/data/change/levir-cd';
  test.skipIf(!existsSync(levir))(
    'an ungeoreferenced PNG pair opens as pixel grids with a manual-offset path',
    async () => {
      const name = readdirSync(`${levir}/A`).find((file) => file.endsWith('.png'))!;
      const { page, errors } = await open('?demo=none');
      await page.locator('qw-app header input[type="file"]').setInputFiles([
        { name: `A-${name}`, mimeType: 'image/png', buffer: readFileSync(`${levir}/A/${name}`) },
        { name: `B-${name}`, mimeType: 'image/png', buffer: readFileSync(`${levir}/B/${name}`) },
      ]);
      await page.locator('qw-app[data-phase="ready"]').waitFor({ timeout: 60_000 });
      await waitForEstimate(page);
      await expect(
        page.locator('qw-alignment-panel span').first().textContent(),
      ).resolves.toContain('no usable georeference');
      expect(errors).toEqual([]);
      await page.close();
    },
  );

  test('a 20000 × 20000 GeoTIFF pair opens in seconds from its overviews', async () => {
    const first = join(tmpdir(), largeFixtureName(20000));
    await makeLargeFixture(first, 20000);
    const second = join(tmpdir(), `copy-${largeFixtureName(20000)}`);
    if (!existsSync(second)) copyFileSync(first, second);
    const { page, errors } = await open('?demo=none');
    const started = Date.now();
    await page.locator('qw-app header input[type="file"]').setInputFiles([first, second]);
    await page.locator('qw-app[data-phase="ready"]').waitFor({ timeout: 60_000 });
    const seconds = (Date.now() - started) / 1000;
    console.log(`20000² pair on screen in ${seconds.toFixed(1)} s (SwiftShader, 2 cores)`);
    expect(seconds).toBeLessThan(60);
    await expect(page.locator('qw-file-list li').first().textContent()).resolves.toContain(
      '20000×20000×3',
    );

    // Piers spanning most of it (326 Mpx, some 40 GB to analyse) are refused by name before
    // any full-resolution read; the pair and the piers stay for the analyst to redraw.
    await page.locator('qw-app header input[type="file"]').setInputFiles([
      {
        name: 'yard.geojson',
        mimeType: 'application/geo+json',
        buffer: Buffer.from(squarePierGeoJson('Yard', 100, 9000)),
      },
    ]);
    await expect
      .poll(() => page.locator('qw-app p.status .status-text').textContent(), { timeout: 60_000 })
      .toMatch(
        /^Analysis failed: The piers of yard\.geojson span 18049 × 18048 px of quaywatch-large-v\d+-20000\.tif at full resolution \(325.7 Mpx, about 44 GB of memory to analyse\); an analysis here reads at most 33.5 Mpx \(5792 × 5792 px, about 5 GB\)/,
      );
    await expect(page.locator('qw-file-list li').count()).resolves.toBe(2);
    await expect(page.locator('qw-app').getAttribute('data-phase')).resolves.toBe('ready');
    expect(errors).toEqual([]);
    await page.close();
  });

  test('the display stretch and bands change what is drawn', async () => {
    const { page, errors } = await open('');
    await page.locator('qw-app[data-phase="ready"]').waitFor({ timeout: 120_000 });
    await waitForEstimate(page);
    const view = page.locator('qw-compare-view');
    const beforeShot = await view.screenshot();
    await page
      .locator('qw-display-controls input[aria-label="Stretch high percentile"]')
      .fill('80');
    await page
      .locator('qw-display-controls input[aria-label="Stretch high percentile"]')
      .press('Enter');
    await page
      .locator('qw-display-controls select[aria-label="Band shown as R"]')
      .selectOption('2');
    await expect
      .poll(async () => Buffer.compare(await view.screenshot(), beforeShot) !== 0, {
        timeout: 60_000,
      })
      .toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });
});
