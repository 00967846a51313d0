/**
 * `quaywatch analyze` writes DIR/snapshot.png: the same scene, layout and
 * drawing code as the app's "Export snapshot…" (src/core/export/), drawn on
 * @napi-rs/canvas, with the "quaywatch" iTXt chunk carrying the parameters
 * and the numbers of result.json.
 */
import { createCanvas, type Canvas } from '@napi-rs/canvas';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnalysisResult } from '../core/analysis/cpu-pipeline.ts';
import type { AnalysisParams } from '../core/analysis/params.ts';
import { blobLegend, blobOutlinesImage } from '../core/analysis/overlays.ts';
import { acquiredDay } from '../core/series.ts';
import { stretchFor, toDisplayRgba } from '../core/display.ts';
import { drawSnapshot, layoutOfScene, type SnapshotScene } from '../core/export/snapshot-draw.ts';
import {
  snapshotFootnote,
  withSnapshotMetadata,
  type SnapshotMetadata,
  type SnapshotRoiNumbers,
} from '../core/export/snapshot-metadata.ts';
import type { BandArray, RasterInfo, Rgba8Image } from '../core/raster.ts';
import { createViewGeo } from '../core/view-geo.ts';
import type { PixelPolygon } from '../core/analysis/roi-raster.ts';
import { gridOf } from '../io/align-read.ts';
import { coarsePixelCaveat } from '../io/analysis-plan.ts';
import { writeOutFile } from './out-folder.ts';

/** The app's version, from package.json beside src/. */
let version: string | undefined;

export function appVersion(): string {
  if (version === undefined) {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    const field = (JSON.parse(text) as { version?: unknown }).version;
    version = typeof field === 'string' ? field : 'unknown';
  }
  return version;
}

/** An RGBA image as a canvas, for drawImage. */
function imageCanvas(image: Rgba8Image): Canvas {
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  const data = ctx.createImageData(image.width, image.height);
  data.data.set(image.rgba);
  ctx.putImageData(data, 0, 0);
  return canvas;
}

/** Renders a scene with @napi-rs/canvas and returns plain PNG bytes (no metadata yet). */
export function renderScenePng(scene: SnapshotScene): Uint8Array {
  const { widthPx, heightPx } = layoutOfScene(scene);
  const canvas = createCanvas(widthPx, heightPx);
  drawSnapshot(canvas.getContext('2d'), scene, imageCanvas);
  return new Uint8Array(canvas.toBuffer('image/png'));
}

export interface CliSnapshotInput {
  readonly out: string;
  readonly before: { readonly info: RasterInfo; readonly bands: readonly BandArray[] };
  readonly after: { readonly info: RasterInfo; readonly bands: readonly BandArray[] };
  /** 1 where the window holds data at both dates (the analysis input's `valid`): the stretch reads only those. */
  readonly valid: Uint8Array;
  /** [x0, y0, x1, y1) of the before image that the analysis covers. */
  readonly windowPx: readonly [number, number, number, number];
  /** Piers in window px. */
  readonly rois: readonly PixelPolygon[];
  readonly result: AnalysisResult;
  readonly params: AnalysisParams;
  readonly alignment: { readonly shiftPx: readonly number[]; readonly method: string };
  /** The per-pier numbers as result.json has them. */
  readonly numbers: readonly SnapshotRoiNumbers[];
  readonly layout?: 'single' | 'side-by-side';
  readonly title?: string;
  readonly credit?: string;
}

function dateOf(info: RasterInfo): string | null {
  return acquiredDay(info.acquired);
}

/** The scene of a CLI analysis: the whole analysis window at full resolution, blob outlines on. */
export function cliScene(input: CliSnapshotInput): SnapshotScene {
  const [x0, y0, x1, y1] = input.windowPx;
  const width = x1 - x0;
  const height = y1 - y0;
  const rect = [x0, y0, width, height] as const;
  // Near what the app shows (8-bit data as it is, other data 2–98 %), both dates
  // through the before image's stretch; taken over the window's pixels holding
  // data at both dates, where the app takes the whole before image's data.
  const stretches = input.before.bands.map((band) =>
    stretchFor(input.before.info, band, undefined, input.valid),
  );
  const beforeImage = toDisplayRgba(
    { width, height, bands: input.before.bands },
    [0, 1, 2],
    stretches,
  );
  const afterImage = toDisplayRgba(
    { width, height, bands: input.after.bands },
    [0, 1, 2],
    stretches,
  );
  const outlines = blobOutlinesImage({ widthPx: width, heightPx: height }, input.result.masks);
  const grid = gridOf(input.before.info);
  const geo = grid === null ? null : createViewGeo(grid);
  const centre: [number, number] = [x0 + width / 2, y0 + height / 2];
  const label = (role: string, info: RasterInfo): string =>
    `${role} · ${dateOf(info) ?? info.name}`;
  return {
    layout: input.layout ?? 'single',
    rectImagePx: rect,
    outputPxPerImagePx: 1,
    textScale: Math.max(1, Math.round(Math.max(width, height) / 1200)),
    before: { image: beforeImage, rectImagePx: rect, label: label('BEFORE', input.before.info) },
    after: { image: afterImage, rectImagePx: rect, label: label('AFTER', input.after.info) },
    overlays: [
      {
        id: 'blobs',
        image: outlines,
        rectImagePx: rect,
        opacity01: 1,
        minify: 'max',
        legend: blobLegend(),
      },
    ],
    piers: input.rois.map((roi, index) => {
      // Unrounded, as the app draws them: result.json's two decimals rounded again to one
      // drew 12.2496 as 12.3 where the app draws 12.2.
      const numbers = input.result.rois[index];
      return {
        name: roi.name,
        rings: roi.rings.map((ring) => ring.map(([x, y]): [number, number] => [x + x0, y + y0])),
        beforeTeu: numbers?.before.teu ?? 0,
        afterTeu: numbers?.after.teu ?? 0,
        netTeu: numbers?.netTeu ?? 0,
        coverage: input.numbers[index]?.coverage ?? 1,
      };
    }),
    metresPerImagePx: geo?.metresPerPixel(centre[0], centre[1]) ?? null,
    northDegrees: geo?.northDegrees(centre[0], centre[1]) ?? null,
    title: input.title ?? `Quaywatch — ${input.before.info.name} → ${input.after.info.name}`,
    credit: input.credit ?? '',
    footnote: snapshotFootnote(appVersion()),
    caveats: coarsePixelCaveat([input.before.info, input.after.info]),
  };
}

export function cliMetadata(input: CliSnapshotInput, scene: SnapshotScene): SnapshotMetadata {
  const file = (role: 'before' | 'after', info: RasterInfo): SnapshotMetadata['files'][number] => ({
    name: info.name,
    sizeBytes: info.sizeBytes,
    role,
    date: dateOf(info),
  });
  return {
    version: appVersion(),
    params: input.params,
    alignment: input.alignment,
    files: [file('before', input.before.info), file('after', input.after.info)],
    rois: input.numbers,
    view: {
      layout: scene.layout,
      rectImagePx: [...scene.rectImagePx],
      outputPxPerImagePx: scene.outputPxPerImagePx,
      overlays: scene.overlays.map((overlay) => overlay.id),
    },
    title: scene.title,
    credit: scene.credit,
    createdAt: new Date().toISOString(),
  };
}

/** `--snapshot-layout`: single (default) or side-by-side. */
export function snapshotLayoutOption(value: string | undefined): 'single' | 'side-by-side' {
  if (value === undefined || value === 'single') return 'single';
  if (value === 'side-by-side') return value;
  throw new Error(`--snapshot-layout takes single or side-by-side (got "${value}")`);
}

/** Writes DIR/snapshot.png and returns its path. */
export function writeCliSnapshot(input: CliSnapshotInput): string {
  const scene = cliScene(input);
  const png = withSnapshotMetadata(renderScenePng(scene), cliMetadata(input, scene));
  const path = join(input.out, 'snapshot.png');
  writeOutFile(path, png);
  return path;
}
