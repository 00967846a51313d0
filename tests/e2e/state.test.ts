/**
 * What the app shows belongs to the pair, piers and shift in place: the shift
 * survives a change of display bands or stretch, quick nudges add up, and
 * removing an image of the pair takes its table, exports and progress with it,
 * a pair's autosaved session outlives work on another pair, and a typed date
 * reaches the snapshot (found by an audit of the app's state; each failed
 * before its mend).
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { collectPageErrors, moveSlider, useAppInBrowser } from '../support/browser.ts';
import { waitForParams } from '../support/pier-table.ts';
import { itxtChunksOf } from '../support/png-text-chunks.ts';

const app = useAppInBrowser();

/** The analysis on two shared CPU cores (the CPU worker, `?gpu=off`). */
const TABLE_TIMEOUT_MS = 180_000;

const appliedShift = (page: Page): Promise<string> =>
  page
    .locator('qw-alignment-panel [data-testid="applied"]')
    .textContent()
    .then((text) => (text ?? '').replace(/\s+/g, ' ').trim());

test('the shift survives a display change, nudges add up, a removed image takes its results', async () => {
  const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = collectPageErrors(page);
  await page.goto(`${app.server.url}?gpu=off`);
  const rows = page.locator('qw-pier-table tbody tr');
  await rows.first().waitFor({ timeout: TABLE_TIMEOUT_MS });
  await expect(appliedShift(page)).resolves.toBe('shift in use (+0.00, +0.00) px');

  // Three presses while the first re-read runs: 0.3 px, not 0.1.
  await page.locator('qw-alignment-panel').focus();
  for (let k = 0; k < 3; k++) await page.keyboard.press('ArrowRight');
  await expect
    .poll(() => appliedShift(page), { timeout: 60_000 })
    .toBe('shift in use (+0.30, +0.00) px');

  // A new stretch redraws both dates and keeps the shift (it went back to 0, 0).
  const stretch = page.locator('qw-display-controls input[aria-label="Stretch high percentile"]');
  await stretch.fill('80');
  await stretch.press('Enter');
  // The run after the redraw brings the exports back.
  await expect
    .poll(() => page.locator('qw-data-exports').count(), { timeout: TABLE_TIMEOUT_MS })
    .toBe(1);
  await expect(appliedShift(page)).resolves.toBe('shift in use (+0.30, +0.00) px');

  // Removing the after image: no table, exports or reading progress of the pair it was in.
  await page.locator('qw-file-list').getByRole('button', { name: 'Remove after.tif' }).click();
  await expect.poll(() => rows.count()).toBe(0);
  await expect(page.locator('qw-data-exports').count()).resolves.toBe(0);
  await expect(
    page.locator('qw-app progress[aria-label="Reading the pair"]').count(),
  ).resolves.toBe(0);
  await expect(page.locator('qw-app .placeholder').textContent()).resolves.toContain(
    'Open one more image of the same place to compare.',
  );
  expect(errors).toEqual([]);
  await page.close();
}, 400_000);

test('a pair keeps its autosaved session while the analyst works on another', async () => {
  const context = await app.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  await page.goto(`${app.server.url}?gpu=off&demo=hard`);
  await page.locator('qw-pier-table tbody tr').first().waitFor({ timeout: TABLE_TIMEOUT_MS });
  await moveSlider(page, 'thresholdDn', 45);
  await waitForParams(page, 'thresholdDn 45');
  await page.waitForTimeout(1500);

  // The demo pair opens and is autosaved in its turn (it used to replace the other's).
  await page.goto(`${app.server.url}?gpu=off`);
  await page.locator('qw-pier-table tbody tr').first().waitFor({ timeout: TABLE_TIMEOUT_MS });
  await waitForParams(page, 'default parameters');
  await page.waitForTimeout(1500);

  await page.goto(`${app.server.url}?gpu=off&demo=hard`);
  await waitForParams(page, 'thresholdDn 45');
  expect(errors).toEqual([]);
  await context.close();
}, 600_000);

test('a date typed in the view is the date the snapshot records', async () => {
  const page = await app.browser.newPage({
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  const errors = collectPageErrors(page);
  await page.goto(`${app.server.url}?gpu=off`);
  await page.locator('qw-pier-table tbody tr').first().waitFor({ timeout: TABLE_TIMEOUT_MS });
  const view = page.locator('qw-app qw-compare-view');
  await view.getByRole('button', { name: 'Type the date of the after image' }).click();
  await view.locator('input[type="date"]').fill('2023-10-17');
  await expect.poll(() => view.locator('.label').nth(1).textContent()).toBe('AFTER · 17 Oct 2023');

  const panel = page.locator('qw-snapshot-panel');
  await panel.locator('summary').click();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    panel.getByRole('button', { name: 'Export PNG' }).click(),
  ]);
  const png = new Uint8Array(readFileSync(await download.path()));
  const chunk = itxtChunksOf(png).find((found) => found.keyword === 'quaywatch');
  const meta = JSON.parse(chunk?.text ?? '{}') as {
    files: { role: string; date: string | null }[];
  };
  // It used to keep the file's own date (16 Oct), beside a picture labelled 17 Oct.
  expect(meta.files.map((file) => [file.role, file.date])).toEqual([
    ['before', '2023-10-13'],
    ['after', '2023-10-17'],
  ]);
  expect(errors).toEqual([]);
  await page.close();
}, 400_000);
