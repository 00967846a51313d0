/**
 * Mutation fuzzing of the TIFF path (preflight + geotiff.js + codecs) on real
 * files from ../shared/data. Each case runs in a child process with a time
 * limit and must end in a raster or an Error with a message: no timeout, no
 * crash, nothing uncaught.
 *
 *   QW_FUZZ_CASES=5000 QW_FUZZ_SEED=7 npx vitest run --project unit tests/unit/fuzz.test.ts
 *   QW_FUZZ_ONLY=123   replays case 123 of that seed alone (or 100-123: a range, in order)
 *   QW_FUZZ_DUMP=dir   writes the bytes of failing cases to dir/case-N.tif
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { decodeAll, type DecodeOutcome } from '../support/decode-in-worker.ts';

const DATA =
  process.env['QW_DATA'] ?? fileURLToPath(new URL('../../../shared/data', import.meta.url));
const CASES = Number(process.env['QW_FUZZ_CASES'] ?? 300);
const SEED = Number(process.env['QW_FUZZ_SEED'] ?? 20_250_611);
const ONLY = process.env['QW_FUZZ_ONLY'];
const DUMP = process.env['QW_FUZZ_DUMP'];
const CASE_TIMEOUT_MS = 5_000;

/** Small files (< 300 kB) covering the layouts and codecs the decoder has. */
const SEEDS = [
  'tiff/rasterio/byte.tif', // uncompressed strips, GeoKeys
  'tiff/tacc-geoapi/rgbsmall.tif', // deflate, planar
  'tiff/image-tiff/images/quad-tile.jpg.tiff', // YCbCr JPEG tiles
  'tiff/image-tiff/images/int16_zstd.tif', // ZSTD
  'tiff/linz-basemaps/rgba8_tiled.tiff', // WebP in BigTIFF
  'tiff/linz-basemaps/abel-tasman-and-golden-bay_2016_dem_1m_BP25_10000_0404.tiff', // LERC, sparse
  'tiff/image-tiff/images/bigtiff/BigTIFFMotorola.tif', // big-endian BigTIFF
  'tiff/image-tiff/images/predictor-3-rgb-f32.tif', // LZW + floating-point predictor
  'tiff/image-tiff/images/palette-1c-8b.tiff', // big-endian palette
  'tiff/geotiff-test-data/GeogToWGS84GeoKey5.tif', // PackBits
  'tiff/rio-tiler/cog_uint8_rgb_mask.tif', // COG: overviews + mask IFDs
  'tiff/rasterio/world.byte.tif', // LZW tiles
];

/** mulberry32: small, seedable, good enough to pick mutations. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Byte ranges of the header and of each IFD table (entries included). */
function structureRanges(bytes: Uint8Array): [number, number][] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = bytes[0] === 0x49;
  const big = view.getUint16(2, le) === 43;
  const ranges: [number, number][] = [[0, big ? 16 : 8]];
  let offset = big ? Number(view.getBigUint64(8, le)) : view.getUint32(4, le);
  const seen = new Set<number>();
  while (offset > 0 && offset + 8 < bytes.length && !seen.has(offset) && ranges.length < 20) {
    seen.add(offset);
    const count = big ? Number(view.getBigUint64(offset, le)) : view.getUint16(offset, le);
    const entry = big ? 20 : 12;
    const start = offset + (big ? 8 : 2);
    const end = Math.min(bytes.length, start + count * entry + (big ? 8 : 4));
    ranges.push([offset, end]);
    if (end + (big ? 8 : 4) > bytes.length) break;
    offset = big ? Number(view.getBigUint64(end - 8, le)) : view.getUint32(end - 4, le);
  }
  return ranges;
}

interface Mutant {
  readonly bytes: Uint8Array;
  readonly description: string;
}

const LARGE = [0xffffffff, 0x7fffffff, 0x80000000, 0x0fffffff, 0x10000, 0xffff];

function mutate(
  source: Uint8Array,
  other: Uint8Array,
  random: () => number,
  ranges: [number, number][],
): Mutant {
  const int = (n: number): number => Math.floor(random() * n);
  const bytes = source.slice();
  const le = bytes[0] === 0x49;
  const view = new DataView(bytes.buffer);
  const structural = (): number => {
    const [start, end] = ranges[int(ranges.length)] ?? [0, 8];
    return Math.min(bytes.length - 1, start + int(Math.max(1, end - start)));
  };
  switch (int(6)) {
    case 0: {
      const n = 1 + int(8);
      const at: number[] = [];
      for (let i = 0; i < n; i++) {
        const p = structural();
        bytes[p] = int(256);
        at.push(p);
      }
      return { bytes, description: `set ${n} header/IFD bytes at ${at.join(',')}` };
    }
    case 1: {
      const length = int(bytes.length);
      return { bytes: bytes.slice(0, length), description: `truncate to ${length} bytes` };
    }
    case 2: {
      // An IFD entry's count (+4) or value/offset (+8) field of a classic TIFF.
      const [start, end] = ranges[1 + int(Math.max(1, ranges.length - 1))] ?? [8, 8];
      const entries = Math.max(1, Math.floor((end - start - 6) / 12));
      const field = start + 2 + 12 * int(entries) + (random() < 0.5 ? 4 : 8);
      const value = LARGE[int(LARGE.length)] ?? 0xffffffff;
      if (field + 4 <= bytes.length) view.setUint32(field, value, le);
      return { bytes, description: `IFD field at ${field} := 0x${value.toString(16)}` };
    }
    case 3: {
      const length = 1 + int(256);
      const from = int(Math.max(1, other.length - length));
      const to = int(bytes.length);
      const chunk = other.subarray(from, from + length);
      const out = new Uint8Array(bytes.length);
      out.set(bytes);
      out.set(chunk.subarray(0, Math.max(0, out.length - to)), to);
      return { bytes: out, description: `splice ${chunk.length} bytes of another file at ${to}` };
    }
    case 4: {
      const n = 1 + int(32);
      for (let i = 0; i < n; i++) bytes[int(bytes.length)] = int(256);
      return { bytes, description: `set ${n} random bytes anywhere` };
    }
    default: {
      const p = structural();
      const length = 1 + int(16);
      bytes.fill(random() < 0.5 ? 0 : 0xff, p, p + length);
      return { bytes, description: `fill ${length} bytes at ${p}` };
    }
  }
}

const present = SEEDS.every((path) => existsSync(join(DATA, path)));
if (!present) console.warn(`fuzz.test.ts: seed files under ${DATA} missing — fuzz test skipped`);

describe.skipIf(!present)('fuzzing real TIFF bytes', () => {
  test(`${CASES} seeded mutations (seed ${SEED}) end in a raster or an error message`, async () => {
    const files = SEEDS.map((path) => ({
      path,
      bytes: new Uint8Array(readFileSync(join(DATA, path))),
    }));
    const [from = 0, to = CASES - 1] = (ONLY ?? '').split('-').filter(Boolean).map(Number);
    const cases = Array.from({ length: CASES }, (_, index) => index).filter(
      (index) => ONLY === undefined || (index >= from && index <= (ONLY.includes('-') ? to : from)),
    );
    const mutants = cases.map((index) => {
      // Each case has its own stream: a case replays alone with QW_FUZZ_ONLY.
      const random = mulberry32(SEED ^ Math.imul(index + 1, 0x9e3779b9));
      const file = files[Math.floor(random() * files.length)] ?? files[0]!;
      const other = files[Math.floor(random() * files.length)] ?? files[0]!;
      const mutant = mutate(file.bytes, other.bytes, random, structureRanges(file.bytes));
      return { index, file: file.path, ...mutant };
    });
    const started = performance.now();
    const { outcomes, starts } = await decodeAll(
      mutants.map((m) => ({ name: `case-${m.index}`, bytes: m.bytes, probe: 'window' as const })),
      { concurrency: 2, timeoutMs: CASE_TIMEOUT_MS, maxHeapMb: 512 },
    );
    const counts = new Map<string, number>();
    const failures: string[] = [];
    outcomes.forEach((outcome: DecodeOutcome, i) => {
      const mutant = mutants[i]!;
      const key =
        outcome.kind === 'error' ? `error:${outcome.reason ?? outcome.name}` : outcome.kind;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      const ok =
        outcome.kind === 'raster' || (outcome.kind === 'error' && outcome.message.trim() !== '');
      if (!ok) {
        if (DUMP !== undefined) {
          mkdirSync(DUMP, { recursive: true });
          writeFileSync(join(DUMP, `case-${mutant.index}.tif`), mutant.bytes);
        }
        const detail = 'message' in outcome ? `: ${outcome.message.slice(0, 300)}` : '';
        failures.push(
          `case ${mutant.index} (QW_FUZZ_SEED=${SEED} QW_FUZZ_ONLY=${mutant.index}) ${mutant.file}, ${mutant.description} → ${outcome.kind}${detail}`,
        );
      }
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `fuzz: ${mutants.length} cases, seed ${SEED}, ${seconds} s, ${starts} process starts\n` +
        [...counts].map(([key, n]) => `  ${key.padEnd(34)} ${n}`).join('\n'),
    );
    expect(failures).toEqual([]);
  }, 600_000);
});
