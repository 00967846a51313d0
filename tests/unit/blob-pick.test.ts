import { describe, expect, test } from 'vitest';
import {
  blobTeu,
  calibrateFillFactor,
  pickBlob,
  type PickSource,
} from '../../src/core/analysis/blob-pick.ts';
import { estimateFromMask } from '../../src/core/analysis/estimate.ts';
import { DEFAULT_ANALYSIS_PARAMS } from '../../src/core/analysis/params.ts';
import { traceBlobsOfKind } from '../../src/core/export/blob-polygons.ts';

/** A mask from rows of '#' (1) and '.' (0). */
function mask(rows: readonly string[]): Uint8Array {
  return Uint8Array.from(rows.join('').split(''), (c) => (c === '#' ? 1 : 0));
}

// 8 × 4 window, 0.5 m pixels (0.25 m² each). ROI 0 = columns 0–3, ROI 1 = columns 4–7.
const W = 8;
const H = 4;
function source(): PickSource {
  const n = W * H;
  return {
    widthPx: W,
    heightPx: H,
    pixelAreaM2: 0.25,
    masks: {
      before: mask(['##......', '##......', '.....###', '.....###']),
      after: mask(['##....#.', '##...#..', '.....###', '........']),
      // Two pixels touching only at a corner: one 8-connected blob.
      appeared: mask(['......#.', '.....#..', '........', '........']),
      disappeared: mask(['........', '........', '........', '.....###']),
    },
    changeMagnitude: {
      levels: Uint8Array.from({ length: n }, (_, i) => (i % W >= 5 ? 128 : 0)),
      dnPerLevel: 0.5,
    },
    roiIndex: Int32Array.from({ length: n }, (_, i) => (i % W < 4 ? 0 : 1)),
    roiNames: ['Pier 1', 'Pier 2'],
  };
}

describe('pickBlob', () => {
  test('an appeared blob: 8-connected, area in px and m², mean change in DN, its ROI', () => {
    const blob = pickBlob(source(), 6.7, 0.2);
    expect(blob).not.toBeNull();
    expect(blob?.kind).toBe('appeared');
    expect([...(blob?.pixels ?? [])].sort((a, b) => a - b)).toEqual([6, 13]);
    expect(blob?.areaPx).toBe(2);
    expect(blob?.areaM2).toBe(0.5);
    expect(blob?.meanChangeDn).toBe(64);
    expect(blob?.roiName).toBe('Pier 2');
  });

  test('present at both dates is before ∧ after; disappeared wins over it', () => {
    const both = pickBlob(source(), 0.5, 1.5);
    expect(both?.kind).toBe('both');
    expect(both?.areaPx).toBe(4);
    expect(both?.meanChangeDn).toBe(0);
    expect(both?.roiName).toBe('Pier 1');
    // Row 2, columns 5–7 is before ∧ after; row 3 is disappeared only.
    expect(pickBlob(source(), 6, 2)?.kind).toBe('both');
    const gone = pickBlob(source(), 6, 3);
    expect(gone?.kind).toBe('disappeared');
    expect(gone?.areaPx).toBe(3);
  });

  test('a blob split evenly between two ROIs belongs to the first in file order, as in the export', () => {
    // Two pixels on the ROI border, clicked on the ROI 1 side: the fill meets ROI 1 first.
    const appeared = mask(['........', '........', '...##...', '........']);
    const split: PickSource = { ...source(), masks: { ...source().masks, appeared } };
    const blob = pickBlob(split, 4.5, 2.5);
    expect(blob?.kind).toBe('appeared');
    expect(blob?.areaPx).toBe(2);
    expect(blob?.roiName).toBe('Pier 1');
    expect(traceBlobsOfKind(split, 'appeared').find((b) => b.areaPx === 2)?.roiName).toBe('Pier 1');
  });

  test('no blob under the click, or outside the window: null', () => {
    expect(pickBlob(source(), 3, 3)).toBeNull();
    expect(pickBlob(source(), -0.5, 1)).toBeNull();
    expect(pickBlob(source(), 8, 1)).toBeNull();
  });
});

describe('blob TEU and calibration', () => {
  const params = { ...DEFAULT_ANALYSIS_PARAMS, fillFactor: 0.9, teuFootprintM2: 15 };

  test('TEU = areaM2 · fillFactor / footprint, range from the spread', () => {
    const teu = blobTeu({ areaM2: 1500, rimM2: 0 }, params);
    expect(teu.teu).toBeCloseTo(90, 10);
    expect(teu.lowTeu).toBeCloseTo(85, 10);
    expect(teu.highTeu).toBeCloseTo(95, 10);
  });

  test('the range holds half the outline as the table’s does: one block, one pier, the same numbers', () => {
    // A 4 × 3 px block standing at both dates: 10 of its 12 px lie on its outline. The click
    // and the export left the outline out (0.17–0.19 TEU here against the table's 0.10–0.27).
    const block = mask(['........', '..####..', '..####..', '..####..', '........']);
    const n = block.length;
    const blockSource: PickSource = {
      ...source(),
      heightPx: 5,
      masks: {
        before: block,
        after: block,
        appeared: new Uint8Array(n),
        disappeared: new Uint8Array(n),
      },
      changeMagnitude: { levels: new Uint8Array(n), dnPerLevel: 0.5 },
      roiIndex: new Int32Array(n),
      roiNames: ['Pier 1'],
    };
    const picked = pickBlob(blockSource, 3, 2);
    expect(picked?.rimM2).toBe(10 * 0.25);
    expect(traceBlobsOfKind(blockSource, 'both')[0]?.rimM2).toBe(10 * 0.25);
    const table = estimateFromMask(block, W, 5, blockSource.roiIndex, 1, 0.25, {
      ...params,
      minAreaM2: 0,
    }).perRoi[0];
    const teu = blobTeu(picked ?? { areaM2: 0, rimM2: 0 }, params);
    expect(teu.lowTeu).toBeCloseTo(table?.lowTeu ?? Number.NaN, 12);
    expect(teu.highTeu).toBeCloseTo(table?.highTeu ?? Number.NaN, 12);
    expect(teu.lowTeu).toBeCloseTo(((3 - 1.25) * 0.85) / 15, 12);
  });

  test('fillFactor = containers · footprint / area; the blob then estimates the count', () => {
    const calibrated = calibrateFillFactor(params, 1500, 80);
    expect(calibrated.fillFactor).toBe(0.8);
    expect(blobTeu({ areaM2: 1500, rimM2: 0 }, calibrated).teu).toBeCloseTo(80, 10);
    // Other parameters are untouched; kept to four decimals.
    expect({ ...calibrated, fillFactor: 0.9 }).toEqual(params);
    expect(calibrateFillFactor(params, 1000, 47).fillFactor).toBe(0.705);
    expect(calibrateFillFactor(params, 1234, 50).fillFactor).toBe(0.6078);
  });

  test('refuses counts that are not positive, and fill factors out of range, saying why', () => {
    expect(() => calibrateFillFactor(params, 1500, 0)).toThrow(
      'The container count must be a positive number of TEU (got 0)',
    );
    expect(() => calibrateFillFactor(params, 1500, Number.NaN)).toThrow(/got NaN/);
    expect(() => calibrateFillFactor(params, 1500, 200)).toThrow(
      '200 TEU on 1500 m² (7.5 m² each) gives a fill factor of 2; it must be from 0.05 to 1.5',
    );
    expect(() => calibrateFillFactor(params, 1500, 3)).toThrow(/fill factor of 0.03; it must be/);
    // In range, but not above the spread (0.05): the params' own rule says so.
    expect(() => calibrateFillFactor({ ...params, fillFactorSpread: 0.3 }, 1500, 25)).toThrow(
      /fillFactorSpread \(0.3\) must be below fillFactor \(0.25\)/,
    );
    expect(() => calibrateFillFactor(params, 0, 5)).toThrow(/no area/);
  });
});
