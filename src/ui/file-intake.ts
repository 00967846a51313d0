/**
 * Turning what the analyst dropped or picked into raster sources: TIFFs,
 * PNGs and JPEGs become sources; GDAL sidecars (`x.tif.ovr` or `x.ovr`,
 * `x.tif.msk` or `x.msk`) ride along with their TIFF; anything else is named
 * back to the analyst instead of being silently dropped.
 */
import type { RasterSource } from '../io/decoder.ts';

export interface Intake {
  readonly sources: readonly (RasterSource & { readonly kind: 'blob' })[];
  /** Files that are not rasters Quaywatch opens, with the reason. */
  readonly ignored: readonly { readonly name: string; readonly reason: string }[];
}

const RASTER = /\.(tiff?|png|jpe?g)$/i;
const SIDECAR = /\.(ovr|msk)$/i;

function stem(name: string): string {
  return name.replace(/\.(tiff?)$/i, '').toLowerCase();
}

export function groupDroppedFiles(files: readonly File[]): Intake {
  const rasters = files.filter((file) => RASTER.test(file.name));
  const sidecars = files.filter((file) => SIDECAR.test(file.name));
  const ignored = files
    .filter((file) => !RASTER.test(file.name) && !SIDECAR.test(file.name))
    .map((file) => ({ name: file.name, reason: 'not a GeoTIFF, PNG or JPEG file' }));
  const used = new Set<File>();
  const sources = rasters.map((file) => {
    const find = (extension: string): File | undefined => {
      const match = sidecars.find((sidecar) => {
        const base = sidecar.name.slice(0, -extension.length).toLowerCase();
        return (
          sidecar.name.toLowerCase().endsWith(extension) &&
          (base === file.name.toLowerCase() || base === stem(file.name))
        );
      });
      if (match !== undefined) used.add(match);
      return match;
    };
    const overviews = find('.ovr');
    const mask = find('.msk');
    return {
      kind: 'blob' as const,
      blob: file,
      name: file.name,
      sidecars: {
        ...(overviews === undefined ? {} : { overviews }),
        ...(mask === undefined ? {} : { mask }),
      },
    };
  });
  for (const sidecar of sidecars) {
    if (!used.has(sidecar)) {
      ignored.push({
        name: sidecar.name,
        reason: 'a sidecar without its TIFF (drop them together)',
      });
    }
  }
  return { sources, ignored };
}
