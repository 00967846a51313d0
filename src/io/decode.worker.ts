/**
 * The io worker: one raster per worker, decoded off the main thread. A decode
 * that crashes or runs away takes only this worker down (the client restarts
 * it). Pixels leave transferred, never copied. Exposed through Comlink; the
 * typed client is raster-client.ts.
 */
import * as Comlink from 'comlink';
import { estimateShift, toLuminance, type ShiftEstimate } from '../core/align/phase-correlation.ts';
import { stretchFor, stretchIsIdentity, toDisplayRgba, type BandStretch } from '../core/display.ts';
import { readAligned, type AlignedBands, type AlignTarget } from './align-read.ts';
import {
  dataMaskOf,
  type BandArray,
  type RasterInfo,
  type RasterWindow,
  type Rgba8Image,
} from '../core/raster.ts';
import {
  expandPalette,
  levelFor,
  openRaster,
  CancelledError,
  readColorMap,
  readWindowInStrips,
  settleSidecars,
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
  /** Percentile stretch [low, high] the analyst chose, applied to every shown band. */
  readonly stretchPercent?: readonly [number, number];
}

export interface DisplayResult {
  readonly image: Rgba8Image;
  /** The overview level read (0 = full resolution). */
  readonly level: number;
  readonly stretches: readonly BandStretch[];
  /** Luminance of the display pixels (for fine alignment), when asked for. */
  readonly luminance?: Float32Array;
}

export interface AlignedDisplayRequest extends DisplayRequest {
  /** The grid to resample onto, at display size (the before image's). */
  readonly target: AlignTarget;
  /** Residual shift in target pixels (estimateShift's convention). */
  readonly shiftPx: readonly [number, number];
  /** Also return the aligned luminance and coverage, to estimate a shift from. */
  readonly withLuminance?: boolean;
}

export interface AlignedDisplayResult extends DisplayResult {
  readonly method: AlignedBands['method'];
  /** Fraction of the target the image covers. */
  readonly coverage: number;
  /** The aligned luminance and where the image covers the target, when asked for. */
  readonly aligned?: CoveredLuminance;
}

/** A display-size luminance image, for estimating the residual shift against. */
export interface LuminanceImage {
  readonly width: number;
  readonly height: number;
  readonly luminance: Float32Array;
}

/** A luminance image with a mask of the pixels that hold data (1) or not (0). */
export interface CoveredLuminance extends LuminanceImage {
  readonly valid: Uint8Array;
}

/** Dark grey where an aligned image has no data. */
const NO_DATA_RGBA = [24, 26, 32, 255] as const;

function luminanceOf(bands: readonly ArrayLike<number>[]): Float32Array {
  return bands.length >= 3 ? toLuminance(bands.slice(0, 3)) : toLuminance([bands[0] ?? []], [1]);
}

/** Palette images are shown through their colour map. */
async function paletteExpander(
  raster: OpenRaster,
): Promise<((bands: BandArray[]) => BandArray[]) | undefined> {
  const colorMap = await readColorMap(raster);
  if (colorMap === null) return undefined;
  return (bands) => (bands[0] === undefined ? bands : expandPalette(bands[0], colorMap));
}

let raster: OpenRaster | undefined;
let openedSource: RasterSource | undefined;
let controller = new AbortController();
/** Settles when the reads queued so far have finished. */
let readQueue: Promise<unknown> = Promise.resolve();

function current(): OpenRaster {
  if (raster === undefined) throw new Error('No raster is open in this worker');
  return raster;
}

function isCancellation(error: unknown): boolean {
  return error instanceof CancelledError || (error instanceof Error && error.name === 'AbortError');
}

/**
 * Runs reads of this worker's raster one at a time, each with the abort signal
 * in force when it was asked for (a cancel also stops the reads queued before it).
 * geotiff.js's BlockedSource is not safe under overlapping reads: its block cache
 * can lose or mix blocks between concurrent fetches (geotiffjs/geotiff.js#218,
 * #224), and a JPEG tile then decodes from wrong bytes ("SOI not found"). One
 * read at a time costs little: decoding is on this one thread anyway. A read of
 * a URL that still fails is tried once more over a freshly opened source, so a
 * stale cache is told apart from a damaged file.
 */
function queueRead<T>(read: (open: OpenRaster, signal: AbortSignal) => Promise<T>): Promise<T> {
  const signal = controller.signal;
  const run = readQueue.then(async () => {
    signal.throwIfAborted();
    try {
      return await read(current(), signal);
    } catch (error) {
      if (isCancellation(error) || signal.aborted || openedSource?.kind !== 'url') throw error;
      raster = await openRaster(openedSource, signal);
      return await read(raster, signal);
    }
  });
  readQueue = run.catch(() => undefined);
  return run;
}

/** The whole image for display, read from the coarsest overview that is still sharp enough. */
async function readDisplayOf(
  open: OpenRaster,
  signal: AbortSignal,
  request: DisplayRequest,
  onProgress: ProgressCallback | undefined,
): Promise<DisplayResult> {
  const { width, height } = open.info;
  const scale = Math.min(1, request.maxDimension / Math.max(width, height));
  const outWidth = Math.max(1, Math.round(width * scale));
  const outHeight = Math.max(1, Math.round(height * scale));
  const level = levelFor(open.info, outWidth, outHeight);
  const window = await readWindowInStrips(
    open,
    { level, outWidth, outHeight, bands: request.bands, signal },
    onProgress,
  );
  const expand = await paletteExpander(open);
  const shown = expand === undefined ? window.bands : expand([...window.bands]);
  // Pixels holding the nodata value (tested on the values read, palette indices
  // included) do not pull the stretch; masks are not read for display (cost).
  const nodata = open.info.nodata;
  const computesStretch =
    request.stretches === undefined && !stretchIsIdentity(open.info, request.stretchPercent);
  const withData =
    nodata === null || !computesStretch ? undefined : dataMaskOf(window.bands, nodata);
  const stretches =
    request.stretches ??
    shown.map((band) => stretchFor(open.info, band, request.stretchPercent, withData));
  const image = toDisplayRgba(
    { width: window.width, height: window.height, bands: shown },
    shown.map((_, b) => b),
    stretches,
  );
  const luminance = luminanceOf(shown);
  return Comlink.transfer({ image, level, stretches, luminance }, [
    image.rgba.buffer,
    luminance.buffer,
  ]);
}

/** This image resampled onto another's display grid (geometry, then residual shift). */
async function readAlignedDisplayOf(
  open: OpenRaster,
  signal: AbortSignal,
  request: AlignedDisplayRequest,
  onProgress: ProgressCallback | undefined,
): Promise<AlignedDisplayResult> {
  const expand = await paletteExpander(open);
  const aligned = await readAligned(open, request.target, {
    shiftPx: request.shiftPx,
    bands: request.bands,
    signal,
    ...(onProgress === undefined ? {} : { onProgress }),
    ...(expand === undefined ? {} : { expand }),
    skipCostlyMask: true,
    thin: true,
  });
  const { width, height, valid } = aligned;
  const stretches =
    request.stretches ??
    aligned.bands.map((band) => stretchFor(open.info, band, request.stretchPercent, valid));
  const image = toDisplayRgba(
    { width, height, bands: aligned.bands },
    aligned.bands.map((_, b) => b),
    stretches,
  );
  let covered = 0;
  for (let i = 0; i < valid.length; i++) {
    if (valid[i] === 1) {
      covered++;
      continue;
    }
    image.rgba.set(NO_DATA_RGBA, i * 4);
  }
  const result: AlignedDisplayResult = {
    image,
    level: 0,
    stretches,
    method: aligned.method,
    coverage: covered / valid.length,
  };
  if (request.withLuminance !== true) return Comlink.transfer(result, [image.rgba.buffer]);
  const luminance = luminanceOf(aligned.bands);
  return Comlink.transfer({ ...result, aligned: { width, height, luminance, valid } }, [
    image.rgba.buffer,
    luminance.buffer,
    valid.buffer,
  ]);
}

const api = {
  /** Opens `source`; gives its info and the source with its sidecars settled, to reopen by. */
  async open(source: RasterSource): Promise<{ info: RasterInfo; source: RasterSource }> {
    const settled = await settleSidecars(source, controller.signal);
    raster = await openRaster(settled, controller.signal);
    openedSource = settled;
    return { info: raster.info, source: settled };
  },

  /** The whole image for display, read from the coarsest overview that is still sharp enough. */
  readDisplay(request: DisplayRequest, onProgress?: ProgressCallback): Promise<DisplayResult> {
    return queueRead((open, signal) => readDisplayOf(open, signal, request, onProgress));
  },

  /** This image resampled onto another's display grid (geometry, then residual shift). */
  readAlignedDisplay(
    request: AlignedDisplayRequest,
    onProgress?: ProgressCallback,
  ): Promise<AlignedDisplayResult> {
    return queueRead((open, signal) => readAlignedDisplayOf(open, signal, request, onProgress));
  },

  /**
   * The residual shift of `moving` (an aligned luminance, readAlignedDisplay
   * withLuminance) against `reference` (the before image's display luminance),
   * in display pixels. Here rather than on the main thread: it is FFT work.
   */
  estimateShift(reference: LuminanceImage, moving: CoveredLuminance): ShiftEstimate {
    if (moving.width !== reference.width || moving.height !== reference.height) {
      throw new Error('The reference and the aligned image differ in size');
    }
    return estimateShift(reference.luminance, moving.luminance, reference.width, reference.height, {
      valid: moving.valid,
    });
  },

  /** Pixels of a window (full-resolution coordinates) at a level, band-planar. */
  readBands(
    window: readonly [number, number, number, number],
    level: number,
    bands: readonly number[] | undefined,
    onProgress?: ProgressCallback,
  ): Promise<RasterWindow> {
    return queueRead(async (open, signal) => {
      const result = await readWindowInStrips(
        open,
        { window, level, ...(bands === undefined ? {} : { bands }), signal },
        onProgress,
      );
      return Comlink.transfer(
        result,
        result.bands.map((band) => band.buffer as ArrayBuffer),
      );
    });
  },

  /**
   * This image's bands resampled onto another grid at full analysis
   * resolution (not stretched): the after image on the before grid.
   */
  readAlignedBands(
    target: AlignTarget,
    shiftPx: readonly [number, number],
    bands: readonly number[],
    onProgress?: ProgressCallback,
  ): Promise<AlignedBands> {
    return queueRead(async (open, signal) => {
      const aligned = await readAligned(open, target, {
        shiftPx,
        bands,
        signal,
        ...(onProgress === undefined ? {} : { onProgress }),
      });
      return Comlink.transfer(aligned, [
        ...aligned.bands.map((band) => band.buffer as ArrayBuffer),
        aligned.valid.buffer as ArrayBuffer,
      ]);
    });
  },

  /** Aborts whatever read is running; the next one starts afresh. */
  cancel(): void {
    controller.abort();
    controller = new AbortController();
  },
};

export type DecodeWorkerApi = typeof api;

Comlink.expose(api);
