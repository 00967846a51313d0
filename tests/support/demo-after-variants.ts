/**
 * The demo's after date written in ways that the analysis must handle with
 * care, for the CLI and e2e tests: without georeference, and in grey.
 */
import { afterGrid } from '../../src/core/demo/georeference.ts';
import { buildDemoScene, type DemoSceneParams } from '../../src/core/demo/scene.ts';
import { demoGeoreference, renderDemoOnGrid } from '../../src/io/demo-files.ts';
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
