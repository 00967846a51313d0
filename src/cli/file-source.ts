/**
 * Input files of the CLI as raster sources: lazily read Blobs, with their
 * sidecars.
 */
import { accessSync, constants, existsSync, openAsBlob, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { RasterSource } from '../io/decoder.ts';

/**
 * A file as a lazily read Blob (Node's fs.openAsBlob): opening a 2 GB GeoTIFF
 * reads its header and IFDs, not the whole file. Sidecars beside it (.ovr,
 * .msk, as GDAL names them) come along.
 */
export async function fileSource(path: string): Promise<RasterSource> {
  if (!existsSync(path)) throw new Error(`${path}: no such file`);
  if (statSync(path).isDirectory()) throw new Error(`${path} is a folder, not an image file`);
  let blob: Blob;
  try {
    // openAsBlob opens lazily: an unreadable file would fail later as "The blob could not be read".
    accessSync(path, constants.R_OK);
    blob = await openAsBlob(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? `${path}: no such file`
        : `${path}: cannot read (${code ?? String(error)})`,
      { cause: error },
    );
  }
  // A sidecar that is a folder or unreadable would fail later as "The blob could not be read".
  const sidecar = async (suffix: string): Promise<Blob | undefined> => {
    const sidecarPath = path + suffix;
    if (!existsSync(sidecarPath)) return undefined;
    const role = suffix === '.ovr' ? 'overview' : 'mask';
    if (statSync(sidecarPath).isDirectory()) {
      throw new Error(`${sidecarPath}, the ${role} sidecar of ${basename(path)}, is a folder`);
    }
    try {
      accessSync(sidecarPath, constants.R_OK);
      return await openAsBlob(sidecarPath);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new Error(
        `${sidecarPath}, the ${role} sidecar of ${basename(path)}: cannot read (${code ?? String(error)})`,
        { cause: error },
      );
    }
  };
  const overviews = await sidecar('.ovr');
  const mask = await sidecar('.msk');
  return {
    kind: 'blob',
    blob,
    name: basename(path),
    sidecars: {
      ...(overviews === undefined ? {} : { overviews }),
      ...(mask === undefined ? {} : { mask }),
    },
  };
}
