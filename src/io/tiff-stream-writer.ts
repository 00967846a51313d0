/**
 * A streaming tiled GeoTIFF writer for images too large to hold in memory: a
 * source hands over one tile of one level at a time, the tile is encoded and
 * written through a positional sink, and only the tile locations are kept.
 * Overviews are asked of the source too (it knows how to make them cheaply).
 *
 * Layout is cloud-optimized, as in tiff-writer.ts: header and every IFD at the
 * head of the file (their sizes are known before any tile is encoded), then
 * tile data, coarsest overview first. BigTIFF is chosen when the worst-case
 * size could pass 4 GiB. The sink is an interface, not a Node file, so the io
 * layer stays free of Node APIs.
 */
import {
  encodeTile,
  headerByteLength,
  ifdByteLength,
  imageFields,
  TAG,
  TYPE,
  validateLayout,
  withTileLocations,
  writeHeader,
  writeIfd,
  type DeflateFn,
  type Field,
  type TiffLayoutSpec,
} from './tiff-writer.ts';

/** Where the bytes go: `position` is the absolute file offset. */
export interface ByteSink {
  write(bytes: Uint8Array, position: number): void | Promise<void>;
}

/** Pixels of one tile, pixel-interleaved, tileSize × tileSize × samplesPerPixel. */
export type TilePixels = Uint8Array | Uint16Array;

export interface TileSource {
  /**
   * The tile at `tileCol`, `tileRow` of `level` (0 full resolution, k the k-th
   * overview). Tiles at the right and bottom edges are full size; the source
   * decides what fills the padding. The writer may modify the array.
   */
  tile(level: number, tileCol: number, tileRow: number): TilePixels | Promise<TilePixels>;
  /**
   * Optional: tiles with equal keys have equal pixels, so the first one's
   * encoded bytes are reused without asking for the pixels again. Undefined
   * means "unique".
   */
  key?(level: number, tileCol: number, tileRow: number): string | undefined;
}

export interface StreamTiffSpec extends TiffLayoutSpec {
  /** Number of overviews, or 'auto': halve (rounding up) until the larger side is under the tile size. */
  readonly overviews?: number | 'auto';
  /** 'auto' (default): BigTIFF only when the worst-case file size passes 4 GiB. */
  readonly bigTiff?: boolean | 'auto';
  /** Deflate implementation (zlib stream); pako by default. */
  readonly deflate?: DeflateFn;
  /** Cap on the bytes of encoded tiles kept for reuse by key (default 64 MiB). */
  readonly reuseCacheBytes?: number;
}

export interface LevelSize {
  readonly width: number;
  readonly height: number;
}

export interface StreamTiffResult {
  readonly byteLength: number;
  readonly bigTiff: boolean;
  /** Level 0 (full resolution) first, then the overviews. */
  readonly levels: readonly LevelSize[];
  readonly tilesEncoded: number;
  readonly tilesReused: number;
}

const CLASSIC_LIMIT_BYTES = 0xffffffff;

/** Full resolution then each overview, halving with rounding up as GDAL does (ceil(size / 2^k)). */
export function levelSizes(
  width: number,
  height: number,
  tileSize: number,
  overviews: number | 'auto' = 'auto',
): LevelSize[] {
  const levels: LevelSize[] = [{ width, height }];
  for (;;) {
    const last = levels[levels.length - 1] ?? { width, height };
    const more =
      overviews === 'auto'
        ? Math.max(last.width, last.height) >= tileSize && Math.max(last.width, last.height) > 1
        : levels.length <= overviews;
    if (!more) return levels;
    levels.push({ width: Math.ceil(last.width / 2), height: Math.ceil(last.height / 2) });
  }
}

function tileGrid(level: LevelSize, tileSize: number): { across: number; down: number } {
  return { across: Math.ceil(level.width / tileSize), down: Math.ceil(level.height / tileSize) };
}

/**
 * An upper bound on the encoded size of one tile: zlib's deflateBound plus
 * slack for Deflate; raw size for none; JPEG at high quality can exceed the
 * raw size on noise, so twice that.
 */
function worstTileBytes(spec: TiffLayoutSpec, tileSize: number): number {
  const raw = tileSize * tileSize * spec.samplesPerPixel * (spec.bitsPerSample / 8);
  const compression = spec.compression ?? 'deflate';
  if (compression === 'none') return raw;
  if (compression === 'deflate') return raw + Math.ceil(raw / 1000) + 64;
  return 2 * raw + 1024;
}

/** BigTIFF tile locations need LONG8; everything else keeps its type. */
function forBigTiff(fields: readonly Field[]): Field[] {
  return fields.map((field) =>
    field.tag === TAG.TileOffsets || field.tag === TAG.TileByteCounts
      ? { ...field, type: TYPE.LONG8 }
      : field,
  );
}

/**
 * Writes a tiled (Geo)TIFF with overviews, one tile in memory at a time.
 * Memory: one tile's pixels and its encoding, the tile location arrays, and
 * the reuse cache (bounded by `reuseCacheBytes`).
 */
export async function writeTiledTiff(
  spec: StreamTiffSpec,
  source: TileSource,
  sink: ByteSink,
): Promise<StreamTiffResult> {
  validateLayout(spec);
  const tileSize = spec.tileSize ?? 256;
  const levels = levelSizes(spec.width, spec.height, tileSize, spec.overviews ?? 'auto');
  const levelSpecs = levels.map((size) => ({ ...spec, width: size.width, height: size.height }));
  const tileCounts = levels.map((size) => {
    const grid = tileGrid(size, tileSize);
    return grid.across * grid.down;
  });

  const classicFields = levelSpecs.map((level, i) => imageFields(level, i > 0, tileCounts[i] ?? 0));
  const headBytes = (bigTiff: boolean): number =>
    headerByteLength(bigTiff) +
    classicFields.reduce(
      (sum, fields) => sum + ifdByteLength(bigTiff ? forBigTiff(fields) : fields, bigTiff),
      0,
    );
  const worstBytes =
    headBytes(false) +
    tileCounts.reduce((sum, count) => sum + count, 0) * worstTileBytes(spec, tileSize);
  const bigTiff =
    spec.bigTiff === 'auto' || spec.bigTiff === undefined
      ? worstBytes > CLASSIC_LIMIT_BYTES
      : spec.bigTiff;
  const fieldSets = bigTiff ? classicFields.map(forBigTiff) : classicFields;

  const ifdOffsets: number[] = [];
  let cursor = headerByteLength(bigTiff);
  for (const fields of fieldSets) {
    ifdOffsets.push(cursor);
    cursor += ifdByteLength(fields, bigTiff);
  }

  // Tile data, coarsest level first: a viewer opening the file reads the head and the small levels.
  const offsets: number[][] = levels.map(() => []);
  const byteCounts: number[][] = levels.map(() => []);
  const reuse = new Map<string, Uint8Array>();
  const reuseLimitBytes = spec.reuseCacheBytes ?? 64 * 1024 * 1024;
  let reuseBytes = 0;
  let tilesEncoded = 0;
  let tilesReused = 0;
  for (let level = levels.length - 1; level >= 0; level--) {
    const size = levels[level] ?? { width: 0, height: 0 };
    const levelSpec = levelSpecs[level] ?? spec;
    const { across, down } = tileGrid(size, tileSize);
    const levelOffsets = offsets[level] ?? [];
    const levelCounts = byteCounts[level] ?? [];
    for (let row = 0; row < down; row++) {
      for (let col = 0; col < across; col++) {
        const key = source.key?.(level, col, row);
        let encoded = key === undefined ? undefined : reuse.get(key);
        if (encoded === undefined) {
          const pixels = await source.tile(level, col, row);
          const expected = tileSize * tileSize * spec.samplesPerPixel;
          if (pixels.length !== expected) {
            throw new Error(
              `Tile ${col},${row} of level ${level} has ${pixels.length} samples, expected ${expected}`,
            );
          }
          if (pixels instanceof Uint8Array !== (spec.bitsPerSample === 8)) {
            throw new Error('Tile pixel type does not match bitsPerSample');
          }
          encoded = encodeTile(levelSpec, pixels, tileSize, spec.deflate);
          tilesEncoded++;
          if (key !== undefined && reuseBytes + encoded.length <= reuseLimitBytes) {
            reuse.set(key, encoded);
            reuseBytes += encoded.length;
          }
        } else {
          tilesReused++;
        }
        if (!bigTiff && cursor + encoded.length > CLASSIC_LIMIT_BYTES) {
          throw new Error('Classic TIFF passed 4 GiB; write with bigTiff: true');
        }
        await sink.write(encoded, cursor);
        levelOffsets.push(cursor);
        levelCounts.push(encoded.length);
        cursor += encoded.length;
      }
    }
  }

  // The head last, now that every tile's location is known.
  const head = new Uint8Array(headBytes(bigTiff));
  const view = new DataView(head.buffer);
  writeHeader(view, bigTiff, ifdOffsets[0] ?? 0);
  fieldSets.forEach((fields, level) => {
    writeIfd(
      view,
      ifdOffsets[level] ?? 0,
      withTileLocations(fields, offsets[level] ?? [], byteCounts[level] ?? []),
      ifdOffsets[level + 1] ?? 0,
      bigTiff,
    );
  });
  await sink.write(head, 0);
  return { byteLength: cursor, bigTiff, levels, tilesEncoded, tilesReused };
}
