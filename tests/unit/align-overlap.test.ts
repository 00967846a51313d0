/**
 * An after image that misses the window read from the before image (the
 * piers' area) is told apart from one that misses the whole before image:
 * the message names the extents that do not meet.
 */
import { describe, expect, test } from 'vitest';
import { noOverlapMessage } from '../../src/core/align/grid-mapping.ts';
import { gridOf, readAligned } from '../../src/io/align-read.ts';
import { windowTarget } from '../../src/io/analysis-plan.ts';
import { openRaster, type OpenRaster } from '../../src/io/decoder.ts';
import { writeTiff, type TiffGeoreference } from '../../src/io/tiff-writer.ts';

/** A grey side × side image with 0.5 m pixels, its corner at (x, y), in UTM 52N or `crs`. */
async function image(
  name: string,
  side: number,
  x: number,
  y: number,
  crs: Pick<TiffGeoreference, 'epsg' | 'extraGeoKeys'> = { epsg: 32652 },
): Promise<OpenRaster> {
  const bytes = writeTiff([
    {
      width: side,
      height: side,
      samplesPerPixel: 1,
      bitsPerSample: 8,
      data: new Uint8Array(side * side).fill(90),
      georeference: {
        modelType: 'projected',
        ...crs,
        originX: x,
        originY: y,
        pixelSizeX: 0.5,
        pixelSizeY: 0.5,
      },
    },
  ]);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return openRaster({ kind: 'buffer', buffer: buffer as ArrayBuffer, name });
}

describe('readAligned on a window of the before image', () => {
  test('an after image that overlaps the before image but not the piers’ area says so', async () => {
    const before = await image('before.tif', 40, 600_000, 4_700_000);
    const grid = gridOf(before.info);
    if (grid === null) throw new Error('the test image has a grid');
    // The north-west 10 × 10 px; the after image covers only the south-east quarter.
    const target = windowTarget(grid, [0, 0, 10, 10], 'before.tif', Infinity, 'the piers’ area');
    const after = await image('after.tif', 20, 600_010, 4_699_990);
    await expect(readAligned(after, target, { shiftPx: [0, 0], bands: [0] })).rejects.toThrow(
      /^after\.tif does not reach the piers’ area of before\.tif: after\.tif covers \d.*; the piers’ area of before\.tif covers \d.*\.$/,
    );
    // Inside the after image's quarter, the same window reads.
    const inside = windowTarget(grid, [25, 25, 35, 35], 'before.tif');
    const read = await readAligned(after, inside, { shiftPx: [0, 0], bands: [0] });
    expect(read.bands[0]?.[0]).toBe(90);
  });

  test('an after image that misses the whole before image gives both whole extents', async () => {
    const before = await image('before.tif', 40, 600_000, 4_700_000);
    const grid = gridOf(before.info);
    const far = await image('far.tif', 20, 610_000, 4_700_000);
    const farGrid = gridOf(far.info);
    if (grid === null || farGrid === null) throw new Error('the test images have grids');
    const target = windowTarget(grid, [0, 0, 10, 10], 'before.tif', Infinity, 'the piers’ area');
    await expect(readAligned(far, target, { shiftPx: [0, 0], bands: [0] })).rejects.toThrow(
      noOverlapMessage(grid, 'before.tif', farGrid, 'far.tif'),
    );
  });

  test('an after image in a CRS Quaywatch does not know is refused, not laid pixel on pixel', async () => {
    const before = await image('before.tif', 40, 600_000, 4_700_000);
    const grid = gridOf(before.info);
    if (grid === null) throw new Error('the test image has a grid');
    const target = windowTarget(grid, [0, 0, 40, 40], 'before.tif');
    // GDAL's keys for a user-defined transverse Mercator on WGS 84: projected CRS 32767,
    // its geographic base 4326 (which is not the grid's CRS), projection 32767, TM.
    const userDefined = await image('custom-tm.tif', 40, 600_000, 4_700_000, {
      epsg: 32767,
      extraGeoKeys: [
        [2048, 4326],
        [3074, 32767],
        [3075, 1],
      ],
    });
    expect(userDefined.info.crs).toEqual({
      epsg: null,
      proj4: null,
      geographic: false,
      name: 'user-defined',
    });
    expect(userDefined.info.gsdM).toBe(0.5);
    await expect(readAligned(userDefined, target, { shiftPx: [0, 0], bands: [0] })).rejects.toThrow(
      "custom-tm.tif is georeferenced in a CRS Quaywatch does not know (user-defined), so it cannot be placed on the grid of before.tif: reproject it to before.tif's CRS or to WGS 84 (e.g. gdalwarp -t_srs EPSG:4326) and open it again.",
    );
    // An EPSG code without a definition here (Dutch RD New) is named.
    const rd = await image('rd.tif', 40, 90_000, 437_000, { epsg: 28992 });
    await expect(readAligned(rd, target, { shiftPx: [0, 0], bands: [0] })).rejects.toThrow(
      'rd.tif is georeferenced in a CRS Quaywatch does not know (EPSG:28992)',
    );
  });
});
