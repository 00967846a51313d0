/**
 * Where an analysis reads: the piers projected onto the before image's grid,
 * the full-resolution window around them (plus a margin for neighbourhood
 * operations), the after image's target grid over that window, and the
 * ground area of a pixel. Shared by the app and the CLI so both read alike.
 */
import type { AnalysisInput } from '../core/analysis/cpu-pipeline.ts';
import type { PixelPolygon } from '../core/analysis/roi-raster.ts';
import { meanBlurExcessPx2 } from '../core/align/resampling-blur.ts';
import { combineMasksCpu } from '../core/mask-combine.ts';
import { knownDate } from '../core/series.ts';
import { maskBandOf, dataMaskOf, pixelToMap, type RasterInfo } from '../core/raster.ts';
import { lonLatRoisToPixel } from '../core/roi-raster.ts';
import { groundPixelAt } from '../core/view-geo.ts';
import type { GridRef } from '../core/align/grid-mapping.ts';
import { gridAtMostPx, gridOf, type AlignedBands, type AlignTarget } from './align-read.ts';
import type { Roi } from './geojson.ts';

/** Pixels around the piers that blur, matching and morphology may look at. */
export const ANALYSIS_MARGIN_PX = 24;

/** How large a pier window an analysis may read, and what a window pixel costs in memory. */
export interface WindowLimit {
  readonly maxWindowPx: number;
  /** Peak memory per window pixel, bytes (measured; for the refusal's estimate). */
  readonly bytesPerPx: number;
}

/**
 * The CLI's limit: 8192² px, the largest size the benchmarks cover. The CLI's
 * peak resident memory on the CPU path over a 4048² window was 2.0 GB
 * (125 B/px: both dates' bands, the stage outputs, the masks), so about 8 GB
 * at the limit. Past it a run would read for minutes and then fail on an
 * allocation that names nothing, so it is refused up front.
 */
export const CLI_WINDOW_LIMIT: WindowLimit = { maxWindowPx: 8192 * 8192, bytesPerPx: 125 };

/**
 * The app's limit, half the CLI's (5792² px): in Chromium the analysis of a 4048² window
 * on the CPU worker raised the browser's resident memory by 2.2 GB at its peak
 * (134 B/px; 8.9 GB for 8048²), most of it held while the table is shown, and
 * a tab that runs out of memory takes the analyst's work with it.
 */
export const APP_WINDOW_LIMIT: WindowLimit = { maxWindowPx: 5792 * 5792, bytesPerPx: 135 };

export interface AnalysisPlan {
  /** [x0, y0, x1, y1) of the before image, full resolution. */
  readonly window: readonly [number, number, number, number];
  readonly widthPx: number;
  readonly heightPx: number;
  /** The after image is resampled onto this (the window of the before grid). */
  readonly target: AlignTarget;
  /** Piers in pixel coordinates of the window (corner origin). */
  readonly rois: PixelPolygon[];
  readonly pixelAreaM2: number;
}

export function planAnalysis(
  before: RasterInfo,
  rois: readonly Roi[],
  source: string,
  limit: WindowLimit,
): AnalysisPlan {
  const grid = gridOf(before);
  if (grid === null) {
    throw new Error(
      `Piers need a georeferenced before image: ${before.name} has no usable georeference.`,
    );
  }
  if (rois.length === 0) throw new Error(`${source} holds no piers`);
  const pixelRois = lonLatRoisToPixel(
    rois.map((roi) => ({ name: roi.name, polygons: roi.polygons })),
    grid,
  );
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const roi of pixelRois) {
    for (const ring of roi.polygons.flat()) {
      for (const [x, y] of ring) {
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x);
        y1 = Math.max(y1, y);
      }
    }
  }
  const window = [
    Math.max(0, Math.floor(x0) - ANALYSIS_MARGIN_PX),
    Math.max(0, Math.floor(y0) - ANALYSIS_MARGIN_PX),
    Math.min(before.width, Math.ceil(x1) + ANALYSIS_MARGIN_PX),
    Math.min(before.height, Math.ceil(y1) + ANALYSIS_MARGIN_PX),
  ] as const;
  if (!(window[2] > window[0] && window[3] > window[1])) {
    throw new Error(
      `The piers of ${source} lie outside ${before.name}.${swappedAxesHint(rois, grid, before)}`,
    );
  }
  const widthPx = window[2] - window[0];
  const heightPx = window[3] - window[1];
  if (widthPx * heightPx > limit.maxWindowPx) {
    throw new Error(windowTooLargeMessage(widthPx, heightPx, before.name, source, limit));
  }
  // Ground pixel area at the piers (the window's centre), whatever the CRS's units.
  const ground = groundPixelAt(grid, (window[0] + window[2]) / 2, (window[1] + window[3]) / 2);
  if (ground === null) {
    throw new Error(`${before.name}: its CRS (${grid.proj4}) gives no ground size at the piers`);
  }
  return {
    window,
    widthPx,
    heightPx,
    target: windowTarget(grid, window, before.name, Infinity, 'the piers’ area'),
    rois: pixelRois.map((roi) => ({
      name: roi.name,
      rings: roi.polygons
        .flat()
        .map((ring) => ring.map(([x, y]) => [x - window[0], y - window[1]] as const)),
    })),
    pixelAreaM2: ground.areaM2,
  };
}

/**
 * " Read as latitude, longitude …" when the piers, their two coordinates
 * swapped, would lie on the image: GeoJSON gives longitude first, and a file
 * written the other way round (as some tools do for EPSG:4326) lands
 * elsewhere on the globe. Empty otherwise.
 */
function swappedAxesHint(rois: readonly Roi[], grid: GridRef, before: RasterInfo): string {
  const swapped = rois.map((roi) => ({
    name: roi.name,
    polygons: roi.polygons.map((part) =>
      part.map((ring) => ring.map(([lon, lat]) => [lat, lon] as const)),
    ),
  }));
  if (swapped.some((roi) => roi.polygons.flat(2).some(([, lat]) => Math.abs(lat) > 90))) {
    return '';
  }
  let inside: boolean;
  try {
    inside = lonLatRoisToPixel(swapped, grid).some((roi) =>
      roi.polygons
        .flat(2)
        .some(([x, y]) => x >= 0 && y >= 0 && x <= before.width && y <= before.height),
    );
  } catch {
    return '';
  }
  return inside
    ? ' Read as latitude, longitude they would lie on it: GeoJSON gives longitude first, so the file may have its coordinates the other way round.'
    : '';
}

/** Why a pier window of widthPx × heightPx is refused (over `limit`). */
function windowTooLargeMessage(
  widthPx: number,
  heightPx: number,
  imageName: string,
  source: string,
  limit: WindowLimit,
): string {
  const mpx = (px: number): string => `${(px / 1e6).toFixed(1)} Mpx`;
  const gb = (px: number): string => `${((px * limit.bytesPerPx) / 1e9).toFixed(0)} GB`;
  const px = widthPx * heightPx;
  const side = Math.floor(Math.sqrt(limit.maxWindowPx));
  return (
    `The piers of ${source} span ${widthPx} × ${heightPx} px of ${imageName} at full resolution ` +
    `(${mpx(px)}, about ${gb(px)} of memory to analyse); an analysis here reads at most ` +
    `${mpx(limit.maxWindowPx)} (${side} × ${side} px, about ${gb(limit.maxWindowPx)}): ` +
    `analyse piers that lie far apart in separate runs, and split a pier larger than that`
  );
}

/**
 * The grid of a full-resolution window [x0, y0, x1, y1) of an image, to
 * resample another image (or the same one) onto; `maxSidePx` reads it
 * coarser, the window's longest side at most that many pixels.
 */
export function windowTarget(
  grid: GridRef,
  window: readonly [number, number, number, number],
  name: string,
  maxSidePx = Infinity,
  windowName = 'the area read',
): AlignTarget {
  const inReference = {
    window,
    referenceWidth: grid.width,
    referenceHeight: grid.height,
    referenceGrid: grid,
    windowName,
  };
  const widthPx = window[2] - window[0];
  const heightPx = window[3] - window[1];
  const [originX, originY] = pixelToMap(grid.geoTransform, window[0], window[1]);
  const full: GridRef = {
    width: widthPx,
    height: heightPx,
    proj4: grid.proj4,
    geoTransform: { ...grid.geoTransform, originX, originY },
  };
  const read = gridAtMostPx(full, maxSidePx);
  return { grid: read, width: read.width, height: read.height, name, inReference };
}

/**
 * The R, G, B bands to analyse: those the file declares red, green and blue
 * (Planet's order is blue, green, red), else the first three, or the first
 * band for all three when there are fewer (a second band is often alpha, not
 * green).
 */
export function analysisBands(info: Pick<RasterInfo, 'bands' | 'rgbBands'>): number[] {
  if (info.rgbBands !== null) return [...info.rgbBands];
  return info.bands >= 3 ? [0, 1, 2] : [0, 0, 0];
}

/** A linear map of sample values onto 8-bit DN: dn = value · gain + offset. */
export interface DnScale {
  readonly gain: number;
  readonly offset: number;
}

/** What the analysis reads of the before image: its R, G, B and where it holds data. */
export interface ReferenceData {
  /** In 8-bit DN: scaled by `dnScale` where the image is not 8-bit. */
  readonly bands: Float32Array[];
  /** 1 where the pixel holds data (dataMaskOf: nodata value, alpha band or TIFF mask). */
  readonly valid: Uint8Array;
  /** How the before window's samples became 8-bit DN (null: they are 8-bit); the after image takes the same. */
  readonly dnScale: DnScale | null;
}

/** The low and high quantiles of the samples that the scale maps onto DN_SCALE_TARGET. */
const DN_SCALE_QUANTILES = [0.005, 0.995] as const;
/**
 * Where those quantiles lie in 8-bit products of ports: 26 and 186 DN in the
 * demo pair, on which the thresholds are tuned (NAIP's 8-bit tiles: 38 and
 * 170); a full 0–255 stretch would make every threshold some 1.6 times as keen.
 */
const DN_SCALE_TARGET = [26, 186] as const;
/** Samples the quantiles are taken from, at most (an even stride over the window). */
const DN_SCALE_SAMPLES = 1 << 20;

/**
 * Thresholds, the texture and shadow rules are in 8-bit DN, so 11-, 12- or
 * 16-bit samples (and floats) are mapped onto 8-bit DN first: one gain and
 * offset for all bands (colour ratios kept) that takes the before window's
 * 0.5 % and 99.5 % quantiles (over its samples holding data) to where 8-bit
 * port imagery has them (DN_SCALE_TARGET); the after image is then fitted to
 * the before by the radiometric normalization as any pair is. Null for 8-bit
 * data, or when the window holds no spread of values.
 */
export function dnScaleOf(
  info: Pick<RasterInfo, 'dtype'>,
  bands: readonly ArrayLike<number>[],
  valid: Uint8Array,
): DnScale | null {
  if (info.dtype === 'uint8') return null;
  const n = valid.length;
  const stride = Math.max(1, Math.ceil((n * bands.length) / DN_SCALE_SAMPLES));
  const samples: number[] = [];
  for (const band of bands) {
    for (let i = 0; i < n; i += stride) {
      const value = band[i] ?? Number.NaN;
      if (valid[i] !== 0 && Number.isFinite(value)) samples.push(value);
    }
  }
  if (samples.length === 0) return null;
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const [low, high] = DN_SCALE_QUANTILES.map(at) as [number, number];
  if (!(high > low)) return null;
  const [lowDn, highDn] = DN_SCALE_TARGET;
  const gain = (highDn - lowDn) / (high - low);
  return { gain, offset: lowDn - low * gain };
}

/** `bands` in 8-bit DN by `scale`, in place (they are the analysis's own copies). */
function toEightBitDn(bands: readonly Float32Array[], scale: DnScale | null): void {
  if (scale === null) return;
  for (const band of bands) {
    for (let i = 0; i < band.length; i++) band[i] = (band[i] ?? 0) * scale.gain + scale.offset;
  }
}

/** The bands to read of the before image's window: analysisBands, then its mask band (maskBandOf) if any. */
export function referenceReadBands(info: RasterInfo): number[] {
  const maskBand = maskBandOf(info);
  return maskBand === null ? analysisBands(info) : [...analysisBands(info), maskBand];
}

/** A window read with referenceReadBands, as R, G, B and the mask of where it holds data. */
export function referenceData(
  info: Pick<RasterInfo, 'nodata' | 'mask' | 'bands' | 'dtype'>,
  read: readonly ArrayLike<number>[],
): ReferenceData {
  const hasMask = maskBandOf(info) !== null;
  const samples = hasMask ? read.slice(0, -1) : read;
  // Tested on the samples as read: float64 or 32-bit integer nodata need not survive float32.
  const valid = dataMaskOf(samples, info.nodata, hasMask ? read[read.length - 1] : undefined);
  const dnScale = dnScaleOf(info, samples, valid);
  const bands = samples.map((band) => Float32Array.from(band));
  toEightBitDn(bands, dnScale);
  return { bands, valid, dnScale };
}

/**
 * The analysis input of a pair: the before image's window data and the after
 * image aligned onto the plan's target; a pixel is valid where both hold data.
 * The CLI and the app build their input here. The after bands are taken over:
 * mapped onto 8-bit DN in place by the before image's scale (dnScaleOf).
 */
export function pairInput(
  plan: AnalysisPlan,
  reference: ReferenceData,
  aligned: AlignedBands,
): AnalysisInput {
  toEightBitDn(aligned.bands, reference.dnScale);
  return {
    widthPx: plan.widthPx,
    heightPx: plan.heightPx,
    before: reference.bands,
    after: aligned.bands,
    valid: combineMasksCpu(aligned.valid, reference.valid, 'and'),
    rois: plan.rois,
    pixelAreaM2: plan.pixelAreaM2,
    afterBlurExcessPx2: meanBlurExcessPx2(aligned.blurExcessPx2),
  };
}

/**
 * Coarsest pixel (m) at which a 20-ft container (2.44 m × 6.06 m) still spans
 * two pixels across; past it, blobs are a pixel or two wide and the opening
 * and the minimum area erase them.
 */
export const COARSEST_USEFUL_GSD_M = 1.25;

/** The pixel size as the coarse-pixel messages write it, or null when it is fine enough. */
function coarseGsdText(gsdM: number | null): string | null {
  if (gsdM === null || !(gsdM > COARSEST_USEFUL_GSD_M)) return null;
  return gsdM >= 10 ? gsdM.toFixed(0) : gsdM.toFixed(1);
}

/** A warning when the image's pixels are too coarse to count containers, else null. */
export function coarsePixelWarning(info: RasterInfo): string | null {
  const gsd = coarseGsdText(info.gsdM);
  if (gsd === null) return null;
  return `${info.name} has ${gsd} m pixels: a container (2.4 m wide) spans less than two of them, so its counts mean little (containers need about 1 m or finer)`;
}

/**
 * coarsePixelWarning of the coarser of `infos` as short lines for a snapshot's
 * column (300 px of 13 px type), so that the caveat travels with the numbers
 * into a report; none when every pixel is fine enough.
 */
export function coarsePixelCaveat(infos: readonly RasterInfo[]): string[] {
  const gsd = coarseGsdText(Math.max(0, ...infos.map((info) => info.gsdM ?? 0)));
  if (gsd === null) return [];
  return [
    `⚠ ${gsd} m pixels: a container, 2.4 m`,
    'wide, spans less than two of them;',
    'these counts mean little (about',
    '1 m pixels or finer are needed).',
  ];
}

/**
 * A warning when the before image is dated after the after image, else null:
 * appeared and disappeared then read the other way round. A date is the TIFF
 * DateTime tag, else a date in the file name (as the series orders dates:
 * NAIP's m_…_20090818.tif carries no tag).
 */
export function reversedDatesWarning(before: RasterInfo, after: RasterInfo): string | null {
  const b = knownDate(before);
  const a = knownDate(after);
  if (b === null || a === null || !(Date.parse(b.iso) > Date.parse(a.iso))) return null;
  // The day, or the time too where both fall on the same day.
  const sameDay = b.iso.slice(0, 10) === a.iso.slice(0, 10);
  const when = (date: { readonly iso: string; readonly source: string }): string =>
    (sameDay ? date.iso.slice(0, 16).replace('T', ' ') : date.iso.slice(0, 10)) +
    (date.source === 'file name' ? ' by its name' : '');
  return `the before image ${before.name} is dated ${when(b)}, after the after image ${after.name} (${when(a)}): appeared and disappeared read the other way round; swap the two if the dates are right`;
}

/**
 * Why a pair's colours cannot be compared, or null: an image of one or two
 * bands is analysed as grey in all three, so against a colour image its every
 * pixel differs in colour, and change (appeared, disappeared) means little; a
 * palette image's analysis reads its colour indices, not its colours.
 */
export function bandMismatchWarning(before: RasterInfo, after: RasterInfo): string | null {
  const palette = [before, after].find((info) => info.photometric === 'palette');
  if (palette !== undefined) {
    return `${palette.name} is a palette image: the analysis compares its colour indices, not its colours; expand it to RGB first (e.g. gdal_translate -expand rgb)`;
  }
  const colour = (info: RasterInfo): boolean => info.bands >= 3;
  if (colour(before) === colour(after)) return null;
  const [grey, other] = colour(before) ? [after, before] : [before, after];
  const bands = `${grey.bands} band${grey.bands === 1 ? '' : 's'}`;
  // Its occupancy loses the colour distance, so its own count moves too (a
  // panchromatic and a multispectral image of one moment read 96 and 143 TEU).
  return `${grey.name} has ${bands} and ${other.name} ${other.bands}: ${grey.name} is compared in grey, so its own count and the change against it (appeared, disappeared, net) are not to be trusted`;
}

/**
 * Every warning about a pair the analysis runs on but whose numbers need a
 * caveat (the CLI prints them, the app shows them under the pier table):
 * dates the wrong way round, pixels too coarse in either image, bands that
 * do not match.
 */
export function pairWarnings(before: RasterInfo, after: RasterInfo): string[] {
  return [
    reversedDatesWarning(before, after),
    coarsePixelWarning(before),
    coarsePixelWarning(after),
    bandMismatchWarning(before, after),
    undeclaredBandsWarning(before),
    undeclaredBandsWarning(after),
  ].filter((text) => text !== null);
}

/**
 * A warning for an image of more than four bands that declares no red, green
 * and blue: its first three are analysed as R, G, B, which in multispectral
 * products are often others (WorldView's are coastal, blue, green).
 */
export function undeclaredBandsWarning(info: RasterInfo): string | null {
  if (info.bands <= 4 || info.rgbBands !== null) return null;
  return `${info.name} has ${info.bands} bands and declares none of them red, green and blue: bands 1, 2 and 3 are analysed as R, G, B; if they are not, write those three first (gdal_translate -b <red> -b <green> -b <blue>)`;
}
