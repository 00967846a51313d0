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

/** One line describing a raster: size, type, compression, CRS, GSD. */
export function describeRaster(info: RasterInfo): string {
  const crs =
    info.crs === null ? 'no CRS' : info.crs.epsg === null ? info.crs.name : `EPSG:${info.crs.epsg}`;
  const gsd = info.gsdM === null ? 'no georeference' : `${info.gsdM.toFixed(2)} m`;
  return `${info.name}: ${info.width}×${info.height}×${info.bands} ${info.dtype}, ${info.compression}, ${crs}, ${gsd}`;
}
