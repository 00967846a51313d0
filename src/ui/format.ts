/** Display formatting shared by the UI elements. Fixed English forms: reports quote them. */
import type { RasterInfo } from '../core/raster.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "2023-10-13T02:14:00" → "13 Oct 2023"; null stays "undated". */
export function formatDate(iso: string | null): string {
  const match = iso === null ? null : /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (match === null) return 'undated';
  const [, year, month, day] = match;
  return `${Number(day)} ${MONTHS[Number(month) - 1] ?? '?'} ${year}`;
}

/** "EPSG:32652", the CRS's name when it has no EPSG code, or "no CRS". */
export function crsLabel(crs: RasterInfo['crs'] | undefined): string {
  if (crs == null) return 'no CRS';
  return crs.epsg === null ? crs.name : `EPSG:${crs.epsg}`;
}

/** What marks the pixels without data (GDAL's precedence picked it), or null for nothing. */
function dataMaskLabel(info: Pick<RasterInfo, 'mask' | 'nodata'>): string | null {
  switch (info.mask) {
    case 'none':
      return null;
    case 'alpha':
      return 'alpha band';
    case 'internal-mask':
      return 'internal mask';
    case 'external-mask':
      return '.msk';
    case 'nodata':
      return `nodata ${String(info.nodata)}`;
  }
}

/** One line describing a raster: size, type, compression, CRS, GSD, and its data mask if any. */
export function describeRaster(info: RasterInfo): string {
  const crs = crsLabel(info.crs);
  const gsd = info.gsdM === null ? 'no georeference' : `${info.gsdM.toFixed(2)} m`;
  const mask = dataMaskLabel(info);
  return `${info.name}: ${info.width}×${info.height}×${info.bands} ${info.dtype}, ${info.compression}, ${crs}, ${gsd}${mask === null ? '' : `, data mask: ${mask}`}`;
}
