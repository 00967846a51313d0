import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, onTestFailed, test } from 'vitest';
import { DEFAULT_DEMO_PARAMS } from '../../src/core/demo/scene.ts';
import { noiseAfterTif } from '../support/demo-after-variants.ts';
import { demoThirdDateTif } from '../support/demo-third-date.ts';
import { collectPageErrors, moveSlider, useAppInBrowser } from '../support/browser.ts';
import { pierTableNumbers } from '../support/pier-table.ts';

const app = useAppInBrowser();

const VIEWPORT = { width: 1280, height: 1400 };
/**
 * One step's wait: up to three CPU analyses in a worker on two shared cores
 * (and SwiftShader nowhere: ?gpu=off). Well below the test's 180 s (the e2e
 * tier's; the test takes about 45 s alone), so that a step that never ends
 * fails by itself, naming the value it last saw.
 */
const ANALYSIS_TIMEOUT = { timeout: 60_000 };

/**
 * A third date of the demo port: the demo scene's "before" containers under
 * another sun and noise, dated 20 October and on the before image's grid. The
 * ship has left and the yard looks as on the 13th: Pier 3's fill of the 16th
 * drops again, so the chart must show a jump and a drop.
 */
function thirdDateTif(): Uint8Array {
  return demoThirdDateTif({
    dateTime: '2023:10:20 02:20:00',
    compression: 'jpeg',
    software: 'quaywatch e2e series',
  });
}

/** Opens the demo pair, its piers and one more date (`name`, TIFF bytes) in one drop. */
async function openDemoPairWith(page: Page, name: string, tif: Uint8Array): Promise<void> {
  await page.locator('qw-app header input[type=file]').setInputFiles([
    { name: 'before.tif', mimeType: 'image/tiff', buffer: readFileSync('public/demo/before.tif') },
    { name: 'after.tif', mimeType: 'image/tiff', buffer: readFileSync('public/demo/after.tif') },
    { name, mimeType: 'image/tiff', buffer: Buffer.from(tif) },
    {
      name: 'piers.geojson',
      mimeType: 'application/geo+json',
      buffer: readFileSync('public/demo/piers.geojson'),
    },
  ]);
}

/** Rounded TEU of the pier table's Before and After columns, per pier. */
async function tableBeforeAfter(page: Page): Promise<Record<string, [number, number]>> {
  return Object.fromEntries(
    (await pierTableNumbers(page)).map(({ name, values }) => [
      name,
      [values[0] ?? Number.NaN, values[1] ?? Number.NaN],
    ]),
  );
}

/** The chart's points: pier → date id → TEU (unrounded). */
async function chartPoints(page: Page): Promise<Record<string, Record<string, number>>> {
  return page.locator('qw-series-chart').evaluate((element) => {
    const points: Record<string, Record<string, number>> = {};
    for (const group of element.shadowRoot?.querySelectorAll('svg g[data-pier]') ?? []) {
      const pier = group.getAttribute('data-pier') ?? '';
      const byDate: Record<string, number> = {};
      for (const point of group.querySelectorAll('.point')) {
        byDate[point.getAttribute('data-date') ?? ''] = Number(point.getAttribute('data-teu'));
      }
      points[pier] = byDate;
    }
    return points;
  });
}

/** Date id of each column of the chart's table, by its header label. */
async function dateIds(page: Page): Promise<Record<string, string>> {
  const headers = await page
    .locator('qw-series-chart thead th[data-date]')
    .evaluateAll((ths) =>
      ths.map((th): [string, string] => [
        th.textContent.trim(),
        th.getAttribute('data-date') ?? '',
      ]),
    );
  return Object.fromEntries(headers);
}

async function seriesStatus(page: Page): Promise<string> {
  return ((await page.locator('qw-series-chart .status').textContent()) ?? '').trim();
}

/**
 * Clicks the chart's Cancel button in the page the moment it appears. Polling
 * for "Analysing date" and then clicking raced the run: a date of the demo
 * takes about 1.6 s in the worker, the poll looks every second and the click
 * lands some 200 ms later, so the run could end first, take the button away and
 * leave the click waiting out the test. A mutation observer fires before any
 * worker reply can end the run.
 */
async function cancelSeriesWhenItStarts(page: Page): Promise<void> {
  await page.locator('qw-series-chart').evaluate(
    (chart, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const root = chart.shadowRoot;
        if (root === null) {
          reject(new Error('qw-series-chart has no shadow root'));
          return;
        }
        const clickCancel = (): boolean => {
          const cancel = [...root.querySelectorAll('button')].find(
            (button) => button.textContent.trim() === 'Cancel',
          );
          cancel?.click();
          return cancel !== undefined;
        };
        if (clickCancel()) {
          resolve();
          return;
        }
        const observer = new MutationObserver(() => {
          if (!clickCancel()) return;
          observer.disconnect();
          clearTimeout(timer);
          resolve();
        });
        const timer = setTimeout(() => {
          observer.disconnect();
          reject(new Error(`no Cancel button in the series chart within ${String(timeoutMs)} ms`));
        }, timeoutMs);
        observer.observe(root, { childList: true, subtree: true });
      }),
    ANALYSIS_TIMEOUT.timeout,
  );
}

async function afterLabel(page: Page): Promise<string> {
  return page
    .locator('qw-compare-view')
    .evaluate(
      (view) => (view as HTMLElement & { afterImage?: { label: string } }).afterImage?.label ?? '',
    );
}

describe('more than two dates (CPU analysis, ?gpu=off)', () => {
  test('three dates: any pair can be picked, and the per-pier chart matches the pairs’ tables; cancel works', async () => {
    const page = await app.browser.newPage({ viewport: VIEWPORT });
    const errors = collectPageErrors(page);
    // What the page said, for a failure far into this long test.
    const consoleLines: string[] = [];
    page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
    onTestFailed(() => {
      console.log(`last page console lines:\n${consoleLines.slice(-40).join('\n')}`);
    });
    await page.goto(`${app.server.url}?gpu=off&demo=none`);
    await openDemoPairWith(page, 'third.tif', thirdDateTif());

    // The earliest and the latest date are the first pair.
    await expect.poll(() => afterLabel(page), ANALYSIS_TIMEOUT).toBe('AFTER · 20 Oct 2023');
    await expect
      .poll(() => seriesStatus(page), ANALYSIS_TIMEOUT)
      .toMatch(/^All 3 dates analysed\.$/);
    const ids = await dateIds(page);
    expect(Object.keys(ids)).toEqual(['2023-10-13 (reference)', '2023-10-16', '2023-10-20']);
    const [first, second, third] = Object.values(ids);
    const points = await chartPoints(page);
    expect(Object.keys(points)).toEqual(['Pier 1', 'Pier 2', 'Pier 3']);
    for (const byDate of Object.values(points)) {
      expect(Object.keys(byDate).sort()).toEqual([first, second, third].sort());
    }
    const pairWithThird = await tableBeforeAfter(page);
    expect(Object.keys(pairWithThird)).toEqual(['Pier 1', 'Pier 2', 'Pier 3']);
    for (const [pier, [before, after]] of Object.entries(pairWithThird)) {
      expect(Math.round(points[pier]?.[first ?? ''] ?? NaN), pier).toBe(before);
      expect(Math.round(points[pier]?.[third ?? ''] ?? NaN), pier).toBe(after);
    }
    // The ship visit: Pier 3 fills on the 16th and is back near the 13th's level on the 20th.
    const pier3 = points['Pier 3'] ?? {};
    const [p13, p16, p20] = [
      pier3[first ?? ''] ?? 0,
      pier3[second ?? ''] ?? 0,
      pier3[third ?? ''] ?? 0,
    ];
    expect(p16 - p13).toBeGreaterThan(50);
    expect(p16 - p20).toBeGreaterThan(50);
    // Each point names its pier, date and value.
    await expect(
      page.locator('qw-series-chart g[data-pier="Pier 3"] .point title').first().textContent(),
    ).resolves.toMatch(/^Pier 3, 2023-10-13: \d+ TEU \(\d+ to \d+\)$/);

    if (process.env['QW_WRITE_DOCS'] === '1') {
      await page.locator('qw-series-chart').screenshot({ path: 'docs/series.png' });
    }

    // Pick another pair: 13 → 16 October. The view and the table follow, and the
    // table's After column is the chart's point of the 16th.
    await page.locator('qw-file-list li[data-name="after.tif"] input[name="after"]').check();
    await expect.poll(() => afterLabel(page), ANALYSIS_TIMEOUT).toBe('AFTER · 16 Oct 2023');
    const afterOf = async (): Promise<number | undefined> =>
      (await tableBeforeAfter(page))['Pier 3']?.[1];
    await expect.poll(afterOf, ANALYSIS_TIMEOUT).toBe(Math.round(p16));
    const pairWithSecond = await tableBeforeAfter(page);
    expect(Object.keys(pairWithSecond)).toEqual(['Pier 1', 'Pier 2', 'Pier 3']);
    for (const [pier, [, after]] of Object.entries(pairWithSecond)) {
      expect(Math.round(points[pier]?.[second ?? ''] ?? NaN), pier).toBe(after);
    }
    await expect.poll(() => seriesStatus(page), ANALYSIS_TIMEOUT).toMatch(/^All 3 dates/);

    // A slider move re-runs every date from the pier areas kept in memory (no
    // reading, no shift estimate), and those give the numbers a fresh read of
    // the pair gives: picking 13 → 20 October again, its table is the chart.
    const note20 = page.locator(`qw-series-chart td.note[data-date="${third ?? ''}"]`);
    await expect(note20.textContent()).resolves.not.toContain('kept in memory');
    await moveSlider(page, 'thresholdDn', 40);
    await expect
      .poll(async () => (await note20.textContent())?.trim(), ANALYSIS_TIMEOUT)
      .toMatch(/^shift \(0\.00, 0\.00\) px, none \(.*\); pier area kept in memory$/);
    await expect.poll(() => seriesStatus(page), ANALYSIS_TIMEOUT).toMatch(/^All 3 dates/);
    const keptPoints = await chartPoints(page);
    await page.locator('qw-file-list li[data-name="third.tif"] input[name="after"]').check();
    await expect.poll(() => afterLabel(page), ANALYSIS_TIMEOUT).toBe('AFTER · 20 Oct 2023');
    await expect
      .poll(async () => (await tableBeforeAfter(page))['Pier 3']?.[1], ANALYSIS_TIMEOUT)
      .toBe(Math.round(keptPoints['Pier 3']?.[third ?? ''] ?? NaN));
    const freshPair = await tableBeforeAfter(page);
    for (const [pier, [, after]] of Object.entries(freshPair)) {
      expect(Math.round(keptPoints[pier]?.[third ?? ''] ?? NaN), pier).toBe(after);
    }
    expect(keptPoints['Pier 1']?.[third ?? '']).not.toBe(points['Pier 1']?.[third ?? '']);
    await page.locator('qw-file-list li[data-name="after.tif"] input[name="after"]').check();
    await expect.poll(() => afterLabel(page), ANALYSIS_TIMEOUT).toBe('AFTER · 16 Oct 2023');
    await expect.poll(() => seriesStatus(page), ANALYSIS_TIMEOUT).toMatch(/^All 3 dates/);

    // Reference 16 October (pick it as before): the series restarts against it;
    // cancel it while it runs, then run it again.
    await page.locator('qw-file-list li[data-name="before.tif"] input[name="after"]').check();
    await page.locator('qw-file-list li[data-name="after.tif"] input[name="before"]').check();
    await cancelSeriesWhenItStarts(page);
    await expect.poll(() => seriesStatus(page)).toMatch(/^Cancelled after [01] of 2 dates\./);
    await expect(
      page.locator('qw-series-chart thead th[data-date]').first().textContent(),
    ).resolves.toMatch(/2023-10-13/);
    await page.locator('qw-series-chart button', { hasText: 'Run again' }).click();
    await expect
      .poll(() => seriesStatus(page), ANALYSIS_TIMEOUT)
      .toMatch(/^All 3 dates analysed\.$/);
    expect(Object.keys(await dateIds(page))).toEqual([
      '2023-10-13',
      '2023-10-16 (reference)',
      '2023-10-20',
    ]);

    // Fine alignment per date: the 20th's shift is estimated against the
    // reference (within a pixel: the demo's dates are nearly registered); a
    // slider move then keeps both the shift and the pier area.
    await page.locator('qw-series-chart input[type="checkbox"]').check();
    await expect
      .poll(async () => (await note20.textContent())?.trim(), ANALYSIS_TIMEOUT)
      .toMatch(/^shift \(−?0\.\d\d, −?0\.\d\d\) px, estimated \(peak ratio [\d.]+\)$/);
    const estimated = (await note20.textContent())?.trim() ?? '';
    await expect.poll(() => seriesStatus(page), ANALYSIS_TIMEOUT).toMatch(/^All 3 dates/);
    await moveSlider(page, 'thresholdDn', 35);
    await expect
      .poll(async () => (await note20.textContent())?.trim(), ANALYSIS_TIMEOUT)
      .toBe(`${estimated}; pier area kept in memory`);
    await expect.poll(() => seriesStatus(page), ANALYSIS_TIMEOUT).toMatch(/^All 3 dates/);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('a date whose shift cannot be measured is placed by its georeference, and its note says why', async () => {
    const page = await app.browser.newPage({ viewport: VIEWPORT });
    const errors = collectPageErrors(page);
    await page.goto(`${app.server.url}?gpu=off&demo=none`);
    // Noise on the demo's after grid, dated between the pair on screen
    // (13 → 16 October): a series date, with no correlation peak with the scene.
    await openDemoPairWith(
      page,
      'noise.tif',
      noiseAfterTif(DEFAULT_DEMO_PARAMS, '2023:10:14 02:20:00'),
    );
    await expect
      .poll(() => seriesStatus(page), ANALYSIS_TIMEOUT)
      .toMatch(/^All 3 dates analysed\.$/);
    const ids = await dateIds(page);
    expect(Object.keys(ids)).toEqual(['2023-10-13 (reference)', '2023-10-14', '2023-10-16']);
    const note = (date: string | undefined) =>
      page.locator(`qw-series-chart td.note[data-date="${date ?? ''}"]`);
    const [, noiseDate] = Object.values(ids);
    // Fine alignment: the noise date gets no estimate (one without agreeing
    // tiles is a guess within ±32 px); the 16th is the pair on screen.
    await page.locator('qw-series-chart input[type="checkbox"]').check();
    await expect
      .poll(async () => (await note(noiseDate).textContent())?.trim(), ANALYSIS_TIMEOUT)
      .toMatch(
        /^shift \(0\.00, 0\.00\) px, not measured \([0-2] of \d+ tiles found a distinct peak/,
      );
    await expect.poll(() => seriesStatus(page), ANALYSIS_TIMEOUT).toMatch(/^All 3 dates/);
    expect(errors).toEqual([]);
    await page.close();
  });
});
