/** Reading the pier table (qw-pier-table) as an analyst sees it, for e2e tests. */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** How long a table may take on SwiftShader or the CPU worker on 2 cores. */
export const TABLE_TIMEOUT_MS = 240_000;

/** The table's caption: backend, time and the parameters that differ from the defaults. */
export async function tableCaption(page: Page): Promise<string> {
  return ((await page.locator('qw-pier-table caption').textContent()) ?? '').trim();
}

/** Waits until the table says it was made with exactly these parameters. */
export async function waitForParams(
  page: Page,
  described: string,
  timeoutMs = TABLE_TIMEOUT_MS,
): Promise<void> {
  await expect
    .poll(() => tableCaption(page), { timeout: timeoutMs, interval: 250 })
    .toMatch(new RegExp(`analysed on .* s, ${described}$`));
}

/** Every row of the body and the total, its text with whitespace collapsed. */
export async function tableRowTexts(page: Page): Promise<string[]> {
  const rows = await page
    .locator('qw-pier-table tbody tr, qw-pier-table tfoot tr')
    .allTextContents();
  return rows.map((row) => row.replace(/\s+/g, ' ').trim());
}

/**
 * The pier rows in table order: name and the five shown values (Before,
 * After, Appeared, Disappeared, Net), each a cell's first word as a number.
 */
export async function pierTableNumbers(
  page: Page,
): Promise<{ readonly name: string; readonly values: number[] }[]> {
  const rows = await page.locator('qw-pier-table tbody tr').evaluateAll((trs) =>
    trs.map((tr) => ({
      name: tr.getAttribute('data-pier') ?? '',
      // A cell is "value <span class=range>low–high</span>": the value is its first word.
      cells: Array.from(tr.querySelectorAll('td'), (td) => td.textContent.trim()).slice(1),
    })),
  );
  return rows.map(({ name, cells }) => ({
    name,
    values: cells.map((cell) =>
      Number(cell.split(/\s+/)[0]?.replace('−', '-').replace('+', '') ?? Number.NaN),
    ),
  }));
}

/**
 * The pier rows' coverage notes in table order: the note under the pier's
 * name ("only N % in both images", "not in both images"; null for a pier
 * both images cover) and its percentage.
 */
export async function pierCoverageNotes(
  page: Page,
): Promise<
  { readonly pier: string | null; readonly note: string | null; readonly percent: number }[]
> {
  return page.locator('qw-pier-table tbody tr').evaluateAll((rows) =>
    rows.map((row) => ({
      pier: row.getAttribute('data-pier'),
      note: row.querySelector('.coverage')?.textContent.trim() ?? null,
      percent: Number(row.querySelector('.coverage')?.getAttribute('data-coverage') ?? NaN),
    })),
  );
}

const UPDATE_TIME = 'qw-params-panel [data-testid="update-time"]';

/** The params panel's "update … ms" line. */
export async function updateTime(page: Page): Promise<string> {
  const text = await page.locator(UPDATE_TIME).textContent();
  return (text ?? '').trim();
}

/** The stage list of the last update (the update time's title). */
export async function updateStages(page: Page): Promise<string> {
  return (await page.locator(UPDATE_TIME).getAttribute('title')) ?? '';
}
