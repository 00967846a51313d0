/**
 * Reading one image onto another's grid: the window of the source that the
 * target needs, at the overview level that matches the target's resolution,
 * resampled bilinearly through the geometric mapping (proj4 control points
 * when the CRSs differ) plus any residual shift from fine alignment.
 *
 * Images without georeference fall back to pixel grids: the source is
 * stretched over the target's extent and the analyst sets the offset.
 */
import {
  controlPointMapping,
  overlap,
  noOverlapMessage,
  windowOutsideMessage,
  withResidualShift,
  type GridRef,
  type PixelMapping,
} from '../core/align/grid-mapping.ts';
import { resampleBilinear, type Resampled } from '../core/align/resample.ts';
import { resamplingBlurExcessPx2 } from '../core/align/resampling-blur.ts';
import { combineMasksCpu } from '../core/mask-combine.ts';
import { maskBandOf, type BandArray, type RasterInfo, type RasterWindow } from '../core/raster.ts';
import {
  blockRowsOf,
  CancelledError,
  levelFor,
  levelSize,
  levelWindowOf,
  nearestCentred,
  readWindow,
  readWindowInStrips,
  type OpenRaster,
  type ReadOptions,
} from './decoder.ts';

/**
 * A level window grown (within the level) to whole k × k blocks where it can
 * be, so every pixel readThinned keeps sits at the same place in its block.
 */
function blockAligned(
  window: readonly [number, number, number, number],
  k: number,
  size: { readonly width: number; readonly height: number },
): [number, number, number, number] {
  const grow = (lo: number, hi: number, extent: number): [number, number] => {
    const span = Math.ceil((hi - lo) / k) * k;
    const end = Math.min(extent, lo + span);
    return [Math.max(0, end - span), end];
  };
  const [x0, x1] = grow(window[0], window[2], size.width);
  const [y0, y1] = grow(window[1], window[3], size.height);
  return [x0, y0, x1, y1];
}

/**
 * The level window of `options` with one pixel in k kept per axis, the one at
 * ⌊k/2⌋ of each k × k block (clamped into a last, partial block), read in
 * strips of whole blocks: a strip at full resolution at a time, so an image
 * without overviews costs the output's memory, not its own. Nearest, like the
 * display's reads: values are never mixed, so nodata, masks and palette
 * indices keep their meaning.
 */
async function readThinned(
  raster: OpenRaster,
  options: ReadOptions & { readonly levelWindow: readonly [number, number, number, number] },
  k: number,
  onProgress?: (fraction: number) => void,
): Promise<RasterWindow> {
  const [lx0, ly0, lx1, ly1] = options.levelWindow;
  const levelWidth = lx1 - lx0;
  const outWidth = Math.ceil(levelWidth / k);
  const outHeight = Math.ceil((ly1 - ly0) / k);
  // About a block row (at least 256 level rows) per strip.
  const outRowsPerStrip = Math.max(
    1,
    Math.round(Math.max(256, blockRowsOf(raster, options.level ?? 0)) / k),
  );
  let bands: BandArray[] | undefined;
  for (let row = 0; row < outHeight; row += outRowsPerStrip) {
    if (options.signal?.aborted === true) throw new CancelledError(`Reading ${raster.info.name}`);
    const rows = Math.min(outRowsPerStrip, outHeight - row);
    const top = ly0 + row * k;
    const bottom = Math.min(ly1, top + rows * k);
    const strip = await readWindow(raster, { ...options, levelWindow: [lx0, top, lx1, bottom] });
    bands ??= strip.bands.map((band) => {
      const Ctor = band.constructor as new (length: number) => BandArray;
      return new Ctor(outWidth * outHeight);
    });
    strip.bands.forEach((band, b) => {
      // Centred over k × k blocks (clamped into a partial last one): level pixel k·x + ⌊k/2⌋.
      const kept = nearestCentred(
        band,
        levelWidth,
        bottom - top,
        [0, 0, k * outWidth, k * rows],
        outWidth,
        rows,
      );
      bands?.[b]?.set(kept, row * outWidth);
    });
    onProgress?.((row + rows) / outHeight);
  }
  return { width: outWidth, height: outHeight, bands: bands ?? [] };
}

/**
 * `toLevelWindow` (target → pixels of the level window read, corner origin)
 * onto the window readThinned kept of it: window pixel x holds level window
 * pixel k·x + ⌊k/2⌋, whose centre k·x + ⌊k/2⌋ + ½ goes to x + ½. Positions
 * off the level window stay off (NaN: no data, as an unthinned read has
 * them); ones on it are clamped into the kept window, so its edges keep the
 * unthinned read's extent.
 */
function thinnedWindowMapping(
  toLevelWindow: PixelMapping,
  levelWindow: readonly [number, number, number, number],
  k: number,
  outWidth: number,
  outHeight: number,
): PixelMapping {
  const levelWidth = levelWindow[2] - levelWindow[0];
  const levelHeight = levelWindow[3] - levelWindow[1];
  const kept = Math.floor(k / 2) + 0.5;
  // Largest window coordinate below the edge: the resampler takes [0, size).
  const lastX = outWidth * (1 - Number.EPSILON);
  const lastY = outHeight * (1 - Number.EPSILON);
  const toKept = (value: number, levelSize: number, last: number): number =>
    value >= 0 && value < levelSize
      ? Math.min(last, Math.max(0, (value - kept) / k + 0.5))
      : Number.NaN;
  return {
    kind: toLevelWindow.kind,
    map(col, row) {
      const [x, y] = toLevelWindow.map(col, row);
      return [toKept(x, levelWidth, lastX), toKept(y, levelHeight, lastY)];
    },
    mapRow(colStartPx, rowPx, count, srcColPx, srcRowPx) {
      toLevelWindow.mapRow(colStartPx, rowPx, count, srcColPx, srcRowPx);
      for (let i = 0; i < count; i++) {
        srcColPx[i] = toKept(srcColPx[i] ?? Number.NaN, levelWidth, lastX);
        srcRowPx[i] = toKept(srcRowPx[i] ?? Number.NaN, levelHeight, lastY);
      }
    },
  };
}

/** The grid of an image, or null without a usable georeference (no transform or unknown CRS). */
export function gridOf(info: RasterInfo): GridRef | null {
  if (info.geoTransform === null || info.crs?.proj4 === undefined || info.crs.proj4 === null) {
    return null;
  }
  return {
    width: info.width,
    height: info.height,
    geoTransform: info.geoTransform,
    proj4: info.crs.proj4,
  };
}

/** `grid` itself, or its ground extent in at most `maxSidePx` pixels a side (aspect kept). */
export function gridAtMostPx(grid: GridRef, maxSidePx: number): GridRef {
  const k = Math.min(1, maxSidePx / Math.max(grid.width, grid.height));
  if (k === 1) return grid;
  const width = Math.max(1, Math.round(grid.width * k));
  const height = Math.max(1, Math.round(grid.height * k));
  return scaledGrid(grid, width, height);
}

/** The same ground extent as `grid` in width × height pixels. */
export function scaledGrid(grid: GridRef, width: number, height: number): GridRef {
  const sx = grid.width / width;
  const sy = grid.height / height;
  const t = grid.geoTransform;
  return {
    width,
    height,
    proj4: grid.proj4,
    geoTransform: {
      originX: t.originX,
      pixelWidth: t.pixelWidth * sx,
      rowRotation: t.rowRotation * sy,
      originY: t.originY,
      columnRotation: t.columnRotation * sx,
      pixelHeight: t.pixelHeight * sy,
    },
  };
}

/** source = a·target + b per axis: pixel grids, or a scale/offset applied after another mapping. */
function affineAfter(
  inner: PixelMapping | null,
  scaleX: number,
  scaleY: number,
  offsetX: number,
  offsetY: number,
): PixelMapping {
  return {
    kind: inner?.kind ?? 'affine',
    map(col, row) {
      const [x, y] = inner === null ? [col, row] : inner.map(col, row);
      return [x * scaleX + offsetX, y * scaleY + offsetY];
    },
    mapRow(colStartPx, rowPx, count, srcColPx, srcRowPx) {
      if (inner === null) {
        for (let k = 0; k < count; k++) {
          srcColPx[k] = (colStartPx + k) * scaleX + offsetX;
          srcRowPx[k] = rowPx * scaleY + offsetY;
        }
        return;
      }
      inner.mapRow(colStartPx, rowPx, count, srcColPx, srcRowPx);
      for (let k = 0; k < count; k++) {
        srcColPx[k] = (srcColPx[k] ?? 0) * scaleX + offsetX;
        srcRowPx[k] = (srcRowPx[k] ?? 0) * scaleY + offsetY;
      }
    },
  };
}

export interface AlignTarget {
  /** The target grid at the resolution wanted (e.g. the before image's display size). */
  readonly grid: GridRef | null;
  readonly width: number;
  readonly height: number;
  /** Name of the target image, for messages. */
  readonly name: string;
  /**
   * Where the target lies on its reference image's pixel grid, when it is a
   * window of that image: a source without georeference is then placed on
   * that grid (when it is the reference's size), not stretched over the window.
   */
  readonly inReference?: {
    readonly window: readonly [number, number, number, number];
    readonly referenceWidth: number;
    readonly referenceHeight: number;
    /** The whole reference's grid, so a source that misses only the window is told apart. */
    readonly referenceGrid?: GridRef;
    /** What the window is, for messages ("the piers' area"). */
    readonly windowName?: string;
  };
}

/**
 * Whether an image without georeference is taken to share a reference
 * image's pixel grid: only at the reference's very size.
 */
export function sharesPixelGrid(
  info: Pick<RasterInfo, 'width' | 'height'>,
  referenceWidth: number,
  referenceHeight: number,
): boolean {
  return info.width === referenceWidth && info.height === referenceHeight;
}

export interface AlignedBands {
  readonly width: number;
  readonly height: number;
  /** Target-grid values per band, 0 where invalid. */
  readonly bands: Float32Array[];
  /** 1 where the source covers the target pixel. */
  readonly valid: Uint8Array;
  /** How the geometry was matched. */
  readonly method: 'same-crs' | 'proj4-control-points' | 'pixel-grid';
  /**
   * Blur variance (px² per axis, target pixels) the resampling added beyond a
   * native target pixel's (resamplingBlurExcessPx2); negative where the
   * source is sharper than the target grid.
   */
  readonly blurExcessPx2: readonly [number, number];
}

/**
 * Reads `raster` resampled onto `target`. `shiftPx` is the residual shift in
 * target pixels (estimateShift's convention). Throws the no-overlap message
 * when the images share no ground.
 */
export async function readAligned(
  raster: OpenRaster,
  target: AlignTarget,
  options: {
    readonly shiftPx: readonly [number, number];
    readonly bands: readonly number[];
    readonly signal?: AbortSignal;
    readonly onProgress?: (fraction: number) => void;
    /** Applied to the bands read before resampling (e.g. palette → RGB). */
    readonly expand?: (bands: BandArray[]) => BandArray[];
    /** For display reads: ReadOptions.skipCostlyMask. */
    readonly skipCostlyMask?: boolean;
    /**
     * For display reads: where the source is two or more times finer than the
     * target at the level read (no overview near the target's size), keep one
     * level pixel in k per axis as the strips are read (readThinned), so
     * memory follows the target, not the source. Analysis reads leave it off:
     * the bilinear read of every pixel averages where thinning would pick.
     */
    readonly thin?: boolean;
  },
): Promise<AlignedBands> {
  const { info } = raster;
  const source = gridOf(info);
  let geometric: PixelMapping;
  let method: AlignedBands['method'];
  if (target.grid !== null && source !== null) {
    geometric = controlPointMapping(target.grid, source);
    method = geometric.kind === 'affine' ? 'same-crs' : 'proj4-control-points';
    if (overlap(target.grid, source, geometric) === null) {
      const whole = target.inReference?.referenceGrid;
      // A window of the reference: say whether the images overlap elsewhere,
      // tested on the reference at most 512 px a side (an error's wording
      // must not cost a pass over every pixel of a large image).
      const coarse = whole === undefined ? undefined : gridAtMostPx(whole, 512);
      if (coarse !== undefined && overlap(coarse, source, controlPointMapping(coarse, source))) {
        throw new Error(
          windowOutsideMessage(
            target.grid,
            `${target.inReference?.windowName ?? 'the area read'} of ${target.name}`,
            source,
            info.name,
          ),
        );
      }
      throw new Error(noOverlapMessage(whole ?? target.grid, target.name, source, info.name));
    }
  } else if (target.grid !== null && info.crs !== null && info.crs.proj4 === null) {
    // Georeferenced, but in a CRS without a definition here: laid pixel on
    // pixel, an image of another place would give confident numbers.
    throw new Error(
      `${info.name} is georeferenced in a CRS Quaywatch does not know (${info.crs.epsg === null ? info.crs.name : `EPSG:${info.crs.epsg}`}), so it cannot be placed on the grid of ${target.name}: reproject it to ${target.name}'s CRS or to WGS 84 (e.g. gdalwarp -t_srs EPSG:4326) and open it again.`,
    );
  } else if (target.grid !== null && target.inReference !== undefined) {
    // Only an image of the reference's very size is taken to share its pixel
    // grid: stretched over a window of piers, any other picture would give
    // confident numbers for whatever lands on them.
    const { window, referenceWidth, referenceHeight } = target.inReference;
    if (!sharesPixelGrid(info, referenceWidth, referenceHeight)) {
      throw new Error(
        `${info.name} has no usable georeference and is not the size of ${target.name} (${info.width}×${info.height} against ${referenceWidth}×${referenceHeight}), so it cannot be placed on its grid: georeference it (e.g. gdal_translate -a_srs and -a_ullr) and open it again.`,
      );
    }
    geometric = affineAfter(
      null,
      (window[2] - window[0]) / target.width,
      (window[3] - window[1]) / target.height,
      window[0],
      window[1],
    );
    method = 'pixel-grid';
  } else {
    geometric = affineAfter(null, info.width / target.width, info.height / target.height, 0, 0);
    method = 'pixel-grid';
  }
  const mapping = withResidualShift(geometric, options.shiftPx[0], options.shiftPx[1]);

  // The source window the target needs: map a lattice of target positions, take the bounds.
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const steps = 16;
  for (let j = 0; j <= steps; j++) {
    for (let i = 0; i <= steps; i++) {
      const [x, y] = mapping.map((i / steps) * target.width, (j / steps) * target.height);
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      minX = Math.min(minX, x);
      minY = Math.min(minY, y);
      maxX = Math.max(maxX, x);
      maxY = Math.max(maxY, y);
    }
  }
  const x0 = Math.max(0, Math.floor(minX) - 2);
  const y0 = Math.max(0, Math.floor(minY) - 2);
  const x1 = Math.min(info.width, Math.ceil(maxX) + 2);
  const y1 = Math.min(info.height, Math.ceil(maxY) + 2);
  if (!(x1 > x0 && y1 > y0)) {
    throw new Error(`${info.name} does not cover ${target.name} at this offset`);
  }
  // Read at the coarsest level still at least as fine as the target asks for.
  const sourcePxPerTargetPx = Math.max((x1 - x0) / target.width, (y1 - y0) / target.height);
  const level = levelFor(
    info,
    Math.ceil(info.width / Math.max(1, sourcePxPerTargetPx)),
    Math.ceil(info.height / Math.max(1, sourcePxPerTargetPx)),
  );
  const size = levelSize(info, level);
  const levelScaleX = size.width / info.width;
  const levelScaleY = size.height / info.height;
  // Without an overview near the target's size (an image without overviews, or
  // one much finer than the target), keep one level pixel in k per axis as the
  // strips are read: memory follows the target (under 4× its pixels), not the source.
  const levelPxPerTargetPx = Math.min(
    ((x1 - x0) * levelScaleX) / target.width,
    ((y1 - y0) * levelScaleY) / target.height,
  );
  const keepEvery = options.thin === true ? Math.max(1, Math.floor(levelPxPerTargetPx)) : 1;
  const levelWindow = blockAligned(levelWindowOf(info, level, [x0, y0, x1, y1]), keepEvery, size);
  // The alpha band or TIFF mask is read too: where it is 0 the source has no data.
  const maskBand = maskBandOf(info);
  const readOptions = {
    levelWindow,
    level,
    bands: maskBand === null ? options.bands : [...options.bands, maskBand],
    ...(options.skipCostlyMask === true ? { skipCostlyMask: true } : {}),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  const window =
    keepEvery === 1
      ? await readWindowInStrips(raster, readOptions, options.onProgress)
      : await readThinned(raster, readOptions, keepEvery, options.onProgress);
  // Full-resolution source pixels → pixels of the window read at that level.
  const toLevelWindow = affineAfter(
    mapping,
    levelScaleX,
    levelScaleY,
    -levelWindow[0],
    -levelWindow[1],
  );
  const toWindow =
    keepEvery === 1
      ? toLevelWindow
      : thinnedWindowMapping(toLevelWindow, levelWindow, keepEvery, window.width, window.height);
  const nodata = info.nodata;
  let valid: Uint8Array | undefined;
  const resample = (band: BandArray, nodataValue: number | null): Resampled<Float32Array> =>
    resampleBilinear(
      band,
      window.width,
      window.height,
      toWindow,
      target.width,
      target.height,
      nodataValue,
    );
  const dataBands = maskBand === null ? window.bands : window.bands.slice(0, -1);
  const read = options.expand === undefined ? dataBands : options.expand([...dataBands]);
  // A palette image's nodata is an index: it is tested on the indices, not on the colours.
  const tested = options.expand === undefined ? read : dataBands;
  const bands = read.map((band) => {
    const resampled = resample(band, tested === read ? nodata : null);
    valid = valid === undefined ? resampled.valid : combineMasksCpu(valid, resampled.valid, 'and');
    return resampled.data;
  });
  if (tested !== read && nodata !== null && valid !== undefined) {
    for (const band of tested) {
      const indexValid = resample(band, nodata).valid;
      valid = combineMasksCpu(valid, indexValid, 'and');
    }
  }
  const maskRead = maskBand === null ? undefined : window.bands[window.bands.length - 1];
  if (maskRead !== undefined && valid !== undefined) {
    // Resampled with 0 as nodata: a target pixel is data only where every source pixel it blends is.
    const maskValid = resample(maskRead, 0).valid;
    valid = combineMasksCpu(valid, maskValid, 'and');
  }
  return {
    width: target.width,
    height: target.height,
    bands,
    valid: valid ?? new Uint8Array(target.width * target.height),
    method,
    blurExcessPx2: resamplingBlurExcessPx2(toWindow, target.width, target.height),
  };
}
