import { parse } from 'csv-parse/sync';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { afterGrid } from '../../src/core/demo/georeference.ts';
import {
  buildDemoScene,
  DEFAULT_DEMO_PARAMS,
  type DemoSceneParams,
} from '../../src/core/demo/scene.ts';
import { DEFAULT_DEMO_ENCODING, encodeDemoDate, makeDemoFiles } from '../../src/io/demo-files.ts';
import { registerNodeDecoders } from '../../src/cli/node-decoders.ts';
import { openRaster, readWindow } from '../../src/io/decoder.ts';
import { writeTiff } from '../../src/io/tiff-writer.ts';
import {
  demoTifWithoutDataEast,
  greyAfterTif,
  noiseAfterTif,
  plainAfterPng,
  plainAfterTif,
  plainNoiseTif,
} from '../support/demo-after-variants.ts';
import { pairArgs, quaywatch, type CliRun } from '../support/cli.ts';
import { squarePierGeoJson } from '../support/large-fixture-piers.ts';
import { largeFixtureName, makeLargeFixture } from '../../scripts/make-large-fixture.ts';

let folder = '';
const DEMO: DemoSceneParams = { ...DEFAULT_DEMO_PARAMS, widthPx: 560, heightPx: 420, seed: 31 };

interface ResultJson {
  alignment: { shiftPx: [number, number]; method: string };
  rois: { name: string; coverage: number; before_teu: number; after_teu: number }[];
}

/** `quaywatch analyze` of two images in the test folder on the CPU twins, into the folder's `out`. */
function analyzeOnCpu(
  files: { readonly before?: string; readonly after?: string },
  out: string,
  ...options: string[]
): CliRun {
  return quaywatch(
    'analyze',
    ...pairArgs(folder, files),
    '--out',
    join(folder, out),
    '--backend',
    'cpu',
    ...options,
  );
}

function readResult(out: string): ResultJson {
  return JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as ResultJson;
}

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'quaywatch-analyze-'));
  const files = makeDemoFiles(DEMO);
  writeFileSync(join(folder, 'before.tif'), files.beforeTif);
  writeFileSync(join(folder, 'after.tif'), files.afterTif);
  writeFileSync(join(folder, 'piers.geojson'), JSON.stringify(files.piersGeoJson));
  writeFileSync(join(folder, 'truth.json'), JSON.stringify(files.truth));
}, 60_000);

describe('quaywatch analyze', () => {
  test('writes result.json with per-pier TEU in the documented shape', () => {
    const out = join(folder, 'out');
    const run = quaywatch('analyze', ...pairArgs(folder), '--out', out, '--backend', 'cpu');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as Record<
      string,
      unknown
    > & {
      rois: {
        name: string;
        before_teu: number;
        after_teu: number;
        net_teu: number;
        range_teu: [number, number];
        areaM2: number;
      }[];
      alignment: { shiftPx: [number, number]; method: string };
      timings_ms: Record<string, number>;
    };
    expect(result).toMatchObject({ version: 1, backend: 'cpu' });
    expect(Object.keys(result)).toEqual([
      'version',
      'backend',
      'before',
      'after',
      'alignment',
      'params',
      'rois',
      'timings_ms',
      'warnings',
    ]);
    expect(result['warnings']).toEqual([]);
    expect(result.rois.map((roi) => roi.name)).toEqual(['Pier 1', 'Pier 2', 'Pier 3']);
    const truth = JSON.parse(readFileSync(join(folder, 'truth.json'), 'utf8')) as {
      misregistrationPx: [number, number];
      piers: { before_teu: number; after_teu: number; net_teu: number }[];
    };
    result.rois.forEach((roi, i) => {
      const pier = truth.piers[i]!;
      expect(Math.abs(roi.before_teu - pier.before_teu)).toBeLessThanOrEqual(
        Math.max(8, 0.25 * pier.before_teu),
      );
      expect(Math.abs(roi.after_teu - pier.after_teu)).toBeLessThanOrEqual(
        Math.max(8, 0.25 * pier.after_teu),
      );
      expect(roi.range_teu[0]).toBeLessThanOrEqual(roi.net_teu);
      expect(roi.range_teu[1]).toBeGreaterThanOrEqual(roi.net_teu);
      expect(roi.areaM2).toBeGreaterThan(1000);
    });
    expect(Math.abs(result.alignment.shiftPx[0] - truth.misregistrationPx[0])).toBeLessThanOrEqual(
      0.2,
    );
    expect(Math.abs(result.alignment.shiftPx[1] - truth.misregistrationPx[1])).toBeLessThanOrEqual(
      0.2,
    );
    expect(Object.keys(result.timings_ms)).toEqual(['decode', 'align', 'analyze']);
  });

  test('16-bit imagery is analysed in 8-bit DN: a 16-bit copy of the pair gives its numbers', async () => {
    // The same pictures as 16-bit samples (v · 8 + 200, like 11-bit data with an offset).
    // Taken at face value, a 30 DN threshold is some 8 times as keen: Pier 1 read 1127 TEU.
    registerNodeDecoders();
    for (const name of ['before', 'after']) {
      const bytes = readFileSync(join(folder, `${name}.tif`));
      const raster = await openRaster({
        kind: 'buffer',
        buffer: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
        name,
      });
      const { width, height, bands } = await readWindow(raster);
      const data = new Uint16Array(width * height * 3);
      for (let i = 0; i < width * height; i++) {
        for (let b = 0; b < 3; b++) data[i * 3 + b] = (bands[b]?.[i] ?? 0) * 8 + 200;
      }
      const { crs, geoTransform: t, acquired } = raster.info;
      if (crs?.epsg == null || t === null) throw new Error('the demo is georeferenced');
      const tiff = writeTiff([
        {
          width,
          height,
          samplesPerPixel: 3,
          bitsPerSample: 16,
          data,
          georeference: {
            modelType: crs.geographic ? 'geographic' : 'projected',
            epsg: crs.epsg,
            originX: t.originX,
            originY: t.originY,
            pixelSizeX: t.pixelWidth,
            pixelSizeY: -t.pixelHeight,
          },
          ...(acquired === null ? {} : { dateTime: acquired.replace(/-/g, ':').replace('T', ' ') }),
        },
      ]);
      writeFileSync(join(folder, `${name}16.tif`), tiff);
    }
    const shift = ['--shift', '0.6,-0.4'];
    expect(analyzeOnCpu({}, 'out8', ...shift).status).toBe(0);
    const run = analyzeOnCpu({ before: 'before16.tif', after: 'after16.tif' }, 'out16', ...shift);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const eight = readResult(join(folder, 'out8')).rois;
    readResult(join(folder, 'out16')).rois.forEach((roi, k) => {
      const other = eight[k];
      if (other === undefined) throw new Error('the same piers');
      for (const key of ['before_teu', 'after_teu'] as const) {
        expect(Math.abs(roi[key] - other[key]), `${roi.name} ${key}`).toBeLessThanOrEqual(
          Math.max(2, 0.05 * other[key]),
        );
      }
    });
  });

  test('bad input: one clear line on stderr and a non-zero exit', () => {
    const missing = quaywatch('analyze', '--before', join(folder, 'before.tif'));
    expect(missing.status).not.toBe(0);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain(
      'analyze needs --before, --after, --rois and --out (missing: --after, --rois, --out)',
    );

    const badRois = join(folder, 'bad.geojson');
    writeFileSync(badRois, '{"type": "FeatureCollection", "features": [');
    const bad = quaywatch(
      'analyze',
      '--before',
      join(folder, 'before.tif'),
      '--after',
      join(folder, 'after.tif'),
      '--rois',
      badRois,
      '--out',
      join(folder, 'x'),
    );
    expect(bad.status).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('bad.geojson is not valid JSON');

    // A pier file over 64 MB is refused by its size, not read (sparse: no bytes written).
    const huge = join(folder, 'country.geojson');
    writeFileSync(huge, '');
    truncateSync(huge, 65 * 1024 * 1024);
    const tooLarge = quaywatch(
      'analyze',
      ...pairArgs(folder).slice(0, 4),
      '--rois',
      huge,
      '--out',
      join(folder, 'z'),
    );
    expect(tooLarge.status).toBe(1);
    expect(tooLarge.stderr).toBe(
      "quaywatch: country.geojson is 65 MB: pier and session files are read up to 64 MB (a port's piers take kilobytes); clip the layer to the port first (e.g. ogr2ogr -clipsrc)\n",
    );

    const backend = quaywatch(
      'analyze',
      ...pairArgs(folder),
      '--out',
      join(folder, 'y'),
      '--backend',
      'quantum',
    );
    expect(backend.status).not.toBe(0);
    expect(backend.stderr.trim()).toBe(
      'quaywatch: --backend takes auto, webgpu or cpu (got "quantum")',
    );
  });

  test('the output folder is checked before any image is read, and result.json comes last', () => {
    const aFile = join(folder, 'a-file.txt');
    writeFileSync(aFile, 'not a folder');
    // The before image does not exist: the --out message shows that --out came first.
    const noImage = pairArgs(folder, { before: 'nowhere.tif' });
    const onFile = quaywatch('analyze', ...noImage, '--out', aFile, '--backend', 'cpu');
    expect(onFile.status).toBe(1);
    expect(onFile.stderr).toBe(`quaywatch: --out ${aFile} is a file, not a folder\n`);
    const under = quaywatch('analyze', ...noImage, '--out', join(aFile, 'x'));
    expect(under.stderr).toBe(
      `quaywatch: --out ${join(aFile, 'x')}: ${aFile} is a file, not a folder\n`,
    );
    if (existsSync('/proc/self')) {
      // Node 20's recursive mkdir never returns here; the CLI must not hang on it.
      const proc = quaywatch('analyze', ...pairArgs(folder), '--out', '/proc/quaywatch-out/x');
      expect(proc.status).toBe(1);
      // As root /proc looks writable and mkdir fails; as anyone else the check does.
      expect(proc.stderr).toMatch(
        /^quaywatch: --out \/proc\/quaywatch-out\/x: cannot (create \/proc\/quaywatch-out \(ENOENT\)|write in \/proc \(EACCES\))\n$/,
      );
    }
    const layoutOut = join(folder, 'layout');
    const layout = quaywatch(
      'analyze',
      ...pairArgs(folder),
      '--out',
      layoutOut,
      '--snapshot-layout',
      'grid',
    );
    expect(layout.stderr).toBe(
      'quaywatch: --snapshot-layout takes single or side-by-side (got "grid")\n',
    );
    expect(existsSync(layoutOut)).toBe(false);
    // A file that cannot be written: the error names it, and no result.json claims the run.
    const blocked = join(folder, 'blocked');
    mkdirSync(join(blocked, 'piers.csv'), { recursive: true });
    writeFileSync(join(blocked, 'result.json'), '{"from": "an earlier run"}');
    const run = quaywatch('analyze', ...pairArgs(folder), '--out', blocked, '--backend', 'cpu');
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`quaywatch: cannot write ${join(blocked, 'piers.csv')} (EISDIR)\n`);
    expect(existsSync(join(blocked, 'result.json'))).toBe(false);
  });

  test('an image that cannot be read is named; a folder is not an image', () => {
    const truncated = join(folder, 'truncated.tif');
    writeFileSync(truncated, readFileSync(join(folder, 'after.tif')).subarray(0, 100));
    const run = quaywatch(
      'analyze',
      ...pairArgs(folder, { after: 'truncated.tif' }),
      '--out',
      join(folder, 'truncated-out'),
    );
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr.startsWith(`quaywatch: ${truncated}: The file is truncated`)).toBe(true);
    const asFolder = quaywatch(
      'analyze',
      '--before',
      folder,
      '--after',
      join(folder, 'after.tif'),
      '--rois',
      join(folder, 'piers.geojson'),
      '--out',
      join(folder, 'folder-out'),
    );
    expect(asFolder.stderr).toBe(`quaywatch: ${folder} is a folder, not an image file\n`);
  });

  test('an after image without georeference: on the before grid when the same size, else refused', () => {
    // The grid only: building the scene is cheap, rendering it is not.
    const grid = afterGrid(buildDemoScene(DEMO));
    writeFileSync(join(folder, 'plain-after.tif'), plainAfterTif(DEMO));
    writeFileSync(
      join(folder, 'small-after.tif'),
      writeTiff([
        { width: 4, height: 4, samplesPerPixel: 3, bitsPerSample: 8, data: new Uint8Array(48) },
      ]),
    );
    const georeferenced = analyzeOnCpu({ after: 'after.tif' }, 'geo-out');
    const onGrid = analyzeOnCpu({ after: 'plain-after.tif' }, 'plain-out');
    expect(onGrid.status).toBe(0);
    const [geo, plainResult] = [
      readResult(join(folder, 'geo-out')),
      readResult(join(folder, 'plain-out')),
    ];
    expect(georeferenced.status).toBe(0);
    expect(plainResult.alignment.method).toBe('pixel grid + phase correlation');
    // The demo's after grid is the before grid moved by its misregistration,
    // which the phase correlation now finds in full; the counts agree within
    // what a slightly different shift estimate moves (stretched over the pier
    // window, as before this check, they were off by tens of TEU).
    plainResult.rois.forEach((roi, index) => {
      const other = geo.rois[index];
      expect(Math.abs(roi.before_teu - (other?.before_teu ?? NaN))).toBeLessThanOrEqual(2);
      expect(Math.abs(roi.after_teu - (other?.after_teu ?? NaN))).toBeLessThanOrEqual(2);
      expect(roi.coverage).toBeGreaterThan(0.98);
    });
    // The same picture as a PNG: read over the pier window alone, not squashed into it.
    writeFileSync(join(folder, 'plain-after.png'), plainAfterPng(DEMO));
    const png = analyzeOnCpu({ after: 'plain-after.png' }, 'png-out');
    expect(png.status).toBe(0);
    expect(readResult(join(folder, 'png-out')).rois).toEqual(plainResult.rois);
    const small = analyzeOnCpu({ after: 'small-after.tif' }, 'small-out');
    expect(small.status).toBe(1);
    expect(small.stderr).toBe(
      `quaywatch: small-after.tif has no usable georeference and is not the size of before.tif (4×4 against ${grid.width}×${grid.height}), so it cannot be placed on its grid: georeference it (e.g. gdal_translate -a_srs and -a_ullr) and open it again.\n`,
    );
  });

  test('piers the after image covers in part are flagged, with their coverage in result.json', () => {
    const scene = buildDemoScene(DEMO);
    const grid = afterGrid(scene);
    // The same picture, placed half the scene's width further east: it misses
    // the western pier, cuts the middle one and covers the eastern one.
    const moved = { ...grid, originX: grid.originX + 0.5 * grid.width * grid.pixelSizeX };
    writeFileSync(
      join(folder, 'east-after.tif'),
      encodeDemoDate(scene, 1, moved, DEFAULT_DEMO_ENCODING),
    );
    const out = join(folder, 'east-out');
    const run = analyzeOnCpu({ after: 'east-after.tif' }, 'east-out', '--shift', '0,0');
    expect(run.status).toBe(0);
    const result = readResult(out);
    const coverage = result.rois.map((roi) => roi.coverage);
    expect(coverage[0]).toBe(0);
    expect(coverage[1]).toBeGreaterThan(0.2);
    expect(coverage[1]).toBeLessThan(0.8);
    expect(coverage[2]).toBeGreaterThanOrEqual(0.98);
    // The picture moved east shows other ground on the piers it covers: their surfaces differ
    // between the dates, which has its own warning.
    const warned = run.stderr
      .trim()
      .split('\n')
      .filter((line) => !line.includes('bare surface'));
    const expected = result.rois.flatMap((roi) =>
      roi.coverage >= 0.98
        ? []
        : [
            roi.coverage === 0
              ? `warning: ${roi.name}: no part of it lies in both images, so its numbers are 0 and mean nothing`
              : `warning: ${roi.name}: only ${Math.round(roi.coverage * 100)} % of it is counted (the rest lies outside the images, where they hold no data, or under a pier listed before it); its numbers count that part only`,
          ],
    );
    expect(warned).toEqual(expected);
    // result.json keeps every warning printed, so the caveats stay with the numbers.
    expect((result as { warnings?: unknown }).warnings).toEqual(
      run.stderr
        .trim()
        .split('\n')
        .map((line) => line.replace(/^warning: /, '')),
    );
    expect(result.rois[0]?.after_teu).toBe(0);
    // piers.csv says it too: a pier off the image is not an empty one.
    const csv = parse<Record<string, string>>(readFileSync(join(out, 'piers.csv'), 'utf8'), {
      columns: true,
    });
    expect(csv.map((row) => Number(row['coverage']))).toEqual(coverage);
  });

  test('pixels either image marks as holding no data (GDAL_NODATA, alpha) count for neither date', () => {
    // The before image holds no data east of half its width (GDAL_NODATA
    // 0), the after image none east of a fifth (alpha 0): the eastern pier lies
    // in neither, the middle one in part.
    writeFileSync(
      join(folder, 'nodata-before.tif'),
      demoTifWithoutDataEast(DEMO, 0, 0.5, 'nodata'),
    );
    writeFileSync(join(folder, 'alpha-after.tif'), demoTifWithoutDataEast(DEMO, 1, 0.2, 'alpha'));
    const masked = (before: string, after: string, out: string) =>
      analyzeOnCpu({ before, after }, out);
    const full = masked('before.tif', 'after.tif', 'full-out');
    const beforeMasked = masked('nodata-before.tif', 'after.tif', 'nodata-out');
    const bothMasked = masked('nodata-before.tif', 'alpha-after.tif', 'alpha-out');
    for (const run of [full, beforeMasked, bothMasked]) expect(run.status).toBe(0);
    const [all, noBefore, noBoth] = ['full-out', 'nodata-out', 'alpha-out'].map((out) =>
      readResult(join(folder, out)),
    );
    // The shift is estimated as well with half the before image empty.
    noBefore?.alignment.shiftPx.forEach((px, axis) => {
      expect(Math.abs(px - (all?.alignment.shiftPx[axis] ?? NaN))).toBeLessThan(0.1);
    });
    // With a fifth of the after image left, one tile of 16 finds a distinct peak (as
    // with unrelated images): the estimate is not applied, and stderr says why.
    expect(noBoth?.alignment.shiftPx).toEqual([0, 0]);
    expect(bothMasked.stderr).toMatch(
      /^warning: alpha-after\.tif: the residual shift could not be measured: 1 of 16 tiles found a distinct peak/,
    );
    const coverage = (result: ResultJson | undefined) => result?.rois.map((roi) => roi.coverage);
    expect(coverage(all)).toEqual([1, 1, 1]);
    // Black taken for data (before this check) gave the middle pier 389 TEU before, not 33, and
    // threw the normalization off (the western pier 61 TEU after, not 45).
    const [west, middle, east] = noBefore?.rois ?? [];
    expect(east?.coverage).toBe(0);
    expect(east?.before_teu).toBe(0);
    expect(east?.after_teu).toBe(0);
    expect(middle?.coverage).toBeGreaterThan(0);
    expect(middle?.coverage).toBeLessThan(0.98);
    expect(middle?.before_teu).toBeLessThanOrEqual((all?.rois[1]?.before_teu ?? NaN) + 1);
    expect(west?.coverage).toBe(1);
    // Only the normalization and a hundredth of a pixel of shift differ there.
    expect(Math.abs((west?.before_teu ?? NaN) - (all?.rois[0]?.before_teu ?? NaN))).toBeLessThan(
      1.5,
    );
    expect(beforeMasked.stderr).toContain(
      `warning: ${east?.name}: no part of it lies in both images, so its numbers are 0 and mean nothing`,
    );
    const masks = coverage(noBoth) ?? [];
    expect(masks[0]).toBeLessThan(coverage(noBefore)?.[0] ?? NaN);
    expect(masks[1]).toBeLessThanOrEqual(coverage(noBefore)?.[1] ?? NaN);
    expect(masks[2]).toBe(0);
  });

  test('a grey after image against a colour before is analysed, with a warning', () => {
    writeFileSync(join(folder, 'grey-after.tif'), greyAfterTif(DEMO));
    const run = analyzeOnCpu({ after: 'grey-after.tif' }, 'grey-out');
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(
      'warning: grey-after.tif has 1 band and before.tif 3: grey-after.tif is compared in grey, so its own count and the change against it (appeared, disappeared, net) are not to be trusted\n',
    );
  });

  test('an after image whose residual shift cannot be measured is placed by its georeference, with a warning', () => {
    // Noise has no correlation peak with the scene: the whole-area estimate lands
    // anywhere within ±32 px and used to be applied as it was.
    writeFileSync(join(folder, 'noise-after.tif'), noiseAfterTif(DEMO));
    const out = join(folder, 'noise-out');
    const run = analyzeOnCpu({ after: 'noise-after.tif' }, 'noise-out');
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(
      /^warning: noise-after\.tif: the residual shift could not be measured: [0-2] of \d+ tiles found a distinct peak \(peak ratio [\d.]+\); the image is placed by its georeference alone \(--shift dx,dy sets one\)\n/,
    );
    const result = readResult(out);
    expect(result.alignment.shiftPx).toEqual([0, 0]);
    expect(result.alignment.method).toContain('no residual shift (phase correlation unreliable)');
  });

  test('an image placed by pixel position whose shift cannot be measured says so, and is not moved', () => {
    // Without georeference the warning must not name one: the image stands where its pixels are.
    writeFileSync(join(folder, 'plain-noise.tif'), plainNoiseTif(DEMO.widthPx, DEMO.heightPx));
    const out = join(folder, 'plain-noise-out');
    const run = analyzeOnCpu({ after: 'plain-noise.tif' }, 'plain-noise-out');
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(
      /^warning: plain-noise\.tif: the residual shift could not be measured: .+; the image is placed by its pixel position alone \(--shift dx,dy sets one\)\n/,
    );
    const result = readResult(out);
    expect(result.alignment.shiftPx).toEqual([0, 0]);
    expect(result.alignment.method).toBe(
      'pixel grid + no residual shift (phase correlation unreliable)',
    );
  });

  test('piers spanning more than 8192² px are refused before any pixel is read', async () => {
    const large = join(tmpdir(), largeFixtureName(20000));
    await makeLargeFixture(large, 20000);
    // 9 km square on the fixture's 0.5 m grid: about 326 Mpx, some 40 GB to analyse.
    const huge = join(folder, 'huge.geojson');
    writeFileSync(huge, squarePierGeoJson('Yard', 100, 9000));
    const run = quaywatch(
      'analyze',
      '--before',
      large,
      '--after',
      large,
      '--rois',
      huge,
      '--out',
      join(folder, 'huge-out'),
    );
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      `quaywatch: The piers of huge.geojson span 18049 × 18048 px of ${largeFixtureName(20000)} at full resolution (325.7 Mpx, about 41 GB of memory to analyse); an analysis here reads at most 67.1 Mpx (8192 × 8192 px, about 8 GB): analyse piers that lie far apart in separate runs, and split a pier larger than that`,
    ]);
    expect(existsSync(join(folder, 'huge-out', 'result.json'))).toBe(false);
  });
});
