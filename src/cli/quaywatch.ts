/**
 * The Quaywatch command line. Same io and core as the app; runs in Node.
 *
 *   quaywatch info FILE     RasterInfo of FILE as JSON
 *   quaywatch --version
 *
 * Errors: one line on stderr and a non-zero exit.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { openRaster } from '../io/decoder.ts';

const USAGE = 'usage: quaywatch info FILE | quaywatch --version';

async function info(path: string | undefined): Promise<void> {
  if (path === undefined) throw new Error(`info needs a file. ${USAGE}`);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? `${path}: no such file`
        : `${path}: cannot read (${code ?? String(error)})`,
      { cause: error },
    );
  }
  const buffer = bytes.buffer.slice(
    bytes.byteOffset,
    bytes.byteOffset + bytes.byteLength,
  ) as ArrayBuffer;
  try {
    const raster = await openRaster({ kind: 'buffer', buffer, name: basename(path) });
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

process.exitCode = await main(process.argv.slice(2));
