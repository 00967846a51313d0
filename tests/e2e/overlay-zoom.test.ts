/**
 * Blob outlines are one pixel of the analysis window wide. Zoomed out, an
 * averaging mipmap would thin them to a faint tint; their overlay is minified
 * by keeping the most opaque pixel ('max' levels, src/core/view-mipmap.ts),
 * so they stay in their own colours. Checked on the demo pair in the built
 * app, with the WebGPU view (SwiftShader) and with the Canvas 2D fallback.
 */
import type { Locator, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { describe, expect, test } from 'vitest';
import { BLOB_KIND_COLOURS } from '../../src/core/analysis/overlays.ts';
import { collectPageErrors, hideViewHud, useAppInBrowser } from '../support/browser.ts';
import { TABLE_TIMEOUT_MS } from '../support/pier-table.ts';

const app = useAppInBrowser();

const VIEWPORT = { width: 1280, height: 1000 };
const OUTLINE_COLOURS = Object.values(BLOB_KIND_COLOURS);

/** Stage pixels within a small distance of an outline colour. */
async function outlinePixels(view: Locator): Promise<number> {
  const shot = PNG.sync.read(await view.locator('.stage').screenshot());
  let count = 0;
  for (let i = 0; i < shot.width * shot.height; i++) {
    const [r, g, b] = [shot.data[i * 4] ?? 0, shot.data[i * 4 + 1] ?? 0, shot.data[i * 4 + 2] ?? 0];
    if (OUTLINE_COLOURS.some(([cr, cg, cb]) => Math.hypot(r - cr, g - cg, b - cb) < 40)) count++;
  }
  return count;
}

async function showAt(page: Page, view: Locator, scale: number): Promise<void> {
  await view.evaluate((element, wanted) => {
    (element as unknown as { viewState: unknown }).viewState = {
      mode: 'swipe',
      centreImagePx: [380, 280],
      scale: wanted,
      dividerFraction: 0,
      blinkRateHz: 2,
      onionOpacity: 0.5,
    };
  }, scale);
  await expect
    .poll(() =>
      view.evaluate(
        (element) => (element as unknown as { transform: { scale: number } }).transform.scale,
      ),
    )
    .toBe(scale);
  // Two frames for the renderer to draw the new transform.
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        requestAnimationFrame(() => {
          requestAnimationFrame(() => {
            resolve();
          });
        });
      }),
  );
}

describe('blob outlines when zoomed out', () => {
  test.each([
    ['WebGPU view', '?analysis=cpu'],
    ['Canvas 2D view', '?gpu=off'],
  ])('%s: at ¼ scale the outlines still show in their colours', async (_, query) => {
    const context = await app.browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${app.server.url}${query}`);
    await page.locator('qw-pier-table tbody tr').first().waitFor({ timeout: TABLE_TIMEOUT_MS });
    const view = page.locator('qw-app qw-compare-view');
    await hideViewHud(view);
    // Containers come in the outline colours too: count with the outlines on, less with them off.
    const outlinesAt = async (scale: number): Promise<number> => {
      await showAt(page, view, scale);
      const shown = await outlinePixels(view);
      await page.locator('qw-overlay-controls input[name="blobs"]').uncheck();
      await showAt(page, view, scale);
      const hidden = await outlinePixels(view);
      await page.locator('qw-overlay-controls input[name="blobs"]').check();
      return shown - hidden;
    };
    const atOne = await outlinesAt(1);
    const atQuarter = await outlinesAt(0.25);
    console.log(`${query}: outline pixels at scale 1: ${atOne}, at 1/4: ${atQuarter}`);
    expect(atOne).toBeGreaterThan(1000);
    // Lines a quarter as long, still at least a pixel wide and in their colours (measured
    // here: 0.44 of the count at scale 1 on WebGPU, 0.72 on Canvas 2D; with averaging
    // mipmaps, a quarter-strength tint: 0 and 1 px).
    expect(atQuarter).toBeGreaterThan(0.12 * atOne);
    expect(errors).toEqual([]);
    await context.close();
  });
});
