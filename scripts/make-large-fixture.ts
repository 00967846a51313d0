/**
 * A large tiled GeoTIFF for tests and benchmarks, made at run time (never
 * committed): 20000 × 20000 RGB 8-bit by default, 512 px tiles, Deflate with
 * the horizontal predictor, overviews down to under 512 px, UTM at 0.5 m.
 *
 *   tsx scripts/make-large-fixture.ts --out PATH [--size 20000]
 *
 * Content is a formula of the full-resolution pixel (x, y), so any read can be
 * checked exactly:
 *   red   = x mod 256            (exact column within a 256 px period)
 *   green = y mod 256            (exact row within a 256 px period)
 *   blue  = 7·(x div 512) + 11·(y div 512) mod 256   (which 512 px tile)
 * Overview k holds the nearest sample: pixel (x, y) of level k is the
 * full-resolution pixel (x·2^k, y·2^k). Every tile of a level then depends on
 * its blue base value only, so at most 256 distinct tiles exist per level and
 * the writer reuses encoded bytes: generation takes seconds, not minutes.
 */
import { closeSync, existsSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { deflateSync } from 'node:zlib';
import { writeTiledTiff, type StreamTiffResult } from '../src/io/tiff-stream-writer.ts';

/** Bump when the content or layout changes, so cached files are regenerated. */
export const LARGE_FIXTURE_VERSION = 1;
export const LARGE_FIXTURE_TILE_PX = 512;
export const LARGE_FIXTURE_BANDS = 3;
/** Upper-left corner in UTM zone 52N (EPSG:32652), 0.5 m pixels. */
export const LARGE_FIXTURE_GEO = {
  modelType: 'projected',
  epsg: 32652,
  originX: 600000,
  originY: 4690000,
  pixelSizeX: 0.5,
  pixelSizeY: 0.5,
} as const;

/** Expected sample of band `band` at full-resolution pixel (x, y). */
export function fixtureSample(x: number, y: number, band: number): number {
  if (band === 0) return x & 255;
  if (band === 1) return y & 255;
  return (7 * Math.floor(x / 512) + 11 * Math.floor(y / 512)) & 255;
}

/** Expected sample at pixel (x, y) of level `level` (0 full resolution, k the k-th overview). */
export function fixtureLevelSample(level: number, x: number, y: number, band: number): number {
  return fixtureSample(x * 2 ** level, y * 2 ** level, band);
}

/** File name that encodes version and size, so a cached file is known to match. */
export function largeFixtureName(sizePx: number): string {
  return `quaywatch-large-v${LARGE_FIXTURE_VERSION}-${sizePx}.tif`;
}

function tilePixels(level: number, tileCol: number, tileRow: number): Uint8Array {
  const tile = LARGE_FIXTURE_TILE_PX;
  const out = new Uint8Array(tile * tile * LARGE_FIXTURE_BANDS);
  const step = 2 ** level;
  for (let j = 0; j < tile; j++) {
    const y = (tileRow * tile + j) * step;
    const green = y & 255;
    const blueRow = 11 * Math.floor(y / 512);
    let o = j * tile * LARGE_FIXTURE_BANDS;
    for (let i = 0; i < tile; i++) {
      const x = (tileCol * tile + i) * step;
      out[o++] = x & 255;
      out[o++] = green;
      out[o++] = (7 * Math.floor(x / 512) + blueRow) & 255;
    }
  }
  return out;
}

/**
 * Tiles of a level differ only by the blue value at their first pixel
 * (red and green repeat with periods that divide the tile's span), so that
 * value is the key: see the file comment.
 */
function tileKey(level: number, tileCol: number, tileRow: number): string {
  const base = fixtureSample(
    tileCol * LARGE_FIXTURE_TILE_PX * 2 ** level,
    tileRow * LARGE_FIXTURE_TILE_PX * 2 ** level,
    2,
  );
  return `${level}:${base}`;
}

export interface LargeFixtureReport extends StreamTiffResult {
  readonly path: string;
  readonly sizePx: number;
  readonly generatedMs: number;
  /** False when an existing file of the same version and size was kept. */
  readonly generated: boolean;
}

/**
 * Writes the fixture to `path` unless a file is already there (the name
 * carries version and size; see largeFixtureName). Writes to a temporary name
 * and renames, so a half-written file is never taken for a finished one.
 */
export async function makeLargeFixture(
  path: string,
  sizePx = 20000,
  force = false,
  overviews: 'auto' | 0 = 'auto',
): Promise<LargeFixtureReport> {
  const empty = { byteLength: 0, bigTiff: false, levels: [], tilesEncoded: 0, tilesReused: 0 };
  if (!force && existsSync(path)) {
    return { ...empty, path, sizePx, generatedMs: 0, generated: false };
  }
  const started = performance.now();
  const partial = `${path}.partial-${process.pid}`;
  const fd = openSync(partial, 'w');
  let result: StreamTiffResult;
  try {
    result = await writeTiledTiff(
      {
        width: sizePx,
        height: sizePx,
        samplesPerPixel: LARGE_FIXTURE_BANDS,
        bitsPerSample: 8,
        tileSize: LARGE_FIXTURE_TILE_PX,
        compression: 'deflate',
        predictor: true,
        georeference: LARGE_FIXTURE_GEO,
        description: `Quaywatch large fixture v${LARGE_FIXTURE_VERSION}, ${sizePx}x${sizePx}`,
        software: 'quaywatch scripts/make-large-fixture.ts',
        overviews,
        // Node's zlib is native: about 4× faster than pako on these tiles.
        deflate: (bytes) => deflateSync(bytes),
      },
      { tile: tilePixels, key: tileKey },
      {
        write(bytes, position) {
          writeSync(fd, bytes, 0, bytes.length, position);
        },
      },
    );
  } catch (error) {
    closeSync(fd);
    rmSync(partial, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(partial, path);
  return { ...result, path, sizePx, generatedMs: performance.now() - started, generated: true };
}

function argValue(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

async function main(args: readonly string[]): Promise<void> {
  const out = argValue(args, '--out');
  const sizePx = Number(argValue(args, '--size') ?? '20000');
  if (out === undefined || !Number.isInteger(sizePx) || sizePx < 1) {
    console.error('usage: tsx scripts/make-large-fixture.ts --out PATH [--size 20000]');
    process.exit(2);
  }
  const report = await makeLargeFixture(out, sizePx, true);
  const levels = report.levels.map((level) => `${level.width}×${level.height}`).join(', ');
  console.log(
    `${report.path}: ${sizePx}×${sizePx} RGB uint8, ${(report.byteLength / 1e6).toFixed(1)} MB` +
      `${report.bigTiff ? ' (BigTIFF)' : ''}, levels ${levels}; ` +
      `${report.tilesEncoded} tiles encoded, ${report.tilesReused} reused; ` +
      `${(report.generatedMs / 1000).toFixed(2)} s`,
  );
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  await main(process.argv.slice(2));
}
