/**
 * The demo's dates written in ways that the analysis must handle with care,
 * for the CLI and e2e tests: without georeference, in grey, and with pixels
 * marked as holding no data.
 */
import { encode as encodePng } from 'fast-png';
import { afterGrid, beforeGrid } from '../../src/core/demo/georeference.ts';
import { buildDemoScene, type DemoSceneParams } from '../../src/core/demo/scene.ts';
import { demoGeoreference, renderDemoOnGrid, tiffDateTime } from '../../src/io/demo-files.ts';
import { writeTiff } from '../../src/io/tiff-writer.ts';

/** The after date of the demo scene of `params` on its own grid: the grid and its RGB pixels. */
function demoAfterRgb(params: DemoSceneParams): {
  readonly grid: ReturnType<typeof afterGrid>;
  readonly rgb: Uint8Array;
} {
  const scene = buildDemoScene(params);
  const grid = afterGrid(scene);
  return { grid, rgb: renderDemoOnGrid(scene, 1, grid) };
}

/** The demo's after date as an 8-bit RGB TIFF without any georeference. */
export function plainAfterTif(params: DemoSceneParams): Uint8Array {
  const { grid, rgb } = demoAfterRgb(params);
  return writeTiff([
    { width: grid.width, height: grid.height, samplesPerPixel: 3, bitsPerSample: 8, data: rgb },
  ]);
}

/** The same picture as plainAfterTif as a PNG (decoded whole on open, read as a pixel raster). */
export function plainAfterPng(params: DemoSceneParams): Uint8Array {
  const { grid, rgb } = demoAfterRgb(params);
  return encodePng({ width: grid.width, height: grid.height, data: rgb, channels: 3, depth: 8 });
}

/** The demo's after date as a one-band (grey) GeoTIFF on its usual grid, dated the 16th. */
export function greyAfterTif(params: DemoSceneParams): Uint8Array {
  const { grid, rgb } = demoAfterRgb(params);
  const grey = Uint8Array.from({ length: grid.width * grid.height }, (_, i) =>
    Math.round(((rgb[3 * i] ?? 0) + (rgb[3 * i + 1] ?? 0) + (rgb[3 * i + 2] ?? 0)) / 3),
  );
  return writeTiff([
    {
      width: grid.width,
      height: grid.height,
      samplesPerPixel: 1,
      bitsPerSample: 8,
      data: grey,
      georeference: demoGeoreference(grid),
      dateTime: '2023:10:16 02:20:00',
    },
  ]);
}

/** `count` bytes of uniform noise, the same fixed sequence every call. */
function noiseBytes(count: number): Uint8Array {
  let state = 12345;
  return Uint8Array.from({ length: count }, () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state >>> 24;
  });
}

/**
 * An after image unrelated to the scene: uniform noise (a fixed sequence) on
 * the demo's after grid, georeferenced and dated as the after date (or
 * `dateTime`, TIFF's "YYYY:MM:DD hh:mm:ss").
 */
export function noiseAfterTif(
  params: DemoSceneParams,
  dateTime = '2023:10:16 02:20:00',
): Uint8Array {
  const { grid } = demoAfterRgb(params);
  return writeTiff([
    {
      width: grid.width,
      height: grid.height,
      samplesPerPixel: 3,
      bitsPerSample: 8,
      data: noiseBytes(grid.width * grid.height * 3),
      georeference: demoGeoreference(grid),
      dateTime,
    },
  ]);
}

/** RGB noise of the given size without any georeference (placed by pixel position). */
export function plainNoiseTif(widthPx: number, heightPx: number): Uint8Array {
  return writeTiff([
    {
      width: widthPx,
      height: heightPx,
      samplesPerPixel: 3,
      bitsPerSample: 8,
      data: noiseBytes(widthPx * heightPx * 3),
    },
  ]);
}

/**
 * One date of the demo as a GeoTIFF on its usual grid, dated, whose columns from
 * `fromColumnShare` of the width on hold no data: marked by GDAL_NODATA 0
 * (and zeroed), or by a fourth, alpha band that is 0 there.
 */
export function demoTifWithoutDataEast(
  params: DemoSceneParams,
  date: 0 | 1,
  fromColumnShare: number,
  marking: 'nodata' | 'alpha',
): Uint8Array {
  const scene = buildDemoScene(params);
  const grid = date === 0 ? beforeGrid(scene) : afterGrid(scene);
  const rgb = renderDemoOnGrid(scene, date, grid);
  const spp = marking === 'alpha' ? 4 : 3;
  const data = new Uint8Array(grid.width * grid.height * spp);
  const firstEmpty = Math.round(fromColumnShare * grid.width);
  for (let i = 0; i < grid.width * grid.height; i++) {
    const hasData = i % grid.width < firstEmpty;
    for (let b = 0; b < 3; b++) {
      // A real data pixel of value 0 would read as nodata too; the demo has none this dark.
      data[i * spp + b] = hasData || marking === 'alpha' ? Math.max(1, rgb[3 * i + b] ?? 0) : 0;
    }
    if (marking === 'alpha') data[i * spp + 3] = hasData ? 255 : 0;
  }
  return writeTiff([
    {
      width: grid.width,
      height: grid.height,
      samplesPerPixel: spp,
      bitsPerSample: 8,
      data,
      georeference: demoGeoreference(grid),
      dateTime: tiffDateTime(scene.params.dates[date]),
      ...(marking === 'nodata' ? { nodata: 0 } : { alpha: true }),
    },
  ]);
}
