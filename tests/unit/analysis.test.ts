import { describe, expect, test } from 'vitest';
import { analyzePairCpu, type AnalysisInput } from '../../src/core/analysis/cpu-pipeline.ts';
import {
  analysisParamsFromJson,
  analysisParamsProblems,
  analysisParamsToJson,
  DEFAULT_ANALYSIS_PARAMS,
  validateAnalysisParams,
  type AnalysisParams,
} from '../../src/core/analysis/params.ts';
import { fillHoles } from '../../src/core/analysis/estimate.ts';
import { guardNormalization } from '../../src/core/analysis/normalization.ts';
import { Random } from '../../src/core/random.ts';
import { rasterizeRois } from '../../src/core/analysis/roi-raster.ts';
import { shadowOf } from '../../src/core/analysis/occupancy.ts';
import { prepareScene, sceneSpecs } from '../../scripts/accuracy.ts';

describe('AnalysisParams', () => {
  test('defaults are valid and survive JSON', () => {
    expect(analysisParamsProblems(DEFAULT_ANALYSIS_PARAMS)).toEqual([]);
    const text = analysisParamsToJson(DEFAULT_ANALYSIS_PARAMS);
    expect(analysisParamsFromJson(text)).toEqual(DEFAULT_ANALYSIS_PARAMS);
  });

  test('missing keys take defaults; unknown keys are refused by name', () => {
    expect(analysisParamsFromJson('{"minAreaM2": 80}')).toEqual({
      ...DEFAULT_ANALYSIS_PARAMS,
      minAreaM2: 80,
    });
    expect(() => analysisParamsFromJson('{"minArea": 80}')).toThrow(
      'Unknown analysis parameter(s): minArea',
    );
    expect(() => analysisParamsFromJson('[1]')).toThrow('must be a JSON object');
    expect(() => analysisParamsFromJson('{')).toThrow('not JSON');
  });

  test.each<[Partial<Record<keyof AnalysisParams, unknown>>, string]>([
    [{ openRadiusPx: 1.5 }, 'openRadiusPx must be a whole number of pixels (got 1.5)'],
    [{ fillFactor: Number.NaN }, 'fillFactor must be a finite number, a fraction (got NaN)'],
    [{ fillFactor: 5 }, 'fillFactor must be from 0.05 to 1.5, a fraction (got 5)'],
    [{ minAreaM2: -1 }, 'minAreaM2 must be from 0 to 10000000 m² (got -1)'],
    [{ thresholdMode: 'auto' }, 'thresholdMode must be one of manual, otsu (got auto)'],
    [{ thresholdDn: '30' }, 'thresholdDn must be a number of DN (got "30")'],
    // Found by a GPU-vs-CPU sweep: 1e-40 is an f32 subnormal that SwiftShader flushes to 0
    // (texture off on the GPU only), and 64 ÷ 1e-38 overflows the change levels.
    [
      { textureThresholdDn: 1e-40 },
      'textureThresholdDn must be 0 or from 0.000001 to 1000000 DN (got 1e-40)',
    ],
    [
      { changeThresholdDn: 1e-38 },
      'changeThresholdDn must be 0 or from 0.000001 to 1000000 DN (got 1e-38)',
    ],
    [{ thresholdDn: 1e-7 }, 'thresholdDn must be 0 or from 0.000001 to 1000000 DN (got 1e-7)'],
    // Its limit (fraction × change threshold) would be subnormal: 0 on a GPU that flushes.
    [
      { unchangedChangeFraction: 1e-40 },
      'unchangedChangeFraction must be 0 or from 0.000001 to 1, a fraction (got 1e-40)',
    ],
    [
      { shadowMinLumRatio: 0.7, shadowMaxLumRatio: 0.6 },
      'shadowMinLumRatio (0.7) must be below shadowMaxLumRatio (0.6)',
    ],
  ])('%o is refused with a specific message', (change, message) => {
    const params = { ...DEFAULT_ANALYSIS_PARAMS, ...change } as AnalysisParams;
    expect(analysisParamsProblems(params)).toContain(message);
    expect(() => validateAnalysisParams(params)).toThrow(message);
  });
});

describe('pipeline pieces', () => {
  test('ROI raster: pixel centres inside by the nonzero rule, first ROI wins', () => {
    const square = {
      name: 'a',
      rings: [
        [
          [1, 1],
          [4, 1],
          [4, 3],
          [1, 3],
        ] as [number, number][],
      ],
    };
    const overlapping = {
      name: 'b',
      rings: [
        [
          [3, 0],
          [6, 0],
          [6, 4],
          [3, 4],
        ] as [number, number][],
      ],
    };
    const raster = rasterizeRois([square, overlapping], 6, 4);
    expect(Array.from(raster)).toEqual([
      -1, -1, -1, 1, 1, 1, -1, 0, 0, 0, 1, 1, -1, 0, 0, 0, 1, 1, -1, -1, -1, 1, 1, 1,
    ]);
  });

  test('fillHoles fills enclosed background only, up to the size limit', () => {
    // 5×5 ring with a one-pixel hole, and a notch open to the domain edge.
    const w = 7;
    const h = 7;
    const mask = new Uint8Array(w * h);
    for (let y = 1; y <= 5; y++) for (let x = 1; x <= 5; x++) mask[y * w + x] = 1;
    mask[3 * w + 3] = 0; // enclosed hole
    mask[1 * w + 3] = 0; // notch touching the background outside
    const domain = new Uint8Array(w * h).fill(1);
    const filled = fillHoles(mask, domain, w, h, 4);
    expect(filled[3 * w + 3]).toBe(1);
    expect(filled[1 * w + 3]).toBe(0);
    expect(fillHoles(mask, domain, w, h, 0)[3 * w + 3]).toBe(0);
  });

  test('shadow test: concrete in the shade is shadow; navy, dark grey and red are not', () => {
    const concrete = [150, 148, 141] as const;
    const shade = [150 * 0.42 + 4, 148 * 0.44 + 6, 141 * 0.5 + 12] as const;
    const p = DEFAULT_ANALYSIS_PARAMS;
    expect(shadowOf(...shade, ...concrete, p)).toBe(true);
    expect(shadowOf(30, 58, 96, ...concrete, p)).toBe(false);
    expect(shadowOf(128, 124, 118, ...concrete, p)).toBe(false);
    expect(shadowOf(158, 42, 36, ...concrete, p)).toBe(false);
  });
});

/** A pair of 1 m² pixels, valid everywhere, with one pier over the whole image. */
function wholeImagePier(
  w: number,
  h: number,
  before: Float32Array[],
  after: Float32Array[],
): AnalysisInput {
  const ring: [number, number][] = [
    [0, 0],
    [w, 0],
    [w, h],
    [0, h],
  ];
  return {
    widthPx: w,
    heightPx: h,
    before,
    after,
    valid: new Uint8Array(w * h).fill(1),
    rois: [{ name: 'P', rings: [ring] }],
    pixelAreaM2: 1,
  };
}

describe('thresholds', () => {
  test('thresholds compare as the GPU holds them, in f32: a typed 30.1 DN', () => {
    // A block scoring exactly f32(30.1) > 30.1 at each date: no change on the GPU, whose
    // threshold is an f32 uniform; the CPU compared in f64 and found 128 px of change.
    const [w, h] = [40, 20];
    const n = w * h;
    const score = Math.fround(30.1);
    const bands = (x0: number): Float32Array[] => {
      const out = [0, 1, 2].map(() => new Float32Array(n));
      for (let y = 4; y < 12; y++) for (let x = x0; x < x0 + 8; x++) out[0]![y * w + x] = score;
      return out;
    };
    const result = analyzePairCpu(wholeImagePier(w, h, bands(28), bands(4)), {
      ...DEFAULT_ANALYSIS_PARAMS,
      blurRadiusPx: 0,
      matchRadiusPx: 0,
      sharpnessMatching: 'off',
      shadowHandling: 'off',
      textureThresholdDn: 0,
      openRadiusPx: 0,
      closeRadiusPx: 0,
      maxHoleM2: 0,
      minAreaM2: 0,
      thresholdDn: 1,
      changeThresholdDn: 30.1,
    });
    expect(result.masks.change.reduce((sum, v) => sum + v, 0)).toBe(0);
    expect(result.rois[0]?.appeared.teu).toBe(0);
  });
});

describe('Otsu thresholds', () => {
  test('a pixel whose distances are all NaN (an infinite score) goes to the top bin, not the range', () => {
    // NaN samples an image does not declare as nodata stay in the domain; the GPU's range
    // reduction keeps finite values only, and the CPU threw on a histogram up to Infinity.
    const [w, h] = [40, 20];
    const n = w * h;
    // A red box on a grey deck (a grey one twice as bright reads as shade leaving).
    const bands = (box: boolean): Float32Array[] =>
      [200, 60, 60].map((boxDn) => {
        const band = new Float32Array(n).fill(100);
        if (box) for (let y = 4; y < 12; y++) for (let x = 8; x < 20; x++) band[y * w + x] = boxDn;
        return band;
      });
    const after = bands(true);
    for (const band of after) band[3 * w + 30] = Number.NaN;
    const result = analyzePairCpu(wholeImagePier(w, h, bands(false), after), {
      ...DEFAULT_ANALYSIS_PARAMS,
      thresholdMode: 'otsu',
      sharpnessMatching: 'off',
      openRadiusPx: 0,
      closeRadiusPx: 0,
      maxHoleM2: 0,
      minAreaM2: 0,
    });
    // The box's change (≈ 122 DN) is split from the unchanged deck (0 DN).
    expect(result.thresholdsDn.changeAfter).toBeGreaterThan(0);
    expect(result.thresholdsDn.changeAfter).toBeLessThan(122);
    expect(result.masks.appeared.reduce((sum, v) => sum + v, 0)).toBeGreaterThanOrEqual(8 * 12);
  });
});

describe('radiometric normalization', () => {
  test('a gain outside 0.2–5 is not applied, and the analyst is told', () => {
    expect(guardNormalization([{ gain: 1.1, offset: -3 }])).toEqual({
      normalization: [{ gain: 1.1, offset: -3 }],
      warning: null,
    });
    const refused = guardNormalization([
      { gain: 1, offset: 0 },
      { gain: 0.07, offset: 140 },
      { gain: 1, offset: 0 },
    ]);
    expect(refused.normalization).toEqual([
      { gain: 1, offset: 0 },
      { gain: 1, offset: 0 },
      { gain: 1, offset: 0 },
    ]);
    expect(refused.warning).toMatch(
      /^The light of the two dates was not matched: band 2 fitted a gain of 0\.0700, outside 0\.2–5/,
    );
  });

  // A 400 × 160 px deck with a quay margin, the same light at both dates, and blocks of
  // 27 × 15 px in rows on it (104 cover 66 % of the deck).
  const margin = 24;
  const [w, h] = [400 + 2 * margin, 160 + 2 * margin];
  const MIXED = [
    [158, 42, 36],
    [30, 58, 156],
    [40, 120, 60],
    [200, 190, 60],
    [230, 230, 225],
    [150, 80, 40],
  ];
  const deck = (blocks: number, seed: number, colours = MIXED): Float32Array[] => {
    const random = new Random(seed);
    const bands = [156, 154, 147].map((dn) =>
      Float32Array.from({ length: w * h }, () => dn + (random.next() - 0.5) * 12),
    );
    for (let k = 0; k < blocks; k++) {
      const [bx, by] = [k % 13, Math.floor(k / 13)];
      const [x0, y0] = [margin + 4 + bx * 30, margin + 4 + by * 19];
      const colour = colours[(bx * 3 + by) % colours.length] ?? [0, 0, 0];
      for (let y = y0; y < y0 + 15; y++) {
        for (let x = x0; x < x0 + 27; x++) {
          bands.forEach((band, b) => (band[y * w + x] = colour[b] ?? 0));
        }
      }
    }
    return bands;
  };
  const analyseDeck = (before: Float32Array[], after: Float32Array[]) =>
    analyzePairCpu(
      {
        widthPx: w,
        heightPx: h,
        before,
        after,
        valid: new Uint8Array(w * h).fill(1),
        rois: [
          {
            name: 'Deck',
            rings: [
              [
                [margin, margin],
                [w - margin, margin],
                [w - margin, h - margin],
                [margin, h - margin],
              ],
            ],
          },
        ],
        pixelAreaM2: 0.25,
      },
      DEFAULT_ANALYSIS_PARAMS,
    );

  test('a pier filling up over a window of bare deck keeps the sign of its net change', () => {
    // From 10 blocks to 104: the percentiles of the two dates show different things,
    // and the fit came out at a gain of 0.07: net −70.
    const result = analyseDeck(deck(10, 11), deck(104, 12));
    // Truth: 66 → 692 TEU (blocks × 27 × 15 px × 0.25 m² × 0.97 ÷ 14.77 m²).
    expect(result.rois[0]?.netTeu).toBeGreaterThan(500);
    expect(result.warnings).toEqual([expect.stringMatching(/^The light of the two dates/)]);
  });

  test('a pier half covered in one colour at one date is flagged: its surface took that colour', () => {
    // From 20 red blocks (13 %) to 80 (51 %): the after date's surface came out red,
    // and its count 1029 TEU for a truth of 532.
    const red = [[158, 42, 36]];
    const result = analyseDeck(deck(20, 11, red), deck(80, 12, red));
    expect(result.warnings).toContainEqual(
      expect.stringMatching(/^Deck: its bare surface looks \d+ DN apart at the two dates/),
    );
    // Mixed colours over most of a deck leave its surface grey: no warning.
    const mixed = analyseDeck(deck(20, 11), deck(80, 12)).warnings;
    expect(mixed.filter((warning) => warning.includes('bare surface'))).toEqual([]);
  });
});

describe('hole filling of appeared and disappeared', () => {
  test('a block that stood while new boxes came around it is not counted as appeared', () => {
    // 120 × 90 px, water around a concrete pier; a red 24 × 12 px block at both dates, and
    // after, a blue ring 8 px thick around it. The ring is a hole-less blob in the after
    // mask, but in the appeared mask the standing block is a hole, and it was filled:
    // appeared 20.5 TEU for a ring of 13.7.
    const [w, h] = [120, 90];
    const paint = (seed: number, blocks: [number, number, number, number, number[]][]) => {
      const random = new Random(seed);
      const bands = [156, 154, 147].map((dn) =>
        Float32Array.from({ length: w * h }, () => dn + (random.next() - 0.5) * 2),
      );
      const water: [number, number, number, number, number[]][] = [
        [0, 0, w, 10, [45, 70, 90]],
        [0, 80, w, h, [45, 70, 90]],
        [0, 0, 10, h, [45, 70, 90]],
        [110, 0, w, h, [45, 70, 90]],
      ];
      for (const [x0, y0, x1, y1, colour] of [...water, ...blocks]) {
        for (let y = y0; y < y1; y++) {
          for (let x = x0; x < x1; x++)
            bands.forEach((band, b) => (band[y * w + x] = colour[b] ?? 0));
        }
      }
      return bands;
    };
    const red = [158, 42, 36];
    const result = analyzePairCpu(
      {
        widthPx: w,
        heightPx: h,
        before: paint(1, [[48, 39, 72, 51, red]]),
        after: paint(2, [
          [40, 31, 80, 59, [30, 58, 156]],
          [48, 39, 72, 51, red],
        ]),
        valid: new Uint8Array(w * h).fill(1),
        rois: [
          {
            name: 'P',
            rings: [
              [
                [10, 10],
                [110, 10],
                [110, 80],
                [10, 80],
              ],
            ],
          },
        ],
        pixelAreaM2: 0.25,
      },
      DEFAULT_ANALYSIS_PARAMS,
    );
    const ringTeu = ((40 * 28 - 24 * 12) * 0.25 * 0.97) / 14.77;
    const appeared = result.rois[0]?.appeared.teu ?? Number.NaN;
    expect(appeared).toBeLessThan(ringTeu + 4);
    // The standing block's pixels are in the before mask, none in the appeared mask.
    let standingAppeared = 0;
    for (let y = 41; y < 49; y++) {
      for (let x = 50; x < 70; x++) standingAppeared += result.masks.appeared[y * w + x] ?? 0;
    }
    expect(standingAppeared).toBe(0);
  });
});

describe('analysis of a generated port pair', () => {
  test('per-pier counts within a loose bound, net signs right, deterministic', async () => {
    const spec = sceneSpecs(301, 2, 560, 420)[1];
    if (spec === undefined) throw new Error('no scene');
    const scene = await prepareScene(spec);
    const input: AnalysisInput = {
      widthPx: scene.widthPx,
      heightPx: scene.heightPx,
      before: scene.before,
      after: scene.after,
      valid: scene.valid,
      rois: scene.piers,
      pixelAreaM2: scene.pixelAreaM2,
    };
    const result = analyzePairCpu(input, DEFAULT_ANALYSIS_PARAMS);
    expect(result.rois).toHaveLength(3);
    scene.truth.piers.forEach((truth, k) => {
      const roi = result.rois[k]!;
      const pairs = [
        [roi.before.teu, truth.before_teu],
        [roi.after.teu, truth.after_teu],
        [roi.appeared.teu, truth.appeared_teu],
        [roi.disappeared.teu, truth.disappeared_teu],
      ] as const;
      for (const [estimate, actual] of pairs) {
        expect(Math.abs(estimate - actual)).toBeLessThanOrEqual(Math.max(8, 0.25 * actual));
      }
      if (Math.abs(truth.net_teu) >= 5) {
        expect(Math.sign(roi.netTeu)).toBe(Math.sign(truth.net_teu));
      }
      expect(roi.before.lowTeu).toBeLessThanOrEqual(roi.before.teu);
      expect(roi.before.highTeu).toBeGreaterThanOrEqual(roi.before.teu);
    });
    const again = analyzePairCpu(input, DEFAULT_ANALYSIS_PARAMS);
    expect(again.rois).toEqual(result.rois);
    expect(again.masks.appeared).toEqual(result.masks.appeared);

    // Shadows, measured: without shadow handling the shade that containers and
    // sheds cast on the decks counts as containers, and the error grows several-fold.
    const off = analyzePairCpu(input, { ...DEFAULT_ANALYSIS_PARAMS, shadowHandling: 'off' });
    const summedError = (run: typeof result): number =>
      scene.truth.piers.reduce((sum, truth, k) => {
        const roi = run.rois[k]!;
        return (
          sum +
          Math.abs(roi.before.teu - truth.before_teu) +
          Math.abs(roi.after.teu - truth.after_teu)
        );
      }, 0);
    const overCount = (run: typeof result): number =>
      scene.truth.piers.reduce(
        (sum, truth, k) =>
          sum +
          run.rois[k]!.before.teu +
          run.rois[k]!.after.teu -
          truth.before_teu -
          truth.after_teu,
        0,
      );
    console.info(
      `shadow handling on: Σ|error| ${summedError(result).toFixed(1)} TEU; off: ${summedError(off).toFixed(1)} TEU, over-count ${overCount(off).toFixed(1)}`,
    );
    expect(summedError(off)).toBeGreaterThan(3 * summedError(result));
    expect(overCount(off)).toBeGreaterThan(0.8 * summedError(off));
    // The shadow masks hold the shade: a share of every pier at both dates.
    expect(result.masks.shadowBefore.some((v) => v !== 0)).toBe(true);
    expect(result.masks.shadowAfter.some((v) => v !== 0)).toBe(true);
  });
});

describe('the estimate by hand on painted blocks', () => {
  const width = 60;
  const height = 40;
  const concrete = [150, 148, 141] as const;
  const red = [158, 42, 36] as const;
  const blue = [38, 86, 150] as const;
  type Block = readonly [x0: number, y0: number, colour: readonly [number, number, number]];
  /** 20 × 10 px blocks on concrete. */
  const paint = (blocks: readonly Block[]): Float32Array[] => {
    const bands = [0, 1, 2].map((b) => new Float32Array(width * height).fill(concrete[b]!));
    for (const [x0, y0, colour] of blocks) {
      for (let y = y0; y < y0 + 10; y++) {
        for (let x = x0; x < x0 + 20; x++) {
          for (let b = 0; b < 3; b++) bands[b]![y * width + x] = colour[b]!;
        }
      }
    }
    return bands;
  };
  // Normalization by the extremes, which both dates share: the identity here.
  const params: AnalysisParams = {
    ...DEFAULT_ANALYSIS_PARAMS,
    normalizeLowPct: 0,
    normalizeHighPct: 100,
    invariantPct: 0,
    sharpnessMatching: 'off',
    blurRadiusPx: 0,
    textureThresholdDn: 0,
    shadowHandling: 'off',
    openRadiusPx: 0,
    closeRadiusPx: 0,
    maxHoleM2: 0,
    minAreaM2: 0,
  };
  const run = (before: readonly Block[], after: readonly Block[]) =>
    analyzePairCpu(
      {
        widthPx: width,
        heightPx: height,
        before: paint(before),
        after: paint(after),
        valid: new Uint8Array(width * height).fill(1),
        rois: [
          {
            name: 'Pier',
            rings: [
              [
                [0, 0],
                [width, 0],
                [width, height],
                [0, height],
                [0, 0],
              ],
            ],
          },
        ],
        pixelAreaM2: 0.25,
      },
      params,
    ).rois[0]!;

  test('one block more: TEU, ranges and net from area, rim, fill factor and footprint', () => {
    const roi = run(
      [[10, 10, red]],
      [
        [10, 10, red],
        [35, 25, red],
      ],
    );
    // A 20 × 10 block: 200 px = 50 m², its rim (a 4-neighbour outside) 56 px = 14 m².
    const teu = (m2: number): number => (m2 * 0.97) / 14.77;
    const low = (m2: number, rim: number): number => ((m2 - rim / 2) * 0.92) / 14.77;
    const high = (m2: number, rim: number): number => ((m2 + rim / 2) * 1.02) / 14.77;
    expect(roi.before.areaM2).toBe(50);
    expect(roi.before.teu).toBeCloseTo(teu(50), 10);
    expect(roi.before.lowTeu).toBeCloseTo(low(50, 14), 10);
    expect(roi.before.highTeu).toBeCloseTo(high(50, 14), 10);
    expect(roi.after.areaM2).toBe(100);
    expect(roi.after.teu).toBeCloseTo(teu(100), 10);
    expect(roi.appeared.areaM2).toBe(50);
    expect(roi.disappeared.areaM2).toBe(0);
    expect(roi.netTeu).toBeCloseTo(teu(50), 10); // 3.28 TEU
    // The net's range takes the dates' ends apart: 1.42 to 5.19 TEU.
    expect(roi.netLowTeu).toBeCloseTo(low(100, 28) - high(50, 14), 10);
    expect(roi.netHighTeu).toBeCloseTo(high(100, 28) - low(50, 14), 10);
  });

  test('a box swapped for another colour in its slot is one gone and one come; a box moved by a pixel is neither', () => {
    const swapped = run([[10, 10, red]], [[10, 10, blue]]);
    expect(swapped.appeared.areaM2).toBe(50);
    expect(swapped.disappeared.areaM2).toBe(50);
    expect(swapped.netTeu).toBe(0);
    const moved = run([[10, 10, red]], [[11, 10, red]]);
    expect(moved.appeared.areaM2).toBe(0);
    expect(moved.disappeared.areaM2).toBe(0);
    expect(moved.netTeu).toBe(0);
  });
});
