import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { DEFAULT_ANALYSIS_PARAMS } from '../../src/core/analysis/params.ts';
import {
  looksLikeSession,
  parseSession,
  SESSION_MARKER,
  sessionMatchesFiles,
  sessionToJson,
  type Session,
} from '../../src/io/session.ts';
import { decodeHash, encodeHash } from '../../src/ui/url-state.ts';

const PIERS = readFileSync('public/demo/piers.geojson', 'utf8');

function session(overrides: Partial<Session> = {}): Session {
  return {
    savedAt: '2024-10-16T09:00:00.000Z',
    files: [
      { role: 'before', name: 'before.tif', sizeBytes: 1_234_567 },
      { role: 'after', name: 'after.tif', sizeBytes: 1_345_678 },
    ],
    alignment: { shiftPx: [0.6, -0.4] },
    rois: { source: 'piers.geojson', geojson: PIERS },
    params: { ...DEFAULT_ANALYSIS_PARAMS, thresholdDn: 42, thresholdMode: 'otsu' },
    view: { mode: 'swipe', zoom: 2.5, centre: [100, 200] },
    calibration: { fillFactor: 0.9, note: 'three piers counted by hand on 13 Oct' },
    overlays: { heat: { visible: true, opacity01: 0.4 }, blobs: { visible: false, opacity01: 1 } },
    keepImages: true,
    ...overrides,
  };
}

/** The JSON object of a good session, to break one field at a time. */
function goodObject(): Record<string, unknown> {
  return JSON.parse(sessionToJson(session())) as Record<string, unknown>;
}

function parseObject(object: unknown): Session {
  return parseSession(JSON.stringify(object), 'my.qwsession.json');
}

describe('session file (src/io/session.ts)', () => {
  test('round trip: what is written reads back the same', () => {
    const original = session();
    const text = sessionToJson(original);
    expect(looksLikeSession(text)).toBe(true);
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(parsed[SESSION_MARKER]).toBe(1);
    const back = parseSession(text);
    expect(back).toEqual({
      ...original,
      // The piers are kept as GeoJSON; their text is normalised by the round trip.
      rois: { source: 'piers.geojson', geojson: JSON.stringify(JSON.parse(PIERS)) },
    });
    // And once normalised, exactly stable.
    expect(sessionToJson(back)).toBe(text);
  });

  test('null slots and an empty file list round-trip too', () => {
    const bare = session({
      files: [],
      alignment: null,
      rois: null,
      view: null,
      calibration: null,
      overlays: null,
      keepImages: false,
    });
    expect(parseSession(sessionToJson(bare))).toEqual(bare);
  });

  test('optional fields may be missing; params missing keys take their defaults', () => {
    const minimal = {
      [SESSION_MARKER]: 1,
      files: [],
      alignment: null,
      rois: null,
      params: { thresholdDn: 50 },
    };
    const parsed = parseObject(minimal);
    expect(parsed.params).toEqual({ ...DEFAULT_ANALYSIS_PARAMS, thresholdDn: 50 });
    expect(parsed.view).toBeNull();
    expect(parsed.calibration).toBeNull();
    expect(parsed.overlays).toBeNull();
    expect(parsed.keepImages).toBe(false);
  });

  test.each([
    ['not JSON', '{"quaywatch-session": 1,', /^my\.qwsession\.json: not JSON \(/],
    ['a JSON array', '[1, 2]', /not a Quaywatch session \(expected a JSON object\)/],
    [
      'a GeoJSON file',
      '{"type": "FeatureCollection", "features": []}',
      /not a Quaywatch session file: it has no "quaywatch-session" field/,
    ],
  ])('%s is refused with a specific message', (_what, text, expected) => {
    expect(() => parseSession(text, 'my.qwsession.json')).toThrow(expected);
  });

  test('a wrong version says which version it is and which this build reads', () => {
    expect(() => parseObject({ ...goodObject(), [SESSION_MARKER]: 2 })).toThrow(
      'my.qwsession.json: session format version 2; this Quaywatch reads version 1 (a newer Quaywatch wrote it)',
    );
    expect(() => parseObject({ ...goodObject(), [SESSION_MARKER]: 0 })).toThrow(
      /version 0; this Quaywatch reads version 1 \(it is too old\)/,
    );
    expect(() => parseObject({ ...goodObject(), [SESSION_MARKER]: 'yes' })).toThrow(
      /"quaywatch-session" must hold the format version, a whole number \(got "yes"\)/,
    );
  });

  test('missing and unknown fields are named', () => {
    const rest = goodObject();
    delete rest['files'];
    delete rest['params'];
    expect(() => parseObject(rest)).toThrow('my.qwsession.json: missing field(s): files, params');
    expect(() => parseObject({ ...goodObject(), colour: 'red' })).toThrow(
      'unknown field(s): colour',
    );
  });

  test('invalid parameters are named by the params parser', () => {
    const object = goodObject();
    expect(() =>
      parseObject({ ...object, params: { ...DEFAULT_ANALYSIS_PARAMS, thresholdDn: -3 } }),
    ).toThrow(
      'my.qwsession.json: invalid parameters: Invalid analysis parameters: thresholdDn must be from 0 to 1000000 DN (got -3)',
    );
    expect(() => parseObject({ ...object, params: { thresholdDN: 30 } })).toThrow(
      /invalid parameters: Unknown analysis parameter\(s\): thresholdDN/,
    );
    expect(() => parseObject({ ...object, params: 'defaults' })).toThrow(
      /"params" must be an object of named values \(got "defaults"\)/,
    );
  });

  test('bad files, alignment, piers and calibration each get their own message', () => {
    const object = goodObject();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ files: 'before.tif' }, /"files" must be an array of files \(got "before.tif"\)/],
      [
        { files: [{ role: 'before', name: 'a.tif', sizeBytes: -1 }] },
        /files\[0\]\.sizeBytes must be a whole number of bytes, 0 or more \(got -1\)/,
      ],
      [
        { files: [{ role: 'middle', name: 'a.tif', sizeBytes: 1 }] },
        /files\[0\]\.role must be "before" or "after" \(got "middle"\)/,
      ],
      [
        {
          files: [
            { role: 'before', name: 'a.tif', sizeBytes: 1 },
            { role: 'before', name: 'b.tif', sizeBytes: 1 },
          ],
        },
        /names more than one before image/,
      ],
      [{ alignment: { shiftPx: [1] } }, /"alignment" must be null or \{ "shiftPx": \[dx, dy\] \}/],
      [
        { rois: { source: 'x.geojson', geojson: 'text' } },
        /"rois.geojson" must be a GeoJSON object/,
      ],
      [
        {
          rois: {
            source: 'utm.geojson',
            geojson: {
              type: 'FeatureCollection',
              crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::32652' } },
              features: [],
            },
          },
        },
        /its piers cannot be read: .*utm\.geojson/,
      ],
      [
        { overlays: { heat: { visible: 'yes', opacity01: 0.5 } } },
        /"overlays\.heat\.visible" must be true or false \(got "yes"\)/,
      ],
      [
        { overlays: { heat: { visible: true, opacity01: 2 } } },
        /"overlays\.heat\.opacity01" must be a number from 0 to 1 \(got 2\)/,
      ],
      [{ overlays: [] }, /"overlays" must be null or an object/],
      [
        { calibration: { fillFactor: 7, note: '' } },
        /"calibration.fillFactor" must be a number from 0.05 to 1.5 \(got 7\)/,
      ],
      [{ calibration: { fillFactor: 0.9 } }, /"calibration.note" must be text/],
      [{ keepImages: 'yes' }, /"keepImages" must be true or false/],
    ];
    for (const [change, expected] of cases) {
      expect(() => parseObject({ ...object, ...change }), JSON.stringify(change)).toThrow(expected);
    }
  });

  test('files match by name and size of both roles', () => {
    const saved = session();
    expect(sessionMatchesFiles(saved, saved.files)).toBe(true);
    expect(sessionMatchesFiles(saved, [...saved.files].reverse())).toBe(true);
    expect(
      sessionMatchesFiles(saved, [
        { role: 'before', name: 'before.tif', sizeBytes: 1_234_567 },
        { role: 'after', name: 'after.tif', sizeBytes: 1 },
      ]),
    ).toBe(false);
    expect(sessionMatchesFiles(saved, saved.files.slice(0, 1))).toBe(false);
    expect(sessionMatchesFiles(session({ files: [] }), [])).toBe(false);
  });
});

describe('URL hash (src/ui/url-state.ts)', () => {
  test('defaults write nothing; other keys of the hash are kept', () => {
    expect(encodeHash(DEFAULT_ANALYSIS_PARAMS, undefined)).toBe('');
    expect(encodeHash(DEFAULT_ANALYSIS_PARAMS, null, '#params=%7B%7D&x=1')).toBe('x=1');
  });

  test('only the non-default fields are written, and they read back to the same params', () => {
    const params = {
      ...DEFAULT_ANALYSIS_PARAMS,
      thresholdDn: 45,
      minAreaM2: 80,
      shadowHandling: 'off' as const,
    };
    const view = { mode: 'blink', zoom: 2 };
    const hash = encodeHash(params, view);
    const search = new URLSearchParams(hash);
    expect(JSON.parse(search.get('params') ?? '')).toEqual({
      thresholdDn: 45,
      shadowHandling: 'off',
      minAreaM2: 80,
    });
    expect(hash).not.toContain('normalizeLowPct');
    const back = decodeHash(`#${hash}`);
    expect(back.params).toEqual(params);
    expect(back.view).toEqual(view);
    expect(back.problems).toEqual([]);
    // Written into a URL and read back from it.
    const url = new URL(`http://localhost/?gpu=off#${hash}`);
    expect(decodeHash(url.hash).params).toEqual(params);
  });

  test('a hash without params or view leaves them unset; bad ones are named, not applied', () => {
    expect(decodeHash('')).toEqual({ params: null, view: undefined, problems: [] });
    const bad = decodeHash(`#params=${encodeURIComponent('{"thresholdDn":-1}')}&view=%7Bnope`);
    expect(bad.params).toBeNull();
    expect(bad.view).toBeUndefined();
    expect(bad.problems).toEqual([
      "The link's parameters were not applied: Invalid analysis parameters: thresholdDn must be from 0 to 1000000 DN (got -1)",
      "The link's view is not JSON and was not applied.",
    ]);
  });
});
