/**
 * The Quaywatch command line. Same io and core as the app; runs in Node.
 *
 *   quaywatch info FILE     RasterInfo of FILE as JSON
 *   quaywatch --version
 *
 * Errors: one line on stderr and a non-zero exit.
 */
import { existsSync, openAsBlob } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { openRaster, type RasterSource } from '../io/decoder.ts';
import { registerNodeDecoders } from './node-decoders.ts';
import { analyze, ANALYZE_USAGE } from './analyze.ts';

const USAGE = `usage: quaywatch info FILE | quaywatch --version\n       ${ANALYZE_USAGE}`;

/**
 * A file as a lazily read Blob (Node's fs.openAsBlob): opening a 2 GB GeoTIFF
 * reads its header and IFDs, not the whole file. Sidecars beside it (.ovr,
 * .msk, as GDAL names them) come along.
 */
async function fileSource(path: string): Promise<RasterSource> {
  if (!existsSync(path)) throw new Error(`${path}: no such file`);
  let blob: Blob;
  try {
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
  const sidecar = async (suffix: string): Promise<Blob | undefined> =>
    existsSync(path + suffix) ? openAsBlob(path + suffix) : undefined;
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

async function info(path: string | undefined): Promise<void> {
  if (path === undefined) throw new Error(`info needs a file. ${USAGE}`);
  const source = await fileSource(path);
  try {
    const raster = await openRaster(source);
    console.log(JSON.stringify(raster.info, null, 2));
  } catch (error) {
    throw new Error(`${path}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'analyze':
        await analyze(rest, fileSource);
        return 0;
      case 'info':
        await info(rest[0]);
        return 0;
      case '--version':
      case 'version': {
        const pkg = JSON.parse(
          await readFile(new URL('../../package.json', import.meta.url), 'utf8'),
        ) as { version: string };
        console.log(pkg.version);
        return 0;
      }
      case undefined:
      case '--help':
      case 'help':
        console.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new Error(`unknown command "${command}". ${USAGE}`);
    }
  } catch (error) {
    console.error(`quaywatch: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

// geotiff.js can leave tile promises rejected without a handler after a read
// fails part-way (found by the fuzz test); the failure itself is already
// reported through the awaited call, so these must not kill the process.
process.on('unhandledRejection', () => {
  process.exitCode ??= 1;
});
registerNodeDecoders();
process.exitCode = await main(process.argv.slice(2));
