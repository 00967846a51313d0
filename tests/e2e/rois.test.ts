import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { collectPageErrors, useAppInBrowser } from '../support/browser.ts';
import { pierTableNumbers } from '../support/pier-table.ts';

const app = useAppInBrowser();

// Tall enough for a roomy view above the pier list and the parameters.
const VIEWPORT = { width: 1280, height: 1400 };
/** One analysis on the CPU twins takes seconds; WebGPU on SwiftShader about a minute. */
const ANALYSIS_TIMEOUT = { timeout: 120_000 };

type Position = [number, number];

interface LayerView {
  transform: { scale: number; originX: number; originY: number };
  pane: { x: number; y: number };
  box: { x: number; y: number };
}

/** Image pixels of the before image → page CSS pixels, through the layer's transform. */
async function imageToPage(page: Page): Promise<(x: number, y: number) => Position> {
  const view = await page.locator('qw-roi-layer').evaluate((element): LayerView => {
    const layer = element as HTMLElement & {
      activeTransform: LayerView['transform'];
      panes: readonly { x: number; y: number }[] | undefined;
    };
    const box = layer.getBoundingClientRect();
    return {
      transform: layer.activeTransform,
      pane: layer.panes?.[0] ?? { x: 0, y: 0 },
      box: { x: box.x, y: box.y },
    };
  });
  const { transform, pane, box } = view;
  return (x, y) => [
    box.x + pane.x + transform.originX + transform.scale * x,
    box.y + pane.y + transform.originY + transform.scale * y,
  ];
}

/** The exterior ring of the pier with `name` on the layer, image pixels. */
async function layerRing(page: Page, name: string): Promise<Position[]> {
  return page.locator('qw-roi-layer').evaluate((element, wanted) => {
    const layer = element as HTMLElement & {
      rois: readonly { name: string; polygons: Position[][][] }[];
    };
    return layer.rois.find((roi) => roi.name === wanted)?.polygons[0]?.[0] ?? [];
  }, name);
}

/** Drags with the mouse from one page position to another. */
async function drag(page: Page, from: Position, to: Position): Promise<void> {
  await page.mouse.move(from[0], from[1]);
  await page.mouse.down();
  await page.mouse.move((from[0] + to[0]) / 2, (from[1] + to[1]) / 2, { steps: 3 });
  await page.mouse.move(to[0], to[1], { steps: 3 });
  await page.mouse.up();
}

async function centreOf(page: Page, selector: string): Promise<Position> {
  const box = await page.locator(selector).boundingBox();
  if (box === null) throw new Error(`${selector} is not on screen`);
  return [box.x + box.width / 2, box.y + box.height / 2];
}

/** "N rows: <the table's caption or the analysis status>", so a failed wait says why. */
async function tableState(page: Page): Promise<string> {
  const rows = await page.locator('qw-pier-table tbody tr').count();
  const caption =
    rows > 0
      ? await page.locator('qw-pier-table caption').textContent()
      : await page
          .locator('qw-app .piers .status .status-text')
          .textContent({ timeout: 1000 })
          .catch(() => '');
  return `${rows} rows: ${(caption ?? '').trim()}`;
}

/** Waits until a finished analysis shows exactly these piers in the table, in this order. */
async function waitForNames(page: Page, names: readonly string[]): Promise<void> {
  const summary = async (): Promise<string> =>
    `${(await tableNames(page)).join(' | ')} :: ${await tableState(page)}`;
  const escaped = names.join(' | ').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  await expect.poll(summary, ANALYSIS_TIMEOUT).toMatch(new RegExp(`^${escaped} :: .*analysed`));
}

/** Waits until the pier table has `count` rows from a finished analysis. */
async function waitForRows(page: Page, count: number): Promise<void> {
  await expect
    .poll(() => tableState(page), ANALYSIS_TIMEOUT)
    .toMatch(new RegExp(`^${count} rows: .*analysed`));
}

/** The pier table's numbers per pier name: [before, after, appeared, disappeared, net]. */
async function tableNumbers(page: Page): Promise<Record<string, number[]>> {
  return Object.fromEntries((await pierTableNumbers(page)).map((row) => [row.name, row.values]));
}

async function tableNames(page: Page): Promise<string[]> {
  return Object.keys(await tableNumbers(page));
}

async function listNames(page: Page): Promise<string[]> {
  return page
    .locator('qw-roi-list li input.name')
    .evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value));
}

/** Twice the signed area (shoelace) of a closed ring, positive for counter-clockwise. */
function signedArea2(ring: readonly Position[]): number {
  let sum = 0;
  for (let k = 0; k + 1 < ring.length; k++) {
    sum += ring[k]![0] * ring[k + 1]![1] - ring[k + 1]![0] * ring[k]![1];
  }
  return sum;
}

describe('piers: draw, edit, undo, export (CPU analysis, ?gpu=off)', () => {
  test('a drawn pier is analysed, renamed, undone, redone, reshaped, deleted and exported', async () => {
    const page = await app.browser.newPage({ viewport: VIEWPORT, acceptDownloads: true });
    const errors = collectPageErrors(page);
    await page.goto(`${app.server.url}?gpu=off`);
    const rows = page.locator('qw-pier-table tbody tr');
    await rows.first().waitFor(ANALYSIS_TIMEOUT);
    await expect(tableNames(page)).resolves.toEqual(['Pier 1', 'Pier 2', 'Pier 3']);
    await expect(listNames(page)).resolves.toEqual(['Pier 1', 'Pier 2', 'Pier 3']);
    // Outlines and names are drawn over the view.
    await expect(page.locator('qw-roi-layer .roi .name').allTextContents()).resolves.toEqual([
      'Pier 1',
      'Pier 2',
      'Pier 3',
    ]);
    let toPage = await imageToPage(page);

    // Draw a rectangle on the water between Pier 1 and Pier 2 (image px 380..540 × 300..600).
    await page.locator('qw-roi-list button[data-tool="rectangle"]').click();
    const [x0, y0] = toPage(380, 300);
    const [x1, y1] = toPage(540, 600);
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    await page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, { steps: 4 });
    await page.mouse.move(x1, y1, { steps: 4 });
    await page.mouse.up();
    await expect(listNames(page)).resolves.toEqual(['Pier 1', 'Pier 2', 'Pier 3', 'Pier 4']);
    // The new pier is selected, with its handles, and the edit tool is on.
    await expect(
      page.locator('qw-roi-list button[data-tool="edit"]').getAttribute('aria-pressed'),
    ).resolves.toBe('true');
    await expect(page.locator('qw-roi-layer .handle.vertex').count()).resolves.toBe(4);
    const drawn = await layerRing(page, 'Pier 4');
    expect(drawn).toHaveLength(4);
    await waitForNames(page, ['Pier 1', 'Pier 2', 'Pier 3', 'Pier 4']);
    await expect(tableNames(page)).resolves.toContain('Pier 4');
    await expect(page.locator('qw-pier-table caption').textContent()).resolves.toContain(
      'piers.geojson (edited)',
    );

    // Rename it in the list; the name is text, never HTML.
    const name = 'Crane yard <b>9</b>';
    const field = page.locator('qw-roi-list li[data-pier="Pier 4"] input.name');
    await field.fill(name);
    await field.press('Enter');
    await waitForNames(page, ['Pier 1', 'Pier 2', 'Pier 3', name]);
    await expect(page.locator('qw-roi-layer .roi .name').last().textContent()).resolves.toBe(name);
    await expect(page.locator('qw-roi-layer b').count()).resolves.toBe(0);
    await expect(page.locator('qw-pier-table b').count()).resolves.toBe(0);

    // Undo (the button) puts the old name back; redo (Ctrl+Shift+Z) the new one.
    await page.locator('qw-roi-list button[data-action="undo"]').click();
    await expect(listNames(page)).resolves.toContain('Pier 4');
    await waitForNames(page, ['Pier 1', 'Pier 2', 'Pier 3', 'Pier 4']);
    await page.keyboard.press('Control+Shift+Z');
    await expect(listNames(page)).resolves.toContain(name);
    await waitForNames(page, ['Pier 1', 'Pier 2', 'Pier 3', name]);
    // Undo twice (Ctrl+Z): the pier is gone; Ctrl+Y brings it back.
    await page.keyboard.press('Control+Z');
    await page.keyboard.press('Control+Z');
    await expect(listNames(page)).resolves.toEqual(['Pier 1', 'Pier 2', 'Pier 3']);
    await waitForNames(page, ['Pier 1', 'Pier 2', 'Pier 3']);
    await page.keyboard.press('Control+Y');
    await page.keyboard.press('Control+Y');
    await expect(listNames(page)).resolves.toEqual(['Pier 1', 'Pier 2', 'Pier 3', name]);
    await waitForNames(page, ['Pier 1', 'Pier 2', 'Pier 3', name]);

    // Drag the whole pier 40 image px to the right (edit tool, select it in the list first).
    await page.locator(`qw-roi-list li[data-pier="${name}"] button.select`).click();
    const tolerance =
      2 /
      (await page.locator('qw-roi-layer').evaluate((element) => {
        return (element as HTMLElement & { activeTransform: { scale: number } }).activeTransform
          .scale;
      })); // two CSS pixels of mouse rounding
    toPage = await imageToPage(page); // the view resizes as the lists grow
    await drag(page, toPage(460, 450), toPage(500, 450));
    await expect
      .poll(async () => (await layerRing(page, name))[0]?.[0] ?? 0)
      .toBeGreaterThan((drawn[0]?.[0] ?? 0) + 40 - tolerance);
    const moved = await layerRing(page, name);
    moved.forEach(([x, y], k) => {
      expect(Math.abs(x - (drawn[k]?.[0] ?? 0) - 40)).toBeLessThan(tolerance);
      expect(Math.abs(y - (drawn[k]?.[1] ?? 0))).toBeLessThan(tolerance);
    });
    // Drag the midpoint handle of its top edge up: a fifth vertex; double-click it away again.
    const midpoint = 'qw-roi-layer .handle.midpoint[data-vertex="1"]';
    const [mx, my] = await centreOf(page, midpoint);
    await drag(page, [mx, my], [mx, my - 30]);
    await expect(page.locator('qw-roi-layer .handle.vertex').count()).resolves.toBe(5);
    const inserted = await layerRing(page, name);
    expect(inserted[1]?.[1]).toBeLessThan(300);
    const [vx, vy] = await centreOf(page, 'qw-roi-layer .handle.vertex[data-vertex="1"]');
    await page.mouse.dblclick(vx, vy);
    await expect(page.locator('qw-roi-layer .handle.vertex').count()).resolves.toBe(4);
    // Undo the three edits: back where it was drawn.
    for (let k = 0; k < 3; k++) await page.keyboard.press('Control+Z');
    await expect.poll(() => layerRing(page, name)).toEqual(drawn);

    // Move the lower-left vertex of Pier 1 (full of containers before) up to its upper right:
    // most of the pier is cut off.
    const before = await tableNumbers(page);
    await page.locator('qw-roi-list li[data-pier="Pier 1"] button.select').click();
    const vertex = page.locator('qw-roi-layer .handle.vertex[data-vertex="1"]');
    await expect(vertex.count()).resolves.toBe(1);
    const box = await vertex.boundingBox();
    if (box === null) throw new Error('the vertex handle is not on screen');
    toPage = await imageToPage(page); // the view resizes as the lists grow
    const [tx, ty] = toPage(240, 300);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(tx, ty, { steps: 6 });
    await page.mouse.up();
    await expect
      .poll(async () => (await tableNumbers(page))['Pier 1'], ANALYSIS_TIMEOUT)
      .not.toEqual(before['Pier 1']);
    expect((await tableNumbers(page))['Pier 1']?.[0]).toBeLessThan(before['Pier 1']?.[0] ?? 0);
    // The other piers are unchanged.
    const reshaped = await tableNumbers(page);
    expect(reshaped['Pier 2']).toEqual(before['Pier 2']);
    expect(reshaped['Pier 3']).toEqual(before['Pier 3']);
    // Undo restores the numbers.
    await page.locator('qw-roi-list button[data-action="undo"]').click();
    await expect
      .poll(async () => (await tableNumbers(page))['Pier 1'], ANALYSIS_TIMEOUT)
      .toEqual(before['Pier 1']);

    // Delete the drawn pier with its button.
    await page
      .locator(`qw-roi-list li[data-key] button.delete[aria-label="Delete ${name}"]`)
      .click();
    await expect(listNames(page)).resolves.toEqual(['Pier 1', 'Pier 2', 'Pier 3']);
    await waitForRows(page, 3);

    // Export: RFC 7946 in WGS 84, closed counter-clockwise rings, the names.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('qw-roi-list button[data-action="export"]').click(),
    ]);
    expect(download.suggestedFilename()).toBe('piers.geojson');
    const path = await download.path();
    const exported = JSON.parse(readFileSync(path, 'utf8')) as {
      type: string;
      features: {
        properties: { name: string };
        geometry: { type: string; coordinates: Position[][] };
      }[];
    };
    expect(exported.type).toBe('FeatureCollection');
    expect(exported.features.map((f) => f.properties.name)).toEqual(['Pier 1', 'Pier 2', 'Pier 3']);
    const demo = JSON.parse(readFileSync('public/demo/piers.geojson', 'utf8')) as typeof exported;
    exported.features.forEach((feature, k) => {
      expect(feature.geometry.type).toBe('Polygon');
      const [ring] = feature.geometry.coordinates;
      if (ring === undefined) throw new Error('no exterior ring');
      expect(ring[0]).toEqual(ring.at(-1));
      expect(signedArea2(ring)).toBeGreaterThan(0);
      for (const [lon, lat] of ring) {
        expect(lon).toBeGreaterThan(130.29);
        expect(lon).toBeLessThan(130.32);
        expect(lat).toBeGreaterThan(42.23);
        expect(lat).toBeLessThan(42.26);
      }
      // The moved vertex was put back by undo: the demo's own corners, to far below a millimetre.
      const original = demo.features[k]?.geometry.coordinates[0] ?? [];
      ring.forEach(([lon, lat], v) => {
        expect(Math.abs(lon - (original[v]?.[0] ?? 0))).toBeLessThan(1e-8);
        expect(Math.abs(lat - (original[v]?.[1] ?? 0))).toBeLessThan(1e-8);
      });
    });

    // Another file's piers imported, then undone: the caption names the file they came from
    // (the demo's, edited above), not the one just imported.
    const caption = page.locator('qw-pier-table caption');
    const other = { ...demo, features: demo.features.slice(0, 1) };
    await page.locator('qw-app header input[type="file"]').setInputFiles([
      {
        name: 'other.geojson',
        mimeType: 'application/geo+json',
        buffer: Buffer.from(JSON.stringify(other)),
      },
    ]);
    await expect
      .poll(() => caption.textContent(), ANALYSIS_TIMEOUT)
      .toMatch(/^\s*other\.geojson: analysed/);
    await page.locator('qw-roi-list button[data-action="undo"]').click();
    await expect
      .poll(() => caption.textContent(), ANALYSIS_TIMEOUT)
      .toMatch(/^\s*piers\.geojson \(edited\): analysed/);
    await expect(listNames(page)).resolves.toEqual(['Pier 1', 'Pier 2', 'Pier 3']);

    // With every pier deleted, no export may still carry their numbers.
    await expect(page.locator('qw-data-exports').count()).resolves.toBe(1);
    for (const pier of ['Pier 1', 'Pier 2', 'Pier 3']) {
      await page
        .locator(`qw-roi-list li[data-key] button.delete[aria-label="Delete ${pier}"]`)
        .click();
    }
    await expect.poll(() => rows.count()).toBe(0);
    await expect(page.locator('qw-data-exports').count()).resolves.toBe(0);
    await expect(page.locator('qw-snapshot-panel').count()).resolves.toBe(0);
    await expect(page.locator('qw-overlay-controls').count()).resolves.toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('a self-intersecting polygon gets a warning in the list and a mark on the layer; Delete removes it', async () => {
    const page = await app.browser.newPage({ viewport: VIEWPORT });
    const errors = collectPageErrors(page);
    await page.goto(`${app.server.url}?gpu=off`);
    const rows = page.locator('qw-pier-table tbody tr');
    await rows.first().waitFor(ANALYSIS_TIMEOUT);
    let toPage = await imageToPage(page);

    // A polygon drawn with Escape part-way is cancelled.
    await page.locator('qw-roi-list button[data-tool="polygon"]').click();
    const [ax, ay] = toPage(900, 300);
    const [bx, by] = toPage(1000, 300);
    await page.mouse.click(ax, ay);
    await page.mouse.click(bx, by);
    await expect(page.locator('qw-roi-layer .drafting').count()).resolves.toBe(1);
    await page.keyboard.press('Escape');
    await expect(page.locator('qw-roi-layer .drafting').count()).resolves.toBe(0);

    // A bow tie: clicked corners cross; Enter closes it.
    for (const [x, y] of [
      [380, 300],
      [540, 600],
      [540, 300],
      [380, 600],
    ] as const) {
      const [px, py] = toPage(x, y);
      await page.mouse.click(px, py);
    }
    await page.keyboard.press('Enter');
    await expect(listNames(page)).resolves.toEqual(['Pier 1', 'Pier 2', 'Pier 3', 'Pier 4']);
    const warning = page.locator('qw-roi-list li[data-pier="Pier 4"] .warning');
    await expect(warning.getAttribute('data-kind')).resolves.toBe('self-intersecting');
    await expect(warning.textContent()).resolves.toContain('Pier 4 crosses itself');
    await expect(
      page
        .locator('qw-roi-layer .roi.problem .problem-mark[data-kind="self-intersecting"]')
        .count(),
    ).resolves.toBe(1);
    // The demo piers have no warnings.
    await expect(page.locator('qw-roi-list .warning').count()).resolves.toBe(1);

    // Drawing closed the polygon and selected it: the Delete key removes it.
    await expect(
      page.locator('qw-roi-list li[data-pier="Pier 4"]').getAttribute('class'),
    ).resolves.toContain('selected');
    await page.keyboard.press('Delete');
    await expect(listNames(page)).resolves.toEqual(['Pier 1', 'Pier 2', 'Pier 3']);
    await waitForRows(page, 3);

    // A triangle closed by a double-click on its last corner (the double click adds one corner).
    const polygonTool = page.locator('qw-roi-list button[data-tool="polygon"]');
    toPage = await imageToPage(page); // the view resizes as the lists grow
    const corners = [toPage(850, 300), toPage(1000, 300), toPage(900, 550)] as const;
    await polygonTool.click();
    await page.mouse.click(...corners[0]);
    await page.mouse.click(...corners[1]);
    await page.mouse.dblclick(...corners[2]);
    await expect(listNames(page)).resolves.toEqual(['Pier 1', 'Pier 2', 'Pier 3', 'Pier 4']);
    await expect(page.locator('qw-roi-layer .handle.vertex').count()).resolves.toBe(3);
    // Another closed by clicking its first corner again (once the table has stopped growing).
    await waitForRows(page, 4);
    await polygonTool.click();
    toPage = await imageToPage(page);
    for (const corner of [toPage(850, 650), toPage(1000, 650), toPage(900, 800)]) {
      await page.mouse.click(...corner);
    }
    await page.mouse.click(...toPage(850, 650));
    await expect(listNames(page)).resolves.toEqual([
      'Pier 1',
      'Pier 2',
      'Pier 3',
      'Pier 4',
      'Pier 5',
    ]);
    await expect(page.locator('qw-roi-layer .handle.vertex').count()).resolves.toBe(3);
    await waitForRows(page, 5);
    await expect(page.locator('qw-roi-list .warning').count()).resolves.toBe(0);

    // A rectangle across the image's left edge is partly outside: warned, still analysed.
    // Zoomed out first, so the view shows ground left of the image to start the drag on
    // (the fitted image fills the view's width beside the side column).
    await page.locator('qw-compare-view').evaluate((element) => {
      const viewer = element as HTMLElementTagNameMap['qw-compare-view'];
      viewer.viewState = { ...viewer.viewState, scale: viewer.viewState.scale * 0.75 };
    });
    await page.waitForTimeout(300);
    await page.locator('qw-roi-list button[data-tool="rectangle"]').click();
    toPage = await imageToPage(page); // the view resizes as the lists grow
    await drag(page, toPage(-60, 300), toPage(60, 400));
    const edgeWarning = page.locator('qw-roi-list li[data-pier="Pier 6"] .warning');
    await expect(edgeWarning.getAttribute('data-kind')).resolves.toBe('partly-outside');
    await expect(edgeWarning.textContent()).resolves.toContain('50.0 %');
    await expect(
      page.locator('qw-roi-layer .problem-mark[data-kind="partly-outside"]').count(),
    ).resolves.toBe(1);
    await waitForRows(page, 6);

    // Import GeoJSON with the list's button: it replaces the piers, and undo brings them back.
    const demo = JSON.parse(readFileSync('public/demo/piers.geojson', 'utf8')) as {
      features: { properties: { name: string } }[];
    };
    const one = { ...demo, features: demo.features.slice(2, 3) };
    one.features[0]!.properties.name = 'Imported pier';
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.locator('qw-roi-list button[data-action="import"]').click(),
    ]);
    await chooser.setFiles({
      name: 'one-pier.geojson',
      mimeType: 'application/geo+json',
      buffer: Buffer.from(JSON.stringify(one)),
    });
    await expect.poll(() => listNames(page)).toEqual(['Imported pier']);
    await waitForNames(page, ['Imported pier']);
    await expect(page.locator('qw-pier-table caption').textContent()).resolves.toContain(
      'one-pier.geojson',
    );
    await page.locator('qw-roi-list button[data-action="undo"]').click();
    await expect(listNames(page)).resolves.toEqual([
      'Pier 1',
      'Pier 2',
      'Pier 3',
      'Pier 4',
      'Pier 5',
      'Pier 6',
    ]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
