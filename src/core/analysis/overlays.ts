/**
 * Pictures of an analysis result for the view: RGBA images over the analysis
 * window (ViewOverlay, src/core/view-transform.ts) built from the result's
 * masks and change magnitude. Pure: masks in, pixels out.
 *
 * Each picture is a code per pixel (0 = nothing) mapped through a palette.
 * A window larger than maxSidePx on a side is drawn at a coarser grid of
 * `factor`² blocks (textures have a size limit), a block taking the largest
 * code of its pixels, so codes are ordered by what must stay visible.
 */
import type { Rgba8Image } from '../raster.ts';
import { CHANGE_LEVEL_AT_THRESHOLD } from './change-magnitude.ts';

export type Rgba = readonly [r: number, g: number, b: number, a: number];

export interface OverlayGrid {
  readonly widthPx: number;
  readonly heightPx: number;
}

/** Overlay textures stay within this side (WebGPU guarantees 8192; overlays need not be finer). */
export const OVERLAY_MAX_SIDE_PX = 4096;

/** Window pixels per overlay pixel along each axis. */
export function overlayFactor(grid: OverlayGrid, maxSidePx = OVERLAY_MAX_SIDE_PX): number {
  return Math.max(1, Math.ceil(Math.max(grid.widthPx, grid.heightPx) / maxSidePx));
}

/** Codes per window pixel → one RGBA image, block maximum when factor > 1. */
export function codesToImage(
  grid: OverlayGrid,
  codeAt: (pixel: number) => number,
  palette: readonly Rgba[],
  maxSidePx = OVERLAY_MAX_SIDE_PX,
): Rgba8Image {
  const { widthPx: w, heightPx: h } = grid;
  const factor = overlayFactor(grid, maxSidePx);
  const width = Math.ceil(w / factor);
  const height = Math.ceil(h / factor);
  const codes = new Uint8Array(width * height);
  for (let y = 0; y < h; y++) {
    const row = Math.floor(y / factor) * width;
    for (let x = 0; x < w; x++) {
      const code = codeAt(y * w + x);
      const k = row + Math.floor(x / factor);
      if (code > (codes[k] ?? 0)) codes[k] = code;
    }
  }
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let k = 0; k < codes.length; k++) {
    const code = codes[k] ?? 0;
    if (code === 0) continue;
    const colour = palette[Math.min(code, palette.length - 1)] ?? [0, 0, 0, 0];
    rgba.set(colour, k * 4);
  }
  return { width, height, rgba };
}

// ---- change heat map ---------------------------------------------------------

/** Colour stops of the heat map by change level (level 64 = the change threshold). */
const HEAT_STOPS: readonly (readonly [level: number, colour: Rgba])[] = [
  [0, [40, 60, 200, 0]],
  [16, [40, 60, 200, 90]],
  [CHANGE_LEVEL_AT_THRESHOLD, [255, 214, 10, 200]],
  [2 * CHANGE_LEVEL_AT_THRESHOLD, [255, 120, 0, 225]],
  [255, [255, 30, 30, 240]],
];

/** The heat map's colour of a change level: linear between the stops. */
export function heatColour(level: number): Rgba {
  let lower = HEAT_STOPS[0];
  for (const stop of HEAT_STOPS) {
    if (lower === undefined) break;
    if (level <= stop[0]) {
      const from = lower[1];
      const span = stop[0] - lower[0];
      const t = span > 0 ? (level - lower[0]) / span : 1;
      const mix = (k: 0 | 1 | 2 | 3): number => Math.round(from[k] + t * (stop[1][k] - from[k]));
      return [mix(0), mix(1), mix(2), mix(3)];
    }
    lower = stop;
  }
  return lower?.[1] ?? [0, 0, 0, 0];
}

const HEAT_PALETTE: readonly Rgba[] = Array.from({ length: 256 }, (_, level) => heatColour(level));

function hex(colour: Rgba): string {
  return `#${[colour[0], colour[1], colour[2]].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** Legend keys of the heat map, in words of the change threshold. */
export function heatLegend(thresholdDn: number): { colour: string; text: string }[] {
  const dn = (times: number): string => `${Math.round(times * thresholdDn)} DN`;
  return [
    { colour: hex(heatColour(32)), text: `half the threshold (${dn(0.5)})` },
    { colour: hex(heatColour(64)), text: `change threshold (${dn(1)})` },
    { colour: hex(heatColour(128)), text: `2× (${dn(2)})` },
    { colour: hex(heatColour(255)), text: `≥ 4× (${dn(4)})` },
  ];
}

/** Change magnitude levels (0..255) as the heat map. */
export function heatMapImage(
  grid: OverlayGrid,
  levels: Uint8Array,
  maxSidePx?: number,
): Rgba8Image {
  return codesToImage(grid, (i) => levels[i] ?? 0, HEAT_PALETTE, maxSidePx);
}

// ---- occupancy per date ------------------------------------------------------------

export const OCCUPANCY_COLOURS = {
  before: [0, 199, 255, 150],
  after: [255, 64, 200, 150],
} as const satisfies Record<string, Rgba>;

/** A 0/1 occupancy mask filled in one colour. */
export function occupancyImage(
  grid: OverlayGrid,
  mask: Uint8Array,
  colour: Rgba,
  maxSidePx?: number,
): Rgba8Image {
  return codesToImage(grid, (i) => (mask[i] !== 0 ? 1 : 0), [[0, 0, 0, 0], colour], maxSidePx);
}

// ---- blob outlines by kind ------------------------------------------------------------

export type BlobKind = 'appeared' | 'disappeared' | 'both';

/** The kinds in the order a click takes them where they overlap, and the export lists them. */
export const BLOB_KINDS: readonly BlobKind[] = ['appeared', 'disappeared', 'both'];

export const BLOB_KIND_LABELS: Readonly<Record<BlobKind, string>> = {
  appeared: 'appeared',
  disappeared: 'disappeared',
  both: 'present at both dates',
};

export const BLOB_KIND_COLOURS: Readonly<Record<BlobKind, Rgba>> = {
  appeared: [52, 199, 89, 255],
  disappeared: [255, 59, 48, 255],
  both: [255, 214, 10, 255],
};

export function blobKindHex(kind: BlobKind): string {
  return hex(BLOB_KIND_COLOURS[kind]);
}

/** The legend of the blob outlines: each kind's colour and name. */
export function blobLegend(): { colour: string; text: string }[] {
  return BLOB_KINDS.map((kind) => ({ colour: blobKindHex(kind), text: BLOB_KIND_LABELS[kind] }));
}

/** The kept masks a kind is drawn from ('both' is before ∧ after). */
export interface KindMasks {
  readonly before: Uint8Array;
  readonly after: Uint8Array;
  readonly appeared: Uint8Array;
  readonly disappeared: Uint8Array;
}

/** Whether window pixel i belongs to a blob of `kind`. */
export function inKind(masks: KindMasks, kind: BlobKind, i: number): boolean {
  switch (kind) {
    case 'appeared':
      return masks.appeared[i] !== 0;
    case 'disappeared':
      return masks.disappeared[i] !== 0;
    case 'both':
      return masks.before[i] !== 0 && masks.after[i] !== 0;
  }
}

/** On the outline: in the blob, with a 4-neighbour outside it or outside the window. */
export function onOutline(
  grid: OverlayGrid,
  inside: (pixel: number) => boolean,
  i: number,
): boolean {
  if (!inside(i)) return false;
  const { widthPx: w, heightPx: h } = grid;
  const x = i % w;
  const y = (i - x) / w;
  return (
    x === 0 ||
    y === 0 ||
    x === w - 1 ||
    y === h - 1 ||
    !inside(i - 1) ||
    !inside(i + 1) ||
    !inside(i - w) ||
    !inside(i + w)
  );
}

/** Codes of the outline picture; a larger code wins a shared pixel (and a coarse block). */
const OUTLINE_CODES: readonly BlobKind[] = ['both', 'disappeared', 'appeared'];

/** Outlines of the kept blobs, coloured by kind: appeared over disappeared over present at both. */
export function blobOutlinesImage(
  grid: OverlayGrid,
  masks: KindMasks,
  maxSidePx?: number,
): Rgba8Image {
  const palette: Rgba[] = [[0, 0, 0, 0], ...OUTLINE_CODES.map((kind) => BLOB_KIND_COLOURS[kind])];
  const insides = OUTLINE_CODES.map(
    (kind) =>
      (i: number): boolean =>
        inKind(masks, kind, i),
  );
  return codesToImage(
    grid,
    (i) => {
      for (let k = insides.length - 1; k >= 0; k--) {
        const inside = insides[k];
        if (inside !== undefined && onOutline(grid, inside, i)) return k + 1;
      }
      return 0;
    },
    palette,
    maxSidePx,
  );
}

// ---- the picked blob ----------------------------------------------------------------

/** The picked blob: a light fill and a white outline, so it stands out over every other overlay. */
export function highlightImage(
  grid: OverlayGrid,
  pixels: ArrayLike<number>,
  maxSidePx?: number,
): Rgba8Image {
  const member = new Uint8Array(grid.widthPx * grid.heightPx);
  for (let k = 0; k < pixels.length; k++) member[pixels[k] ?? 0] = 1;
  const inside = (i: number): boolean => member[i] === 1;
  return codesToImage(
    grid,
    (i) => (member[i] === 0 ? 0 : onOutline(grid, inside, i) ? 2 : 1),
    [
      [0, 0, 0, 0],
      [255, 255, 255, 70],
      [255, 255, 255, 255],
    ],
    maxSidePx,
  );
}
