import { describe, expect, test } from 'vitest';
import { snapshotLayout } from '../../src/core/export/snapshot-layout.ts';
import { signedTeu } from '../../src/core/export/snapshot-draw.ts';

describe('snapshot layout', () => {
  const base = { paneWidthPx: 800, paneHeightPx: 500, legendRows: 4, pierRows: 3 };

  test('single pane: title above, column to the right, marks inside the pane', () => {
    const layout = snapshotLayout({ ...base, layout: 'single', textScale: 1 });
    expect(layout.panes).toEqual([{ x: 12, y: 64, width: 800, height: 500 }]);
    expect([layout.widthPx, layout.heightPx]).toEqual([12 + 800 + 12 + 300 + 12, 64 + 500 + 36]);
    expect(layout.title).toEqual({ x: 12, y: 30, fontPx: 20 });
    expect(layout.scaleBar).toEqual({ x: 24, y: 552, maxWidthPx: 160 });
    expect(layout.north).toEqual({ x: 12 + 800 - 28, y: 96, radiusPx: 18 });
    expect(layout.legend.x).toBe(824);
    expect(layout.legend.rowYs).toEqual([82, 100, 118, 136]);
    expect(layout.table.headerY).toBe(82 + 4 * 18 + 14 + 18);
    expect(layout.table.rowYs).toEqual([204, 222, 240]);
    expect(layout.table.columnRightXs).toEqual([994, 1054, 1124]);
    expect(layout.credit.y).toBe(564 + 22);
  });

  test('side by side: two panes with a gap, north arrow in the after pane', () => {
    const layout = snapshotLayout({ ...base, layout: 'side-by-side', textScale: 1 });
    expect(layout.panes.map((pane) => pane.x)).toEqual([12, 12 + 800 + 8]);
    expect(layout.north.x).toBe(820 + 800 - 28);
    expect(layout.widthPx).toBe(820 + 800 + 12 + 300 + 12);
  });

  test('2× is exactly twice the screen layout', () => {
    const one = snapshotLayout({ ...base, layout: 'single', textScale: 1 });
    const two = snapshotLayout({
      ...base,
      paneWidthPx: 1600,
      paneHeightPx: 1000,
      layout: 'single',
      textScale: 2,
    });
    expect([two.widthPx, two.heightPx]).toEqual([one.widthPx * 2, one.heightPx * 2]);
    expect(two.table.rowYs).toEqual(one.table.rowYs.map((y) => y * 2));
  });

  test('a long pier table makes the figure taller than the pane', () => {
    const layout = snapshotLayout({ ...base, paneHeightPx: 100, layout: 'single', textScale: 1 });
    const lastRow = layout.table.rowYs.at(-1) ?? 0;
    expect(layout.heightPx).toBe(lastRow + 18 + 36);
    expect(() => snapshotLayout({ ...base, layout: 'single', textScale: 1.5 })).toThrow(/integer/);
  });

  test('net TEU is signed with a true minus', () => {
    expect([signedTeu(5.24), signedTeu(-24.07), signedTeu(0.01)]).toEqual(['+5.2', '−24.1', '0.0']);
  });
});
