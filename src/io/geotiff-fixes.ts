/**
 * Work-arounds for geotiff.js 3.0.5 behaviour, applied right after a file is
 * opened and before its first image directory is parsed.
 */
import type { GeoTIFF } from 'geotiff';

/** The part of geotiff.js's private IFD parser this touches. */
interface IfdParser {
  eager: boolean;
}

function parserOf(tiff: GeoTIFF): IfdParser | null {
  const parser = (tiff as unknown as { parser?: unknown }).parser;
  return typeof parser === 'object' &&
    parser !== null &&
    typeof (parser as { eager?: unknown }).eager === 'boolean'
    ? (parser as IfdParser)
    : null;
}

/**
 * Makes geotiff.js read every tag value when it parses an image directory
 * instead of deferring large ones. Fixes two failures seen on real files:
 * deferred arrays are decoded little-endian even in big-endian files (strip
 * offsets of libtiffpic/oxford.tif come out as 134 217 728), and
 * `getValue('DateTime')` throws on a deferred field. Costs one read per
 * out-of-line tag: meant for local sources, and for big-endian files anywhere.
 */
export function readTagsEagerly(files: readonly GeoTIFF[], onlyBigEndian: boolean): void {
  for (const file of files) {
    if (onlyBigEndian && file.littleEndian) continue;
    const parser = parserOf(file);
    if (parser !== null) parser.eager = true;
  }
}
