/**
 * Every TIFF of ../shared/data (tiff/, multidate/, port/, broken/) either
 * decodes — size, bands and data type as in MANIFEST.tsv, and pixels that are
 * not all zero — or is refused with a specific message. Decodes run in child
 * processes with a time limit, so a crash or hang fails one file, not the run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { decodeAll, type DecodeOutcome } from '../support/decode-in-worker.ts';

const DATA =
  process.env['QW_DATA'] ?? fileURLToPath(new URL('../../../shared/data', import.meta.url));
const FOLDERS = ['tiff/', 'multidate/', 'port/', 'broken/'];
const TIFF_NAME = /\.(tiff?|cog)(\.ovr|\.msk)?$/i;

/**
 * GDAL's type names (the manifest) → dtypes Quaywatch reports. GDAL widens
 * sub-byte samples to Byte, 9–15-bit to UInt16 and half floats to Float32, and
 * older GDAL calls signed 8-bit "Byte". Complex types (CInt16, CFloat32, …) are
 * refused by the preflight ("Complex samples … are not supported").
 */
const DTYPES: Record<string, readonly string[]> = {
  Byte: ['uint8', 'int8', ...Array.from({ length: 7 }, (_, i) => `uint${i + 1}`)],
  Int8: ['int8'],
  UInt16: ['uint16', ...Array.from({ length: 7 }, (_, i) => `uint${i + 9}`)],
  Int16: ['int16'],
  UInt32: ['uint32', ...Array.from({ length: 15 }, (_, i) => `uint${i + 17}`)],
  Int32: ['int32'],
  Float32: ['float32', 'float16', 'float24'],
  Float64: ['float64'],
};

/** Reasons that name what is wrong or unsupported; 'decode-failed' (a raw error) is not one. */
const SPECIFIC_REASONS = new Set([
  'empty',
  'not-tiff',
  'truncated',
  'damaged',
  'too-large',
  'unsupported-compression',
  'unsupported-layout',
  'unsupported-sample-format',
]);

/**
 * Files that may be refused, and why. A file missing here that gets refused
 * fails the test; one here that starts decoding is fine (a gap closed).
 */
const MAY_BE_REFUSED: Record<string, string> = {
  'broken/colormap-shl-overflow.tiff': 'damaged',
  'broken/rasterio-corrupt.tif': 'truncated',
  'broken/sample-get-lzw-stuck.tiff': 'truncated',
  'broken/thunderscan-text.tif': 'unsupported-compression',
  'tiff/eoxserver-autotest/WCS20GetCoverageDatasetGeoTIFFHuffmanTestCase.tif':
    'unsupported-compression',
  'tiff/image-tiff/images/fax4.tiff': 'unsupported-compression',
  'tiff/image-tiff/libtiffpic/g3test.tif': 'unsupported-compression',
  'tiff/image-tiff/images/logluv-3c-16b.tiff': 'unsupported-compression',
  'tiff/image-tiff/libtiffpic/off_luv24.tif': 'unsupported-compression',
  'tiff/image-tiff/libtiffpic/smallliz.tif': 'unsupported-compression',
  'tiff/image-tiff/libtiffpic/zackthecat.tif': 'unsupported-compression',
  'tiff/image-tiff/libtiffpic/ycbcr-cat.tif': 'unsupported-layout',
  'tiff/image-tiff/libtiffpic/cramps-tile.tif': 'unsupported-layout',
  // geotiff.js misreads samples after the first (2048 for 8): refused by the preflight.
  'tiff/image-tiff/images/12bit.cropped.rgb.tiff': 'unsupported-sample-format',
};

/** Files whose pixels are all zero (checked with gdalinfo -stats: maximum 0 / no valid pixel). */
const ALL_ZERO = new Set<string>([
  'tiff/rasterio/all-nodata.tif',
  'tiff/eoxserver-autotest/WCS20GetCoverageDatasetGeoTIFFJPEGHighTestCase.tif',
]);

/**
 * Bands GDAL reports for our band count: GDAL converts CMYK (photometric
 * "separated") to RGB, so CMYK + alpha (5 samples) is 4 bands in the manifest.
 */
function gdalBands(bands: number, photometric: string): number {
  return photometric === 'separated' && bands >= 4 ? bands - 1 : bands;
}

interface Row {
  readonly path: string;
  readonly sizeBytes: number;
  readonly summary: string;
}

function manifestRows(): Row[] {
  const lines = readFileSync(join(DATA, 'MANIFEST.tsv'), 'utf8').split('\n').slice(1);
  return lines.flatMap((line) => {
    const cells = line.split('\t');
    const [path = '', , , , , size = '0', summary = ''] = cells;
    if (!FOLDERS.some((folder) => path.startsWith(folder)) || !TIFF_NAME.test(path)) return [];
    return [{ path, sizeBytes: Number(size), summary: summary.replace(/^"|"$/g, '') }];
  });
}

/** "1024x1024; 3 band(s); Byte; …" → expected size, bands and GDAL type. */
function expected(
  summary: string,
): { width: number; height: number; bands: number; type: string } | null {
  const match = /^(\d+)x(\d+); (\d+) band\(s\); (\w+);/.exec(summary);
  if (match === null) return null;
  const [, w = '0', h = '0', b = '0', type = ''] = match;
  return { width: Number(w), height: Number(h), bands: Number(b), type };
}

function describeOutcome(outcome: DecodeOutcome | undefined): string {
  if (outcome === undefined) return 'no outcome';
  if (outcome.kind === 'raster') {
    return `read ${outcome.info.width}×${outcome.info.height}×${outcome.info.bands} ${outcome.info.dtype}`;
  }
  if (outcome.kind === 'error')
    return `refused (${outcome.reason ?? outcome.name}): ${outcome.message}`;
  if (outcome.kind === 'timeout') return `TIMEOUT after ${outcome.elapsedMs} ms`;
  return `${outcome.kind.toUpperCase()}: ${'message' in outcome ? outcome.message : ''}`;
}

const present = existsSync(join(DATA, 'MANIFEST.tsv'));
if (!present) {
  console.warn(
    `corpus.test.ts: ${DATA} is missing — corpus test skipped (set QW_DATA to its path)`,
  );
}

describe.skipIf(!present)('real-file corpus (../shared/data)', () => {
  test('every TIFF decodes as the manifest says or is refused with a specific message', async () => {
    const rows = manifestRows();
    expect(rows.length).toBeGreaterThan(100);
    const started = performance.now();
    const { outcomes, starts } = await decodeAll(
      rows.map((row) => ({
        name: row.path,
        path: join(DATA, row.path),
        probe: 'content' as const,
      })),
      { concurrency: 2, timeoutMs: 20_000 },
    );
    const problems: string[] = [];
    const refusals = new Map<string, string[]>();
    let read = 0;
    rows.forEach((row, index) => {
      const outcome = outcomes[index];
      const want = expected(row.summary);
      const broken = row.path.startsWith('broken/');
      if (outcome?.kind === 'raster') {
        read++;
        const { info, window } = outcome;
        if (broken) problems.push(`${row.path}: decoded, but broken/ files must be refused`);
        if (want === null) {
          problems.push(`${row.path}: decoded, but GDAL could not read it (${row.summary})`);
          return;
        }
        const got = `${info.width}x${info.height}, ${info.bands} bands, ${info.dtype}`;
        const bands = gdalBands(info.bands, info.photometric);
        if (info.width !== want.width || info.height !== want.height || bands !== want.bands) {
          problems.push(`${row.path}: ${got}; manifest: ${row.summary.slice(0, 40)}`);
        }
        if (!(DTYPES[want.type] ?? []).includes(info.dtype)) {
          problems.push(`${row.path}: dtype ${info.dtype}, manifest ${want.type}`);
        }
        if (window.bands !== info.bands) {
          problems.push(`${row.path}: window has ${window.bands} bands, info ${info.bands}`);
        }
        if (window.content === 0 && !ALL_ZERO.has(row.path)) {
          problems.push(`${row.path}: top-left, centre and overview windows are all zero`);
        }
        return;
      }
      if (outcome?.kind === 'error') {
        const reason = outcome.reason ?? outcome.name;
        refusals.set(reason, [...(refusals.get(reason) ?? []), row.path]);
        if (!SPECIFIC_REASONS.has(reason)) {
          problems.push(`${row.path}: unspecific failure: ${describeOutcome(outcome)}`);
        } else if (MAY_BE_REFUSED[row.path] === undefined) {
          problems.push(`${row.path}: unexpectedly ${describeOutcome(outcome)}`);
        }
        return;
      }
      problems.push(`${row.path}: ${describeOutcome(outcome)}`);
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const table = [
      `corpus: ${rows.length} TIFFs in ${seconds} s (${starts} decode processes started)`,
      `  read     ${String(read).padStart(4)}`,
      ...[...refusals].map(
        ([reason, paths]) =>
          `  refused  ${String(paths.length).padStart(4)}  ${reason}: ${paths.map((p) => p.split('/').pop()).join(', ')}`,
      ),
    ];
    console.log(table.join('\n'));
    expect(problems).toEqual([]);
  }, 240_000);
});
