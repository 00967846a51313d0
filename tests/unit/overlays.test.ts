import { describe, expect, test } from 'vitest';
import {
  BLOB_KIND_COLOURS,
  blobOutlinesImage,
  codesToImage,
  heatColour,
  heatLegend,
  heatMapImage,
  highlightImage,
  occupancyImage,
  overlayFactor,
} from '../../src/core/analysis/overlays.ts';

function mask(rows: readonly string[]): Uint8Array {
  return Uint8Array.from(rows.join('').split(''), (c) => (c === '#' ? 1 : 0));
}

/** The RGBA of image pixel (x, y). */
function pixel(image: { width: number; rgba: Uint8ClampedArray }, x: number, y: number) {
  const k = (y * image.width + x) * 4;
  return Array.from(image.rgba.slice(k, k + 4));
}

describe('analysis overlays', () => {
  test('heat map: transparent at 0, yellow at the threshold level, red when saturated', () => {
    expect(heatColour(0)[3]).toBe(0);
    expect(heatColour(64)).toEqual([255, 214, 10, 200]);
    expect(heatColour(255)).toEqual([255, 30, 30, 240]);
    // Halfway between the stops 64 and 128.
    expect(heatColour(96)).toEqual([255, 167, 5, 213]);
    const image = heatMapImage({ widthPx: 3, heightPx: 1 }, Uint8Array.from([0, 64, 255]));
    expect(image.width).toBe(3);
    expect(pixel(image, 0, 0)).toEqual([0, 0, 0, 0]);
    expect(pixel(image, 1, 0)).toEqual([255, 214, 10, 200]);
    expect(pixel(image, 2, 0)).toEqual([255, 30, 30, 240]);
    expect(heatLegend(30).map((key) => key.text)).toEqual([
      'half the threshold (15 DN)',
      'change threshold (30 DN)',
      '2× (60 DN)',
      '≥ 4× (120 DN)',
    ]);
    expect(heatLegend(30)[1]?.colour).toBe('#ffd60a');
  });

  test('occupancy: the mask in one colour', () => {
    const image = occupancyImage(
      { widthPx: 2, heightPx: 1 },
      Uint8Array.from([1, 0]),
      [1, 2, 3, 4],
    );
    expect(Array.from(image.rgba)).toEqual([1, 2, 3, 4, 0, 0, 0, 0]);
  });

  test('blob outlines: rim pixels only, coloured by kind, appeared over the others', () => {
    const grid = { widthPx: 5, heightPx: 5 };
    const block = mask(['.....', '.###.', '.###.', '.###.', '.....']);
    const none = new Uint8Array(25);
    const both = blobOutlinesImage(grid, {
      before: block,
      after: block,
      appeared: none,
      disappeared: none,
    });
    expect(pixel(both, 1, 1)).toEqual([...BLOB_KIND_COLOURS.both]);
    expect(pixel(both, 2, 1)).toEqual([...BLOB_KIND_COLOURS.both]);
    // The centre has all four neighbours inside: not on the outline.
    expect(pixel(both, 2, 2)).toEqual([0, 0, 0, 0]);
    expect(pixel(both, 0, 0)).toEqual([0, 0, 0, 0]);
    const appeared = blobOutlinesImage(grid, {
      before: block,
      after: block,
      appeared: block,
      disappeared: none,
    });
    expect(pixel(appeared, 3, 3)).toEqual([...BLOB_KIND_COLOURS.appeared]);
    // Before only (not after): no kind, nothing drawn.
    const beforeOnly = blobOutlinesImage(grid, {
      before: block,
      after: none,
      appeared: none,
      disappeared: none,
    });
    expect(beforeOnly.rgba.every((v) => v === 0)).toBe(true);
    // A blob at the window's edge is outlined there too.
    const edge = blobOutlinesImage(
      { widthPx: 3, heightPx: 1 },
      { before: none, after: none, appeared: none, disappeared: Uint8Array.from([1, 1, 1]) },
    );
    expect(pixel(edge, 1, 0)).toEqual([...BLOB_KIND_COLOURS.disappeared]);
  });

  test('highlight: outline opaque white, inside a light veil', () => {
    const grid = { widthPx: 5, heightPx: 5 };
    const pixels = [6, 7, 8, 11, 12, 13, 16, 17, 18];
    const image = highlightImage(grid, pixels);
    expect(pixel(image, 1, 1)).toEqual([255, 255, 255, 255]);
    expect(pixel(image, 2, 2)).toEqual([255, 255, 255, 70]);
    expect(pixel(image, 4, 4)).toEqual([0, 0, 0, 0]);
  });

  test('a window over the side limit is drawn in blocks, each the largest code in it', () => {
    expect(overlayFactor({ widthPx: 9000, heightPx: 100 })).toBe(3);
    expect(overlayFactor({ widthPx: 4096, heightPx: 4096 })).toBe(1);
    const codes = Uint8Array.from([0, 2, 0, 1, 0, 0, 0, 0, 1]);
    const image = codesToImage(
      { widthPx: 3, heightPx: 3 },
      (i) => codes[i] ?? 0,
      [
        [0, 0, 0, 0],
        [10, 0, 0, 255],
        [20, 0, 0, 255],
      ],
      2,
    );
    expect([image.width, image.height]).toEqual([2, 2]);
    expect(pixel(image, 0, 0)).toEqual([20, 0, 0, 255]);
    expect(pixel(image, 1, 0)).toEqual([0, 0, 0, 0]);
    expect(pixel(image, 0, 1)).toEqual([0, 0, 0, 0]);
    expect(pixel(image, 1, 1)).toEqual([10, 0, 0, 255]);
  });
});
