/**
 * Draws an annotated snapshot on a Canvas 2D context: the app hands it a
 * browser canvas, the CLI an @napi-rs/canvas one, so both draw the same
 * figure from the same scene. Layout comes from snapshot-layout.ts.
 */
import { COVERED_SHARE } from '../analysis/coverage.ts';
import type { Rgba8Image } from '../raster.ts';
import { levelFor, mipChain, type MinifyMode } from '../view-mipmap.ts';
import { niceScaleBar } from '../view-geo.ts';
import {
  snapshotLayout,
  type LayoutRect,
  type SnapshotLayout,
  type SnapshotLayoutKind,
} from './snapshot-layout.ts';

/** The part of CanvasRenderingContext2D the snapshot uses (browser and @napi-rs/canvas alike). */
export interface Canvas2dLike<Bitmap> {
  fillStyle: unknown;
  strokeStyle: unknown;
  lineWidth: number;
  font: string;
  textAlign: string;
  textBaseline: string;
  globalAlpha: number;
  imageSmoothingEnabled: boolean;
  save(): void;
  restore(): void;
  beginPath(): void;
  rect(x: number, y: number, w: number, h: number): void;
  clip(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  closePath(): void;
  fill(): void;
  stroke(): void;
  fillRect(x: number, y: number, w: number, h: number): void;
  fillText(text: string, x: number, y: number): void;
  strokeText(text: string, x: number, y: number): void;
  measureText(text: string): { width: number };
  drawImage(
    image: Bitmap,
    sx: number,
    sy: number,
    sw: number,
    sh: number,
    dx: number,
    dy: number,
    dw: number,
    dh: number,
  ): void;
}

/** A rectangle of before-image px: x, y, width, height. */
export type ImageRect = readonly [number, number, number, number];

export interface SnapshotLayer {
  readonly image: Rgba8Image;
  /** Where the image lies, in full-resolution before px. */
  readonly rectImagePx: ImageRect;
}

export interface SnapshotOverlay extends SnapshotLayer {
  readonly id: string;
  readonly opacity01: number;
  readonly legend: readonly { readonly colour: string; readonly text: string }[];
  /** 'max': drawn smaller than its pixels, it is reduced keeping thin lines (view-mipmap.ts). */
  readonly minify?: MinifyMode;
}

export interface SnapshotPier {
  readonly name: string;
  /** Outer ring(s) in full-resolution before px. */
  readonly rings: readonly (readonly (readonly [number, number])[])[];
  readonly beforeTeu: number;
  readonly afterTeu: number;
  readonly netTeu: number;
  /**
   * Share of the pier both images cover (pierCoverage); below COVERED_SHARE
   * its table row says so, since its numbers count that part only.
   */
  readonly coverage?: number;
}

export interface SnapshotScene {
  readonly layout: SnapshotLayoutKind;
  /** The before-image rectangle shown in each pane. */
  readonly rectImagePx: ImageRect;
  /** Output px per before-image px. */
  readonly outputPxPerImagePx: number;
  /** Integer ≥ 1 (see snapshot-layout.ts). */
  readonly textScale: number;
  readonly before: SnapshotLayer & { readonly label: string };
  readonly after: SnapshotLayer & { readonly label: string };
  readonly overlays: readonly SnapshotOverlay[];
  readonly piers: readonly SnapshotPier[];
  /** Ground metres per before px at the middle of the view, or null (no scale bar). */
  readonly metresPerImagePx: number | null;
  /** True north, degrees clockwise from up, or null (no north arrow). */
  readonly northDegrees: number | null;
  readonly title: string;
  readonly credit: string;
  /** Small print at the bottom right (app version, what TEU means). */
  readonly footnote: string;
  /**
   * Lines drawn under the table in a warning colour, for what makes the numbers
   * doubtful (pixels too coarse for containers: coarsePixelCaveat); none when absent.
   */
  readonly caveats?: readonly string[];
}

export const SNAPSHOT_FONT = "'DejaVu Sans', 'Liberation Sans', Arial, sans-serif";
const PIER_COLOUR = '#64d2ff';
const INK = '#e8ecf4';
const MUTED = '#9aa3b5';
/** The app's warning colour (light red on the dark figure). */
const CAVEAT = '#ffb4b4';

/** Pane size in output px for the scene. */
export function scenePaneSize(scene: SnapshotScene): { widthPx: number; heightPx: number } {
  return {
    widthPx: Math.max(1, Math.round(scene.rectImagePx[2] * scene.outputPxPerImagePx)),
    heightPx: Math.max(1, Math.round(scene.rectImagePx[3] * scene.outputPxPerImagePx)),
  };
}

/** Legend rows: each overlay's colour keys, then the pier outline. */
export function legendEntries(scene: SnapshotScene): { colour: string; text: string }[] {
  return [
    ...scene.overlays.flatMap((overlay) => overlay.legend.map((entry) => ({ ...entry }))),
    { colour: PIER_COLOUR, text: 'pier outline, net TEU' },
  ];
}

export function layoutOfScene(scene: SnapshotScene): SnapshotLayout {
  const pane = scenePaneSize(scene);
  return snapshotLayout({
    layout: scene.layout,
    paneWidthPx: pane.widthPx,
    paneHeightPx: pane.heightPx,
    textScale: scene.textScale,
    legendRows: legendEntries(scene).length,
    pierRows: scene.piers.length,
    caveatRows: scene.caveats?.length ?? 0,
  });
}

/** "+12.3" / "−4.0" / "0.0". */
export function signedTeu(value: number): string {
  const text = Math.abs(value).toFixed(1);
  return value > 0 && text !== '0.0' ? `+${text}` : value < 0 && text !== '0.0' ? `−${text}` : text;
}

/** The least width a pier's label gets, whatever the pier's (output px at text scale 1). */
const MIN_LABEL_WIDTH_PX = 140;

function fitText<B>(ctx: Canvas2dLike<B>, text: string, maxWidth: number): string {
  if (ctx.measureText(text).width <= maxWidth) return text;
  let cut = text.length;
  while (cut > 1 && ctx.measureText(`${text.slice(0, cut)}…`).width > maxWidth) cut--;
  return `${text.slice(0, cut)}…`;
}

function haloText<B>(ctx: Canvas2dLike<B>, text: string, x: number, y: number, k: number): void {
  ctx.strokeStyle = 'rgba(0, 0, 0, 0.85)';
  ctx.lineWidth = 3 * k;
  ctx.strokeText(text, x, y);
  ctx.fillText(text, x, y);
}

/**
 * Draws the scene; `toBitmap` turns an RGBA image into something the context's
 * drawImage takes (a canvas holding it). Returns the layout it drew.
 */
export function drawSnapshot<B>(
  ctx: Canvas2dLike<B>,
  scene: SnapshotScene,
  toBitmap: (image: Rgba8Image) => B,
): SnapshotLayout {
  const layout = layoutOfScene(scene);
  const k = scene.textScale;
  const s = scene.outputPxPerImagePx;
  const [viewX, viewY] = scene.rectImagePx;
  ctx.fillStyle = '#11141b';
  ctx.fillRect(0, 0, layout.widthPx, layout.heightPx);
  ctx.textBaseline = 'alphabetic';

  const paneImages = scene.layout === 'side-by-side' ? [scene.before, scene.after] : [scene.after];
  const bitmaps = new Map<Rgba8Image, B>();
  const bitmap = (image: Rgba8Image): B => {
    let made = bitmaps.get(image);
    if (made === undefined) {
      made = toBitmap(image);
      bitmaps.set(image, made);
    }
    return made;
  };
  const maxLevels = new Map<Rgba8Image, Rgba8Image[]>();
  /** The image to draw `layer` from: itself, or its 'max' level nearest the drawn size. */
  const source = (layer: SnapshotLayer & { readonly minify?: MinifyMode }): Rgba8Image => {
    const outputPxPerTexel = (layer.rectImagePx[2] * s) / layer.image.width;
    if (layer.minify !== 'max' || outputPxPerTexel >= 1) return layer.image;
    let levels = maxLevels.get(layer.image);
    if (levels === undefined) {
      levels = mipChain(layer.image, 'max');
      maxLevels.set(layer.image, levels);
    }
    return levels[levelFor(levels.length, outputPxPerTexel)] ?? layer.image;
  };
  const drawLayer = (
    pane: LayoutRect,
    layer: SnapshotLayer & { readonly minify?: MinifyMode },
    smooth: boolean,
  ): void => {
    const [x, y, w, h] = layer.rectImagePx;
    const image = source(layer);
    ctx.imageSmoothingEnabled = smooth;
    ctx.drawImage(
      bitmap(image),
      0,
      0,
      image.width,
      image.height,
      pane.x + (x - viewX) * s,
      pane.y + (y - viewY) * s,
      w * s,
      h * s,
    );
  };

  layout.panes.forEach((pane, index) => {
    const imagery = paneImages[index] ?? scene.after;
    ctx.save();
    ctx.beginPath();
    ctx.rect(pane.x, pane.y, pane.width, pane.height);
    ctx.clip();
    ctx.fillStyle = '#000';
    ctx.fillRect(pane.x, pane.y, pane.width, pane.height);
    drawLayer(pane, imagery, true);
    for (const overlay of scene.overlays) {
      ctx.globalAlpha = Math.min(1, Math.max(0, overlay.opacity01));
      drawLayer(pane, overlay, false);
    }
    ctx.globalAlpha = 1;
    // Piers: outline, then name and net TEU at the top-left of their box.
    ctx.font = `bold ${layout.labelFontPx}px ${SNAPSHOT_FONT}`;
    ctx.textAlign = 'left';
    for (const pier of scene.piers) {
      ctx.beginPath();
      let minX = Infinity;
      let minY = Infinity;
      let maxX = -Infinity;
      let maxY = -Infinity;
      for (const ring of pier.rings) {
        ring.forEach(([px, py], i) => {
          const sx = pane.x + (px - viewX) * s;
          const sy = pane.y + (py - viewY) * s;
          minX = Math.min(minX, sx);
          minY = Math.min(minY, sy);
          maxX = Math.max(maxX, sx);
          maxY = Math.max(maxY, sy);
          if (i === 0) ctx.moveTo(sx, sy);
          else ctx.lineTo(sx, sy);
        });
        ctx.closePath();
      }
      ctx.strokeStyle = PIER_COLOUR;
      ctx.lineWidth = 2 * k;
      ctx.stroke();
      // A pier wholly outside the pane gets no label: one kept at the pane's
      // edge named a place where the pier is not.
      const outside =
        maxX < pane.x || minX > pane.x + pane.width || maxY < pane.y || minY > pane.y + pane.height;
      if (!Number.isFinite(minX) || outside) continue;
      const labelX = Math.min(Math.max(minX + 3 * k, pane.x + 4 * k), pane.x + pane.width - 40 * k);
      const labelY = Math.min(
        Math.max(minY - 5 * k, pane.y + layout.labelFontPx + 4 * k),
        pane.y + pane.height - 4 * k,
      );
      ctx.fillStyle = PIER_COLOUR;
      // The name is cut to the pier's width (at least MIN_LABEL_WIDTH_PX), the net kept
      // whole: a long name ran over its neighbours' labels and hid its own net.
      const net = `  ${signedTeu(pier.netTeu)} TEU`;
      const room = Math.min(
        Math.max(maxX - minX, MIN_LABEL_WIDTH_PX * k),
        pane.x + pane.width - 4 * k - labelX,
      );
      const name = fitText(ctx, pier.name, room - ctx.measureText(net).width);
      haloText(ctx, `${name}${net}`, labelX, labelY, k);
    }
    // Which date this pane shows.
    ctx.font = `bold ${layout.labelFontPx}px ${SNAPSHOT_FONT}`;
    ctx.fillStyle = '#ffffff';
    ctx.textAlign = 'right';
    haloText(ctx, imagery.label, pane.x + pane.width - 8 * k, pane.y + pane.height - 10 * k, k);
    ctx.restore();
  });

  // Scale bar in the first pane.
  const bar =
    scene.metresPerImagePx === null
      ? null
      : niceScaleBar(scene.metresPerImagePx / s, layout.scaleBar.maxWidthPx);
  if (bar !== null) {
    const { x, y } = layout.scaleBar;
    const height = 6 * k;
    ctx.fillStyle = 'rgba(0, 0, 0, 0.6)';
    ctx.fillRect(x - 4 * k, y - height - 20 * k, bar.widthCssPx + 8 * k, height + 24 * k);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(x, y - height, bar.widthCssPx, height);
    ctx.font = `${layout.labelFontPx}px ${SNAPSHOT_FONT}`;
    ctx.textAlign = 'left';
    ctx.fillText(bar.label, x, y - height - 5 * k);
  }

  // North arrow in the last pane.
  if (scene.northDegrees !== null) {
    const { x, y, radiusPx: r } = layout.north;
    const angle = (scene.northDegrees * Math.PI) / 180;
    const at = (along: number, across: number): [number, number] => [
      x + along * Math.sin(angle) + across * Math.cos(angle),
      y - along * Math.cos(angle) + across * Math.sin(angle),
    ];
    ctx.fillStyle = 'rgba(0, 0, 0, 0.6)';
    ctx.beginPath();
    ctx.rect(x - r - 4 * k, y - r - 4 * k, 2 * r + 8 * k, 2 * r + 8 * k);
    ctx.fill();
    const points = [
      at(r * 0.7, 0),
      at(-r * 0.6, r * 0.45),
      at(-r * 0.3, 0),
      at(-r * 0.6, -r * 0.45),
    ];
    ctx.beginPath();
    points.forEach(([px, py], i) => {
      if (i === 0) ctx.moveTo(px, py);
      else ctx.lineTo(px, py);
    });
    ctx.closePath();
    ctx.fillStyle = '#ffffff';
    ctx.fill();
    const [nx, ny] = at(-r * 0.95, 0);
    ctx.font = `bold ${11 * k}px ${SNAPSHOT_FONT}`;
    ctx.textAlign = 'center';
    ctx.fillText('N', nx, ny + 4 * k);
  }

  // Title and dates.
  ctx.textAlign = 'left';
  ctx.fillStyle = INK;
  ctx.font = `bold ${layout.title.fontPx}px ${SNAPSHOT_FONT}`;
  ctx.fillText(fitText(ctx, scene.title, layout.widthPx - 24 * k), layout.title.x, layout.title.y);
  ctx.fillStyle = MUTED;
  ctx.font = `${layout.dates.fontPx}px ${SNAPSHOT_FONT}`;
  ctx.fillText(
    fitText(ctx, `${scene.before.label}  →  ${scene.after.label}`, layout.widthPx - 24 * k),
    layout.dates.x,
    layout.dates.y,
  );

  // Legend.
  const { legend, table } = layout;
  ctx.fillStyle = INK;
  ctx.font = `bold ${layout.fontPx}px ${SNAPSHOT_FONT}`;
  ctx.fillText('Legend', legend.x, legend.y + 13 * k);
  ctx.font = `${layout.fontPx}px ${SNAPSHOT_FONT}`;
  legendEntries(scene).forEach((entry, i) => {
    const y = legend.rowYs[i] ?? legend.y;
    ctx.fillStyle = entry.colour;
    ctx.fillRect(legend.x, y + 4 * k, 14 * k, 10 * k);
    ctx.fillStyle = INK;
    ctx.fillText(fitText(ctx, entry.text, legend.width - 22 * k), legend.x + 22 * k, y + 14 * k);
  });

  // Per-pier table: name, before, after, net. A number column moves left when its
  // widest entry would run into the column to its right (coarse pixels or a huge
  // pier give six-digit counts); the names give way.
  ctx.font = `${layout.fontPx}px ${SNAPSHOT_FONT}`;
  const cells = scene.piers.map((pier) => ({
    pier,
    before: pier.beforeTeu.toFixed(1),
    after: pier.afterTeu.toFixed(1),
    net: signedTeu(pier.netTeu),
  }));
  const widest = (texts: readonly string[]): number =>
    Math.max(0, ...texts.map((text) => ctx.measureText(text).width));
  const gap = 10 * k;
  const netRight = table.columnRightXs[2];
  const afterRight = Math.min(
    table.columnRightXs[1],
    netRight - widest(['net', ...cells.map((cell) => cell.net)]) - gap,
  );
  const beforeRight = Math.min(
    table.columnRightXs[0],
    afterRight - widest(['after', ...cells.map((cell) => cell.after)]) - gap,
  );
  ctx.font = `bold ${layout.fontPx}px ${SNAPSHOT_FONT}`;
  ctx.fillStyle = INK;
  ctx.textAlign = 'left';
  ctx.fillText('Pier (TEU)', table.x, table.headerY + 14 * k);
  ctx.textAlign = 'right';
  ctx.fillText('before', beforeRight, table.headerY + 14 * k);
  ctx.fillText('after', afterRight, table.headerY + 14 * k);
  ctx.fillText('net', netRight, table.headerY + 14 * k);
  ctx.font = `${layout.fontPx}px ${SNAPSHOT_FONT}`;
  let shortCoverageNote = false;
  for (const [i, { pier, before, after, net }] of cells.entries()) {
    const y = (table.rowYs[i] ?? table.headerY) + 14 * k;
    ctx.textAlign = 'left';
    // The name's room ends where this row's before number begins.
    const room = beforeRight - ctx.measureText(before).width - gap - table.x;
    const percent = pier.coverage === undefined ? 100 : Math.round(pier.coverage * 100);
    let note = '';
    if (pier.coverage !== undefined && pier.coverage < COVERED_SHARE) {
      // "(92 % covered)" where the name still fits beside it, else "(92 %)",
      // explained in the footnote: the long note cut names to one letter.
      note = ` (${percent} % covered)`;
      if (ctx.measureText(`${pier.name}${note}`).width > room) {
        note = ` (${percent} %)`;
        shortCoverageNote = true;
      }
    }
    ctx.fillText(
      `${fitText(ctx, pier.name, room - ctx.measureText(note).width)}${note}`,
      table.x,
      y,
    );
    ctx.textAlign = 'right';
    ctx.fillText(before, beforeRight, y);
    ctx.fillText(after, afterRight, y);
    ctx.fillText(net, netRight, y);
  }

  // Caveats under the table, each fitted to the column.
  ctx.textAlign = 'left';
  ctx.fillStyle = CAVEAT;
  (scene.caveats ?? []).forEach((line, i) => {
    const y = layout.caveats.rowYs[i];
    if (y !== undefined) {
      ctx.fillText(fitText(ctx, line, table.columnRightXs[2] - table.x), layout.caveats.x, y);
    }
  });

  // Credit line and small print.
  ctx.textAlign = 'left';
  ctx.fillStyle = INK;
  ctx.font = `${layout.credit.fontPx}px ${SNAPSHOT_FONT}`;
  const footnoteWidth = Math.min(layout.widthPx / 2, 420 * k);
  ctx.fillText(
    fitText(ctx, scene.credit, layout.widthPx - footnoteWidth - 36 * k),
    layout.credit.x,
    layout.credit.y,
  );
  ctx.textAlign = 'right';
  ctx.fillStyle = MUTED;
  ctx.font = `${layout.footnote.fontPx}px ${SNAPSHOT_FONT}`;
  const footnote = shortCoverageNote
    ? `${scene.footnote} · (N %): the share of a pier both images cover`
    : scene.footnote;
  ctx.fillText(fitText(ctx, footnote, footnoteWidth), layout.footnote.x, layout.footnote.y);
  return layout;
}
