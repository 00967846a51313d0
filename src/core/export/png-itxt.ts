/**
 * PNG iTXt chunks, written and read by hand (PNG spec §11.3.4.5): an
 * uncompressed UTF-8 text under a Latin-1 keyword. A snapshot carries its
 * analysis parameters and numbers this way, so a published figure can be
 * reproduced; ordinary viewers ignore the chunk.
 */

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10] as const;

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO 3309, polynomial 0xEDB88320) as PNG chunks use it. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) {
    crc = (crcTable[(crc ^ (bytes[i] ?? 0)) & 0xff] ?? 0) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function checkKeyword(keyword: string): Uint8Array {
  // 1–79 Latin-1 printable characters, no leading/trailing/double spaces (spec).
  if (!/^[\x21-\x7e\xa1-\xff](?:[\x20-\x7e\xa1-\xff]{0,77}[\x21-\x7e\xa1-\xff])?$/.test(keyword)) {
    throw new Error(`"${keyword}" is not a valid PNG text keyword (1–79 Latin-1 characters)`);
  }
  return Uint8Array.from(keyword, (char) => char.charCodeAt(0));
}

/** One complete iTXt chunk (length, type, data, CRC): uncompressed, no language tag. */
export function itxtChunk(keyword: string, text: string): Uint8Array {
  const key = checkKeyword(keyword);
  const body = new TextEncoder().encode(text);
  // keyword, NUL, compression flag 0, method 0, empty language tag + NUL, empty translated keyword + NUL.
  const dataLength = key.length + 5 + body.length;
  const chunk = new Uint8Array(12 + dataLength);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, dataLength);
  chunk.set([0x69, 0x54, 0x58, 0x74], 4); // "iTXt"
  chunk.set(key, 8);
  chunk.set(body, 8 + key.length + 5);
  view.setUint32(8 + dataLength, crc32(chunk, 4, 8 + dataLength));
  return chunk;
}

interface RawChunk {
  readonly type: string;
  readonly dataStart: number;
  readonly dataLength: number;
}

/** The chunks of a PNG in file order; throws on a bad signature, a cut chunk or a bad CRC. */
function chunksOf(png: Uint8Array): RawChunk[] {
  if (png.length < 8 || PNG_SIGNATURE.some((byte, i) => png[i] !== byte)) {
    throw new Error('not a PNG file (no PNG signature)');
  }
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: RawChunk[] = [];
  let at = 8;
  while (at < png.length) {
    if (at + 12 > png.length) throw new Error(`PNG cut short at byte ${at}`);
    const dataLength = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const end = at + 12 + dataLength;
    if (end > png.length) throw new Error(`PNG chunk ${type} at byte ${at} runs past the end`);
    if (crc32(png, at + 4, at + 8 + dataLength) !== view.getUint32(at + 8 + dataLength)) {
      throw new Error(`PNG chunk ${type} at byte ${at} has a bad CRC`);
    }
    chunks.push({ type, dataStart: at + 8, dataLength });
    at = end;
    if (type === 'IEND') break;
  }
  return chunks;
}

/** The PNG with `chunk` inserted right after IHDR (before the image data, where readers look first). */
export function insertChunkAfterIhdr(png: Uint8Array, chunk: Uint8Array): Uint8Array {
  // Only the signature and the first chunk's header: the PNG was just encoded,
  // and a CRC pass over all its image data would be wasted on a large export.
  if (png.length < 8 || PNG_SIGNATURE.some((byte, i) => png[i] !== byte)) {
    throw new Error('not a PNG file (no PNG signature)');
  }
  const ihdrLength = png.length >= 16 ? new DataView(png.buffer, png.byteOffset).getUint32(8) : -1;
  if (String.fromCharCode(...png.subarray(12, 16)) !== 'IHDR' || ihdrLength !== 13) {
    throw new Error('PNG does not start with IHDR');
  }
  const cut = 8 + 12 + ihdrLength;
  const out = new Uint8Array(png.length + chunk.length);
  out.set(png.subarray(0, cut), 0);
  out.set(chunk, cut);
  out.set(png.subarray(cut), cut + chunk.length);
  return out;
}

/** Width and height from IHDR. */
export function pngSize(png: Uint8Array): { widthPx: number; heightPx: number } {
  const first = chunksOf(png)[0];
  if (first?.type !== 'IHDR') throw new Error('PNG does not start with IHDR');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return {
    widthPx: view.getUint32(first.dataStart),
    heightPx: view.getUint32(first.dataStart + 4),
  };
}

/**
 * The text of the first uncompressed iTXt chunk under `keyword`, or null when
 * there is none. Throws when the file is not a sound PNG.
 */
export function readItxt(png: Uint8Array, keyword: string): string | null {
  const key = checkKeyword(keyword);
  for (const chunk of chunksOf(png)) {
    if (chunk.type !== 'iTXt') continue;
    const data = png.subarray(chunk.dataStart, chunk.dataStart + chunk.dataLength);
    const nul = data.indexOf(0);
    if (nul !== key.length || key.some((byte, i) => data[i] !== byte)) continue;
    if (data[nul + 1] !== 0) continue; // compressed: not written by Quaywatch
    const languageEnd = data.indexOf(0, nul + 3);
    const translatedEnd = languageEnd < 0 ? -1 : data.indexOf(0, languageEnd + 1);
    if (translatedEnd < 0) throw new Error(`PNG iTXt chunk "${keyword}" is malformed`);
    return new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(translatedEnd + 1));
  }
  return null;
}
