import { parse } from 'csv-parse/sync';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { demoThirdDateTif } from '../support/demo-third-date.ts';
import { measuredOnly, SERIES_CSV_HEADER } from '../../src/cli/series.ts';
import { DEFAULT_DEMO_PARAMS } from '../../src/core/demo/scene.ts';
import { quaywatch } from '../support/cli.ts';

let folder = '';

/** A third date of the demo port (tests/support/demo-third-date.ts), deflate-compressed. */
function demoDateTif(dateTime: string | undefined, eastOffsetM = 0): Uint8Array {
  return demoThirdDateTif({
    ...(dateTime === undefined ? {} : { dateTime }),
    eastOffsetM,
    compression: 'deflate',
    software: 'quaywatch unit series',
  });
}

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'quaywatch-series-'));
  // Dated by their DateTime tags (13 and 16 October) — the names carry no date.
  copyFileSync('public/demo/before.tif', join(folder, 'before.tif'));
  copyFileSync('public/demo/after.tif', join(folder, 'after.tif'));
  // Dated by its name only (no DateTime tag).
  writeFileSync(join(folder, 'najin_2023-10-20.tif'), demoDateTif(undefined));
  writeFileSync(join(folder, 'undated.tif'), demoDateTif(undefined));
  // 50 km east: no ground in common with the others.
  writeFileSync(join(folder, 'elsewhere_2023-10-25.tif'), demoDateTif(undefined, 50_000));
}, 60_000);

interface SeriesJson {
  fine_align: boolean;
  dates: {
    image: string;
    date: string;
    date_source: string;
    reference: boolean;
    shift_px: [number, number] | null;
    error: string | null;
  }[];
  piers: {
    name: string;
    points: ({ teu: number; low_teu: number; high_teu: number; coverage: number } | null)[];
  }[];
}

/** `quaywatch series` on the demo piers, CPU, no fine alignment, over files of the test folder. */
function seriesWithoutFineAlign(out: string, ...images: string[]): ReturnType<typeof quaywatch> {
  const args = ['--rois', 'public/demo/piers.geojson', '--out', out, '--backend', 'cpu'];
  return quaywatch(
    'series',
    ...args,
    '--fine-align',
    'off',
    ...images.map((name) => join(folder, name)),
  );
}

describe('the series chart', () => {
  test('a date that covers none of a pier leaves a gap in its line, not a point at 0', () => {
    const value = { teu: 0, lowTeu: 0, highTeu: 0 };
    const measured = { teu: 12, lowTeu: 10, highTeu: 14 };
    const lines = [{ pier: 'Pier 1', points: [measured, value, measured] }];
    const coverage = [1, 0, 0.5];
    expect(measuredOnly(lines, (index) => coverage[index])).toEqual([
      { pier: 'Pier 1', points: [measured, null, measured] },
    ]);
  });
});

describe('quaywatch series', () => {
  test('three dates given out of order: series.csv / series.json / series.png in date order, the same numbers as analyze on each pair', () => {
    const out = join(folder, 'out');
    const run = seriesWithoutFineAlign(out, 'najin_2023-10-20.tif', 'after.tif', 'before.tif');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /^Pier 1: 2023-10-13 [\d.]+, 2023-10-16 [\d.]+, 2023-10-20 [\d.]+ TEU$/m,
    );

    const records = parse<Record<string, string>>(readFileSync(join(out, 'series.csv'), 'utf8'), {
      columns: true,
    });
    expect(Object.keys(records[0] ?? {})).toEqual(SERIES_CSV_HEADER);
    expect(records.map((r) => `${r['date']} ${r['pier']}`)).toEqual([
      '2023-10-13T02:14:00 Pier 1',
      '2023-10-13T02:14:00 Pier 2',
      '2023-10-13T02:14:00 Pier 3',
      '2023-10-16T02:31:00 Pier 1',
      '2023-10-16T02:31:00 Pier 2',
      '2023-10-16T02:31:00 Pier 3',
      '2023-10-20 Pier 1',
      '2023-10-20 Pier 2',
      '2023-10-20 Pier 3',
    ]);
    expect(records.map((r) => r['date_source'])).toEqual([
      ...Array<string>(6).fill('acquired'),
      ...Array<string>(3).fill('file name'),
    ]);
    // The reference row has no change against itself; the others do, with the shift used.
    expect(records[0]?.['net_vs_reference_teu']).toBe('');
    expect(records[3]?.['shift_x_px']).toBe('0');
    expect(records[3]?.['shift_source']).toBe('given');
    expect(records[0]?.['shift_source']).toBe('');

    const summary = JSON.parse(readFileSync(join(out, 'series.json'), 'utf8')) as SeriesJson;
    expect(summary.fine_align).toBe(false);
    expect(summary.dates.map((d) => [d.image, d.reference, d.error])).toEqual([
      ['before.tif', true, null],
      ['after.tif', false, null],
      ['najin_2023-10-20.tif', false, null],
    ]);
    const pier3 = summary.piers.find((pier) => pier.name === 'Pier 3');
    // Pier 3 fills up on the 16th and is as on the 13th again by the 20th (the demo scene).
    const [p13, p16, p20] = (pier3?.points ?? []).map((point) => point?.teu ?? Number.NaN);
    expect(p16).toBeGreaterThan((p13 ?? 0) + 150);
    expect(p20).toBeLessThan((p16 ?? 0) - 150);
    records.forEach((record) => {
      const low = Number(record['low_teu']);
      expect(low).toBeLessThanOrEqual(Number(record['teu']));
      expect(Number(record['high_teu'])).toBeGreaterThanOrEqual(Number(record['teu']));
    });

    const png = readFileSync(join(out, 'series.png'));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

    // The pair (13th, 16th) through analyze with the same (zero) shift gives the same numbers.
    const pairOut = join(folder, 'pair');
    const pair = quaywatch(
      'analyze',
      '--before',
      join(folder, 'before.tif'),
      '--after',
      join(folder, 'after.tif'),
      '--rois',
      'public/demo/piers.geojson',
      '--out',
      pairOut,
      '--backend',
      'cpu',
      '--shift',
      '0,0',
    );
    expect(pair.status).toBe(0);
    const piers = parse<Record<string, string>>(readFileSync(join(pairOut, 'piers.csv'), 'utf8'), {
      columns: true,
    });
    expect(piers).toHaveLength(3);
    for (const pier of piers) {
      const name = pier['pier'] ?? '';
      const at = (date: string) => records.find((r) => r['pier'] === name && r['date'] === date);
      expect(at('2023-10-13T02:14:00')?.['teu']).toBe(pier['before_teu']);
      expect(at('2023-10-16T02:31:00')?.['teu']).toBe(pier['after_teu']);
      expect(at('2023-10-16T02:31:00')?.['high_teu']).toBe(pier['after_high_teu']);
      expect(at('2023-10-16T02:31:00')?.['appeared_vs_reference_teu']).toBe(pier['appeared_teu']);
      expect(at('2023-10-16T02:31:00')?.['net_vs_reference_teu']).toBe(pier['net_teu']);
      // The net against the reference as this pair measured it, on the row itself.
      expect(at('2023-10-16T02:31:00')?.['reference_in_pair_teu']).toBe(pier['before_teu']);
      expect(at('2023-10-13T02:14:00')?.['reference_in_pair_teu']).toBe('');
    }
  }, 120_000);

  test('bad input: one clear line on stderr, a non-zero exit, nothing written', () => {
    const one = quaywatch(
      'series',
      '--rois',
      'public/demo/piers.geojson',
      '--out',
      join(folder, 'one'),
      join(folder, 'before.tif'),
    );
    expect(one.status).not.toBe(0);
    expect(one.stderr.trim().split('\n')).toHaveLength(1);
    expect(one.stderr).toContain('series needs at least two images of the same place (got 1)');

    const missing = quaywatch(
      'series',
      '--rois',
      'public/demo/piers.geojson',
      '--out',
      join(folder, 'missing'),
      join(folder, 'before.tif'),
      join(folder, 'nowhere-2023-10-19.tif'),
    );
    expect(missing.status).not.toBe(0);
    expect(missing.stderr.trim()).toBe(
      `quaywatch: ${join(folder, 'nowhere-2023-10-19.tif')}: no such file`,
    );

    const undated = quaywatch(
      'series',
      '--rois',
      'public/demo/piers.geojson',
      '--out',
      join(folder, 'undated'),
      join(folder, 'before.tif'),
      join(folder, 'undated.tif'),
    );
    expect(undated.status).not.toBe(0);
    expect(undated.stderr.trim().split('\n')).toHaveLength(1);
    expect(undated.stderr).toContain(`${join(folder, 'undated.tif')}: no date`);

    const noRois = quaywatch('series', '--out', join(folder, 'x'), 'a.tif', 'b.tif');
    expect(noRois.status).not.toBe(0);
    expect(noRois.stderr).toContain('series needs --rois and --out');

    const align = quaywatch(
      'series',
      '--rois',
      'public/demo/piers.geojson',
      '--out',
      join(folder, 'y'),
      '--fine-align',
      'maybe',
      'a.tif',
      'b.tif',
    );
    expect(align.stderr.trim()).toBe('quaywatch: --fine-align takes on or off (got "maybe")');
    for (const dir of ['one', 'missing', 'undated', 'x', 'y']) {
      expect(existsSync(join(folder, dir))).toBe(false);
    }
  }, 60_000);

  test('a date that covers some piers in part or not at all is analysed, with a warning per pier', () => {
    // Half the scene's width east: it misses Pier 1 and cuts Pier 2.
    const halfWidthM = (DEFAULT_DEMO_PARAMS.widthPx * DEFAULT_DEMO_PARAMS.gsdM) / 2;
    writeFileSync(join(folder, 'half-east_2023-10-22.tif'), demoDateTif(undefined, halfWidthM));
    const run = quaywatch(
      'series',
      '--rois',
      'public/demo/piers.geojson',
      '--out',
      join(folder, 'half-east'),
      '--backend',
      'cpu',
      join(folder, 'before.tif'),
      join(folder, 'half-east_2023-10-22.tif'),
    );
    expect(run.status).toBe(0);
    // The picture moved east shows other ground on the piers: a surface warning each, apart.
    const lines = run.stderr
      .trim()
      .split('\n')
      .filter((line) => !line.includes('bare surface'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(
      'warning: half-east_2023-10-22.tif: Pier 1: no part of it lies in both images, so its numbers are 0 and mean nothing',
    );
    expect(lines[1]).toMatch(
      /^warning: half-east_2023-10-22\.tif: Pier 2: only \d+ % of it is counted \(the rest lies outside the images, where they hold no data, or under a pier listed before it\); its numbers count that part only$/,
    );
    // The files say so too: a 0 there is no measurement (a real-data audit read it as one).
    const records = parse<Record<string, string>>(
      readFileSync(join(folder, 'half-east', 'series.csv'), 'utf8'),
      { columns: true },
    );
    const coverageOf = (pier: string): number[] =>
      records.filter((r) => r['pier'] === pier).map((r) => Number(r['coverage']));
    expect(coverageOf('Pier 1')).toEqual([0, 0]);
    const [pier2Reference, pier2Date] = coverageOf('Pier 2');
    expect(pier2Date).toBeGreaterThan(0);
    expect(pier2Date).toBeLessThan(0.98);
    expect(pier2Reference).toBe(pier2Date);
    expect(coverageOf('Pier 3')).toEqual([1, 1]);
    const summary = JSON.parse(
      readFileSync(join(folder, 'half-east', 'series.json'), 'utf8'),
    ) as SeriesJson;
    expect(summary.piers[0]?.points.map((point) => point?.coverage)).toEqual([0, 0]);
  }, 120_000);

  test('a pier the first pair does not cover takes the reference value from a later pair that covers it, as in the app', () => {
    // Dated between the reference (13 October) and after.tif (16 October): the first pair
    // misses Pier 1; after.tif's pair covers it. Before, the reference kept a 0 there.
    const halfWidthM = (DEFAULT_DEMO_PARAMS.widthPx * DEFAULT_DEMO_PARAMS.gsdM) / 2;
    writeFileSync(join(folder, 'half-east_2023-10-14.tif'), demoDateTif(undefined, halfWidthM));
    const out = join(folder, 'reference-filled');
    const run = seriesWithoutFineAlign(out, 'before.tif', 'half-east_2023-10-14.tif', 'after.tif');
    expect(run.status).toBe(0);
    const records = parse<Record<string, string>>(readFileSync(join(out, 'series.csv'), 'utf8'), {
      columns: true,
    });
    const row = (image: string, pier: string): Record<string, string> => {
      const found = records.find((r) => r['image'] === image && r['pier'] === pier);
      if (found === undefined) throw new Error(`no row for ${image}, ${pier}`);
      return found;
    };
    const referencePier1 = row('before.tif', 'Pier 1');
    expect(Number(referencePier1['coverage'])).toBe(1);
    expect(Number(referencePier1['teu'])).toBeGreaterThan(10);
    // The value after.tif's pair measured for the reference, not the first pair's 0.
    expect(referencePier1['teu']).toBe(row('after.tif', 'Pier 1')['reference_in_pair_teu']);
    expect(Number(row('half-east_2023-10-14.tif', 'Pier 1')['coverage'])).toBe(0);
    // Pier 2, which the first pair covers in part, keeps that pair's value and coverage.
    expect(row('before.tif', 'Pier 2')['coverage']).toBe(
      row('half-east_2023-10-14.tif', 'Pier 2')['coverage'],
    );
    const summary = JSON.parse(readFileSync(join(out, 'series.json'), 'utf8')) as SeriesJson & {
      dates: { shift_source: string | null }[];
    };
    expect(summary.dates[0]?.shift_source).toBe(
      'reference, measured in its pair with 2023-10-14; piers that pair did not cover from the pair with 2023-10-16',
    );
    // stdout as the chart: the date that does not cover Pier 1 is a gap, not 0 TEU.
    const pier1Line = run.stdout.split('\n').find((line) => line.startsWith('Pier 1:'));
    expect(pier1Line).toMatch(
      /^Pier 1: 2023-10-13 \d+(\.\d+)?, 2023-10-14 —, 2023-10-16 \d+(\.\d+)? TEU$/,
    );
  }, 120_000);

  test("a run that cannot write its chart leaves no series.json: an earlier run's set is removed first", () => {
    // series.json is written last, as result.json is: a new series.csv beside an older
    // run's chart and summary looked like a whole set.
    const out = join(folder, 'unwritable');
    mkdirSync(join(out, 'series.png'), { recursive: true });
    writeFileSync(join(out, 'series.json'), '{"an": "earlier run"}');
    const run = seriesWithoutFineAlign(out, 'before.tif', 'after.tif');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^quaywatch: cannot (remove|write) .*series\.png/);
    expect(existsSync(join(out, 'series.json'))).toBe(false);
  }, 60_000);

  test('a date that cannot be analysed: the others are written, then its error and a non-zero exit', () => {
    const out = join(folder, 'partial');
    const run = quaywatch(
      'series',
      '--rois',
      'public/demo/piers.geojson',
      '--out',
      out,
      '--backend',
      'cpu',
      join(folder, 'before.tif'),
      join(folder, 'after.tif'),
      join(folder, 'elsewhere_2023-10-25.tif'),
    );
    expect(run.status).not.toBe(0);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        // The date's own error loses its full stop as the sentence goes on.
        `^quaywatch: ${join(folder, 'elsewhere_2023-10-25.tif')}: The images do not overlap: .*[^.]; the other dates are in `,
      ),
    );
    const records = parse<Record<string, string>>(readFileSync(join(out, 'series.csv'), 'utf8'), {
      columns: true,
    });
    expect(records.map((r) => r['image'])).toEqual([
      ...Array<string>(3).fill('before.tif'),
      ...Array<string>(3).fill('after.tif'),
    ]);
    const summary = JSON.parse(readFileSync(join(out, 'series.json'), 'utf8')) as SeriesJson;
    expect(summary.fine_align).toBe(true);
    expect(summary.dates[2]?.error).toContain('elsewhere_2023-10-25.tif');
    expect(summary.piers[0]?.points[2]).toBeNull();
    expect(existsSync(join(out, 'series.png'))).toBe(true);
  }, 60_000);
});
