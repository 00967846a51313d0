/** Warnings about a pair that the analysis runs on but whose numbers need a caveat. */
import { describe, expect, test } from 'vitest';
import type { RasterInfo } from '../../src/core/raster.ts';
import {
  bandMismatchWarning,
  coarsePixelWarning,
  COARSEST_USEFUL_GSD_M,
  reversedDatesWarning,
} from '../../src/io/analysis-plan.ts';
import { PLAIN_RASTER_INFO } from '../support/raster-info.ts';

const INFO: RasterInfo = {
  ...PLAIN_RASTER_INFO,
  name: 'before.tif',
  bands: 3,
  georeference: 'geotransform',
  gsdM: 0.5,
  acquired: '2023-10-13T02:14:00',
};

describe('pair warnings', () => {
  test('pixels too coarse for containers are named with their size', () => {
    expect(coarsePixelWarning(INFO)).toBeNull();
    expect(coarsePixelWarning({ ...INFO, gsdM: COARSEST_USEFUL_GSD_M })).toBeNull();
    expect(coarsePixelWarning({ ...INFO, gsdM: null })).toBeNull();
    expect(coarsePixelWarning({ ...INFO, name: 'naip.tif', gsdM: 5 })).toBe(
      'naip.tif has 5.0 m pixels: a container (2.4 m wide) spans less than two of them, so its counts mean little (containers need about 1 m or finer)',
    );
    expect(coarsePixelWarning({ ...INFO, gsdM: 30.2 })).toMatch(/ has 30 m pixels:/);
  });

  test('a before image dated after the after image is flagged; undated or in order is not', () => {
    const after = { ...INFO, name: 'after.tif', acquired: '2023-10-16T02:10:00' };
    expect(reversedDatesWarning(INFO, after)).toBeNull();
    expect(reversedDatesWarning(INFO, { ...after, acquired: null })).toBeNull();
    expect(reversedDatesWarning(INFO, { ...after, acquired: INFO.acquired })).toBeNull();
    // On one day the times are told too.
    expect(
      reversedDatesWarning(
        { ...INFO, acquired: '2023-10-13T14:00:00' },
        { ...after, acquired: '2023-10-13T09:30:00' },
      ),
    ).toContain('is dated 2023-10-13 14:00, after the after image after.tif (2023-10-13 09:30)');
    expect(reversedDatesWarning(after, INFO)).toBe(
      'the before image after.tif is dated 2023-10-16, after the after image before.tif (2023-10-13): appeared and disappeared read the other way round; swap the two if the dates are right',
    );
  });

  test('dates in file names count where the TIFF tag is missing (NAIP names its files so)', () => {
    const named = (name: string) => ({ ...INFO, name, acquired: null });
    expect(
      reversedDatesWarning(
        named('m_4709963_se_14_1_20200831.tif'),
        named('m_4709963_se_14_1_20090818.tif'),
      ),
    ).toBe(
      'the before image m_4709963_se_14_1_20200831.tif is dated 2020-08-31 by its name, after the after image m_4709963_se_14_1_20090818.tif (2009-08-18 by its name): appeared and disappeared read the other way round; swap the two if the dates are right',
    );
    expect(
      reversedDatesWarning(
        named('m_4709963_se_14_1_20090818.tif'),
        named('m_4709963_se_14_1_20200831.tif'),
      ),
    ).toBeNull();
    // A tag wins over the name.
    expect(
      reversedDatesWarning(named('port_2030-01-01.tif'), { ...INFO, name: 'x.tif' }),
    ).not.toBeNull();
    expect(
      reversedDatesWarning(
        { ...named('port_2030-01-01.tif'), acquired: '2023-10-12T00:00:00' },
        { ...INFO, name: 'x.tif' },
      ),
    ).toBeNull();
  });

  test('the band warning still names the grey image', () => {
    expect(bandMismatchWarning(INFO, { ...INFO, name: 'grey.tif', bands: 1 })).toMatch(
      /^grey\.tif has 1 band and before\.tif 3: grey\.tif is compared in grey/,
    );
  });
});
