/**
 * Encodes a demo scene as the files an analyst would receive: two RGB
 * GeoTIFFs (tiled, compressed, dated), the piers as GeoJSON and the truth.
 */
import {
  afterGrid,
  beforeGrid,
  demoTruth,
  piersGeoJson,
  type DemoGrid,
  type DemoTruth,
} from '../core/demo/georeference.ts';
import {
  buildDemoScene,
  renderDemoDate,
  type DemoScene,
  type DemoSceneParams,
} from '../core/demo/scene.ts';
import { writeTiff, type TiffCompression, type TiffGeoreference } from './tiff-writer.ts';

export interface DemoEncoding {
  readonly compression: TiffCompression;
  readonly jpegQuality: number;
  readonly tileSize: number;
}

export const DEFAULT_DEMO_ENCODING: DemoEncoding = {
  compression: 'jpeg',
  jpegQuality: 85,
  tileSize: 256,
};

export interface DemoFiles {
  readonly scene: DemoScene;
  readonly beforeTif: Uint8Array;
  readonly afterTif: Uint8Array;
  readonly piersGeoJson: object;
  readonly truth: DemoTruth;
}

/** "2023-10-13T02:14:00Z" → TIFF DateTime "2023:10:13 02:14:00". */
export function tiffDateTime(iso: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(iso);
  if (match === null) throw new Error(`Date must be ISO 8601 (got ${iso})`);
  const [, y, mo, d, h, mi, s] = match;
  return `${y}:${mo}:${d} ${h}:${mi}:${s}`;
}

/** The GeoTIFF georeference of a demo grid. */
export function demoGeoreference(grid: DemoGrid): TiffGeoreference {
  const { modelType, epsg, originX, originY, pixelSizeX, pixelSizeY } = grid;
  return { modelType, epsg, originX, originY, pixelSizeX, pixelSizeY };
}

/** One date of a demo scene rendered on `grid`: 8-bit RGB, pixel-interleaved. */
export function renderDemoOnGrid(scene: DemoScene, date: 0 | 1, grid: DemoGrid): Uint8Array {
  return renderDemoDate(scene, {
    date,
    width: grid.width,
    height: grid.height,
    pixelToScene: grid.pixelToScene,
  });
}

/**
 * One date of a demo scene rendered on `grid` and written as a GeoTIFF, dated
 * by the scene's date (`dateTime: null` writes no DateTime tag).
 */
export function encodeDemoDate(
  scene: DemoScene,
  date: 0 | 1,
  grid: DemoGrid,
  encoding: DemoEncoding,
  tags: { readonly dateTime?: string | null; readonly software?: string } = {},
): Uint8Array {
  const dateTime =
    tags.dateTime === undefined ? tiffDateTime(scene.params.dates[date]) : tags.dateTime;
  const rgb = renderDemoOnGrid(scene, date, grid);
  return writeTiff([
    {
      width: grid.width,
      height: grid.height,
      samplesPerPixel: 3,
      bitsPerSample: 8,
      data: rgb,
      tileSize: encoding.tileSize,
      compression: encoding.compression,
      jpegQuality: encoding.jpegQuality,
      predictor: encoding.compression === 'deflate',
      georeference: demoGeoreference(grid),
      ...(dateTime === null ? {} : { dateTime }),
      description: `Quaywatch demo port scene, seed ${scene.params.seed}, ${date === 0 ? 'before' : 'after'}`,
      software: tags.software ?? 'quaywatch demo:make',
    },
  ]);
}

export function makeDemoFiles(
  params: DemoSceneParams,
  encoding: DemoEncoding = DEFAULT_DEMO_ENCODING,
): DemoFiles {
  const scene = buildDemoScene(params);
  return {
    scene,
    beforeTif: encodeDemoDate(scene, 0, beforeGrid(scene), encoding),
    afterTif: encodeDemoDate(scene, 1, afterGrid(scene), encoding),
    piersGeoJson: piersGeoJson(scene),
    truth: demoTruth(scene),
  };
}
