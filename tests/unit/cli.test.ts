import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { joinNegativeShift, openBackend } from '../../src/cli/analyze.ts';
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

  test('a broken sidecar is named as such, not as its image or "the blob"', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quaywatch-sidecar-'));
    try {
      const image = join(dir, 'before.tif');
      copyFileSync('public/demo/before.tif', image);
      writeFileSync(`${image}.ovr`, 'not a TIFF either');
      const corrupt = quaywatch('info', image);
      expect(corrupt.status).toBe(1);
      expect(corrupt.stderr.trim().split('\n')).toHaveLength(1);
      expect(corrupt.stderr).toBe(
        `quaywatch: ${image}: its overviews (.ovr) beside it: Not a TIFF file: it starts with 6E 6F 74 20; remove or repair that file\n`,
      );
      rmSync(`${image}.ovr`);
      mkdirSync(`${image}.msk`);
      const folder = quaywatch('info', image);
      expect(folder.status).toBe(1);
      expect(folder.stderr).toBe(
        `quaywatch: ${image}.msk, the mask sidecar of before.tif, is a folder\n`,
      );
      // Without the sidecars it opens.
      rmSync(`${image}.msk`, { recursive: true });
      expect(quaywatch('info', image).status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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

  test('misused arguments are named: an option twice, an empty value, an unknown option, a hex shift', () => {
    // Found by an audit: each of these ran (twice: the last value won; --out "": the
    // current folder) or said something beside the point.
    const pair = ['--before', 'public/demo/before.tif', '--after', 'public/demo/after.tif'];
    const rois = ['--rois', 'public/demo/piers.geojson'];
    const out = join(tmpdir(), 'quaywatch-misuse');
    const line = (...args: string[]): string => {
      const run = quaywatch(...args);
      expect(run.status, args.join(' ')).toBe(1);
      return run.stderr;
    };
    expect(line('analyze', ...pair, ...rois, '--out', '')).toBe(
      'quaywatch: --out needs a value (got an empty one)\n',
    );
    expect(
      line('analyze', ...pair, '--before', 'public/demo/after.tif', ...rois, '--out', out),
    ).toBe('quaywatch: --before is given twice; give it once\n');
    expect(line('series', ...rois, '--out', out, '--shift', '1,2', 'a.tif', 'b.tif')).toBe(
      'quaywatch: series has no option --shift (quaywatch series --help lists them)\n',
    );
    expect(line('series', ...rois, '--out', out, 'public/demo/before.tif', '')).toBe(
      'quaywatch: series: argument 2 is empty; give a file\n',
    );
    expect(line('analyze', ...pair, ...rois, '--out', out, '--shift', '0x10,0b1')).toBe(
      'quaywatch: --shift takes two numbers DX,DY in before-image pixels (got "0x10,0b1")\n',
    );
    // A title or credit may be empty on purpose: not refused (it fails later, on the file).
    expect(line('analyze', ...pair, '--rois', 'no/such.geojson', '--out', out, '--title', '')).toBe(
      'quaywatch: ROIs no/such.geojson: no such file\n',
    );
    expect(line('info', '--foo')).toBe(
      'quaywatch: info has no option --foo: usage: quaywatch info FILE\n',
    );
    expect(line('info', '')).toBe('quaywatch: info needs a file: quaywatch info FILE\n');
    // --backend is checked before the dates are read, not after.
    expect(
      line('series', ...rois, '--out', out, '--backend', 'gpu', 'no/such/a.tif', 'b.tif'),
    ).toBe('quaywatch: --backend takes auto, webgpu or cpu (got "gpu")\n');
  });

  test('a parameters file is named in its error, and a binary one stays on one printable line', () => {
    const params = join(tmpdir(), 'quaywatch-bad-params.json');
    writeFileSync(params, '{"thresholdDn": 1,}');
    const args = [
      'analyze',
      '--before',
      'public/demo/before.tif',
      '--after',
      'public/demo/after.tif',
    ];
    const rest = ['--rois', 'public/demo/piers.geojson', '--out', join(tmpdir(), 'quaywatch-p')];
    const bad = quaywatch(...args, ...rest, '--params', params);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(
      new RegExp(
        `^quaywatch: --params ${params.replace(/[.]/g, '\\.')}: Analysis parameters are not JSON`,
      ),
    );
    const tiff = quaywatch(...args, ...rest, '--params', 'public/demo/before.tif');
    expect(tiff.status).toBe(1);
    expect(tiff.stderr.trim().split('\n')).toHaveLength(1);
    expect(tiff.stderr).toContain('"II*\\x00');
    // eslint-disable-next-line no-control-regex -- no control character may reach the terminal
    expect(tiff.stderr.trimEnd()).not.toMatch(/[\x00-\x1f]/);
  });

  test('a link to an image already given is the same image', () => {
    const link = join(tmpdir(), `quaywatch-link-${process.pid}.tif`);
    rmSync(link, { force: true });
    symlinkSync(resolve('public/demo/before.tif'), link);
    const twice = quaywatch(
      'series',
      '--rois',
      'public/demo/piers.geojson',
      '--out',
      join(tmpdir(), 'quaywatch-link'),
      'public/demo/before.tif',
      link,
    );
    expect(twice.status).toBe(1);
    expect(twice.stderr).toBe(
      `quaywatch: ${link} is public/demo/before.tif again (the same file); give each image once\n`,
    );
    rmSync(link, { force: true });
  });

  test('Dawn failing on the way to a device: auto runs on the CPU twins, webgpu says why', async () => {
    // The webgpu package throws when Vulkan has no driver ("Failed to create instance").
    const stub = join(tmpdir(), `quaywatch-dawn-stub-${process.pid}.mjs`);
    writeFileSync(
      stub,
      "export const globals = {}; export function create() { throw new Error('no Vulkan ICD'); }\n",
    );
    const saved = process.env['QW_DAWN_MODULE'];
    process.env['QW_DAWN_MODULE'] = stub;
    try {
      // The warning comes back to be printed, and kept in result.json, with the run's others.
      await expect(openBackend('auto')).resolves.toEqual({
        backend: null,
        warning: '--backend auto runs the CPU twins: Dawn failed: no Vulkan ICD',
      });
      await expect(openBackend('webgpu')).rejects.toThrow(
        '--backend webgpu: Dawn failed: no Vulkan ICD',
      );
    } finally {
      if (saved === undefined) delete process.env['QW_DAWN_MODULE'];
      else process.env['QW_DAWN_MODULE'] = saved;
      rmSync(stub, { force: true });
    }
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
