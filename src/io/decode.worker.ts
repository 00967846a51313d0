/**
 * The io worker: one raster per worker, decoded off the main thread. A decode
 * that crashes or runs away takes only this worker down (the client restarts
 * it). Pixels leave transferred, never copied. Exposed through Comlink; the
 * typed client is raster-client.ts.
 */
import * as Comlink from 'comlink';
import { defaultStretch, toDisplayRgba, type BandStretch } from '../core/display.ts';
import type { RasterInfo, RasterWindow, Rgba8Image } from '../core/raster.ts';
import {
  levelFor,
  openRaster,
  readWindowInStrips,
  type OpenRaster,
  type RasterSource,
} from './decoder.ts';

export type ProgressCallback = (fraction: number) => void;

export interface DisplayRequest {
  /** Longest side of the display image, pixels. */
  readonly maxDimension: number;
  /** Bands to show: three for RGB, one for grey (zero-based). */
  readonly bands: readonly number[];
  /** Stretch per shown band; by default identity for 8-bit, 2–98 % otherwise. */
  readonly stretches?: readonly BandStretch[];
}

export interface DisplayResult {
  readonly image: Rgba8Image;
  /** The overview level read (0 = full resolution). */
  readonly level: number;
  readonly stretches: readonly BandStretch[];
}

let raster: OpenRaster | undefined;
let controller = new AbortController();

function current(): OpenRaster {
  if (raster === undefined) throw new Error('No raster is open in this worker');
  return raster;
}

const api = {
  async open(source: RasterSource): Promise<RasterInfo> {
    raster = await openRaster(source, controller.signal);
    return raster.info;
  },

  /** The whole image for display, read from the coarsest overview that is still sharp enough. */
  async readDisplay(
    request: DisplayRequest,
    onProgress?: ProgressCallback,
  ): Promise<DisplayResult> {
    const open = current();
    const { width, height } = open.info;
    const scale = Math.min(1, request.maxDimension / Math.max(width, height));
    const outWidth = Math.max(1, Math.round(width * scale));
    const outHeight = Math.max(1, Math.round(height * scale));
    const level = levelFor(open.info, outWidth, outHeight);
    const window = await readWindowInStrips(
      open,
      { level, outWidth, outHeight, bands: request.bands, signal: controller.signal },
      onProgress,
    );
    const stretches = request.stretches ?? window.bands.map(defaultStretch);
    const image = toDisplayRgba(
      window,
      window.bands.map((_, b) => b),
      stretches,
    );
    return Comlink.transfer({ image, level, stretches }, [image.rgba.buffer]);
  },

  /** Pixels of a window (full-resolution coordinates) at a level, band-planar. */
  async readBands(
    window: readonly [number, number, number, number],
    level: number,
    bands: readonly number[] | undefined,
    onProgress?: ProgressCallback,
  ): Promise<RasterWindow> {
    const result = await readWindowInStrips(
      current(),
      { window, level, ...(bands === undefined ? {} : { bands }), signal: controller.signal },
      onProgress,
    );
    return Comlink.transfer(
      result,
      result.bands.map((band) => band.buffer as ArrayBuffer),
    );
  },

  /** Aborts whatever read is running; the next one starts afresh. */
  cancel(): void {
    controller.abort();
    controller = new AbortController();
  },
};

export type DecodeWorkerApi = typeof api;

Comlink.expose(api);
