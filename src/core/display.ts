/**
 * Turning decoded bands into 8-bit RGBA for display. 8-bit data is shown as
 * is; deeper data gets a per-band percentile stretch so 11/16-bit products
 * are not black.
 */
import type { BandArray, RasterInfo, RasterWindow, Rgba8Image } from './raster.ts';

export interface BandStretch {
  readonly low: number;
  readonly high: number;
}

/** The value at fraction `q` of the sorted samples, from a sample of at most ~65k values. */
function quantiles(band: BandArray, qs: readonly number[]): number[] {
  const step = Math.max(1, Math.floor(band.length / 65536));
  const sample: number[] = [];
  for (let i = 0; i < band.length; i += step) {
    const v = band[i] ?? 0;
    if (Number.isFinite(v)) sample.push(v);
  }
  if (sample.length === 0) return qs.map(() => 0);
  sample.sort((a, b) => a - b);
  return qs.map(
    (q) => sample[Math.min(sample.length - 1, Math.floor(q * (sample.length - 1)))] ?? 0,
  );
}

export function percentileStretch(band: BandArray, lowPercent = 2, highPercent = 98): BandStretch {
  const [low = 0, high = 1] = quantiles(band, [lowPercent / 100, highPercent / 100]);
  return { low, high: high > low ? high : low + 1 };
}

/** Identity for 8-bit bands, a 2–98 % stretch otherwise. */
export function defaultStretch(band: BandArray): BandStretch {
  return band instanceof Uint8Array ? { low: 0, high: 255 } : percentileStretch(band);
}

/**
 * Compose an RGBA image from one band (grey) or three (R, G, B), each through
 * its stretch.
 */
export function toDisplayRgba(
  window: RasterWindow,
  bandIndices: readonly number[],
  stretches?: readonly BandStretch[],
): Rgba8Image {
  const { width, height } = window;
  const channels = bandIndices.length === 1 ? [0, 0, 0] : [0, 1, 2];
  const bands = bandIndices.map((index) => {
    const band = window.bands[index];
    if (band === undefined)
      throw new Error(`Band ${index + 1} does not exist (image has ${window.bands.length})`);
    return band;
  });
  const ranges = stretches ?? bands.map(defaultStretch);
  const rgba = new Uint8ClampedArray(width * height * 4);
  channels.forEach((source, channel) => {
    const band = bands[source];
    const range = ranges[source];
    if (band === undefined || range === undefined) return;
    const scale = 255 / (range.high - range.low);
    for (let i = 0; i < width * height; i++) {
      rgba[i * 4 + channel] = ((band[i] ?? 0) - range.low) * scale;
    }
  });
  for (let i = 0; i < width * height; i++) rgba[i * 4 + 3] = 255;
  return { width, height, rgba };
}

/** 8-bit data without a chosen stretch is shown as it is (stretchFor reads no pixels). */
export function stretchIsIdentity(
  info: RasterInfo,
  percent: readonly [number, number] | undefined,
): boolean {
  return percent === undefined && info.bitsPerSample === 8 && info.sampleFormat === 'uint';
}

/**
 * The analyst's percentile stretch when given; else identity for 8-bit data
 * (also once resampled to float) and 2–98 % otherwise, over valid pixels.
 */
export function stretchFor(
  info: RasterInfo,
  band: ArrayLike<number>,
  percent: readonly [number, number] | undefined,
  valid?: Uint8Array,
): BandStretch {
  if (stretchIsIdentity(info, percent)) return { low: 0, high: 255 };
  const [low, high] = percent ?? [2, 98];
  if (valid === undefined) return percentileStretch(Float32Array.from(band), low, high);
  const values = new Float32Array(valid.reduce((n, v) => n + v, 0));
  let k = 0;
  for (let i = 0; i < valid.length; i++) if (valid[i] === 1) values[k++] = band[i] ?? 0;
  return percentileStretch(values, low, high);
}
