import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { joinNegativeShift } from '../../src/cli/analyze.ts';
import { quaywatch } from '../support/cli.ts';

describe('quaywatch CLI', () => {
  test('info prints RasterInfo of the demo image as JSON', () => {
    const { status, stdout } = quaywatch('info', 'public/demo/before.tif');
    expect(status).toBe(0);
    const info = JSON.parse(stdout) as Record<string, unknown>;
    expect(info).toMatchObject({
      width: 1400,
      height: 1000,
      bands: 3,
      dtype: 'uint8',
      compression: 'jpeg',
      crs: expect.objectContaining({ epsg: 32652 }) as unknown,
      gsdM: expect.closeTo(0.5, 3) as unknown, // on the ground: UTM scale ≈ 0.9997 here
    });
  });

  test('a file it cannot read gives a non-zero exit and one line on stderr', () => {
    const path = join(tmpdir(), 'quaywatch-not-a-tiff.tif');
    writeFileSync(path, 'this is not a TIFF file at all');
    const bad = quaywatch('info', path);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('quaywatch-not-a-tiff.tif');
    const missing = quaywatch('info', 'no/such/file.tif');
    expect(missing.status).not.toBe(0);
    expect(missing.stderr.trim()).toBe('quaywatch: no/such/file.tif: no such file');
  });

  test('a missing or unknown command, and Node’s own several-line messages, end in one line', () => {
    const commands =
      'commands: analyze, series, info, --version; quaywatch --help shows how to call them';
    const none = quaywatch();
    expect(none.status).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toBe(`quaywatch: a command is needed (${commands})\n`);
    const unknown = quaywatch('analyse');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toBe(`quaywatch: unknown command "analyse" (${commands})\n`);
    // parseArgs explains a value that looks like an option over three lines.
    const ambiguous = quaywatch('analyze', '--out', '--backend', 'cpu');
    expect(ambiguous.status).toBe(1);
    expect(ambiguous.stderr.trim().split('\n')).toHaveLength(1);
    expect(ambiguous.stderr).toMatch(
      /^quaywatch: Option '--out' argument is ambiguous\. Did you forget/,
    );
    expect(quaywatch('info').stderr).toBe('quaywatch: info needs a file: quaywatch info FILE\n');
  });

  test('--help lists each command on its own line under one usage:', () => {
    const help = quaywatch('--help');
    expect(help.status).toBe(0);
    const lines = help.stdout.trimEnd().split('\n');
    // The first 28 characters: the margin, the tool and the command.
    expect(lines.map((line) => line.slice(0, 28).trimEnd())).toEqual([
      'usage: quaywatch info FILE',
      '       quaywatch analyze --b',
      '       quaywatch series --ro',
      '       quaywatch --version',
    ]);
    expect(help.stdout.match(/usage:/g)).toHaveLength(1);
    expect(quaywatch('-h').stdout).toBe(help.stdout);
  });

  test('a command’s --help or -h prints its own usage; info takes one file', () => {
    const analyze = quaywatch('analyze', '--help');
    expect(analyze.status).toBe(0);
    expect(analyze.stdout).toMatch(/^usage: quaywatch analyze --before B\.tif .*\n$/);
    expect(quaywatch('series', '-h').stdout).toMatch(/^usage: quaywatch series --rois .*\n$/);
    expect(quaywatch('info', '--help').stdout).toBe('usage: quaywatch info FILE\n');
    const two = quaywatch('info', 'a.tif', 'b.tif');
    expect(two.status).toBe(1);
    expect(two.stderr).toBe('quaywatch: info takes one file (got 2): usage: quaywatch info FILE\n');
  });

  test('the same image twice: series refuses it, analyze warns that nothing can have changed', () => {
    const out = join(tmpdir(), 'quaywatch-twice');
    const twice = quaywatch(
      'series',
      '--rois',
      'public/demo/piers.geojson',
      '--out',
      out,
      'public/demo/before.tif',
      'public/demo/after.tif',
      './public/demo/before.tif',
    );
    expect(twice.status).toBe(1);
    expect(twice.stderr).toBe(
      'quaywatch: ./public/demo/before.tif is given twice; give each image once\n',
    );
    const same = quaywatch(
      'analyze',
      '--before',
      'public/demo/before.tif',
      '--after',
      'public/demo/before.tif',
      '--rois',
      'public/demo/piers.geojson',
      '--out',
      out,
      '--backend',
      'cpu',
    );
    expect(same.status).toBe(0);
    expect(same.stderr).toContain(
      'warning: --before and --after name the same file (public/demo/before.tif): nothing can have changed',
    );
  });

  test('--shift takes a negative first value without =', () => {
    expect(joinNegativeShift(['--shift', '-1.5,2', '--out', 'x'])).toEqual([
      '--shift=-1.5,2',
      '--out',
      'x',
    ]);
    expect(joinNegativeShift(['--shift', '.5,-2'])).toEqual(['--shift', '.5,-2']);
    expect(joinNegativeShift(['--shift', '-.5,0'])).toEqual(['--shift=-.5,0']);
    // A forgotten value stays an error of parseArgs.
    expect(joinNegativeShift(['--shift', '--out', 'x'])).toEqual(['--shift', '--out', 'x']);
  });
});
