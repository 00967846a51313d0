/**
 * Bounded replacements for two geotiff.js 3.0.5 decoders that fuzzing showed
 * to hang on corrupt data:
 *  - LZW: once the code table is full, geotiff.js keeps growing it past 4093
 *    entries and then walks `undefined` prefixes forever;
 *  - ZSTD: the streaming zstddec decoder loops on some corrupt frames.
 * Both here write into a buffer of the block's decoded size and stop there,
 * so a corrupt block costs at most one block of memory and linear time.
 */
import { addDecoder, BaseDecoder } from 'geotiff';
import { ZSTDDecoder } from 'zstddec';

interface BlockParameters {
  readonly tileWidth: number;
  readonly tileHeight: number;
  readonly planarConfiguration: number;
  readonly bitsPerSample: number | ArrayLike<number>;
}

/** Decoded bytes of one strip or tile (rows padded to whole bytes, as TIFF stores them). */
export function blockBytes(parameters: BlockParameters): number {
  const bits = parameters.bitsPerSample;
  const all = typeof bits === 'number' ? [bits] : Array.from(bits);
  const bitsPerPixel =
    parameters.planarConfiguration === 2 ? (all[0] ?? 8) : all.reduce((sum, b) => sum + b, 0);
  return Math.ceil((parameters.tileWidth * bitsPerPixel) / 8) * parameters.tileHeight;
}

/**
 * TIFF LZW (TIFF 6.0 §13: MSB-first codes, 9–12 bits, early change), decoding
 * at most `expectedBytes`. Short data leaves zeros, as libtiff does after
 * warning; a code that cannot occur throws.
 */
export function decodeLzw(input: Uint8Array, expectedBytes: number): Uint8Array {
  const out = new Uint8Array(expectedBytes);
  const prefix = new Int16Array(4096);
  const suffix = new Uint8Array(4096);
  const first = new Uint8Array(4096);
  const length = new Uint16Array(4096);
  for (let i = 0; i < 256; i++) {
    prefix[i] = -1;
    suffix[i] = i;
    first[i] = i;
    length[i] = 1;
  }
  let next = 258;
  let width = 9;
  let previous = -1;
  let written = 0;
  let bit = 0;
  const totalBits = input.length * 8;
  const emit = (code: number): void => {
    const n = length[code] ?? 0;
    let at = written + n - 1;
    for (let c = code; c !== -1; c = prefix[c] ?? -1) {
      if (at < expectedBytes) out[at] = suffix[c] ?? 0;
      at--;
    }
    written += n;
  };
  const add = (from: number, char: number): void => {
    if (next >= 4096) return;
    prefix[next] = from;
    suffix[next] = char;
    first[next] = first[from] ?? 0;
    length[next] = (length[from] ?? 0) + 1;
    next++;
  };
  while (bit + width <= totalBits && written < expectedBytes) {
    const byte = bit >>> 3;
    const word =
      ((input[byte] ?? 0) << 16) | ((input[byte + 1] ?? 0) << 8) | (input[byte + 2] ?? 0);
    const code = (word >>> (24 - (bit & 7) - width)) & ((1 << width) - 1);
    bit += width;
    if (code === 256) {
      next = 258;
      width = 9;
      previous = -1;
      continue;
    }
    if (code === 257) break;
    if (previous === -1) {
      if (code > 255) throw new Error(`Invalid LZW code: ${code} with no previous code`);
      emit(code);
    } else if (code < next) {
      add(previous, first[code] ?? 0);
      emit(code);
    } else if (code === next) {
      add(previous, first[previous] ?? 0);
      emit(code);
    } else {
      throw new Error(`Invalid LZW code: ${code} (table has ${next})`);
    }
    previous = code;
    if (next + 1 >= 1 << width && width < 12) width++;
  }
  return out;
}

const zstd = new ZSTDDecoder();

let registered = false;

/** Registers the bounded LZW and ZSTD decoders with geotiff.js (idempotent). */
export function registerSafeDecoders(): void {
  if (registered) return;
  registered = true;

  class BoundedLzwDecoder extends BaseDecoder {
    override decodeBlock(buffer: ArrayBufferLike): ArrayBufferLike {
      const expected = blockBytes(this.parameters);
      return decodeLzw(new Uint8Array(buffer), expected).buffer;
    }
  }

  class BoundedZstdDecoder extends BaseDecoder {
    override decodeBlock(buffer: ArrayBufferLike): ArrayBufferLike {
      const expected = blockBytes(this.parameters);
      const decoded = zstd.decode(new Uint8Array(buffer), expected);
      if (decoded.byteLength !== expected) {
        throw new Error(`ZSTD block decoded to ${decoded.byteLength} bytes, expected ${expected}`);
      }
      return decoded.buffer.slice(decoded.byteOffset, decoded.byteOffset + decoded.byteLength);
    }
  }

  addDecoder(5, () => Promise.resolve(BoundedLzwDecoder));
  addDecoder(50000, async () => {
    await zstd.init();
    return BoundedZstdDecoder;
  });
}
