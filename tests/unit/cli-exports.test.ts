import { parse } from 'csv-parse/sync';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { PIERS_CSV_HEADER } from '../../src/core/export/piers-csv.ts';
import { polygonsAreaM2, rfc7946Problems } from '../support/rfc7946.ts';
import { pairArgs, quaywatch } from '../support/cli.ts';

const DEMO = pairArgs('public/demo');

interface BlobsFile {
  type: string;
  features: {
    id: string;
    properties: {
      kind: string;
      area_m2: number;
      teu: number;
      roi: string | null;
      rois: { name: string; area_m2: number }[];
    };
    geometry:
      | { type: 'Polygon'; coordinates: number[][][] }
      | { type: 'MultiPolygon'; coordinates: number[][][][] };
  }[];
}

describe('quaywatch analyze: piers.csv and blobs.geojson', () => {
  test('the shift result.json records, given back, gives the same numbers (it is not rounded)', () => {
    const estimated = mkdtempSync(join(tmpdir(), 'quaywatch-shift-'));
    expect(quaywatch('analyze', ...DEMO, '--out', estimated, '--backend', 'cpu').status).toBe(0);
    const { alignment } = JSON.parse(readFileSync(join(estimated, 'result.json'), 'utf8')) as {
      alignment: { shiftPx: [number, number] };
    };
    const given = mkdtempSync(join(tmpdir(), 'quaywatch-shift-'));
    const run = quaywatch(
      'analyze',
      ...DEMO,
      '--out',
      given,
      '--backend',
      'cpu',
      '--shift',
      alignment.shiftPx.join(','),
    );
    expect(run.status).toBe(0);
    // Rounded to 0.01 px, the shift moved Pier 1's net from −46.875 to −46.760 TEU.
    expect(readFileSync(join(given, 'piers.csv'), 'utf8')).toBe(
      readFileSync(join(estimated, 'piers.csv'), 'utf8'),
    );
  });

  test('beside result.json, with its numbers; blobs follow RFC 7946 and add up per pier', () => {
    const out = mkdtempSync(join(tmpdir(), 'quaywatch-exports-'));
    const run = quaywatch(
      'analyze',
      ...DEMO,
      '--out',
      out,
      '--backend',
      'cpu',
      '--shift',
      '0.5,-0.25',
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as {
      alignment: { shiftPx: [number, number]; method: string };
      rois: {
        name: string;
        areaM2: number;
        before_teu: number;
        after_teu: number;
        appeared_teu: number;
        disappeared_teu: number;
        net_teu: number;
        range_teu: [number, number];
      }[];
    };
    expect(result.alignment).toEqual({
      shiftPx: [0.5, -0.25],
      method: 'same CRS (affine) + given shift',
    });

    const records = parse<Record<string, string>>(readFileSync(join(out, 'piers.csv'), 'utf8'), {
      columns: true,
    });
    expect(Object.keys(records[0] ?? {})).toEqual(PIERS_CSV_HEADER);
    expect(records.map((r) => r['pier'])).toEqual(result.rois.map((roi) => roi.name));
    records.forEach((record, k) => {
      const roi = result.rois[k]!;
      // result.json rounds to 0.01, the CSV to 0.001.
      const close = (column: string, value: number): void => {
        expect(Math.abs(Number(record[column]) - value), column).toBeLessThanOrEqual(0.0051);
      };
      close('before_teu', roi.before_teu);
      close('after_teu', roi.after_teu);
      close('appeared_teu', roi.appeared_teu);
      close('disappeared_teu', roi.disappeared_teu);
      close('net_teu', roi.net_teu);
      close('net_low_teu', roi.range_teu[0]);
      close('net_high_teu', roi.range_teu[1]);
      close('pier_area_m2', roi.areaM2);
    });

    const blobs = JSON.parse(readFileSync(join(out, 'blobs.geojson'), 'utf8')) as BlobsFile;
    expect(rfc7946Problems(blobs)).toEqual([]);
    expect(new Set(blobs.features.map((f) => f.properties.kind))).toEqual(
      new Set(['appeared', 'disappeared', 'both']),
    );
    for (const roi of result.rois) {
      for (const kind of ['appeared', 'disappeared'] as const) {
        const teu = blobs.features
          .filter((f) => f.properties.kind === kind && f.properties.roi === roi.name)
          .reduce((sum, f) => sum + f.properties.teu, 0);
        // Each blob's TEU is rounded to 0.001 in the file, the pier's to 0.01 in result.json.
        expect(Math.abs(teu - roi[`${kind}_teu`]), `${roi.name} ${kind}`).toBeLessThanOrEqual(0.02);
      }
    }
    for (const feature of blobs.features) {
      const polygons =
        feature.geometry.type === 'Polygon'
          ? [feature.geometry.coordinates]
          : feature.geometry.coordinates;
      const outlineM2 = polygonsAreaM2(polygons);
      expect(
        Math.abs(outlineM2 - feature.properties.area_m2) / feature.properties.area_m2,
      ).toBeLessThan(0.005);
    }
  }, 60_000);

  test('a bad --shift: one line naming the option and what it takes', () => {
    const bad = quaywatch('analyze', ...DEMO, '--out', join(tmpdir(), 'never'), '--shift', '1;2');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr.trim()).toBe(
      'quaywatch: --shift takes two numbers DX,DY in before-image pixels (got "1;2")',
    );
  });
});
