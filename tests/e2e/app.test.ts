import { mkdirSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { collectPageErrors, useAppInBrowser } from '../support/browser.ts';

const app = useAppInBrowser();

const VIEWPORT = { width: 1280, height: 800 };

async function openApp(query = ''): Promise<{ page: Page; errors: string[] }> {
  const page = await app.browser.newPage({ viewport: VIEWPORT });
  const errors = collectPageErrors(page);
  await page.goto(`${app.server.url}${query}`);
  await page.locator('qw-app[data-phase="ready"]').waitFor({ timeout: 120_000 });
  // The view reports each frame it draws; wait for one after the images arrived.
  await page.locator('qw-compare-view[data-backend]').waitFor();
  await page.waitForTimeout(300);
  return { page, errors };
}

/** Pixels of the swipe view's box from a screenshot. */
async function viewPixels(
  page: Page,
): Promise<{ png: PNG; box: { x: number; y: number; width: number; height: number } }> {
  const box = await page.locator('qw-compare-view').boundingBox();
  if (box === null) throw new Error('swipe view is not laid out');
  const png = PNG.sync.read(await page.screenshot());
  return { png, box };
}

function distinctColours(png: PNG, x0: number, y0: number, x1: number, y1: number): number {
  const seen = new Set<number>();
  for (let y = Math.floor(y0); y < y1; y += 2) {
    for (let x = Math.floor(x0); x < x1; x += 2) {
      const i = (y * png.width + x) * 4;
      seen.add((png.data[i]! << 16) | (png.data[i + 1]! << 8) | png.data[i + 2]!);
    }
  }
  return seen.size;
}

/** Mean absolute difference of two screenshots over a region. */
function meanDifference(a: PNG, b: PNG, x0: number, y0: number, x1: number, y1: number): number {
  let sum = 0;
  let count = 0;
  for (let y = Math.floor(y0); y < y1; y++) {
    for (let x = Math.floor(x0); x < x1; x++) {
      const i = (y * a.width + x) * 4;
      for (let c = 0; c < 3; c++) sum += Math.abs(a.data[i + c]! - b.data[i + c]!);
      count += 3;
    }
  }
  return sum / count;
}

describe('Quaywatch app (production build, headless Chromium)', () => {
  test('opens on the demo pair with WebGPU, no console errors, and both dates visible', async () => {
    const { page, errors } = await openApp();
    await expect(page.locator('qw-compare-view').getAttribute('data-backend')).resolves.toBe(
      'webgpu',
    );
    const backend = await page.locator('[data-testid="backend"]').textContent();
    expect(backend).toMatch(/^WebGPU: .+/);
    await expect(page.locator('qw-compare-view .label').first().textContent()).resolves.toBe(
      'BEFORE · 13 Oct 2023',
    );
    await expect(page.locator('qw-compare-view .label').nth(1).textContent()).resolves.toBe(
      'AFTER · 16 Oct 2023',
    );

    const split = await viewPixels(page);
    mkdirSync('docs', { recursive: true });
    writeFileSync('docs/screenshot.png', PNG.sync.write(split.png));
    const { box } = split;
    // A real picture on both sides of the divider, not a blank canvas.
    expect(
      distinctColours(split.png, box.x, box.y, box.x + box.width / 2 - 5, box.y + box.height),
    ).toBeGreaterThan(300);
    expect(
      distinctColours(
        split.png,
        box.x + box.width / 2 + 5,
        box.y,
        box.x + box.width,
        box.y + box.height,
      ),
    ).toBeGreaterThan(300);

    // Moving the divider to the right end shows the before image there instead: the right half changes.
    await page.locator('qw-compare-view .handle').focus();
    await page.keyboard.press('End');
    await page.waitForTimeout(300);
    const allBefore = await viewPixels(page);
    const rightHalf = [
      box.x + box.width / 2 + 5,
      box.y,
      box.x + box.width - 5,
      box.y + box.height,
    ] as const;
    expect(meanDifference(split.png, allBefore.png, ...rightHalf)).toBeGreaterThan(1);
    // ... and the left half, before in both, stays the same.
    const leftHalf = [
      box.x + 5,
      box.y + 40,
      box.x + box.width / 2 - 5,
      box.y + box.height,
    ] as const;
    expect(meanDifference(split.png, allBefore.png, ...leftHalf)).toBeLessThan(0.5);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('the divider follows a drag and the arrow keys', async () => {
    const { page, errors } = await openApp();
    const handle = page.locator('qw-compare-view .handle');
    await expect(handle.getAttribute('aria-valuenow')).resolves.toBe('50');
    const box = await page.locator('qw-compare-view').boundingBox();
    if (box === null) throw new Error('no view box');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    const dragged = Number(await handle.getAttribute('aria-valuenow'));
    expect(dragged).toBeLessThan(40);
    await handle.focus();
    await page.keyboard.press('ArrowRight');
    await expect(handle.getAttribute('aria-valuenow')).resolves.toBe(String(dragged + 2));
    expect(errors).toEqual([]);
    await page.close();
  });

  test('without WebGPU a banner says so and the images still show (CPU path)', async () => {
    const { page, errors } = await openApp('?gpu=off');
    await expect(page.locator('qw-compare-view').getAttribute('data-backend')).resolves.toBe(
      'canvas2d',
    );
    const banner = await page.locator('qw-app .banner').textContent();
    expect(banner).toContain('WebGPU is not available');
    const { png, box } = await viewPixels(page);
    expect(
      distinctColours(png, box.x, box.y, box.x + box.width, box.y + box.height),
    ).toBeGreaterThan(300);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('a browser without navigator.gpu gets the banner and the CPU path', async () => {
    const context = await app.browser.newContext({ viewport: VIEWPORT });
    // As in a browser that ships no WebGPU at all.
    await context.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined });
    });
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(app.server.url);
    await page.locator('qw-app[data-phase="ready"]').waitFor({ timeout: 120_000 });
    await page.locator('qw-compare-view[data-backend="canvas2d"]').waitFor();
    await expect(page.locator('qw-app .banner').textContent()).resolves.toContain(
      'does not offer WebGPU',
    );
    await expect(page.locator('[data-testid="backend"]').textContent()).resolves.toBe(
      'CPU (Canvas 2D)',
    );
    expect(errors).toEqual([]);
    await context.close();
  });

  test('a lost GPU device is not fatal: the view falls back to Canvas 2D and says why', async () => {
    const { page, errors } = await openApp();
    await page.locator('qw-app').evaluate((app) => {
      (app as HTMLElementTagNameMap['qw-app']).gpu?.device.destroy();
    });
    await page.locator('qw-compare-view[data-backend="canvas2d"]').waitFor();
    await expect(page.locator('qw-app .banner').textContent()).resolves.toContain(
      'GPU device was lost',
    );
    await page.waitForTimeout(300);
    const { png, box } = await viewPixels(page);
    expect(
      distinctColours(png, box.x, box.y, box.x + box.width, box.y + box.height),
    ).toBeGreaterThan(300);
    expect(errors).toEqual([]);
    await page.close();
  });
});
