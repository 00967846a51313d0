import { parse } from 'csv-parse/sync';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { collectPageErrors, useAppInBrowser } from '../support/browser.ts';
import { rfc7946Problems } from '../support/rfc7946.ts';
import { pairArgs, quaywatch } from '../support/cli.ts';
import { pierTableNumbers } from '../support/pier-table.ts';

const app = useAppInBrowser();

/** One CPU analysis in a worker on two shared cores. */
const TABLE_TIMEOUT_MS = 180_000;

/** Non-default parameters, so that both sides demonstrably read the same ones. */
const PARAMS = { thresholdDn: 42, minAreaM2: 80, fillFactor: 0.9 };

async function download(page: Page, button: string): Promise<string> {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('qw-data-exports button', { hasText: button }).click(),
  ]);
  return readFileSync(await file.path(), 'utf8');
}

describe('app and CLI give the same per-pier numbers', () => {
  test('demo pair, same parameters, same shift (0, 0): piers.csv and blobs.geojson of the app equal the CLI’s', async () => {
    // The CLI, with the shift the app starts with: none (the app only applies an
    // estimated shift when the analyst accepts it; the CLI estimates one unless told).
    const folder = mkdtempSync(join(tmpdir(), 'quaywatch-parity-'));
    writeFileSync(join(folder, 'params.json'), JSON.stringify(PARAMS));
    const cli = quaywatch(
      'analyze',
      ...pairArgs('public/demo'),
      '--params',
      join(folder, 'params.json'),
      '--out',
      join(folder, 'out'),
      '--backend',
      'cpu',
      '--shift',
      '0,0',
    );
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    const cliCsv = readFileSync(join(folder, 'out', 'piers.csv'), 'utf8');
    const cliBlobs = readFileSync(join(folder, 'out', 'blobs.geojson'), 'utf8');

    // The app on the demo pair, the parameters from the link, the CPU worker.
    const context = await app.browser.newContext({
      viewport: { width: 1280, height: 1000 },
      acceptDownloads: true,
    });
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(
      `${app.server.url}?gpu=off#params=${encodeURIComponent(JSON.stringify(PARAMS))}`,
    );
    await expect
      .poll(
        async () => ((await page.locator('qw-pier-table caption').textContent()) ?? '').trim(),
        { timeout: TABLE_TIMEOUT_MS, interval: 250 },
      )
      .toMatch(
        /analysed on the CPU \(worker\) in .* s, thresholdDn 42, minAreaM2 80, fillFactor 0\.9$/,
      );
    await expect(
      page.locator('qw-alignment-panel [data-testid="applied"]').textContent(),
    ).resolves.toContain('(+0.00, +0.00) px');

    const appCsv = await download(page, 'Export CSV');
    const read = (text: string) => parse<Record<string, string>>(text, { columns: true });
    const appRows = read(appCsv);
    const cliRows = read(cliCsv);
    expect(appRows.map((row) => row['pier'])).toEqual(['Pier 1', 'Pier 2', 'Pier 3']);
    // Same decoder, same resampling, same CPU pipeline: equal to the last written digit.
    expect(appRows).toEqual(cliRows);
    expect(appCsv).toBe(cliCsv);
    // And the table on screen shows those numbers, rounded.
    const shown = await pierTableNumbers(page);
    expect(shown.map((row) => row.name)).toEqual(['Pier 1', 'Pier 2', 'Pier 3']);
    shown.forEach(({ values }, k) => {
      const row = cliRows[k] ?? {};
      expect(values).toEqual(
        ['before_teu', 'after_teu', 'appeared_teu', 'disappeared_teu', 'net_teu'].map((key) =>
          Math.round(Number(row[key])),
        ),
      );
    });

    const appBlobs = await download(page, 'Export blobs (GeoJSON)');
    const appCollection = JSON.parse(appBlobs) as { features: unknown[] };
    expect(rfc7946Problems(appCollection)).toEqual([]);
    expect(appCollection.features.length).toBeGreaterThan(5);
    // Same features, ids, properties and ring lengths; positions equal to 1e-11° (≈ 1 µm):
    // Chromium's and Node's V8 differ in the last bit of some trigonometry inside proj4.
    const cliCollection = JSON.parse(cliBlobs) as { features: unknown[] };
    const withoutCoordinates = (value: unknown): unknown =>
      JSON.parse(
        JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'number' ? 0 : inner)),
      );
    expect(withoutCoordinates(appCollection)).toEqual(withoutCoordinates(cliCollection));
    expect(appCollection.features.map((f) => (f as { properties: unknown }).properties)).toEqual(
      cliCollection.features.map((f) => (f as { properties: unknown }).properties),
    );
    const numbers = (value: unknown): number[] =>
      typeof value === 'number'
        ? [value]
        : typeof value === 'object' && value !== null
          ? Object.values(value).flatMap(numbers)
          : [];
    const cliNumbers = numbers(cliCollection);
    const worst = numbers(appCollection).reduce(
      (most, value, k) => Math.max(most, Math.abs(value - (cliNumbers[k] ?? Number.NaN))),
      0,
    );
    expect(worst).toBeLessThanOrEqual(1e-11);

    // The tracing runs in a worker and can be cancelled: started and cancelled
    // in one task (before the worker can answer), no file comes and the
    // button is back.
    let downloads = 0;
    page.on('download', () => {
      downloads++;
    });
    const exports = page.locator('qw-data-exports');
    const statusDuring = await exports.evaluate((element) => {
      const control = element as unknown as {
        exportBlobs: () => Promise<void>;
        cancelBlobs: () => void;
        tracing: AbortController | null;
      };
      void control.exportBlobs();
      const tracing = control.tracing !== null;
      control.cancelBlobs();
      return tracing;
    });
    expect(statusDuring).toBe(true);
    await exports.getByRole('button', { name: 'Export blobs (GeoJSON)' }).waitFor();
    await page.waitForTimeout(2000);
    expect(downloads).toBe(0);
    await expect(exports.locator('[role="alert"]').count()).resolves.toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  }, 400_000);
});
