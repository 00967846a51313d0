/**
 * Analysis overlays, the picked blob and the fill-factor calibration in the
 * built app (CPU worker: ?gpu=off, 20–30× faster than SwiftShader here).
 * QW_WRITE_DOCS=1 also writes docs/overlays.png (the README's picture).
 */
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { collectPageErrors, useAppInBrowser } from '../support/browser.ts';
import { TABLE_TIMEOUT_MS, tableCaption, tableRowTexts } from '../support/pier-table.ts';

const app = useAppInBrowser();

const VIEWPORT = { width: 1280, height: 1000 };

async function text(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/**
 * Client coordinates of the middle of the largest block of appeared pixels in
 * the shown analysis (a 7 × 7 square all appeared), through the view's transform.
 */
async function appearedBlobPoint(page: Page): Promise<{ x: number; y: number }> {
  return page.locator('qw-app').evaluate((element) => {
    interface Shown {
      result: { masks: { appeared: Uint8Array } };
      input: { widthPx: number; heightPx: number };
      windowPx: readonly number[];
    }
    const shown = (element as unknown as { lastAnalysis?: Shown }).lastAnalysis;
    const view = element.shadowRoot?.querySelector('qw-compare-view') as
      | (HTMLElement & {
          viewTransform?: { scale: number; originX: number; originY: number };
          panes?: readonly { x: number; y: number }[];
        })
      | null;
    const stage = view?.shadowRoot?.querySelector('.stage');
    const transform = view?.viewTransform;
    if (shown === undefined || transform === undefined || stage == null) {
      throw new Error('no analysis or view');
    }
    const { widthPx: w, heightPx: h } = shown.input;
    const mask = shown.result.masks.appeared;
    const r = 3;
    for (let y = r; y < h - r; y++) {
      for (let x = r; x < w - r; x++) {
        let all = true;
        for (let dy = -r; dy <= r && all; dy++) {
          for (let dx = -r; dx <= r && all; dx++) {
            if (mask[(y + dy) * w + x + dx] === 0) all = false;
          }
        }
        if (!all) continue;
        const rect = stage.getBoundingClientRect();
        const pane = view?.panes?.[0] ?? { x: 0, y: 0 };
        const imageX = (shown.windowPx[0] ?? 0) + x + 0.5;
        const imageY = (shown.windowPx[1] ?? 0) + y + 0.5;
        return {
          x: rect.left + pane.x + transform.originX + transform.scale * imageX,
          y: rect.top + pane.y + transform.originY + transform.scale * imageY,
        };
      }
    }
    throw new Error('no 7 × 7 block of appeared pixels');
  });
}

describe('overlays, blob click and calibration', () => {
  test('click a blob, calibrate it: the fill factor and the table follow, and a reload restores them', async () => {
    const context = await app.browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${app.server.url}?gpu=off`);
    await page.locator('qw-pier-table tbody tr').first().waitFor({ timeout: TABLE_TIMEOUT_MS });
    await expect.poll(() => tableCaption(page)).toMatch(/analysed on the CPU.*default parameters$/);
    const first = await tableRowTexts(page);

    // Overlays: blob outlines on by default, the heat map toggled on; the legend names both.
    await expect(page.locator('qw-overlay-controls input[name="blobs"]').isChecked()).resolves.toBe(
      true,
    );
    await page.locator('qw-overlay-controls input[name="heat"]').check();
    await expect(
      page.locator('qw-overlay-controls input[name="heat-opacity"]').isDisabled(),
    ).resolves.toBe(false);
    const legend = page.locator('qw-compare-view qw-view-legend li');
    await expect.poll(() => legend.allTextContents()).toHaveLength(2);
    const legendText = (await legend.allTextContents()).join(' ').replace(/\s+/g, ' ');
    expect(legendText).toContain('Change heat map');
    expect(legendText).toContain('change threshold (30 DN)');
    expect(legendText).toContain('Blob outlines');
    expect(legendText).toContain('appeared');
    expect(legendText).toContain('present at both dates');
    if (process.env['QW_WRITE_DOCS'] === '1') {
      await page.locator('qw-compare-view').screenshot({ path: 'docs/overlays.png' });
    }

    // A click on the view's blob: its numbers, and a highlight over it.
    const point = await appearedBlobPoint(page);
    await page.mouse.click(point.x, point.y);
    await expect.poll(() => text(page, 'qw-blob-info [data-testid="blob-kind"]')).toBe('appeared');
    const area = await text(page, 'qw-blob-info [data-testid="blob-area"]');
    const areaM2 = Number(/^(\d+) m² \((\d+) px\)$/.exec(area)?.[1]);
    expect(areaM2).toBeGreaterThan(60);
    const teuText = await text(page, 'qw-blob-info [data-testid="blob-teu"]');
    const teu = Number(/^([\d.]+) TEU/.exec(teuText)?.[1]);
    // TEU = area · 0.97 / 14.77 (the shown area is rounded to 1 m²).
    expect(Math.abs(teu - (areaM2 * 0.97) / 14.77)).toBeLessThan(0.1);
    expect(await text(page, 'qw-blob-info [data-testid="blob-change"]')).toMatch(/^\d+\.\d DN$/);
    if (process.env['QW_WRITE_DOCS'] === '1') {
      await page.locator('qw-app aside').screenshot({ path: 'docs/side-panel.png' });
      await page.locator('qw-pier-table').screenshot({ path: 'docs/pier-table.png' });
    }
    await expect
      .poll(() => legend.allTextContents())
      .toEqual(expect.arrayContaining([expect.stringContaining('Picked blob')]));

    // A count that gives an impossible fill factor is refused next to the field; nothing
    // re-runs: the fill factor stays, and the table's caption and the update time (both
    // carry the run's duration, to the millisecond for the latter) stay as they were.
    const updateTime = page.locator('qw-params-panel [data-testid="update-time"]');
    const runBefore = [await tableCaption(page), await updateTime.textContent()];
    const count = page.locator('qw-blob-info input[name="containers"]');
    await count.fill('100000');
    await page.locator('qw-blob-info button[type="submit"]').click();
    await expect(text(page, 'qw-blob-info .error')).resolves.toMatch(
      /^100000 TEU on \d+ m² .* gives a fill factor of [\d.]+; it must be from 0.05 to 1.5/,
    );
    await page.waitForTimeout(2000);
    expect([await tableCaption(page), await updateTime.textContent()]).toEqual(runBefore);
    await expect(
      page.locator('qw-params-panel input[type="number"][name="fillFactor"]').inputValue(),
    ).resolves.toBe('0.97');
    expect(await tableRowTexts(page)).toEqual(first);

    // The real count: 80 % of the estimate.
    const containers = Math.max(1, Math.round(teu * 0.8));
    await count.fill(String(containers));
    await page.locator('qw-blob-info button[type="submit"]').click();
    await expect
      .poll(() => tableCaption(page), { timeout: TABLE_TIMEOUT_MS })
      .toMatch(/analysed on the CPU.*fillFactor 0\.\d+$/);
    const fillFactor = Number(/fillFactor ([\d.]+)$/.exec(await tableCaption(page))?.[1]);
    expect(Math.abs(fillFactor - (containers * 14.77) / areaM2)).toBeLessThan(0.02);
    const calibrated = await tableRowTexts(page);
    expect(calibrated).not.toEqual(first);
    await expect(count.count()).resolves.toBe(1);
    await expect(page.locator('qw-blob-info .error').count()).resolves.toBe(0);
    // The same blob stays picked and now estimates the count.
    await expect
      .poll(() => text(page, 'qw-blob-info [data-testid="blob-teu"]'))
      .toMatch(new RegExp(`^${containers.toFixed(1).replace('.', '\\.')} TEU`));
    const fillText = await text(page, 'qw-blob-info [data-testid="fill-factor"]');
    expect(fillText).toContain(`Fill factor ${fillFactor}, calibrated`);
    expect(fillText).toContain(`${containers} TEU counted in a blob of`);
    await expect(
      page.locator('qw-params-panel input[type="number"][name="fillFactor"]').inputValue(),
    ).resolves.toBe(String(fillFactor));

    // Reload without the hash: the autosaved session brings the calibration back.
    await page.waitForTimeout(1500);
    await page.goto(`${app.server.url}?gpu=off`);
    await page.locator('qw-pier-table tbody tr').first().waitFor({ timeout: TABLE_TIMEOUT_MS });
    await expect
      .poll(() => tableCaption(page), { timeout: TABLE_TIMEOUT_MS })
      .toMatch(new RegExp(`fillFactor ${String(fillFactor).replace('.', '\\.')}$`));
    expect(await tableRowTexts(page)).toEqual(calibrated);
    const restored = await text(page, 'qw-blob-info [data-testid="fill-factor"]');
    expect(restored).toContain(`Fill factor ${fillFactor}, calibrated`);
    expect(restored).toContain(`${containers} TEU counted in a blob of`);
    expect(errors).toEqual([]);
    await context.close();
  }, 600_000);
});
