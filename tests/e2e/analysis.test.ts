import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { DEFAULT_DEMO_PARAMS } from '../../src/core/demo/scene.ts';
import { collectPageErrors, moveSlider, useAppInBrowser } from '../support/browser.ts';
import { demoTifWithoutDataEast, greyAfterTif } from '../support/demo-after-variants.ts';
import { demoThirdDateTif } from '../support/demo-third-date.ts';
import {
  pierCoverageNotes,
  pierTableNumbers,
  tableRowTexts,
  updateStages,
  waitForParams,
} from '../support/pier-table.ts';

const app = useAppInBrowser();

/** A page on the app with `query`, its console errors collected. */
async function openApp(query: string): Promise<{ page: Page; errors: string[] }> {
  const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = collectPageErrors(page);
  await page.goto(`${app.server.url}${query}`);
  return { page, errors };
}

interface TruthPier {
  name: string;
  before_teu: number;
  after_teu: number;
  net_teu: number;
}

/**
 * Opens the demo's before image (or `beforeTif`), `afterName` and the demo
 * piers; waits for the pier table.
 */
async function analyseWithDemoBefore(
  page: Page,
  afterName: string,
  afterTif: Uint8Array,
  beforeTif: Uint8Array = readFileSync('public/demo/before.tif'),
): Promise<void> {
  await page.locator('qw-app header input[type=file]').setInputFiles([
    { name: 'before.tif', mimeType: 'image/tiff', buffer: Buffer.from(beforeTif) },
    { name: afterName, mimeType: 'image/tiff', buffer: Buffer.from(afterTif) },
    {
      name: 'piers.geojson',
      mimeType: 'application/geo+json',
      buffer: readFileSync('public/demo/piers.geojson'),
    },
  ]);
  // Below the test's 180 s, so a table that never comes fails here, by name.
  await page.locator('qw-pier-table tbody tr').first().waitFor({ timeout: 120_000 });
}

describe('per-pier analysis in the app', () => {
  test('the demo pair gets a pier table whose numbers follow the truth', async () => {
    const truth = JSON.parse(readFileSync('public/demo/truth.json', 'utf8')) as {
      piers: TruthPier[];
    };
    const { page, errors } = await openApp('');
    const rows = page.locator('qw-pier-table tbody tr');
    await rows.first().waitFor({ timeout: 180_000 });
    await expect(rows.count()).resolves.toBe(3);
    for (const pier of truth.piers) {
      const cells = await page
        .locator(`qw-pier-table tr[data-pier="${pier.name}"] td`)
        .allTextContents();
      const number = (text: string | undefined): number =>
        Number((text ?? '').trim().split(/\s/)[0]?.replace('−', '-').replace('+', ''));
      const [, before, after, , , net] = cells;
      // Loose bounds: the accuracy harness measures the real error; this checks the wiring.
      expect(Math.abs(number(before) - pier.before_teu)).toBeLessThanOrEqual(
        Math.max(8, 0.25 * pier.before_teu),
      );
      expect(Math.abs(number(after) - pier.after_teu)).toBeLessThanOrEqual(
        Math.max(8, 0.25 * pier.after_teu),
      );
      expect(Math.sign(number(net))).toBe(Math.sign(pier.net_teu));
      // The net's range is written "low to high" (signed bounds with a dash read as a sum).
      const range = await page
        .locator(`qw-pier-table tr[data-pier="${pier.name}"] td:last-child .range`)
        .textContent();
      expect(range?.trim()).toMatch(/^[−+]?\d+ to [−+]?\d+$/);
    }
    await expect(page.locator('qw-pier-table').textContent()).resolves.toBeDefined();
    // WebGPU here is SwiftShader, a software adapter: "auto" runs the analysis on the
    // CPU worker (10–30× faster there) and says why; the table names the backend.
    await expect(page.locator('qw-pier-table caption').textContent()).resolves.toContain(
      'analysed on the CPU (worker)',
    );
    await expect(
      page.locator('qw-params-panel [data-testid="backend-note"]').textContent(),
    ).resolves.toContain('software WebGPU adapter');
    await expect(page.locator('qw-params-panel select[name="backend"]').inputValue()).resolves.toBe(
      'auto',
    );
    // As shown: the template's line breaks collapse to spaces.
    const note = (await page.locator('qw-pier-table .note').textContent())?.replace(/\s+/g, ' ');
    expect(note).toContain('Only the top tier of stacked containers can be seen from above');
    expect(note).toContain('÷ 14.77 m²');

    // A GeoJSON in a projected CRS is refused with a specific message; the table stays.
    await page.locator('qw-app header input[type="file"]').setInputFiles([
      {
        name: 'utm-piers.geojson',
        mimeType: 'application/geo+json',
        buffer: Buffer.from(
          JSON.stringify({
            type: 'FeatureCollection',
            crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::32652' } },
            features: [],
          }),
        ),
      },
    ]);
    await expect
      .poll(() => page.locator('qw-app .notice').textContent(), { timeout: 30_000 })
      .toContain('utm-piers.geojson');
    await expect(rows.count()).resolves.toBe(3);
    // One over 64 MB (a whole country's layer, say) is refused by its size, unread.
    const country = join(mkdtempSync(join(tmpdir(), 'quaywatch-')), 'country.geojson');
    writeFileSync(country, '');
    truncateSync(country, 65 * 1024 * 1024);
    await page.locator('qw-app header input[type="file"]').setInputFiles([country]);
    await expect
      .poll(() => page.locator('qw-app .notice').textContent(), { timeout: 30_000 })
      .toBe(
        "country.geojson is 65 MB: pier and session files are read up to 64 MB (a port's piers take kilobytes); clip the layer to the port first (e.g. ogr2ogr -clipsrc)",
      );
    await expect(rows.count()).resolves.toBe(3);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('without WebGPU the same table comes from the CPU twins in a worker', async () => {
    const { page, errors } = await openApp('?gpu=off');
    // The first run (about 2 s here) counts its steps in the status line.
    const statuses = new Set<string>();
    const deadline = Date.now() + 180_000;
    while ((await page.locator('qw-pier-table tbody tr').count()) === 0 && Date.now() < deadline) {
      for (const text of await page.locator('qw-app p.status .status-text').allTextContents())
        statuses.add(text);
      await page.waitForTimeout(30);
    }
    expect([...statuses]).toContainEqual(
      expect.stringMatching(/^Analysing on the CPU \(worker\)… step \d+ of 15$/),
    );
    await page.locator('qw-pier-table tbody tr').first().waitFor({ timeout: 180_000 });
    await expect(page.locator('qw-pier-table caption').textContent()).resolves.toContain(
      'analysed on the CPU (worker)',
    );
    await expect(page.locator('qw-pier-table tbody tr').count()).resolves.toBe(3);
    // The stage list (the update time's title) says how the input reached the worker:
    // copied for the first run, kept there for a parameter change on the same pair,
    // and how many stages the run computed rather than kept from the last one.
    await expect
      .poll(() => updateStages(page))
      .toContain('input copied to the worker, 13 of 13 stages computed');
    const first = await tableRowTexts(page);
    await moveSlider(page, 'thresholdDn', 60);
    await waitForParams(page, 'thresholdDn 60');
    expect(await tableRowTexts(page)).not.toEqual(first);
    // The occupancy and the four masks it feeds.
    await expect
      .poll(() => updateStages(page))
      .toContain('input kept in the worker, 5 of 13 stages computed');
    expect(errors).toEqual([]);
    await page.close();
  });

  test('the first analysis can be cancelled from its status line and run again', async () => {
    const { page, errors } = await openApp('?gpu=off');
    const status = page.locator('qw-app p.status');
    await status.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => status.textContent()).toContain('Analysis cancelled.');
    // A cancelled run never paints its table.
    await page.waitForTimeout(1500);
    await expect(page.locator('qw-pier-table').count()).resolves.toBe(0);
    await status.getByRole('button', { name: 'Run again' }).click();
    await page.locator('qw-pier-table tbody tr').first().waitFor({ timeout: 180_000 });
    await expect(page.locator('qw-pier-table tbody tr').count()).resolves.toBe(3);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('piers the after image covers in part or not at all say so in the table', async () => {
    const { page, errors } = await openApp('?gpu=off&demo=none');
    // A later date placed half the scene's width east: it misses the western
    // pier, cuts the middle one and covers the eastern one.
    const halfWidthM = (DEFAULT_DEMO_PARAMS.widthPx * DEFAULT_DEMO_PARAMS.gsdM) / 2;
    const moved = demoThirdDateTif({
      dateTime: '2023:10:20 02:20:00',
      eastOffsetM: halfWidthM,
      compression: 'deflate',
      software: 'quaywatch e2e coverage',
    });
    await analyseWithDemoBefore(page, 'east.tif', moved);
    const notes = await pierCoverageNotes(page);
    expect(notes.map(({ pier }) => pier)).toEqual(['Pier 1', 'Pier 2', 'Pier 3']);
    expect(notes[0]?.note).toBe('not in both images');
    expect(notes[1]?.note).toBe(`only ${String(notes[1]?.percent)} % counted`);
    expect(notes[1]?.percent).toBeGreaterThan(20);
    expect(notes[1]?.percent).toBeLessThan(80);
    expect(notes[2]?.note).toBeNull();
    expect(errors).toEqual([]);
    await page.close();
  });

  test('pixels the before image marks as nodata count for neither date', async () => {
    const { page, errors } = await openApp('?gpu=off&demo=none');
    // No data (GDAL_NODATA 0) east of half the width: the middle pier is cut, the eastern one out.
    const halfEmpty = demoTifWithoutDataEast(DEFAULT_DEMO_PARAMS, 0, 0.5, 'nodata');
    await analyseWithDemoBefore(
      page,
      'after.tif',
      readFileSync('public/demo/after.tif'),
      halfEmpty,
    );
    const rows = await pierCoverageNotes(page);
    expect(rows[0]?.note).toBeNull();
    expect(rows[1]?.note).toBe(`only ${String(rows[1]?.percent)} % counted`);
    expect(rows[2]?.note).toBe('not in both images');
    // Black taken for data (before this check) gave the middle pier 604 TEU before.
    const truth = JSON.parse(readFileSync('public/demo/truth.json', 'utf8')) as {
      piers: TruthPier[];
    };
    const [, middle] = await pierTableNumbers(page);
    expect(middle?.values[0]).toBeLessThanOrEqual(truth.piers[1]?.before_teu ?? NaN);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('a grey after image against the colour before gets a warning under the table', async () => {
    const greyTif = greyAfterTif(DEFAULT_DEMO_PARAMS);
    const { page, errors } = await openApp('?gpu=off&demo=none');
    await analyseWithDemoBefore(page, 'grey.tif', greyTif);
    await expect(page.locator('qw-pier-table .warning').allTextContents()).resolves.toEqual([
      'grey.tif has 1 band and before.tif 3: grey.tif is compared in grey, so its own count and the change against it (appeared, disappeared, net) are not to be trusted',
    ]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
