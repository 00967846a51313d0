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
  const blob = await openReadable(path, {
    folder: `${path} is a folder, not an image file`,
    unreadable: (code) =>
      `${path}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code})`}`,
  });
  const sidecar = async (suffix: string): Promise<Blob | undefined> => {
    const sidecarPath = path + suffix;
    if (!existsSync(sidecarPath)) return undefined;
    const named = `${sidecarPath}, the ${suffix === '.ovr' ? 'overview' : 'mask'} sidecar of ${basename(path)}`;
    return openReadable(sidecarPath, {
      folder: `${named}, is a folder`,
      unreadable: (code) => `${named}: cannot read (${code})`,
    });
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

/**
 * An existing file as a lazily read Blob, refused with `messages` when it is a
 * folder or cannot be read: openAsBlob opens lazily, so either would fail
 * later as "The blob could not be read".
 */
async function openReadable(
  path: string,
  messages: { readonly folder: string; readonly unreadable: (code: string) => string },
): Promise<Blob> {
  if (statSync(path).isDirectory()) throw new Error(messages.folder);
  try {
    accessSync(path, constants.R_OK);
    return await openAsBlob(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(messages.unreadable(code ?? String(error)), { cause: error });
  }
}
