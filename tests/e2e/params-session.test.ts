import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { collectPageErrors, moveSlider, slider, useAppInBrowser } from '../support/browser.ts';
import {
  TABLE_TIMEOUT_MS,
  tableCaption,
  tableRowTexts,
  updateStages,
  updateTime,
  waitForParams,
} from '../support/pier-table.ts';

const app = useAppInBrowser();

const VIEWPORT = { width: 1280, height: 1000 };
/** SwiftShader runs the whole pipeline on two shared CPU cores: be generous. */

async function openApp(
  context: BrowserContext,
  path = '',
): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  await page.goto(`${app.server.url}${path}`);
  await waitForTable(page, errors);
  await page.locator('qw-params-panel').waitFor();
  return { page, errors };
}

/** Waits for the pier table; on a timeout, says what the app showed instead. */
async function waitForTable(page: Page, errors: readonly string[]): Promise<void> {
  try {
    await page.locator('qw-pier-table tbody tr').first().waitFor({ timeout: TABLE_TIMEOUT_MS });
  } catch (error) {
    const shown = await page
      .locator('qw-app')
      .evaluate((element) => {
        const root = element.shadowRoot;
        return {
          phase: element.getAttribute('data-phase'),
          results: root?.querySelector('.pier-results')?.textContent.trim(),
          notice: root?.querySelector('.notice')?.textContent,
          session: root?.querySelector('.session-notice')?.textContent,
          view: root?.querySelector('.placeholder')?.textContent.trim(),
          files: root?.querySelector('qw-file-list')?.shadowRoot?.textContent.replace(/\s+/g, ' '),
        };
      })
      .catch(() => 'unknown');
    throw new Error(
      `No pier table at ${page.url()}: ${JSON.stringify(shown)}; errors: ${JSON.stringify(errors)}`,
      { cause: error },
    );
  }
}

/** The table's numbers, row by row (caption and note left out). */
function numberInput(page: Page, key: string) {
  return page.locator(`qw-params-panel input[type="number"][name="${key}"]`);
}

function hashParams(page: Page): unknown {
  const hash = new URL(page.url()).hash.slice(1);
  const text = new URLSearchParams(hash).get('params');
  return text === null ? null : (JSON.parse(text) as unknown);
}

describe('live parameters and the session', () => {
  test('WebGPU: the threshold slider re-runs the analysis, a bad number is refused next to its field; after a device loss, reset restores the first table on the CPU', async () => {
    const context = await app.browser.newContext({ viewport: VIEWPORT });
    // Auto would pick the CPU worker on SwiftShader: this test is about the WebGPU path.
    const { page, errors } = await openApp(context, '?analysis=webgpu');
    await expect(tableCaption(page)).resolves.toContain('analysed on WebGPU');
    await waitForParams(page, 'default parameters');
    const first = await tableRowTexts(page);
    // A control for every field, grouped; the slider starts at the default.
    await expect(page.locator('qw-params-panel fieldset').count()).resolves.toBe(6);
    await expect(page.locator('qw-params-panel .field').count()).resolves.toBe(24);
    await expect(slider(page, 'thresholdDn').inputValue()).resolves.toBe('30');
    await expect.poll(() => updateTime(page)).toMatch(/^update \d+ ms \(wall\), GPU [\d.]+ ms$/);
    console.log(`SwiftShader WebGPU, first analysis: ${await updateTime(page)}`);
    // The stage list (the update time's title): the pier area is uploaded once, then kept.
    await expect(updateStages(page)).resolves.toContain('input uploaded to the GPU');

    await moveSlider(page, 'thresholdDn', 60);
    await waitForParams(page, 'thresholdDn 60');
    const moved = await tableRowTexts(page);
    expect(moved).not.toEqual(first);
    await expect.poll(() => updateTime(page)).toMatch(/^update \d+ ms \(wall\), GPU [\d.]+ ms$/);
    console.log(`SwiftShader WebGPU, slider update: ${await updateTime(page)}`);
    await expect(updateStages(page)).resolves.toContain('input kept on the GPU');
    await expect(numberInput(page, 'thresholdDn').inputValue()).resolves.toBe('60');
    await expect.poll(() => hashParams(page)).toEqual({ thresholdDn: 60 });

    // An invalid number: the message sits next to the field; nothing re-runs.
    await numberInput(page, 'thresholdDn').fill('-5');
    await numberInput(page, 'thresholdDn').press('Tab');
    const message = page.locator('qw-params-panel .field[data-key="thresholdDn"] .error');
    await expect(message.textContent()).resolves.toContain(
      'thresholdDn must be from 0 to 1000000 DN (got -5)',
    );
    await page.waitForTimeout(1500);
    expect(await tableRowTexts(page)).toEqual(moved);
    await expect(tableCaption(page)).resolves.toMatch(/thresholdDn 60$/);
    expect(hashParams(page)).toEqual({ thresholdDn: 60 });

    // The device is lost between runs: not fatal; the next run (reset) goes to
    // the CPU twins in the worker, says so, and gives the WebGPU table's numbers.
    await page.locator('qw-app').evaluate((app) => {
      (app as HTMLElementTagNameMap['qw-app']).gpu?.device.destroy();
    });
    await expect
      .poll(async () => (await page.locator('qw-app .banner').textContent()) ?? '')
      .toContain('GPU device was lost');
    await page.locator('qw-params-panel button', { hasText: 'Reset to defaults' }).click();
    await waitForParams(page, 'default parameters');
    await expect(tableCaption(page)).resolves.toContain('analysed on the CPU (worker)');
    expect(await tableRowTexts(page)).toEqual(first);
    await expect(message.count()).resolves.toBe(0);
    await expect(slider(page, 'thresholdDn').inputValue()).resolves.toBe('30');
    await expect.poll(() => hashParams(page)).toBeNull();
    expect(errors).toEqual([]);
    await context.close();
  }, 600_000);

  test('a link carries the parameters, a reload restores the session, a session file saves and loads', async () => {
    const context = await app.browser.newContext({ viewport: VIEWPORT, acceptDownloads: true });
    const { page, errors } = await openApp(context, '?gpu=off');
    await waitForParams(page, 'default parameters');
    const first = await tableRowTexts(page);
    await moveSlider(page, 'thresholdDn', 45);
    await moveSlider(page, 'minAreaM2', 100);
    await waitForParams(page, 'thresholdDn 45, minAreaM2 100');
    const changed = await tableRowTexts(page);
    expect(changed).not.toEqual(first);
    await expect.poll(() => hashParams(page)).toEqual({ thresholdDn: 45, minAreaM2: 100 });
    console.log(`CPU worker, slider update: ${await updateTime(page)}`);

    // The link in a fresh browser (no IndexedDB): same parameters, same table.
    const fresh = await app.browser.newContext({ viewport: VIEWPORT });
    const linked = await openApp(fresh, new URL(page.url()).search + new URL(page.url()).hash);
    await waitForParams(linked.page, 'thresholdDn 45, minAreaM2 100');
    await expect(slider(linked.page, 'thresholdDn').inputValue()).resolves.toBe('45');
    await expect(slider(linked.page, 'minAreaM2').inputValue()).resolves.toBe('100');
    expect(await tableRowTexts(linked.page)).toEqual(changed);
    expect(linked.errors).toEqual([]);
    await fresh.close();

    // A date typed for the after image is part of the session too.
    const view = page.locator('qw-app qw-compare-view');
    const afterLabel = view.locator('.label').nth(1);
    await view.getByRole('button', { name: 'Type the date of the after image' }).click();
    await view.locator('input[type="date"]').fill('2023-10-17');
    await expect.poll(() => afterLabel.textContent()).toBe('AFTER · 17 Oct 2023');
    // So are the overlays shown: the heat map on, blob outlines off.
    await page.locator('qw-overlay-controls input[name="heat"]').check();
    await page.locator('qw-overlay-controls input[name="blobs"]').uncheck();

    // Reload without the hash in the same browser: the autosaved session comes back.
    await page.waitForTimeout(1500);
    await page.goto(`${app.server.url}?gpu=off`);
    await waitForTable(page, errors);
    const notice = page.locator('qw-app .session-notice');
    await expect
      .poll(async () => ((await notice.textContent()) ?? '').trim(), { timeout: TABLE_TIMEOUT_MS })
      .toMatch(/^Session restored: before\.tif and after\.tif, piers from piers\.geojson/);
    await expect(notice.textContent()).resolves.toContain(
      'parameters (thresholdDn 45, minAreaM2 100)',
    );
    await waitForParams(page, 'thresholdDn 45, minAreaM2 100');
    await expect(slider(page, 'thresholdDn').inputValue()).resolves.toBe('45');
    expect(await tableRowTexts(page)).toEqual(changed);
    await expect.poll(() => hashParams(page)).toEqual({ thresholdDn: 45, minAreaM2: 100 });
    await expect.poll(() => afterLabel.textContent()).toBe('AFTER · 17 Oct 2023');
    await expect(view.locator('.label').nth(0).textContent()).resolves.toBe('BEFORE · 13 Oct 2023');
    await expect(notice.textContent()).resolves.toContain('overlays');
    await expect(page.locator('qw-overlay-controls input[name="heat"]').isChecked()).resolves.toBe(
      true,
    );
    await expect(page.locator('qw-overlay-controls input[name="blobs"]').isChecked()).resolves.toBe(
      false,
    );

    // Save the session file, go back to defaults, load the file: the settings return.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('qw-app button', { hasText: 'Save session' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('quaywatch-session.json');
    const path = await download.path();
    const text = readFileSync(path, 'utf8');
    const saved = JSON.parse(text) as Record<string, unknown>;
    expect(saved['quaywatch-session']).toBe(1);
    expect(saved['params']).toMatchObject({ thresholdDn: 45, minAreaM2: 100 });
    expect(saved['overlays']).toMatchObject({
      heat: { visible: true },
      blobs: { visible: false },
    });
    expect(saved['view']).toMatchObject({
      dates: { after: { forLabel: 'AFTER · 16 Oct 2023', iso: '2023-10-17' } },
    });
    expect(saved['files']).toEqual([
      expect.objectContaining({ role: 'before', name: 'before.tif' }),
      expect.objectContaining({ role: 'after', name: 'after.tif' }),
    ]);

    await page.locator('qw-params-panel button', { hasText: 'Reset to defaults' }).click();
    await waitForParams(page, 'default parameters');
    expect(await tableRowTexts(page)).toEqual(first);

    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.locator('qw-app button', { hasText: 'Load session…' }).click(),
    ]);
    await chooser.setFiles({
      name: 'quaywatch-session.json',
      mimeType: 'application/json',
      buffer: Buffer.from(text),
    });
    await expect
      .poll(async () => ((await notice.textContent()) ?? '').trim())
      .toMatch(
        /^Session loaded from quaywatch-session\.json: parameters \(thresholdDn 45, minAreaM2 100\)/,
      );
    await waitForParams(page, 'thresholdDn 45, minAreaM2 100');
    await expect(slider(page, 'minAreaM2').inputValue()).resolves.toBe('100');
    expect(await tableRowTexts(page)).toEqual(changed);

    // A session file dropped with the images (here: the picker) that a newer version wrote.
    await page.locator('qw-app input[type="file"][multiple]').setInputFiles({
      name: 'later.qwsession.json',
      mimeType: 'application/json',
      buffer: Buffer.from(text.replace('"quaywatch-session": 1', '"quaywatch-session": 2')),
    });
    await expect
      .poll(async () => ((await notice.textContent()) ?? '').trim())
      .toBe(
        'later.qwsession.json: session format version 2; this Quaywatch reads version 1 (a newer Quaywatch wrote it)',
      );
    expect(await tableRowTexts(page)).toEqual(changed);
    expect(errors).toEqual([]);
    await context.close();
  }, 600_000);

  test('CPU worker: quick slider moves end with the table of the last value (latest wins)', async () => {
    const context = await app.browser.newContext({ viewport: VIEWPORT });
    const { page, errors } = await openApp(context, '?gpu=off');
    await waitForParams(page, 'default parameters');
    for (const value of [35, 50, 70, 40, 55]) {
      await moveSlider(page, 'thresholdDn', value);
      await page.waitForTimeout(20);
    }
    await waitForParams(page, 'thresholdDn 55');
    // Stale runs were cancelled, not queued: nothing else repaints afterwards.
    await page.waitForTimeout(3000);
    await expect(tableCaption(page)).resolves.toMatch(/thresholdDn 55$/);
    const last = await tableRowTexts(page);
    // They were stopped between stages, not killed with the worker: it still holds the
    // input, and the last run computed only the occupancy and the masks it feeds.
    await expect(updateStages(page)).resolves.toContain(
      'input kept in the worker, 5 of 13 stages computed',
    );

    const fresh = await app.browser.newContext({ viewport: VIEWPORT });
    const direct = await openApp(
      fresh,
      `?gpu=off#params=${encodeURIComponent(JSON.stringify({ thresholdDn: 55 }))}`,
    );
    await waitForParams(direct.page, 'thresholdDn 55');
    expect(await tableRowTexts(direct.page)).toEqual(last);
    expect(direct.errors).toEqual([]);
    expect(errors).toEqual([]);
    await fresh.close();
    await context.close();
  }, 300_000);

  test("the table's note divides by the TEU footprint in use", async () => {
    const context = await app.browser.newContext({ viewport: VIEWPORT });
    const { page, errors } = await openApp(
      context,
      `?gpu=off#params=${encodeURIComponent(JSON.stringify({ teuFootprintM2: 29.54 }))}`,
    );
    await waitForParams(page, 'teuFootprintM2 29.54');
    await expect(page.locator('qw-pier-table p.note').textContent()).resolves.toContain(
      '÷ 29.54 m²',
    );
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);

  test('images kept in this browser open again on reload, with their session', async () => {
    const context = await app.browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${app.server.url}?gpu=off&demo=none`);
    await page.locator('qw-app input[type="file"][multiple]').setInputFiles(
      ['before.tif', 'after.tif', 'piers.geojson'].map((name) => ({
        name,
        mimeType: name.endsWith('.tif') ? 'image/tiff' : 'application/geo+json',
        buffer: readFileSync(`public/demo/${name}`),
      })),
    );
    await page.locator('qw-pier-table tbody tr').first().waitFor({ timeout: TABLE_TIMEOUT_MS });
    await moveSlider(page, 'changeThresholdDn', 40);
    await waitForParams(page, 'changeThresholdDn 40');
    const rows = await tableRowTexts(page);
    await page.locator('qw-app .keep input[type="checkbox"]').check();
    await page.waitForTimeout(2000);

    // No demo, no files dropped: the kept images open by themselves.
    await page.goto(`${app.server.url}?gpu=off`);
    await waitForTable(page, errors);
    await waitForParams(page, 'changeThresholdDn 40');
    expect(await tableRowTexts(page)).toEqual(rows);
    await expect(page.locator('qw-app .session-notice').textContent()).resolves.toContain(
      'Session restored: before.tif and after.tif, piers from piers.geojson',
    );
    await expect(page.locator('qw-file-list li').count()).resolves.toBe(2);
    await expect(page.locator('qw-app .keep input[type="checkbox"]').isChecked()).resolves.toBe(
      true,
    );
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);
});
