/**
 * For the e2e tier: build the app, serve it with `vite preview`, and drive the
 * system Chromium through playwright-core.
 */
import { rmSync } from 'node:fs';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_ARGS_HARDWARE, ensureChromium } from '../../scripts/chromium.ts';

export interface AppServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Builds the production bundle and serves it on a free localhost port. Each
 * test process builds into its own folder, so e2e files running at the same
 * time never empty each other's build.
 */
export async function serveProductionBuild(): Promise<AppServer> {
  const outDir = `dist-e2e/${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  await build({ logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server: PreviewServer = await preview({
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  });
  const url = server.resolvedUrls?.local[0];
  if (url === undefined) throw new Error('vite preview did not report a URL');
  return {
    url,
    close: async () => {
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

export async function launchChromium(): Promise<Browser> {
  const args = process.env['QW_GPU'] === 'hardware' ? CHROMIUM_ARGS_HARDWARE : CHROMIUM_ARGS;
  return chromium.launch({ executablePath: ensureChromium(), args: [...args], headless: true });
}

/** Collects console errors and uncaught page errors, which the tests assert empty. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page: ${error.message}`));
  return errors;
}

/**
 * For an e2e test file: builds and serves the app and launches Chromium once
 * before its tests, closes both after. Read `server` and `browser` inside tests.
 */
export function useAppInBrowser(): { readonly server: AppServer; readonly browser: Browser } {
  let server: AppServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    server = await serveProductionBuild();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    get server(): AppServer {
      if (server === undefined) throw new Error('The app server starts in beforeAll');
      return server;
    },
    get browser(): Browser {
      if (browser === undefined) throw new Error('Chromium starts in beforeAll');
      return browser;
    },
  };
}

/**
 * Hides the image view's labels, banners, divider, readout, compass, legend
 * and pier layer, so a screenshot of its stage holds only imagery and overlays.
 */
export async function hideViewHud(view: Locator): Promise<void> {
  await view.evaluate((element) => {
    const root = element.shadowRoot;
    if (root === null) return;
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(
      '.tag, .banner, .banner-wrap, .divider, .readout, qw-view-compass, qw-view-legend, .layer { visibility: hidden !important; }',
    );
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  });
}

/** A parameter's slider in the parameters panel. */
export function slider(page: Page, key: string): Locator {
  return page.locator(`qw-params-panel input[type="range"][name="${key}"]`);
}

/** Moves a slider as a drag does: sets the value and fires `input`. */
export async function moveSlider(page: Page, key: string, value: number): Promise<void> {
  await slider(page, key).evaluate((element, v) => {
    const input = element as HTMLInputElement;
    input.value = v;
    input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  }, String(value));
}
