import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  controlPointMapping,
  requireOverlap,
  withResidualShift,
  type GridRef,
} from '../../src/core/align/grid-mapping.ts';
import {
  estimateShift,
  normalizedCrossCorrelation,
  toLuminance,
  unreliableShiftReason,
} from '../../src/core/align/phase-correlation.ts';
import { resampleBilinear } from '../../src/core/align/resample.ts';
import type { RasterInfo } from '../../src/core/raster.ts';
import { openRaster, readWindow } from '../../src/io/decoder.ts';

const NAIP_DIR = '../shared/data/multidate/naip';
const available = existsSync(NAIP_DIR);
if (!available) console.warn(`align-naip: ${NAIP_DIR} not found, NAIP alignment tests skipped`);

function gridOf(info: RasterInfo): GridRef {
  if (info.geoTransform === null || info.crs?.proj4 == null) {
    throw new Error(`${info.name} has no usable georeference`);
  }
  return {
    width: info.width,
    height: info.height,
    geoTransform: info.geoTransform,
    proj4: info.crs.proj4,
  };
}

async function load(name: string): Promise<{ grid: GridRef; luminance: Float32Array }> {
  const bytes = readFileSync(join(NAIP_DIR, name));
  const raster = await openRaster({
    kind: 'buffer',
    buffer: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    name,
  });
  const { bands } = await readWindow(raster);
  // Luminance of R, G, B (band 4 is near-infrared); nodata pixels become NaN.
  return {
    grid: gridOf(raster.info),
    luminance: toLuminance(bands, [0.299, 0.587, 0.114], raster.info.nodata),
  };
}

/** Gradient magnitude (central differences): where edges are, whatever their brightness. */
function gradientMagnitude(image: Float32Array, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      out[i] = Math.hypot(image[i + 1]! - image[i - 1]!, image[i + width]! - image[i - width]!);
    }
  }
  return out;
}

describe.skipIf(!available)('NAIP 2009 / 2014 / 2020 (EPSG:26914, 5 m)', () => {
  const names = available
    ? readdirSync(NAIP_DIR)
        .filter((n) => n.endsWith('.tif'))
        .sort()
    : [];

  test('2014 and 2020 aligned onto 2009: small residual shifts that improve edge alignment', async () => {
    expect(names).toHaveLength(3);
    const [base, ...later] = await Promise.all(names.map(load));
    const target = base!.grid;
    const { width, height } = target;
    // Compare on the same pixels for every candidate: away from the border.
    const interior = new Uint8Array(width * height);
    for (let y = 4; y < height - 4; y++) interior.fill(1, y * width + 4, (y + 1) * width - 4);
    const referenceEdges = gradientMagnitude(base!.luminance, width, height);

    for (const [index, image] of later.entries()) {
      const name = names[index + 1]!;
      const mapping = controlPointMapping(target, image.grid);
      requireOverlap(target, names[0]!, image.grid, name, mapping);
      const started = performance.now();
      const geo = resampleBilinear(
        image.luminance,
        image.grid.width,
        image.grid.height,
        mapping,
        width,
        height,
      );
      const shift = estimateShift(base!.luminance, geo.data, width, height, { valid: geo.valid });
      const elapsedMs = performance.now() - started;
      const fine = resampleBilinear(
        image.luminance,
        image.grid.width,
        image.grid.height,
        withResidualShift(mapping, shift.dxPx, shift.dyPx),
        width,
        height,
      );
      const common = interior.map((v, i) => v & geo.valid[i]! & fine.valid[i]!);
      const ncc = [geo, fine].map((r) =>
        normalizedCrossCorrelation(base!.luminance, r.data, common),
      );
      const edgeNcc = [geo, fine].map((r) =>
        normalizedCrossCorrelation(
          referenceEdges,
          gradientMagnitude(r.data, width, height),
          common,
        ),
      );
      console.log(
        `${name} → ${names[0]}: residual (${shift.dxPx.toFixed(3)}, ${shift.dyPx.toFixed(3)}) px ` +
          `±(${shift.uncertaintyPx.map((v) => v.toFixed(3)).join(', ')}), peak ratio ${shift.peakRatio.toFixed(2)}, ` +
          `tiles ${shift.tilesUsed}/${shift.tilesTried}, ${elapsedMs.toFixed(0)} ms; ` +
          `NCC ${ncc[0]!.toFixed(4)} → ${ncc[1]!.toFixed(4)}, edge NCC ${edgeNcc[0]!.toFixed(4)} → ${edgeNcc[1]!.toFixed(4)}`,
      );
      expect(Number.isFinite(shift.dxPx) && Number.isFinite(shift.dyPx)).toBe(true);
      // Real dates years apart: enough tiles agree for the estimate to be applied.
      expect(unreliableShiftReason(shift)).toBeNull();
      expect(Math.abs(shift.dxPx)).toBeLessThan(1.5);
      expect(Math.abs(shift.dyPx)).toBeLessThan(1.5);
      // Edges line up better; plain NCC, dominated by lakes that grew and
      // fields that changed crop, must at least not get worse (bilinear
      // smoothing alone moves it by a few 1e-4).
      expect(edgeNcc[1]!).toBeGreaterThan(edgeNcc[0]!);
      expect(ncc[1]!).toBeGreaterThan(ncc[0]! - 1e-3);
    }
  });
});
