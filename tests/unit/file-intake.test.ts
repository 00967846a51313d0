import { describe, expect, test } from 'vitest';
import { groupDroppedFiles } from '../../src/ui/file-intake.ts';

const file = (name: string): File => new File([new Uint8Array(4)], name);

describe('grouping dropped files', () => {
  test('sidecars ride with their TIFF, by either GDAL naming', () => {
    const intake = groupDroppedFiles([
      file('red.tif'),
      file('red.tif.ovr'),
      file('naip.TIF'),
      file('naip.msk'),
      file('change.png'),
    ]);
    expect(intake.sources.map((s) => s.name)).toEqual(['red.tif', 'naip.TIF', 'change.png']);
    expect((intake.sources[0]?.sidecars?.overviews as File).name).toBe('red.tif.ovr');
    expect((intake.sources[1]?.sidecars?.mask as File).name).toBe('naip.msk');
    expect(intake.sources[2]?.sidecars).toEqual({});
    expect(intake.ignored).toEqual([]);
  });

  test('other files and orphan sidecars are named back with a reason', () => {
    const intake = groupDroppedFiles([file('notes.txt'), file('lonely.ovr')]);
    expect(intake.sources).toEqual([]);
    expect(intake.ignored).toEqual([
      { name: 'notes.txt', reason: 'not a GeoTIFF, PNG or JPEG file' },
      { name: 'lonely.ovr', reason: 'a sidecar without its TIFF (drop them together)' },
    ]);
  });
});
