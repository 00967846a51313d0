/**
 * A third date of the bundled demo port, for the series tests: the demo
 * scene's "before" containers under another sun and noise, on the before
 * image's grid (optionally moved east), written as a GeoTIFF with `dateTime`
 * in its DateTime tag (or none). The ship has left and the yard looks as on
 * the 13th, so Pier 3's fill of the 16th drops again.
 */
import { beforeGrid } from '../../src/core/demo/georeference.ts';
import { buildDemoScene, DEFAULT_DEMO_PARAMS, renderDemoDate } from '../../src/core/demo/scene.ts';
import { writeTiff } from '../../src/io/tiff-writer.ts';

export function demoThirdDateTif(options: {
  readonly dateTime?: string;
  readonly eastOffsetM?: number;
  readonly compression: 'jpeg' | 'deflate';
  readonly software: string;
}): Uint8Array {
  const scene = buildDemoScene({
    ...DEFAULT_DEMO_PARAMS,
    sunBefore: { azimuthDeg: 172, elevationDeg: 36 },
    noiseDn: [2.0, 2.2],
  });
  const grid = beforeGrid(scene);
  const rgb = renderDemoDate(scene, {
    date: 0,
    width: grid.width,
    height: grid.height,
    pixelToScene: grid.pixelToScene,
  });
  return writeTiff([
    {
      width: grid.width,
      height: grid.height,
      samplesPerPixel: 3,
      bitsPerSample: 8,
      data: rgb,
      tileSize: 256,
      compression: options.compression,
      ...(options.compression === 'jpeg' ? { jpegQuality: 85 } : {}),
      predictor: false,
      georeference: {
        modelType: grid.modelType,
        epsg: grid.epsg,
        originX: grid.originX + (options.eastOffsetM ?? 0),
        originY: grid.originY,
        pixelSizeX: grid.pixelSizeX,
        pixelSizeY: grid.pixelSizeY,
      },
      ...(options.dateTime === undefined ? {} : { dateTime: options.dateTime }),
      software: options.software,
    },
  ]);
}
