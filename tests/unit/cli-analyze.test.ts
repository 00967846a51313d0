import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_DEMO_PARAMS } from '../../src/core/demo/scene.ts';
import { makeDemoFiles } from '../../src/io/demo-files.ts';
import { pairArgs, quaywatch } from '../support/cli.ts';

let folder = '';

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'quaywatch-analyze-'));
  const files = makeDemoFiles({ ...DEFAULT_DEMO_PARAMS, widthPx: 560, heightPx: 420, seed: 31 });
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
    ]);
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

  test('bad input: one clear line on stderr and a non-zero exit', () => {
    const missing = quaywatch('analyze', '--before', join(folder, 'before.tif'));
    expect(missing.status).not.toBe(0);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('analyze needs --before, --after, --rois and --out');

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
});
