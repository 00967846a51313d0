/**
 * The image view in the built app: pan and zoom (wheel about the cursor,
 * drag, keys), the compare modes, the date toggle, the cursor readout, the
 * scale bar and north arrow, overlays, and rendering checks of fixed views
 * against expected PNGs (tests/e2e/expected/, written when missing).
 *
 * The view is pinned to a fixed size (position: fixed, 1000 × 640 CSS px)
 * so its pictures do not depend on the rest of the page's layout.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { collectPageErrors, hideViewHud, useAppInBrowser } from '../support/browser.ts';
import type { ViewState, ViewTransform } from '../../src/ui/qw-compare-view.ts';

const app = useAppInBrowser();

const VIEWPORT = { width: 1280, height: 800 };
const VIEW_SIZE = { width: 1000, height: 640 };
const EXPECTED_DIR = 'tests/e2e/expected';
/** Share of pixels pixelmatch may call different (anti-aliasing, rounding) before a rendering test fails. */
const MAX_DIFF_SHARE = 0.002;
/** SwiftShader draws every frame on the CPU, next to the app's own GPU analysis: generous time per test. */
const TEST_TIMEOUT_MS = 360_000;

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

async function openViewer(query = ''): Promise<{ page: Page; errors: string[]; view: Locator }> {
  const page = await app.browser.newPage({ viewport: VIEWPORT });
  const errors = collectPageErrors(page);
  // A screenshot waits for the GPU, which the app's own analysis keeps busy for a while on SwiftShader.
  page.setDefaultTimeout(120_000);
  await page.goto(`${app.server.url}${query}`);
  await page.locator('qw-app[data-phase="ready"]').waitFor({ timeout: 120_000 });
  // The pier analysis draws blob outlines over the view when it finishes: wait for it and
  // switch them off, so the pictures below show the imagery alone whatever the timing.
  await page.locator('qw-pier-table tbody tr').first().waitFor({ timeout: 120_000 });
  const blobs = page.locator('qw-overlay-controls input[type="checkbox"][name="blobs"]');
  await blobs.uncheck();
  const view = page.locator('qw-compare-view');
  await page.locator('qw-compare-view[data-backend]').waitFor();
  await view.evaluate((element, size) => {
    element.style.cssText = `position: fixed; left: 0; top: 0; width: ${size.width}px; height: ${size.height}px; z-index: 1000;`;
  }, VIEW_SIZE);
  await settle(view);
  return { page, errors, view };
}

/** Waits for the view to draw a frame and for the browser to present it. */
async function settle(view: Locator): Promise<void> {
  await view.evaluate(
    (element) =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          requestAnimationFrame(() => {
            requestAnimationFrame(() => {
              resolve();
            });
          });
        };
        const timer = setTimeout(done, 3000);
        element.addEventListener(
          'qw-frame',
          () => {
            clearTimeout(timer);
            done();
          },
          { once: true },
        );
        (element as HTMLElementTagNameMap['qw-compare-view']).requestUpdate();
      }),
  );
  await view.page().waitForTimeout(150);
}

async function stageBox(view: Locator): Promise<Box> {
  const box = await view.locator('.stage').boundingBox();
  if (box === null) throw new Error('the view stage is not laid out');
  return box;
}

async function stageShot(view: Locator): Promise<PNG> {
  const box = await stageBox(view);
  return PNG.sync.read(await view.page().screenshot({ clip: box }));
}

async function transformOf(view: Locator): Promise<ViewTransform> {
  return view.evaluate(
    (element) => (element as HTMLElementTagNameMap['qw-compare-view']).transform,
  );
}

async function setViewState(view: Locator, state: Partial<ViewState>): Promise<void> {
  await view.evaluate((element, change) => {
    const viewer = element as HTMLElementTagNameMap['qw-compare-view'];
    viewer.viewState = { ...viewer.viewState, ...change };
  }, state);
  await settle(view);
}

/** Hides the labels, readout, handle, compass, legend and slotted layers: only the drawn picture is left. */
async function hideHud(view: Locator): Promise<void> {
  await hideViewHud(view);
  await settle(view);
}

/** Clicks a mode's segment, as the analyst would. */
async function chooseMode(view: Locator, name: string): Promise<void> {
  await view
    .locator('.modes label')
    .filter({ hasText: new RegExp(`^${name}$`) })
    .click();
  await expect(view.getByRole('radio', { name, exact: true }).isChecked()).resolves.toBe(true);
  await settle(view);
}

async function setRange(slider: Locator, value: number): Promise<void> {
  await slider.evaluate((input, next) => {
    (input as HTMLInputElement).value = String(next);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

/** Mean absolute RGB difference between a region of `a` at (ax, ay) and one of `b` at (bx, by). */
function meanDifference(
  a: PNG,
  b: PNG,
  [ax, ay]: readonly [number, number],
  [bx, by]: readonly [number, number],
  width: number,
  height: number,
): number {
  let sum = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = ((ay + y) * a.width + ax + x) * 4;
      const j = ((by + y) * b.width + bx + x) * 4;
      for (let c = 0; c < 3; c++) sum += Math.abs(a.data[i + c]! - b.data[j + c]!);
    }
  }
  return sum / (width * height * 3);
}

/** Share of horizontally adjacent pixel pairs with the same colour: near 1 for magnified blocks. */
function sameNeighbourShare(
  png: PNG,
  x0: number,
  y0: number,
  width: number,
  height: number,
): number {
  let same = 0;
  let pairs = 0;
  for (let y = y0; y < y0 + height; y++) {
    for (let x = x0; x < x0 + width - 1; x++) {
      const i = (y * png.width + x) * 4;
      const j = i + 4;
      pairs++;
      if (
        png.data[i] === png.data[j] &&
        png.data[i + 1] === png.data[j + 1] &&
        png.data[i + 2] === png.data[j + 2]
      ) {
        same++;
      }
    }
  }
  return same / pairs;
}

function distinctColours(png: PNG, x0: number, y0: number, width: number, height: number): number {
  const seen = new Set<number>();
  for (let y = y0; y < y0 + height; y++) {
    for (let x = x0; x < x0 + width; x++) {
      const i = (y * png.width + x) * 4;
      seen.add((png.data[i]! << 16) | (png.data[i + 1]! << 8) | png.data[i + 2]!);
    }
  }
  return seen.size;
}

/**
 * Compares a picture with tests/e2e/expected/NAME.png under pixelmatch's
 * colour threshold; writes the expected file (and says so) when it is missing.
 */
function expectMatchesPng(actual: PNG, name: string): void {
  const path = `${EXPECTED_DIR}/${name}.png`;
  if (!existsSync(path)) {
    // On CI a missing picture is a failure: writing it there would compare nothing.
    if (process.env['CI'] !== undefined && process.env['CI'] !== '') {
      throw new Error(
        `${path} is missing: run this test locally (without CI) to write it, check it by eye, commit it`,
      );
    }
    mkdirSync(EXPECTED_DIR, { recursive: true });
    writeFileSync(path, PNG.sync.write(actual));
    console.warn(`viewer.test: wrote the missing expected picture ${path}; check it by eye.`);
    return;
  }
  const expected = PNG.sync.read(readFileSync(path));
  expect([actual.width, actual.height], `size of ${name}`).toEqual([
    expected.width,
    expected.height,
  ]);
  const diff = new PNG({ width: actual.width, height: actual.height });
  const different = pixelmatch(actual.data, expected.data, diff.data, actual.width, actual.height, {
    threshold: 0.1,
  });
  const share = different / (actual.width * actual.height);
  if (share > MAX_DIFF_SHARE) {
    mkdirSync('reports', { recursive: true });
    writeFileSync(`reports/viewer-${name}-actual.png`, PNG.sync.write(actual));
    writeFileSync(`reports/viewer-${name}-diff.png`, PNG.sync.write(diff));
  }
  expect(share, `${name}: share of pixels unlike ${path}`).toBeLessThanOrEqual(MAX_DIFF_SHARE);
}

describe('image view: pan, zoom, compare, readout (production build, headless Chromium)', () => {
  test(
    'wheel zoom magnifies about the cursor into single-pixel blocks; a drag pans; a click reports image px',
    async () => {
      const { page, errors, view } = await openViewer();
      await hideHud(view);
      const box = await stageBox(view);
      const fitted = await transformOf(view);
      const fitShot = await stageShot(view);

      // The cursor over a pier left of the divider; the image point under it stays put.
      // Whole CSS pixels: mouse events carry integer client coordinates.
      const at = {
        x: Math.round(box.x + box.width * 0.3),
        y: Math.round(box.y + box.height * 0.55),
      };
      const imageAt = (t: ViewTransform): [number, number] => [
        (at.x - box.x - t.originX) / t.scale,
        (at.y - box.y - t.originY) / t.scale,
      ];
      await page.mouse.move(at.x, at.y);
      for (let i = 0; i < 8; i++) await page.mouse.wheel(0, -300);
      await settle(view);
      const zoomed = await transformOf(view);
      expect(zoomed.scale).toBeGreaterThan(fitted.scale * 15);
      const [x0, y0] = imageAt(fitted);
      const [x1, y1] = imageAt(zoomed);
      expect(Math.abs(x1 - x0)).toBeLessThan(0.5);
      expect(Math.abs(y1 - y0)).toBeLessThan(0.5);

      // Magnified, one image pixel is a block of ~20 screen pixels (nearest neighbour).
      const zoomShot = await stageShot(view);
      const region = [
        Math.round(box.width * 0.3) - 100,
        Math.round(box.height * 0.55) - 100,
        200,
        200,
      ] as const;
      const fitSame = sameNeighbourShare(fitShot, ...region);
      const zoomSame = sameNeighbourShare(zoomShot, ...region);
      expect(zoomSame).toBeGreaterThan(0.8);
      expect(zoomSame).toBeGreaterThan(fitSame + 0.3);
      expect(distinctColours(zoomShot, ...region)).toBeLessThan(
        distinctColours(fitShot, ...region),
      );

      // A drag pans: the picture follows the pointer by the same CSS pixels.
      const clicks: { x: number; y: number }[] = [];
      await page.exposeFunction('recordImageClick', (detail: { x: number; y: number }) => {
        clicks.push(detail);
      });
      await view.evaluate((element) => {
        element.addEventListener('qw-image-click', (event) => {
          void (
            window as unknown as { recordImageClick: (d: unknown) => Promise<void> }
          ).recordImageClick((event as CustomEvent).detail);
        });
      });
      await page.mouse.move(box.x + 150, box.y + 150);
      await page.mouse.down();
      await page.mouse.move(box.x + 270, box.y + 210, { steps: 6 });
      await page.mouse.up();
      await settle(view);
      const panned = await transformOf(view);
      expect(panned.scale).toBe(zoomed.scale);
      expect(panned.originX - zoomed.originX).toBeCloseTo(120, 0);
      expect(panned.originY - zoomed.originY).toBeCloseTo(60, 0);
      const panShot = await stageShot(view);
      expect(meanDifference(zoomShot, panShot, [40, 60], [160, 120], 200, 200)).toBeLessThan(1);
      expect(clicks).toEqual([]);

      // A click that is not a drag reports the image position under it.
      await page.mouse.click(box.x + 200, box.y + 300);
      await expect.poll(() => clicks.length).toBe(1);
      const click = clicks[0]!;
      expect(click.x).toBeCloseTo((200 - panned.originX) / panned.scale, 1);
      expect(click.y).toBeCloseTo((300 - panned.originY) / panned.scale, 1);
      expect(errors).toEqual([]);
      await page.close();
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'keyboard: + and − zoom about the centre, arrows pan, 0 fits; pinch zooms; qw-view-change carries the state',
    async () => {
      const { page, errors, view } = await openViewer();
      await view.evaluate((element) => {
        (window as unknown as { changes: unknown[] }).changes = [];
        element.addEventListener('qw-view-change', (event) => {
          (window as unknown as { changes: unknown[] }).changes.push((event as CustomEvent).detail);
        });
      });
      const fitted = await transformOf(view);
      await view.locator('.stage').focus();
      await page.keyboard.press('+');
      await page.keyboard.press('+');
      await settle(view);
      const zoomed = await transformOf(view);
      expect(zoomed.scale).toBeCloseTo(fitted.scale * 2.25, 6);
      await page.keyboard.press('ArrowRight');
      await settle(view);
      const panned = await transformOf(view);
      expect(panned.originX).toBeLessThan(zoomed.originX);
      expect(panned.originY).toBe(zoomed.originY);
      await page.keyboard.press('-');
      await settle(view);
      expect((await transformOf(view)).scale).toBeCloseTo(fitted.scale * 1.5, 6);
      await page.keyboard.press('0');
      await settle(view);
      const refitted = await transformOf(view);
      expect(refitted.scale).toBeCloseTo(fitted.scale, 9);
      expect(refitted.originX).toBeCloseTo(fitted.originX, 6);

      const changes = await page.evaluate(
        () =>
          (window as unknown as { changes: { transform: ViewTransform; state: ViewState }[] })
            .changes,
      );
      expect(changes.length).toBeGreaterThanOrEqual(4);
      const last = changes[changes.length - 1]!;
      expect(last.transform.scale).toBeCloseTo(fitted.scale, 9);
      expect(last.state.mode).toBe('swipe');
      expect(last.state.centreImagePx[0]).toBeCloseTo(700, 3);
      expect(last.state.centreImagePx[1]).toBeCloseTo(500, 3);

      // Two pointers moving apart zoom about their midpoint (pinch).
      const stage = await stageBox(view);
      const mid = { x: stage.x + 400, y: stage.y + 300 };
      const beforePinch = await transformOf(view);
      await view.locator('.stage').evaluate((element, centre) => {
        const fire = (type: string, pointerId: number, dx: number): void => {
          element.dispatchEvent(
            new PointerEvent(type, {
              pointerId,
              pointerType: 'touch',
              clientX: centre.x + dx,
              clientY: centre.y,
              bubbles: true,
              composed: true,
            }),
          );
        };
        fire('pointerdown', 11, -50);
        fire('pointerdown', 12, 50);
        for (let step = 1; step <= 5; step++) {
          fire('pointermove', 11, -50 - 10 * step);
          fire('pointermove', 12, 50 + 10 * step);
        }
        fire('pointerup', 11, -100);
        fire('pointerup', 12, 100);
      }, mid);
      await settle(view);
      const pinched = await transformOf(view);
      expect(pinched.scale / beforePinch.scale).toBeCloseTo(2, 6);
      const under = (t: ViewTransform): number => (mid.x - stage.x - t.originX) / t.scale;
      expect(under(pinched)).toBeCloseTo(under(beforePinch), 6);

      // The state round-trips: set it, read it back.
      await setViewState(view, {
        mode: 'onion',
        centreImagePx: [400, 300],
        scale: 3,
        onionOpacity: 0.3,
      });
      const state = await view.evaluate(
        (element) => (element as HTMLElementTagNameMap['qw-compare-view']).viewState,
      );
      expect(state.mode).toBe('onion');
      expect(state.scale).toBeCloseTo(3, 9);
      expect(state.centreImagePx[0]).toBeCloseTo(400, 6);
      expect(state.centreImagePx[1]).toBeCloseTo(300, 6);
      expect(state.onionOpacity).toBeCloseTo(0.3, 9);
      // zoomToRect shows a pier-sized rectangle.
      await view.evaluate((element) => {
        (element as HTMLElementTagNameMap['qw-compare-view']).zoomToRect([600, 400, 200, 100]);
      });
      await settle(view);
      const onPier = await transformOf(view);
      expect((600 + 100) * onPier.scale + onPier.originX).toBeCloseTo(stage.width / 2, 3);
      expect(200 * onPier.scale).toBeLessThanOrEqual(stage.width);
      expect(errors).toEqual([]);
      await page.close();
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'each compare mode changes the picture; blink alternates its labels; T toggles the date',
    async () => {
      const { page, errors, view } = await openViewer();
      mkdirSync('docs', { recursive: true });
      const swipe = await stageShot(view);
      await view.screenshot({ path: 'docs/mode-swipe.png' });
      const box = await stageBox(view);
      const whole = [0, 40, Math.round(box.width), Math.round(box.height) - 80] as const;
      const left = [20, 60, Math.round(box.width / 2) - 40, Math.round(box.height) - 120] as const;

      await chooseMode(view, 'Side by side');
      const side = await stageShot(view);
      await view.screenshot({ path: 'docs/mode-side.png' });
      expect(
        meanDifference(swipe, side, [whole[0], whole[1]], [whole[0], whole[1]], whole[2], whole[3]),
      ).toBeGreaterThan(2);

      await chooseMode(view, 'Onion skin');
      const onion = await stageShot(view);
      await view.screenshot({ path: 'docs/mode-onion.png' });
      // Left of the divider swipe shows the before image alone; onion mixes in the after image.
      expect(
        meanDifference(swipe, onion, [left[0], left[1]], [left[0], left[1]], left[2], left[3]),
      ).toBeGreaterThan(0.5);
      await setRange(view.getByRole('slider', { name: /Opacity of the after image/ }), 100);
      await settle(view);
      const onionFull = await stageShot(view);
      expect(
        meanDifference(onion, onionFull, [left[0], left[1]], [left[0], left[1]], left[2], left[3]),
      ).toBeGreaterThan(0.3);

      await chooseMode(view, 'Blink');
      await setViewState(view, { blinkRateHz: 4 });
      const seen = new Set<string>();
      await expect
        .poll(
          async () => {
            seen.add((await view.locator('.date-banner').textContent({ timeout: 2000 })) ?? '');
            return [...seen].sort();
          },
          { timeout: 20_000, interval: 110 },
        )
        .toEqual(['AFTER · 16 Oct 2023', 'BEFORE · 13 Oct 2023']);
      await view.screenshot({ path: 'docs/mode-blink.png' });
      await setRange(view.getByRole('slider', { name: /Blink rate/ }), 1);
      await expect(
        view.evaluate(
          (element) => (element as HTMLElementTagNameMap['qw-compare-view']).viewState.blinkRateHz,
        ),
      ).resolves.toBe(1);

      // T in swipe mode: the after image full-frame, then the before image, Esc back to swipe.
      await chooseMode(view, 'Swipe');
      await expect(view.locator('.date-banner').count()).resolves.toBe(0);
      await view.locator('.stage').focus();
      await page.keyboard.press('t');
      await settle(view);
      await expect(view.locator('.date-banner').textContent()).resolves.toBe('AFTER · 16 Oct 2023');
      const afterOnly = await stageShot(view);
      // Left of the divider the picture turned from before to after.
      expect(
        meanDifference(swipe, afterOnly, [left[0], left[1]], [left[0], left[1]], left[2], left[3]),
      ).toBeGreaterThan(0.5);
      await page.keyboard.press('t');
      await settle(view);
      await expect(view.locator('.date-banner').textContent()).resolves.toBe(
        'BEFORE · 13 Oct 2023',
      );
      await page.keyboard.press('Escape');
      await settle(view);
      await expect(view.locator('.date-banner').count()).resolves.toBe(0);
      await expect(view.locator('.label').first().textContent()).resolves.toBe(
        'BEFORE · 13 Oct 2023',
      );
      // Space shows the other date only while held.
      await page.keyboard.down(' ');
      await expect(view.locator('.date-banner').textContent()).resolves.toBe('AFTER · 16 Oct 2023');
      await page.keyboard.up(' ');
      await expect(view.locator('.date-banner').count()).resolves.toBe(0);
      // The mode switcher is a radio group with accessible names, reachable by keyboard.
      await expect(
        view.getByRole('radio', { name: 'Swipe', exact: true }).isChecked(),
      ).resolves.toBe(true);
      await view.getByRole('radio', { name: 'Swipe', exact: true }).focus();
      await page.keyboard.press('ArrowRight');
      await expect(view.getAttribute('data-mode')).resolves.toBe('blink');
      expect(errors).toEqual([]);
      await page.close();
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'the cursor readout gives UTM and lon/lat of the demo; scale bar and north arrow are shown',
    async () => {
      const { page, errors, view } = await openViewer();
      const box = await stageBox(view);
      const t = await transformOf(view);
      const sx = box.width * 0.45;
      const sy = box.height * 0.5;
      await page.mouse.move(box.x + sx, box.y + sy);
      const readout = view.locator('[data-testid="cursor-readout"]');
      await expect.poll(() => readout.textContent()).toMatch(/EPSG:32652/);
      const text = (await readout.textContent()) ?? '';
      const match =
        /^E ([\d ]+\.\d) N ([\d ]+\.\d) \(EPSG:32652\) · ([\d.]+)° N ([\d.]+)° E · px ([\d.]+), ([\d.]+)$/.exec(
          text,
        );
      expect(match, text).not.toBeNull();
      const [, easting, northing, lat, lon, col, row] = match!;
      const number = (value: string | undefined): number => Number((value ?? '').replace(/ /g, ''));
      // The demo grid: origin (607274, 4677853), 0.5 m pixels, north-up.
      const expectedCol = (sx - t.originX) / t.scale;
      const expectedRow = (sy - t.originY) / t.scale;
      expect(number(col)).toBeCloseTo(expectedCol, 0);
      expect(number(row)).toBeCloseTo(expectedRow, 0);
      expect(Math.abs(number(easting) - (607274 + 0.5 * number(col)))).toBeLessThan(0.1);
      expect(Math.abs(number(northing) - (4677853 - 0.5 * number(row)))).toBeLessThan(0.1);
      expect(number(lat)).toBeGreaterThan(42.1);
      expect(number(lat)).toBeLessThan(42.3);
      expect(number(lon)).toBeGreaterThan(130.2);
      expect(number(lon)).toBeLessThan(130.4);

      const bar = view.locator('qw-view-compass .scale-bar');
      await expect(bar.locator('.scale-label').textContent()).resolves.toMatch(
        /^(1|2|5)0* (m|km)$/,
      );
      const barWidth = (await bar.locator('.bar').boundingBox())?.width ?? 0;
      const label = (await bar.locator('.scale-label').textContent()) ?? '';
      const metres = Number.parseFloat(label) * (label.endsWith('km') ? 1000 : 1);
      // 0.5 m per image pixel (÷ the UTM scale factor) at `scale` CSS px per image pixel.
      expect(barWidth).toBeCloseTo((metres / 0.50013) * t.scale, 0);
      const arrow = view.locator('qw-view-compass .north-arrow');
      const degrees = Number(await arrow.getAttribute('data-degrees'));
      expect(degrees).toBeLessThan(0);
      expect(degrees).toBeGreaterThan(-1.5);
      await expect(arrow.getAttribute('aria-label')).resolves.toMatch(
        /^North is 0\.\d° anticlockwise from up$/,
      );
      expect(errors).toEqual([]);
      await page.close();
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'overlays are drawn over the imagery with a legend; an undated label can be given a date',
    async () => {
      const { page, errors, view } = await openViewer();
      await hideHud(view);
      const plain = await stageShot(view);
      await view.evaluate((element) => {
        // A 4 × 2 overlay: red and transparent columns, over the image's left half.
        const rgba = new Uint8ClampedArray(4 * 2 * 4);
        for (let i = 0; i < 8; i++) {
          if (i % 2 === 0) rgba.set([255, 0, 0, 255], i * 4);
        }
        (element as HTMLElementTagNameMap['qw-compare-view']).overlays = [
          {
            id: 'test',
            label: 'Test overlay',
            image: { width: 4, height: 2, rgba },
            rectImagePx: [0, 0, 700, 1000],
            opacity: 0.5,
            visible: true,
            legend: [{ colour: '#ff0000', text: 'red stripes' }],
          },
        ];
      });
      await settle(view);
      const overlaid = await stageShot(view);
      const t = await transformOf(view);
      // Sample the middle of the first (red) stripe: 0..175 image px.
      const sx = Math.round(t.originX + 87 * t.scale);
      const sy = Math.round(t.originY + 500 * t.scale);
      const i = (sy * overlaid.width + sx) * 4;
      const j = (sy * plain.width + sx) * 4;
      expect(overlaid.data[i]!).toBeGreaterThan(plain.data[j]! + 40);
      expect(overlaid.data[i + 1]!).toBeLessThan(plain.data[j + 1]! + 1);
      // The transparent stripe next to it is untouched.
      const sx2 = Math.round(t.originX + 262 * t.scale);
      const k = (sy * overlaid.width + sx2) * 4;
      expect(Math.abs(overlaid.data[k]! - plain.data[k]!)).toBeLessThan(3);
      await expect(view.locator('qw-view-legend li').textContent()).resolves.toContain(
        'Test overlay',
      );
      await expect(view.locator('qw-view-legend li').textContent()).resolves.toContain(
        'red stripes',
      );
      expectMatchesPng(overlaid, 'overlay');

      // Typing a date for an image relabels it and says so in an event.
      await view.evaluate((element) => {
        element.addEventListener('qw-date-change', (event) => {
          (window as unknown as { dated: unknown }).dated = (event as CustomEvent).detail;
        });
      });
      await view.evaluate((element) => {
        const sheet = element.shadowRoot?.adoptedStyleSheets.at(-1);
        if (sheet !== undefined) sheet.replaceSync('');
      });
      await view.getByRole('button', { name: 'Type the date of the after image' }).click();
      await view.locator('input[type="date"]').fill('2023-10-17');
      await expect(view.locator('.label').nth(1).textContent()).resolves.toBe(
        'AFTER · 17 Oct 2023',
      );
      await expect(
        page.evaluate(() => (window as unknown as { dated: unknown }).dated),
      ).resolves.toEqual({
        role: 'after',
        date: '2023-10-17',
        label: 'AFTER · 17 Oct 2023',
      });
      expect(errors).toEqual([]);
      await page.close();
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'rendering: fixed views match the expected pictures (WebGPU)',
    async () => {
      const { page, errors, view } = await openViewer();
      await hideHud(view);
      await setViewState(view, {
        mode: 'swipe',
        centreImagePx: [700, 500],
        scale: 0.55,
        dividerFraction: 0.5,
      });
      expectMatchesPng(await stageShot(view), 'swipe');
      await setViewState(view, { mode: 'side', centreImagePx: [640, 520], scale: 0.45 });
      expectMatchesPng(await stageShot(view), 'side');
      await setViewState(view, {
        mode: 'onion',
        centreImagePx: [700, 500],
        scale: 0.55,
        onionOpacity: 0.5,
      });
      expectMatchesPng(await stageShot(view), 'onion');
      // Magnified 24×: single pixels as blocks, the divider across them.
      await setViewState(view, {
        mode: 'swipe',
        centreImagePx: [651.5, 402.5],
        scale: 24,
        dividerFraction: 0.4,
      });
      const magnified = await stageShot(view);
      expectMatchesPng(magnified, 'magnified');
      await view.screenshot({ path: 'docs/view-magnified.png' });
      expect(sameNeighbourShare(magnified, 20, 20, 300, 300)).toBeGreaterThan(0.9);
      expect(errors).toEqual([]);
      await page.close();
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'rendering: the Canvas 2D fallback draws the same views',
    async () => {
      const { page, errors, view } = await openViewer('?gpu=off');
      await expect(view.getAttribute('data-backend')).resolves.toBe('canvas2d');
      await hideHud(view);
      await setViewState(view, { mode: 'side', centreImagePx: [640, 520], scale: 0.45 });
      const side = await stageShot(view);
      expectMatchesPng(side, 'canvas2d-side');
      await setViewState(view, {
        mode: 'swipe',
        centreImagePx: [651.5, 402.5],
        scale: 24,
        dividerFraction: 0.4,
      });
      const magnified = await stageShot(view);
      expectMatchesPng(magnified, 'canvas2d-magnified');
      expect(sameNeighbourShare(magnified, 20, 20, 300, 300)).toBeGreaterThan(0.9);
      // Close to the WebGPU picture where both exist (different rasterizers: loose bound).
      const gpuMagnified = `${EXPECTED_DIR}/magnified.png`;
      if (existsSync(gpuMagnified)) {
        const reference = PNG.sync.read(readFileSync(gpuMagnified));
        expect(
          meanDifference(magnified, reference, [0, 0], [0, 0], reference.width, reference.height),
        ).toBeLessThan(6);
      }
      expect(errors).toEqual([]);
      await page.close();
    },
    TEST_TIMEOUT_MS,
  );
});
