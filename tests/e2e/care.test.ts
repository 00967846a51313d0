/**
 * Care (issue 5, point 10, and the pier table's row → zoom of point 6) on the
 * production build in headless Chromium: layout at 1280×720, keyboard and
 * accessible names (axe-core), the Content-Security-Policy (inline scripts and
 * foreign fetches refused, a GeoTIFF by URL from another origin still opens),
 * ROI names shown as text, and a pier-table row zooming the view to its pier.
 */
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { collectPageErrors, useAppInBrowser } from '../support/browser.ts';

const app = useAppInBrowser();

const SMALL_SCREEN = { width: 1280, height: 720 };
/** The analysis on two shared CPU cores (the CPU worker, `?gpu=off`). */
const TABLE_TIMEOUT_MS = 180_000;
const TEST_TIMEOUT_MS = 300_000;

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

interface Violation {
  readonly directive: string;
  readonly blocked: string;
}

/** Opens the app (bundled demo pair and piers), recording CSP violations, and waits for the table. */
async function openApp(
  viewport = SMALL_SCREEN,
): Promise<{ page: Page; errors: string[]; violations: () => Promise<Violation[]> }> {
  const page = await app.browser.newPage({ viewport });
  const errors = collectPageErrors(page);
  // The production build must not run Lit in development mode (it warns on the console).
  page.on('console', (message) => {
    if (/dev mode/i.test(message.text())) errors.push(`console: ${message.text()}`);
  });
  await page.addInitScript(() => {
    const seen: { directive: string; blocked: string }[] = [];
    (window as unknown as { qwViolations: typeof seen }).qwViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) => {
      seen.push({ directive: event.effectiveDirective, blocked: event.blockedURI });
    });
  });
  await page.goto(`${app.server.url}?gpu=off`);
  await page.locator('qw-pier-table tbody tr').first().waitFor({ timeout: TABLE_TIMEOUT_MS });
  const violations = (): Promise<Violation[]> =>
    page.evaluate(() => (window as unknown as { qwViolations: Violation[] }).qwViolations);
  return { page, errors, violations };
}

/**
 * A second local server on another port: the demo's TIFFs with CORS and HTTP
 * Range support, as a cloud-optimized GeoTIFF host would serve them.
 */
function startImageServer(): Promise<{ server: Server; origin: string; ranges: string[] }> {
  const ranges: string[] = [];
  const server = createServer((request, response) => {
    response.setHeader('Access-Control-Allow-Origin', '*');
    response.setHeader('Access-Control-Allow-Headers', 'Range');
    response.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length');
    if (request.method === 'OPTIONS') {
      response.writeHead(204).end();
      return;
    }
    const name = (request.url ?? '').split('?')[0];
    if (name !== '/before.tif' && name !== '/after.tif') {
      response.writeHead(404).end();
      return;
    }
    const bytes = readFileSync(`public/demo${name}`);
    const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
    if (range === null) {
      response.writeHead(200, { 'Content-Type': 'image/tiff', 'Accept-Ranges': 'bytes' });
      response.end(bytes);
      return;
    }
    const start = Number(range[1]);
    const end = Math.min(bytes.length - 1, range[2] === '' ? bytes.length - 1 : Number(range[2]));
    ranges.push(`${name} ${start}-${end}`);
    response.writeHead(206, {
      'Content-Type': 'image/tiff',
      'Accept-Ranges': 'bytes',
      'Content-Range': `bytes ${start}-${end}/${bytes.length}`,
    });
    response.end(bytes.subarray(start, end + 1));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, origin: `http://127.0.0.1:${port}`, ranges });
    });
  });
}

describe('care: layout, keyboard, accessibility, CSP, names as text, row → zoom', () => {
  let images: Awaited<ReturnType<typeof startImageServer>> | undefined;
  beforeAll(async () => {
    images = await startImageServer();
  });
  afterAll(async () => {
    await new Promise((resolve) => images?.server.close(resolve));
  });

  test(
    'at 1280×720 the view takes most of the height, no control sticks out, every stop of Tab has a name and a visible focus, axe finds nothing',
    async () => {
      const { page, errors, violations } = await openApp();
      await page.locator('qw-params-panel').waitFor();

      const view = await page.locator('qw-compare-view').boundingBox();
      expect(view, 'the view is laid out').not.toBeNull();
      expect(view?.height ?? 0).toBeGreaterThanOrEqual(0.6 * SMALL_SCREEN.height);
      expect(view?.width ?? 0).toBeGreaterThanOrEqual(0.55 * SMALL_SCREEN.width);

      // Every visible control lies inside the window and inside each clipping/scrolling box around it.
      const overflowing = await page.evaluate(() => {
        const all: Element[] = [];
        const walk = (root: Document | ShadowRoot): void => {
          for (const element of root.querySelectorAll('*')) {
            all.push(element);
            if (element.shadowRoot !== null) walk(element.shadowRoot);
          }
        };
        walk(document);
        const parentOf = (element: Element): Element | null =>
          element.assignedSlot ??
          element.parentElement ??
          (element.parentNode instanceof ShadowRoot ? element.parentNode.host : null);
        const controls = all.filter(
          (element) =>
            element.matches('button, input, select, textarea, a[href], [tabindex], summary') &&
            !(element instanceof HTMLInputElement && element.type === 'file'),
        );
        const problems: string[] = [];
        for (const control of controls) {
          const box = control.getBoundingClientRect();
          if (box.width === 0 || box.height === 0) continue;
          const name = `${control.localName}${control.id === '' ? '' : `#${control.id}`} "${(control.getAttribute('aria-label') ?? control.textContent).trim().slice(0, 40)}"`;
          if (box.left < -0.5 || box.right > window.innerWidth + 0.5) {
            problems.push(`${name} leaves the window (${box.left}..${box.right})`);
            continue;
          }
          for (let up = parentOf(control); up !== null; up = parentOf(up)) {
            if (getComputedStyle(up).overflowX === 'visible') continue;
            const clip = up.getBoundingClientRect();
            if (box.left < clip.left - 0.5 || box.right > clip.right + 0.5) {
              problems.push(
                `${name} (${Math.round(box.left)}..${Math.round(box.right)}) sticks out of ${up.localName}.${up.className} (${Math.round(clip.left)}..${Math.round(clip.right)})`,
              );
              break;
            }
          }
        }
        return problems;
      });
      expect(overflowing, overflowing.join('\n')).toEqual([]);

      // Tab through the whole page: each stop has an accessible name and a visible focus indicator.
      const stops: { what: string; name: string; indicator: string }[] = [];
      for (let press = 0; press < 250; press++) {
        await page.keyboard.press('Tab');
        const stop = await page.evaluate(() => {
          let focused: Element | null = document.activeElement;
          while (focused?.shadowRoot?.activeElement != null) {
            focused = focused.shadowRoot.activeElement;
          }
          if (focused === null || focused === document.body) return null;
          const root = focused.getRootNode() as Document | ShadowRoot;
          const text = (ids: string): string =>
            ids
              .split(/\s+/)
              .map((id) => root.getElementById(id)?.textContent ?? '')
              .join(' ');
          const labels = 'labels' in focused ? (focused as HTMLInputElement).labels : null;
          const name = [
            focused.getAttribute('aria-label') ?? '',
            text(focused.getAttribute('aria-labelledby') ?? ''),
            [...(labels ?? [])].map((label) => label.textContent).join(' '),
            focused instanceof HTMLInputElement ? '' : focused.textContent,
            focused.getAttribute('title') ?? '',
          ]
            .join(' ')
            .replace(/\s+/g, ' ')
            .trim();
          // The indicator may be drawn on the element, on a ::before/::after box over it (the
          // view's stage), or, for a hidden native input, on its label.
          const indicatorOf = (element: Element): string => {
            for (const pseudo of [null, '::before', '::after']) {
              const style = getComputedStyle(element, pseudo);
              if (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) {
                return `outline ${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}${pseudo ?? ''}`;
              }
              if (style.boxShadow !== 'none') return `box-shadow${pseudo ?? ''}`;
              if (
                pseudo !== null &&
                style.content !== 'none' &&
                parseFloat(style.borderTopWidth) > 0
              ) {
                return `border ${style.borderTopWidth}${pseudo}`;
              }
            }
            return '';
          };
          const parent = focused.parentElement;
          const indicator =
            indicatorOf(focused) ||
            (parent !== null && parent.localName === 'label' ? indicatorOf(parent) : '');
          const id = `${(root instanceof ShadowRoot ? root.host.localName + ' ' : '') + focused.localName}[${focused.getAttribute('type') ?? focused.getAttribute('name') ?? ''}]`;
          return { what: id, name: name.slice(0, 60), indicator };
        });
        if (stop === null && stops.length > 0) break;
        if (stop === null) continue;
        // Back at the first stop: the cycle through the page is complete.
        if (stops[0]?.what === stop.what && stops[0].name === stop.name) break;
        stops.push({ what: stop.what, name: stop.name, indicator: stop.indicator });
      }
      expect(stops.length, 'Tab reaches the controls').toBeGreaterThan(20);
      const nameless = stops.filter((stop) => stop.name === '').map((stop) => stop.what);
      expect(nameless, `focusable without an accessible name: ${nameless.join(', ')}`).toEqual([]);
      const invisible = stops.filter((stop) => stop.indicator === '').map((stop) => stop.what);
      expect(invisible, `focus not visible on: ${invisible.join(', ')}`).toEqual([]);
      // Outlines are the app's own ring (#7cc4ff, shared-styles.ts and the panels), not the
      // browser's default, which is hard to see on the dark panels.
      const otherRing = stops
        .filter(
          (stop) =>
            stop.indicator.startsWith('outline') && !stop.indicator.includes('rgb(124, 196, 255)'),
        )
        .map((stop) => `${stop.what}: ${stop.indicator}`);
      expect(otherRing, `focus ring not the app's on: ${otherRing.join(', ')}`).toEqual([]);
      // The keyboard reaches the pier table's rows (they zoom the view).
      expect(stops.some((stop) => stop.what.startsWith('qw-pier-table tr'))).toBe(true);

      // axe-core, injected through DevTools (the page's CSP refuses inline scripts, as it should).
      await page.evaluate(axeSource);
      const axeViolations = await page.evaluate(async () => {
        const axe = (
          window as unknown as {
            axe: {
              run: (
                context: Document,
                options: object,
              ) => Promise<{
                violations: { id: string; help: string; nodes: { target: unknown }[] }[];
              }>;
            };
          }
        ).axe;
        const result = await axe.run(document, {
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
        });
        return result.violations.map(
          (violation) =>
            `${violation.id} (${violation.help}): ${violation.nodes.map((node) => JSON.stringify(node.target)).join(' ')}`,
        );
      });
      expect(axeViolations, axeViolations.join('\n')).toEqual([]);
      await expect(violations()).resolves.toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'the built page ships a CSP: an inline script and a fetch to another origin are refused, a GeoTIFF by URL from that origin still opens',
    async () => {
      const server = images;
      if (server === undefined) throw new Error('the image server starts in beforeAll');
      const html = await (await fetch(app.server.url)).text();
      const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html);
      expect(meta, 'index.html has a CSP meta').not.toBeNull();
      const policy = (meta?.[1] ?? '').replaceAll('&#39;', "'");
      expect(policy).toContain("script-src 'self'");
      expect(policy).toContain("connect-src 'self' blob: data:");
      expect(policy).not.toContain('unsafe-inline');
      expect(policy).not.toMatch(/'unsafe-eval'/);

      const { page, errors, violations } = await openApp();
      // Nothing the app does by itself breaks the policy.
      await expect(violations()).resolves.toEqual([]);

      const inline = await page.evaluate(() => {
        const script = document.createElement('script');
        script.textContent = '(window).qwInlineRan = true;';
        document.head.append(script);
        return (window as unknown as { qwInlineRan?: boolean }).qwInlineRan === true;
      });
      expect(inline, 'an inline script ran').toBe(false);

      const foreign = await page.evaluate(async (url) => {
        try {
          await fetch(url);
          return 'fetched';
        } catch (error) {
          return `refused: ${String(error)}`;
        }
      }, `${server.origin}/before.tif`);
      expect(foreign).toMatch(/^refused/);
      // vite preview sends the policy as a header too, so each refusal may be reported once per copy.
      const distinct = async (): Promise<string[]> => [
        ...new Set((await violations()).map((seen) => `${seen.directive} ${seen.blocked}`)),
      ];
      await expect(distinct()).resolves.toEqual([
        'script-src-elem inline',
        `connect-src ${server.origin}/before.tif`,
      ]);

      // The analyst types the URL: the io worker fetches it with Range requests.
      const rangesBefore = server.ranges.length;
      const field = page.locator('qw-app input[type="url"]');
      await field.fill(`${server.origin}/after.tif`);
      await field.press('Enter');
      await expect
        .poll(
          () =>
            page
              .locator('qw-file-list')
              .evaluate((list) => list.shadowRoot?.textContent.replace(/\s+/g, ' ') ?? ''),
          { timeout: 60_000 },
        )
        // The second after.tif (the URL's) has its size and grid read from the remote file.
        .toMatch(/after\.tif.*after\.tif [\d.]+ KB · .*\d+×\d+×3 uint8/);
      expect(server.ranges.length, 'Range requests reached the second server').toBeGreaterThan(
        rangesBefore,
      );
      const fileText = await page
        .locator('qw-file-list')
        .evaluate((list) => list.shadowRoot?.textContent ?? '');
      expect(fileText).not.toMatch(/fail|error|refused/i);
      await expect(distinct()).resolves.toHaveLength(2);
      // The console reports the two refusals; nothing else went wrong.
      expect(errors.filter((error) => !/Content Security Policy/.test(error))).toEqual([]);
      await page.close();
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'a pier named like HTML shows as text; a click or Enter on its table row zooms the view to it',
    async () => {
      const { page, errors } = await openApp({ width: 1280, height: 800 });
      let dialogs = 0;
      page.on('dialog', (dialog) => {
        dialogs++;
        void dialog.dismiss();
      });
      const hostile = '<img src=x onerror=alert(1)>';
      const demo = JSON.parse(readFileSync('public/demo/piers.geojson', 'utf8')) as {
        features: { properties: { name: string } }[];
      };
      const renamed = {
        ...demo,
        features: demo.features.map((feature, index) =>
          index === 0
            ? { ...feature, properties: { ...feature.properties, name: hostile } }
            : feature,
        ),
      };
      await page.locator('qw-app header input[type="file"]').setInputFiles({
        name: 'hostile.geojson',
        mimeType: 'application/geo+json',
        buffer: Buffer.from(JSON.stringify(renamed)),
      });
      const firstRow = page.locator('qw-pier-table tbody tr').first();
      await expect
        .poll(() => firstRow.locator('td').first().textContent(), { timeout: TABLE_TIMEOUT_MS })
        .toBe(hostile);
      const images = await page.evaluate(() => {
        let count = 0;
        const walk = (root: Document | ShadowRoot): void => {
          count += root.querySelectorAll('img').length;
          for (const element of root.querySelectorAll('*')) {
            if (element.shadowRoot !== null) walk(element.shadowRoot);
          }
        };
        walk(document);
        return count;
      });
      expect(images, 'no <img> was made from the name').toBe(0);
      await expect(
        page
          .locator('qw-roi-list li input.name')
          .first()
          .evaluate((input) => (input as HTMLInputElement).value),
      ).resolves.toBe(hostile);
      // The label over the view is text too.
      await expect(
        page.locator('qw-roi-layer').evaluate((layer) => layer.shadowRoot?.textContent ?? ''),
      ).resolves.toContain(hostile);

      /** The view's state and the named pier's box in full-resolution before px (from the layer). */
      const viewAndPier = (name: string) =>
        page.evaluate((pierName) => {
          const appRoot = document.querySelector('qw-app')?.shadowRoot;
          const viewer = appRoot?.querySelector('qw-compare-view');
          const layer = appRoot?.querySelector('qw-roi-layer') as
            (Element & { rois: { name: string; polygons: number[][][][] }[] }) | null | undefined;
          if (viewer == null || layer == null) throw new Error('no view or pier layer');
          const pier = layer.rois.find((roi) => roi.name === pierName);
          if (pier === undefined) throw new Error(`no pier ${pierName}`);
          const points = pier.polygons.flat(2) as unknown as [number, number][];
          const xs = points.map((point) => point[0]);
          const ys = points.map((point) => point[1]);
          return {
            centre: viewer.viewState.centreImagePx,
            scale: viewer.viewState.scale,
            box: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)],
          };
        }, name);

      const inside = (centre: readonly number[], box: readonly number[]): boolean =>
        (centre[0] ?? NaN) >= (box[0] ?? NaN) &&
        (centre[0] ?? NaN) <= (box[2] ?? NaN) &&
        (centre[1] ?? NaN) >= (box[1] ?? NaN) &&
        (centre[1] ?? NaN) <= (box[3] ?? NaN);

      // A click on the third pier's row.
      const fitted = await viewAndPier('Pier 3');
      expect(inside(fitted.centre, fitted.box), 'the fitted view is not already on Pier 3').toBe(
        false,
      );
      await page.locator('qw-pier-table tbody tr[data-pier="Pier 3"]').click();
      await expect
        .poll(async () => {
          const now = await viewAndPier('Pier 3');
          return inside(now.centre, now.box) && now.scale > fitted.scale;
        })
        .toBe(true);

      // Enter on the focused first row (the hostile name) moves the view to that pier.
      const before = await viewAndPier(hostile);
      expect(inside(before.centre, before.box)).toBe(false);
      await firstRow.focus();
      await page.keyboard.press('Enter');
      await expect
        .poll(async () => {
          const now = await viewAndPier(hostile);
          return inside(now.centre, now.box) && now.scale > fitted.scale;
        })
        .toBe(true);
      expect(dialogs, 'no script ran from the name').toBe(0);
      expect(errors).toEqual([]);
      await page.close();
    },
    TEST_TIMEOUT_MS,
  );
});
