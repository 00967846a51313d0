import type { RasterInfo } from '../../src/core/raster.ts';

/** A 4×4 RGBA TIFF without georeference or data mask; tests spread it and change what they look at. */
export const PLAIN_RASTER_INFO: RasterInfo = {
  name: 'b.tif',
  sizeBytes: 1,
  width: 4,
  height: 4,
  bands: 4,
  bitsPerSample: 8,
  sampleFormat: 'uint',
  dtype: 'uint8',
  compression: 'deflate',
  photometric: 'rgb',
  tiled: false,
  interleave: 'pixel',
  tileWidth: null,
  tileHeight: null,
  bigTiff: false,
  littleEndian: true,
  overviews: [],
  nodata: null,
  mask: 'none',
  georeference: 'none',
  geoTransform: null,
  crs: null,
  gsdM: null,
  acquired: null,
};
