/**
 * The Quaywatch command line. Same io and core as the app; runs in Node.
 *
 *   quaywatch info FILE     RasterInfo of FILE as JSON
 *   quaywatch analyze …     one pair: result.json, piers.csv, blobs.geojson (analyze.ts)
 *   quaywatch series …      many dates: series.csv, series.json, series.png (series.ts)
 *   quaywatch --version
 *
 * Errors: one line on stderr and a non-zero exit.
 */
import { readFile } from 'node:fs/promises';
import { openRaster } from '../io/decoder.ts';
import { registerNodeDecoders } from './node-decoders.ts';
import { analyze, ANALYZE_USAGE } from './analyze.ts';
import { fileSource } from './file-source.ts';
import { series, SERIES_USAGE } from './series.ts';

const INFO_USAGE = 'usage: quaywatch info FILE';
/** One command per line, each under the same `usage:` (the commands' own lines begin with it). */
const USAGE = [
  INFO_USAGE.replace(/^usage: /, ''),
  ANALYZE_USAGE.replace(/^usage: /, ''),
  SERIES_USAGE.replace(/^usage: /, ''),
  'quaywatch --version',
]
  .map((line, k) => `${k === 0 ? 'usage: ' : '       '}${line}`)
  .join('\n');
/** The one line an error ends with: where to find out how to call the tool. */
const COMMANDS =
  'commands: analyze, series, info, --version; quaywatch --help shows how to call them';

async function info(path: string | undefined): Promise<void> {
  if (path === undefined || path === '') {
    throw new Error('info needs a file: quaywatch info FILE');
  }
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

/** A command's own usage for `quaywatch COMMAND --help` (or -h), else undefined. */
function commandUsage(command: string | undefined, rest: readonly string[]): string | undefined {
  if (!rest.some((arg) => arg === '--help' || arg === '-h')) return undefined;
  if (command === 'analyze') return ANALYZE_USAGE;
  if (command === 'series') return SERIES_USAGE;
  if (command === 'info') return INFO_USAGE;
  return undefined;
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const ownUsage = commandUsage(command, rest);
  if (ownUsage !== undefined) {
    console.log(ownUsage);
    return 0;
  }
  try {
    switch (command) {
      case 'analyze':
        await analyze(rest, fileSource);
        return 0;
      case 'series':
        await series(rest, fileSource);
        return 0;
      case 'info':
        if (rest[0]?.startsWith('-') === true) {
          throw new Error(`info has no option ${rest[0]}: ${INFO_USAGE}`);
        }
        if (rest.length > 1) {
          throw new Error(`info takes one file (got ${rest.length}): ${INFO_USAGE}`);
        }
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
      case '--help':
      case '-h':
      case 'help':
        console.log(USAGE);
        return 0;
      case undefined:
        console.error(`quaywatch: a command is needed (${COMMANDS})`);
        return 2;
      default:
        throw new Error(`unknown command "${command}" (${COMMANDS})`);
    }
  } catch (error) {
    // One line, whatever the message: Node's own (parseArgs) can span several,
    // and a message that quotes a binary file (--params given a TIFF) holds
    // control characters, shown as \xNN.
    const message = error instanceof Error ? error.message : String(error);
    const oneLine = message
      .replace(/\s*\n\s*/g, ' ')
      // eslint-disable-next-line no-control-regex -- control characters are what is matched
      .replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
    console.error(`quaywatch: ${oneLine}`);
    return 1;
  }
}

// geotiff.js can leave tile promises rejected without a handler after a read
// fails part-way (found by the fuzz test); the failure itself is already
// reported through the awaited call, so these must not kill the process. The
// exit code is main's (this handler used to set one that main then overwrote).
process.on('unhandledRejection', () => undefined);
registerNodeDecoders();
process.exitCode = await main(process.argv.slice(2));
