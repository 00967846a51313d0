/**
 * The io worker: decodes rasters off the main thread. Pixels leave it
 * transferred, never copied. Exposed through Comlink; the typed client is in
 * decoder-client.ts.
 */
import * as Comlink from 'comlink';
import { toDisplayRgba } from '../core/display.ts';
import type { RasterInfo, RasterWindow, Rgba8Image } from '../core/raster.ts';
import { openRaster, readWindow, type OpenRaster, type RasterSource } from './decoder.ts';

const open = new Map<number, OpenRaster>();
let nextHandle = 1;

function get(handle: number): OpenRaster {
  const raster = open.get(handle);
  if (raster === undefined) throw new Error(`Raster handle ${handle} is not open`);
  return raster;
}

/** Default display bands: RGB when there are three or more, else the first band as grey. */
function displayBands(info: RasterInfo): number[] {
  return info.bands >= 3 ? [0, 1, 2] : [0];
}

const api = {
  async open(source: RasterSource): Promise<{ handle: number; info: RasterInfo }> {
    const raster = await openRaster(source);
    const handle = nextHandle++;
    open.set(handle, raster);
    return { handle, info: raster.info };
  },

  /** The whole image for display, scaled down so its longer side is at most `maxDimension`. */
  async readDisplay(handle: number, maxDimension: number): Promise<Rgba8Image> {
    const raster = get(handle);
    const { width, height } = raster.info;
    const scale = Math.min(1, maxDimension / Math.max(width, height));
    const window = await readWindow(raster, {
      outWidth: Math.max(1, Math.round(width * scale)),
      outHeight: Math.max(1, Math.round(height * scale)),
    });
    const image = toDisplayRgba(window, displayBands(raster.info));
    return Comlink.transfer(image, [image.rgba.buffer]);
  },

  async readBands(
    handle: number,
    window?: readonly [number, number, number, number],
  ): Promise<RasterWindow> {
    const result = await readWindow(get(handle), window === undefined ? {} : { window });
    return Comlink.transfer(
      result,
      result.bands.map((band) => band.buffer as ArrayBuffer),
    );
  },

  close(handle: number): void {
    open.delete(handle);
  },
};

export type DecodeWorkerApi = typeof api;

Comlink.expose(api);
