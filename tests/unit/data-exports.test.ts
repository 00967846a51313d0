import { parse } from 'csv-parse/sync';
import { existsSync, mkdtempSync, openAsBlob, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { blobSourceOf, pickBlob } from '../../src/core/analysis/blob-pick.ts';
import type { AnalysisInput, AnalysisResult } from '../../src/core/analysis/cpu-pipeline.ts';
import { DEFAULT_ANALYSIS_PARAMS } from '../../src/core/analysis/params.ts';
import { inKind } from '../../src/core/analysis/overlays.ts';
import { Random } from '../../src/core/random.ts';
import {
  TooManyBlobs,
  traceBlobs,
  traceBlobsOfKind,
  type BlobSource,
  type PixelPolygonRings,
} from '../../src/core/export/blob-polygons.ts';
import {
  PIERS_CSV_HEADER,
  pierExportRows,
  piersCsv,
  spreadsheetText,
  type PierExportRow,
} from '../../src/core/export/piers-csv.ts';
import type { RasterInfo } from '../../src/core/raster.ts';
import { analysedAreaPx, rasterizeRois } from '../../src/core/analysis/roi-raster.ts';
import { signedArea } from '../../src/core/roi-raster.ts';
import { gridOf } from '../../src/io/align-read.ts';
import { pairInput, type AnalysisPlan } from '../../src/io/analysis-plan.ts';
import { openRaster } from '../../src/io/decoder.ts';
import { blobsGeoJson, MAX_EXPORT_BLOBS, type BlobFeature } from '../../src/io/export-blobs.ts';
import {
  alignAfter,
  readReference,
  readRois,
  runAnalysis,
  writeDataExports,
} from '../../src/cli/analyze.ts';
import { registerNodeDecoders } from '../../src/cli/node-decoders.ts';
import { polygonsAreaM2, rfc7946Problems } from '../support/rfc7946.ts';

/** A mask from rows of '#' (1) and '.' (0). */
function mask(rows: readonly string[]): Uint8Array {
  return Uint8Array.from(rows.join('').split(''), (c) => (c === '#' ? 1 : 0));
}

/** A source whose only kind with pixels is "appeared" (the other masks are empty). */
function appearedOnly(rows: readonly string[]): BlobSource {
  const widthPx = rows[0]?.length ?? 0;
  const heightPx = rows.length;
  const n = widthPx * heightPx;
  return {
    widthPx,
    heightPx,
    pixelAreaM2: 0.25,
    masks: {
      before: new Uint8Array(n),
      after: new Uint8Array(n),
      appeared: mask(rows),
      disappeared: new Uint8Array(n),
    },
    changeMagnitude: { levels: Uint8Array.from({ length: n }, (_, i) => i % 7), dnPerLevel: 0.5 },
    roiIndex: Int32Array.from({ length: n }, (_, i) => (i % widthPx < widthPx / 2 ? 0 : 1)),
    roiNames: ['West', 'East'],
  };
}

/** Even–odd test of a point against a polygon's rings (the oracle: no code shared with tracing). */
function insidePolygon(polygon: PixelPolygonRings, x: number, y: number): boolean {
  let inside = false;
  for (const ring of polygon) {
    for (let k = 0; k < ring.length; k++) {
      const [x0, y0] = ring[k] ?? [0, 0];
      const [x1, y1] = ring[(k + 1) % ring.length] ?? [0, 0];
      if (y0 > y !== y1 > y && x < x0 + ((y - y0) * (x1 - x0)) / (y1 - y0)) inside = !inside;
    }
  }
  return inside;
}

function pixelSignedArea(ring: readonly (readonly [number, number])[]): number {
  let twice = 0;
  for (let k = 0; k < ring.length; k++) {
    const [x0, y0] = ring[k] ?? [0, 0];
    const [x1, y1] = ring[(k + 1) % ring.length] ?? [0, 0];
    twice += x0 * y1 - x1 * y0;
  }
  return twice / 2;
}

describe('blob outlines (traceBlobs)', () => {
  test('one pixel, an L, a square with a hole: corners only, exterior clockwise on screen, hole the other way', () => {
    const [single] = traceBlobsOfKind(appearedOnly(['...', '.#.', '...']), 'appeared');
    expect(single?.polygons).toEqual([
      [
        [
          [1, 1],
          [2, 1],
          [2, 2],
          [1, 2],
        ],
      ],
    ]);
    const [ell] = traceBlobsOfKind(appearedOnly(['#.', '##']), 'appeared');
    expect(ell?.polygons).toEqual([
      [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [2, 1],
          [2, 2],
          [0, 2],
        ],
      ],
    ]);
    const [ring] = traceBlobsOfKind(appearedOnly(['###', '#.#', '###']), 'appeared');
    expect(ring?.polygons).toHaveLength(1);
    const [exterior, hole, ...more] = ring?.polygons[0] ?? [];
    expect(more).toEqual([]);
    expect(pixelSignedArea(exterior ?? [])).toBe(9);
    expect(pixelSignedArea(hole ?? [])).toBe(-1);
    expect(ring?.areaPx).toBe(8);
  });

  test('pixels meeting only at a corner: one blob, two polygons touching at that point', () => {
    const blobs = traceBlobsOfKind(appearedOnly(['#..', '.#.', '..#']), 'appeared');
    expect(blobs).toHaveLength(1);
    expect(blobs[0]?.polygons).toHaveLength(3);
    expect(blobs[0]?.areaPx).toBe(3);
  });

  test('random masks: every pixel centre lies in exactly the polygons of its blob, areas are exact, rings are simple', () => {
    const random = new Random(20240611);
    const rng = (): number => random.next();
    for (let trial = 0; trial < 60; trial++) {
      const widthPx = 5 + Math.floor(rng() * 20);
      const heightPx = 5 + Math.floor(rng() * 20);
      const density = 0.3 + 0.4 * rng();
      const rows = Array.from({ length: heightPx }, () =>
        Array.from({ length: widthPx }, () => (rng() < density ? '#' : '.')).join(''),
      );
      const source = appearedOnly(rows);
      const blobs = traceBlobsOfKind(source, 'appeared');
      const owner = new Int32Array(widthPx * heightPx).fill(-1);
      for (const [b, blob] of blobs.entries()) {
        let area = 0;
        for (const polygon of blob.polygons) {
          for (const ring of polygon) {
            area += pixelSignedArea(ring);
            // Simple rings: no corner twice, no straight-through corner.
            const keys = new Set(ring.map(([x, y]) => `${x},${y}`));
            expect(keys.size).toBe(ring.length);
            for (let k = 0; k < ring.length; k++) {
              const [ax, ay] = ring[(k + ring.length - 1) % ring.length] ?? [0, 0];
              const [bx, by] = ring[k] ?? [0, 0];
              const [cx, cy] = ring[(k + 1) % ring.length] ?? [0, 0];
              expect((bx - ax) * (cy - by) - (by - ay) * (cx - bx)).not.toBe(0);
            }
          }
        }
        expect(area).toBe(blob.areaPx);
        for (let y = 0; y < heightPx; y++) {
          for (let x = 0; x < widthPx; x++) {
            const hits = blob.polygons.filter((p) => insidePolygon(p, x + 0.5, y + 0.5)).length;
            expect(hits).toBeLessThanOrEqual(1);
            if (hits === 1) {
              expect(owner[y * widthPx + x]).toBe(-1);
              owner[y * widthPx + x] = b;
            }
          }
        }
      }
      for (let i = 0; i < widthPx * heightPx; i++) {
        expect(owner[i] !== -1).toBe(source.masks.appeared[i] === 1);
      }
    }
  });
});

describe('blob shares per pier (traceBlobs)', () => {
  test('each blob lists the piers it covers with its pixels in each, most first, ties in pier order', () => {
    const random = new Random(7);
    const [widthPx, heightPx, roiCount] = [48, 40, 60];
    for (let trial = 0; trial < 20; trial++) {
      const rows = Array.from({ length: heightPx }, () =>
        Array.from({ length: widthPx }, () => (random.next() < 0.55 ? '#' : '.')).join(''),
      );
      // Piers as 4 × 4 px cells with random ids (some outside every pier), so blobs cross many.
      const cellRoi = Array.from(
        { length: 120 },
        () => Math.floor(random.next() * (roiCount + 4)) - 4,
      );
      const source: BlobSource = {
        ...appearedOnly(rows),
        roiIndex: Int32Array.from({ length: widthPx * heightPx }, (_, i) => {
          const id =
            cellRoi[Math.floor((i % widthPx) / 4) + 12 * Math.floor(i / widthPx / 4)] ?? -1;
          return id < 0 ? -1 : id;
        }),
        roiNames: Array.from({ length: roiCount }, (_, k) => `P${k}`),
      };
      const mask = source.masks.appeared;
      for (const blob of traceBlobsOfKind(source, 'appeared')) {
        // Oracle: the blob's pixels by an 8-connected flood fill from its first pixel.
        const counts = new Map<number, number>();
        const seen = new Set([blob.firstPixel]);
        const stack = [blob.firstPixel];
        while (stack.length > 0) {
          const i = stack.pop() ?? 0;
          const roi = source.roiIndex[i] ?? -1;
          if (roi >= 0) counts.set(roi, (counts.get(roi) ?? 0) + 1);
          const [x, y] = [i % widthPx, Math.floor(i / widthPx)];
          for (let dy = -1; dy <= 1; dy++) {
            for (let dx = -1; dx <= 1; dx++) {
              const [qx, qy] = [x + dx, y + dy];
              const q = qy * widthPx + qx;
              if (qx < 0 || qy < 0 || qx >= widthPx || qy >= heightPx || seen.has(q)) continue;
              if (mask[q] !== 1) continue;
              seen.add(q);
              stack.push(q);
            }
          }
        }
        const expected = [...counts]
          .sort(([ra, a], [rb, b]) => b - a || ra - rb)
          .map(([roi, areaPx]) => ({ roi: `P${roi}`, areaPx }));
        expect(blob.rois).toEqual(expected);
        expect(blob.roiName).toBe(expected[0]?.roi ?? null);
      }
    }
  });
});

describe('too many blobs to export', () => {
  // 1000 × 1000 px with every other pixel of every other row set: 250 000 one-pixel blobs.
  const [widthPx, heightPx] = [1000, 1000];
  const n = widthPx * heightPx;
  const appeared = Uint8Array.from({ length: n }, (_, i) =>
    (i % widthPx) % 2 === 0 && Math.floor(i / widthPx) % 2 === 0 ? 1 : 0,
  );
  const masks = {
    before: new Uint8Array(n),
    after: new Uint8Array(n),
    appeared,
    disappeared: new Uint8Array(n),
    change: new Uint8Array(n),
    shadowBefore: new Uint8Array(n),
    shadowAfter: new Uint8Array(n),
  };
  const result = {
    rois: [],
    masks,
    changeMagnitude: { levels: new Uint8Array(n), dnPerLevel: 1 },
    roiIndex: new Int32Array(n).fill(-1),
  };
  const georef = {
    width: widthPx,
    height: heightPx,
    proj4: '+proj=utm +zone=52 +datum=WGS84 +units=m +no_defs',
    geoTransform: {
      originX: 600000,
      pixelWidth: 0.5,
      rowRotation: 0,
      originY: 4690000,
      columnRotation: 0,
      pixelHeight: -0.5,
    },
  };
  const input = { widthPx, heightPx, pixelAreaM2: 0.25 };
  const params = { ...DEFAULT_ANALYSIS_PARAMS, minAreaM2: 0 };
  const message =
    'blobs.geojson would hold more than 200000 blobs (250000 of one kind): raise the smallest blob area (minAreaM2, now 0 m²) or the threshold to keep fewer';

  test('are refused after labelling, before tracing, with what to change', () => {
    const export_ = (): unknown =>
      blobsGeoJson({ result, input, params, windowPx: [0, 0, widthPx, heightPx] }, georef);
    expect(MAX_EXPORT_BLOBS).toBe(200_000);
    expect(export_).toThrow(message);
    // Under the limit, the same blobs trace: the limit counts all kinds together.
    expect(traceBlobs(blobSourceOf(result, input), 250_000)).toHaveLength(250_000);
    expect(() => traceBlobs(blobSourceOf(result, input), 249_999)).toThrow(TooManyBlobs);
  });

  test('the CLI writes piers.csv, warns and removes an earlier blobs.geojson', () => {
    const out = mkdtempSync(join(tmpdir(), 'quaywatch-blobs-'));
    try {
      writeFileSync(join(out, 'blobs.geojson'), '{"type":"FeatureCollection","features":[]}');
      const beforeInfo = {
        name: 'before.tif',
        width: widthPx,
        height: heightPx,
        geoTransform: georef.geoTransform,
        crs: { proj4: georef.proj4 },
      } as unknown as RasterInfo;
      const exported = writeDataExports(out, {
        beforeInfo,
        plan: { window: [0, 0, widthPx, heightPx] } as unknown as AnalysisPlan,
        input: input as unknown as AnalysisInput,
        result: result as unknown as AnalysisResult,
        params,
        rows: [],
      });
      expect(exported.written).toEqual([join(out, 'piers.csv')]);
      expect(exported.warnings).toEqual([`blobs.geojson not written: ${message}`]);
      expect(existsSync(join(out, 'blobs.geojson'))).toBe(false);
      expect(readFileSync(join(out, 'piers.csv'), 'utf8').split('\r\n')[0]).toBe(
        PIERS_CSV_HEADER.join(','),
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('piers.csv', () => {
  const teu = (value: number) => ({
    teu: value,
    lowTeu: value * 0.9,
    highTeu: value * 1.1,
    areaM2: value * 14.77,
    blobs: 1,
  });
  const row = (name: string, value: number): PierExportRow => ({
    name,
    roiAreaM2: 1000 + value,
    before: teu(value),
    after: teu(value + 1),
    appeared: teu(2),
    disappeared: teu(1),
    net: { teu: 1, lowTeu: -3.5, highTeu: 5.25 },
    coverage: 0.5,
  });

  test('a CSV parser reads back every name (commas, quotes, line breaks, edge spaces) and number', () => {
    const names = ['Pier 1', 'Quay "A", north', 'two\nlines', ' spaced ', 'Пирс №3', 'Berth-2'];
    const text = piersCsv(names.map((name, k) => row(name, 10 * k + 0.123456)));
    expect(text.endsWith('\r\n')).toBe(true);
    const records = parse<Record<string, string>>(text, { columns: true, skip_empty_lines: true });
    expect(Object.keys(records[0] ?? {})).toEqual(PIERS_CSV_HEADER);
    expect(records.map((record) => record['pier'])).toEqual(names);
    records.forEach((record, k) => {
      const value = 10 * k + 0.123456;
      expect(Number(record['before_teu'])).toBeCloseTo(value, 3);
      expect(Number(record['before_low_teu'])).toBeCloseTo(value * 0.9, 3);
      expect(Number(record['after_high_teu'])).toBeCloseTo((value + 1) * 1.1, 3);
      expect(Number(record['net_low_teu'])).toBe(-3.5);
      expect(Number(record['before_area_m2'])).toBeCloseTo(value * 14.77, 3);
      expect(Number(record['pier_area_m2'])).toBeCloseTo(1000 + value, 3);
      expect(record['coverage']).toBe('0.5');
    });
    expect(
      PIERS_CSV_HEADER.every(
        (column) => /_(teu|m2)$/.test(column) || column === 'pier' || column === 'coverage',
      ),
    ).toBe(true);
  });

  test('a name a spreadsheet would run as a formula gets a leading quote; numbers keep their sign', () => {
    const names = ['=HYPERLINK("http://x","a")', '+1', '-2 north', '@SUM(A1)', '\tTab', 'a=b'];
    const text = piersCsv(names.map((name) => row(name, 3)));
    const records = parse<Record<string, string>>(text, { columns: true, skip_empty_lines: true });
    expect(records.map((record) => record['pier'])).toEqual([
      `'=HYPERLINK("http://x","a")`,
      "'+1",
      "'-2 north",
      "'@SUM(A1)",
      "'\tTab",
      'a=b',
    ]);
    expect(records.every((record) => record['net_low_teu'] === '-3.5')).toBe(true);
    expect(spreadsheetText('Pier 2')).toBe('Pier 2');
  });
});

describe('exports of the demo pair (CPU analysis, same steps as quaywatch analyze)', () => {
  let result: AnalysisResult;
  let input: AnalysisInput;
  let windowPx: readonly [number, number, number, number];
  let beforeInfo: RasterInfo;
  const params = DEFAULT_ANALYSIS_PARAMS;

  beforeAll(async () => {
    registerNodeDecoders();
    const open = async (path: string) =>
      openRaster({ kind: 'blob', blob: await openAsBlob(path), name: path, sidecars: {} });
    const [before, after] = await Promise.all([
      open('public/demo/before.tif'),
      open('public/demo/after.tif'),
    ]);
    const reference = await readReference(
      before,
      readRois('public/demo/piers.geojson'),
      'public/demo/piers.geojson',
    );
    const aligned = await alignAfter(reference, after, undefined);
    input = pairInput(reference.plan, reference, aligned.aligned);
    result = await runAnalysis(null, input, params);
    windowPx = reference.plan.window;
    beforeInfo = before.info;
  }, 120_000);

  test('piers.csv parsed by csv-parse holds the analysis result per pier', () => {
    const records = parse<Record<string, string>>(piersCsv(pierExportRows(result, input)), {
      columns: true,
    });
    expect(records.map((record) => record['pier'])).toEqual(['Pier 1', 'Pier 2', 'Pier 3']);
    records.forEach((record, k) => {
      const roi = result.rois[k]!;
      const close = (column: string, value: number): void => {
        expect(Math.abs(Number(record[column]) - value), column).toBeLessThanOrEqual(0.0005);
      };
      for (const key of ['before', 'after', 'appeared', 'disappeared'] as const) {
        close(`${key}_teu`, roi[key].teu);
        close(`${key}_low_teu`, roi[key].lowTeu);
        close(`${key}_high_teu`, roi[key].highTeu);
        close(`${key}_area_m2`, roi[key].areaM2);
      }
      close('net_teu', roi.netTeu);
      close('net_low_teu', roi.netLowTeu);
      close('net_high_teu', roi.netHighTeu);
      // The pier polygons of the demo are about 21 120 m² each (public/demo/piers.geojson).
      expect(Number(record['pier_area_m2'])).toBeGreaterThan(20_000);
      expect(Number(record['pier_area_m2'])).toBeLessThan(22_000);
    });
    // Something to check against: the demo has containers on every pier.
    expect(result.rois.every((roi) => roi.before.teu > 10)).toBe(true);
  });

  test('blobs.geojson follows RFC 7946 and its numbers add up to the pier table', () => {
    const georef = gridOf(beforeInfo);
    if (georef === null) throw new Error('demo before image has no georeference');
    const collection = JSON.parse(
      JSON.stringify(blobsGeoJson({ result, input, params, windowPx }, georef)),
    ) as { type: string; features: BlobFeature[] };
    expect(rfc7946Problems(collection)).toEqual([]);
    const features = collection.features;
    expect(features.length).toBeGreaterThan(5);
    expect(new Set(features.map((f) => f.id)).size).toBe(features.length);
    // Demo port: Najin, about 130.3° E, 42.2° N.
    const [lon, lat] = (features[0]?.geometry.type === 'Polygon'
      ? features[0].geometry.coordinates[0]?.[0]
      : features[0]?.geometry.coordinates[0]?.[0]?.[0]) ?? [0, 0];
    expect(lon).toBeGreaterThan(130);
    expect(lon).toBeLessThan(131);
    expect(lat).toBeGreaterThan(42);
    expect(lat).toBeLessThan(43);

    for (const feature of features) {
      const p = feature.properties;
      // TEU from area with the table's arithmetic.
      expect(p.teu).toBeCloseTo((p.area_m2 * params.fillFactor) / params.teuFootprintM2, 2);
      expect(p.teu_low).toBeLessThanOrEqual(p.teu);
      expect(p.teu_high).toBeGreaterThanOrEqual(p.teu);
      expect(p.mean_change).toBeGreaterThanOrEqual(0);
      // The outline's ellipsoidal area equals the pixel area to within 0.5 %: the
      // pixel area is the UTM grid's (scale factor ≈ 0.9997 there, so 0.05 % apart).
      const polygons =
        feature.geometry.type === 'Polygon'
          ? [feature.geometry.coordinates]
          : feature.geometry.coordinates;
      const outlineM2 = polygonsAreaM2(polygons);
      expect(Math.abs(outlineM2 - p.area_m2) / p.area_m2, feature.id).toBeLessThan(0.005);
    }

    // Appeared and disappeared blobs summed per pier give the table's areas and TEU:
    // kept pixels all lie in piers (the masks are cut to them), so the shares add up
    // exactly, up to the 0.001 m² rounding of each share in the file.
    for (const [k, roi] of result.rois.entries()) {
      for (const kind of ['appeared', 'disappeared'] as const) {
        const ofKind = features.filter((f) => f.properties.kind === kind);
        const shares = ofKind.flatMap((f) => f.properties.rois.filter((s) => s.name === roi.name));
        const areaM2 = shares.reduce((sum, share) => sum + share.area_m2, 0);
        expect(Math.abs(areaM2 - roi[kind].areaM2), `${roi.name} ${kind}`).toBeLessThanOrEqual(
          0.001 * (shares.length + 1),
        );
        expect(shares.length, `${roi.name} ${kind}`).toBe(roi[kind].blobs);
        // By the pier holding most of each blob: the same on the demo (no blob spans two piers).
        const teu = ofKind
          .filter((f) => f.properties.roi === roi.name)
          .reduce((sum, f) => sum + f.properties.teu, 0);
        expect(Math.abs(teu - roi[kind].teu), `${roi.name} ${kind} TEU`).toBeLessThanOrEqual(0.01);
      }
      expect(k).toBeLessThan(3);
    }
  });

  test('each traced blob has the blob click’s numbers (pickBlob at its first pixel)', () => {
    const source: BlobSource = blobSourceOf(result, input);
    const blobs = traceBlobs(source);
    let compared = 0;
    for (const blob of blobs) {
      const x = blob.firstPixel % input.widthPx;
      const y = Math.floor(blob.firstPixel / input.widthPx);
      // The click takes appeared, then disappeared, then both where kinds overlap.
      const wins = (['appeared', 'disappeared', 'both'] as const).find((kind) =>
        inKind(result.masks, kind, blob.firstPixel),
      );
      if (wins !== blob.kind) continue;
      const picked = pickBlob(source, x + 0.5, y + 0.5);
      expect(picked?.kind).toBe(blob.kind);
      expect(picked?.areaPx).toBe(blob.areaPx);
      expect(picked?.meanChangeDn).toBe(blob.meanChangeDn);
      expect(picked?.roiName).toBe(blob.roiName);
      compared++;
    }
    expect(compared).toBeGreaterThan(10);
  });
});

describe('the pier area in the exports', () => {
  test('a ring that crosses itself counts its pixels, both loops, not its cancelling signed area', () => {
    const bowTie: [number, number][] = [
      [0, 0],
      [20, 20],
      [20, 0],
      [0, 20],
      [0, 0],
    ];
    const square: [number, number][] = [
      [30, 0],
      [40, 0],
      [40, 10],
      [30, 10],
      [30, 0],
    ];
    const rois = [
      { name: 'Bow tie', rings: [bowTie] },
      { name: 'Square', rings: [square] },
    ];
    const roiIndex = rasterizeRois(rois, 50, 25);
    const bowTiePixels = roiIndex.filter((roi) => roi === 0).length;
    expect(signedArea(bowTie)).toBe(0);
    // Two triangles of 100 px² each, as the raster counts them.
    expect(bowTiePixels).toBeGreaterThan(180);
    expect(analysedAreaPx([bowTie])).toBe(bowTiePixels);
    // Off the image, or under an earlier pier, its loops still count whole.
    const shifted = bowTie.map(([x, y]) => [x - 10, y] as [number, number]);
    expect(analysedAreaPx([shifted])).toBe(bowTiePixels);
    // A simple ring keeps its exact area.
    expect(analysedAreaPx([square])).toBe(100);
    // Two parts of a MultiPolygon that overlap by 5 × 10 px count the overlap once, as the
    // raster does, not twice (200); parts apart keep their exact areas.
    const part = (x0: number): [number, number][] => [
      [x0, 10],
      [x0 + 10, 10],
      [x0 + 10, 20],
      [x0, 20],
      [x0, 10],
    ];
    const overlapping = [part(10), part(15)];
    const overlapPixels = rasterizeRois([{ name: 'Parts', rings: overlapping }], 40, 40).filter(
      (roi) => roi === 0,
    ).length;
    expect(overlapPixels).toBe(150);
    expect(analysedAreaPx(overlapping)).toBe(150);
    expect(analysedAreaPx([part(0), part(25)])).toBe(200);
  });
});
