/**
 * A third date of the bundled demo port, for the series tests: the demo
 * scene's "before" containers under another sun and noise, on the before
 * image's grid (optionally moved east), written by the demo's own encoder
 * with `dateTime` (TIFF form) in its DateTime tag, or none. The ship has left
 * and the yard looks as on the 13th, so Pier 3's fill of the 16th drops again.
 */
import { beforeGrid } from '../../src/core/demo/georeference.ts';
import { buildDemoScene, DEFAULT_DEMO_PARAMS } from '../../src/core/demo/scene.ts';
import { DEFAULT_DEMO_ENCODING, encodeDemoDate } from '../../src/io/demo-files.ts';

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
  return encodeDemoDate(
    scene,
    0,
    { ...grid, originX: grid.originX + (options.eastOffsetM ?? 0) },
    { ...DEFAULT_DEMO_ENCODING, compression: options.compression },
    { dateTime: options.dateTime ?? null, software: options.software },
  );
}
