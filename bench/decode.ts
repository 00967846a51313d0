/**
 * npm run bench (second part): decode throughput of geotiff.js through our
 * readWindow, on corpus files and the large fixture, next to gdal_translate
 * (Debian gdal-bin) decoding the same pixels in the same run. Medians of
 * several runs after a warm-up; nothing here is a test.
 *
 * Each of our runs opens the file (fromFile), describes it and reads the
 * window, as each gdal_translate run opens, decodes and writes to /vsimem
 * (memory, no disk). gdal_translate also pays process start-up: the same
 * command on a 1×1 window of the same file measures it, and the last column
 * compares against GDAL's time less that (median of paired differences).
 * Runs of the two sides alternate, so load on a shared machine hits both.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromFile } from 'geotiff';
import { describeRaster, readWindow, type ReadOptions } from '../src/io/decoder.ts';
import { largeFixtureName, makeLargeFixture } from '../scripts/make-large-fixture.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = process.env['QW_DATA'] ?? join(ROOT, '..', 'shared', 'data');
const LARGE_SIZE_PX = 20000;

interface Case {
  readonly label: string;
  readonly path: string;
  /** [left, top, width, height] in full-resolution pixels; the whole image when absent. */
  readonly window?: readonly [number, number, number, number];
  /** Overview to read whole (1-based, as ReadOptions.level). */
  readonly level?: number;
  readonly repetitions: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Wall time of one call, in milliseconds. */
async function timed(run: () => Promise<void> | void): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

/** Opens, describes and reads; returns the number of output pixels. */
async function decodeOurs(testCase: Case): Promise<number> {
  const tiff = await fromFile(testCase.path);
  try {
    const info = await describeRaster(tiff, testCase.label, statSync(testCase.path).size);
    const raster = { tiff, image: await tiff.getImage(0), info };
    const w = testCase.window;
    const options: ReadOptions = {
      ...(w === undefined ? {} : { window: [w[0], w[1], w[0] + w[2], w[1] + w[3]] as const }),
      ...(testCase.level === undefined ? {} : { level: testCase.level }),
    };
    const read = await readWindow(raster, options);
    return read.width * read.height;
  } finally {
    await tiff.close();
  }
}

function gdalArgs(testCase: Case): string[] {
  const args = ['-q', '-of', 'ENVI'];
  // GDAL counts overviews from 0; ReadOptions.level from 1.
  if (testCase.level !== undefined) args.push('-oo', `OVERVIEW_LEVEL=${testCase.level - 1}`);
  if (testCase.window !== undefined) args.push('-srcwin', ...testCase.window.map(String));
  return [...args, testCase.path, '/vsimem/quaywatch-bench.bin'];
}

function runGdal(args: readonly string[]): void {
  const result = spawnSync('gdal_translate', args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`gdal_translate ${args.join(' ')} failed: ${result.stderr}`);
  }
}

function hasGdal(): boolean {
  const result = spawnSync('gdal_translate', ['--version'], { encoding: 'utf8' });
  return result.status === 0;
}

const corpus: readonly [string, string][] = [
  ['tiff/rasterio/RGB.byte.tif', 'uint8 RGB, uncompressed, strips'],
  ['tiff/rasterio/rgb_lzw.tif', 'uint8 RGB, LZW, 256² tiles'],
  ['multidate/naip/m_4709963_se_14_1_20090818.tif', 'uint8 NAIP, Deflate, 512² tiles'],
  ['tiff/rasterio/cogeo.tif', 'uint8 RGB, JPEG YCbCr, 512² tiles'],
  ['tiff/rio-tiler/cog.tif', 'uint16, Deflate, 256² tiles'],
  ['port/rotterdam-spacenet6/pan1.tif', 'uint16 pan, uncompressed, strips'],
  ['tiff/geotiff-test-data/vestfold.tif', 'float32, LZW, strips'],
];

const cases: Case[] = [];
for (const [file, what] of corpus) {
  const path = join(DATA, file);
  if (!existsSync(path)) {
    console.log(`skipped: ${file} not found under ${DATA}`);
    continue;
  }
  cases.push({ label: `${file.split('/').pop() ?? file} (${what})`, path, repetitions: 5 });
}

const largePath = join(tmpdir(), largeFixtureName(LARGE_SIZE_PX));
const made = await makeLargeFixture(largePath, LARGE_SIZE_PX);
console.log(
  made.generated
    ? `large fixture generated in ${(made.generatedMs / 1000).toFixed(1)} s: ${largePath}`
    : `large fixture reused: ${largePath}`,
);
cases.push({
  label: `large fixture 20000² RGB Deflate: 4096² full-res window`,
  path: largePath,
  window: [6000, 7000, 4096, 4096],
  repetitions: 3,
});
cases.push({
  label: `large fixture: overview 4, 1250² (display level)`,
  path: largePath,
  level: 4,
  repetitions: 5,
});

const gdal = hasGdal();
if (!gdal) console.log('gdal_translate not found: GDAL columns skipped (apt-get install gdal-bin)');

const rows: string[][] = [
  [
    'file',
    'Mpx',
    'ours median ms',
    'ours Mpx/s',
    'GDAL median ms',
    'GDAL Mpx/s',
    'ratio (ours/GDAL time)',
    'GDAL 1×1 ms',
    'ratio vs GDAL − 1×1',
  ],
];

for (const testCase of cases) {
  const gdalRun = (): void => {
    runGdal(gdalArgs(testCase));
  };
  // Process start-up plus opening this file: the same command on a 1×1 window.
  const gdalBaselineRun = (): void => {
    runGdal(gdalArgs({ ...testCase, window: [0, 0, 1, 1] }));
  };
  let pixels = 0;
  const oursRun = async (): Promise<void> => {
    pixels = await decodeOurs(testCase);
  };
  // Warm-up (JIT, page cache), then the runs interleaved so load on the machine hits both alike.
  await oursRun();
  if (gdal) {
    gdalRun();
    gdalBaselineRun();
  }
  const ours: number[] = [];
  const peer: number[] = [];
  const peerDecodeOnly: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < testCase.repetitions; i++) {
    ours.push(await timed(oursRun));
    if (gdal) {
      const full = await timed(gdalRun);
      const base = await timed(gdalBaselineRun);
      peer.push(full);
      baseline.push(base);
      peerDecodeOnly.push(full - base);
    }
  }
  const mpx = pixels / 1e6;
  const oursMs = median(ours);
  const row = [
    testCase.label,
    mpx.toFixed(2),
    oursMs.toFixed(1),
    ((mpx / oursMs) * 1000).toFixed(1),
  ];
  if (gdal) {
    const gdalMs = median(peer);
    const decodeOnlyMs = median(peerDecodeOnly);
    row.push(
      gdalMs.toFixed(1),
      ((mpx / gdalMs) * 1000).toFixed(1),
      (oursMs / gdalMs).toFixed(2),
      median(baseline).toFixed(1),
      // Below a few ms the difference is noise, not decode time.
      decodeOnlyMs > 5 ? (oursMs / decodeOnlyMs).toFixed(2) : '— (too small)',
    );
  } else {
    row.push('—', '—', '—', '—', '—');
  }
  rows.push(row);
}

const widths =
  rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
for (const row of rows)
  console.log(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  '));
const gdalVersion = gdal
  ? spawnSync('gdal_translate', ['--version'], { encoding: 'utf8' }).stdout.trim()
  : 'no GDAL';
console.log(
  `node ${process.version}, geotiff.js on the main thread (no worker pool); ${gdalVersion}, ` +
    'default single-threaded decode, output to /vsimem; medians of 3–5 interleaved runs after a warm-up; ' +
    'ours = open + describe + readWindow; GDAL 1×1 = process start-up + open',
);
