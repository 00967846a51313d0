/**
 * iTXt chunks of a PNG read independently of src/core/export/png-itxt.ts:
 * png-chunks-extract finds the chunks (checking every CRC) and the fields are
 * split here by the PNG specification (keyword, NUL, compression flag,
 * method, language, NUL, translated keyword, NUL, text).
 */
import extractChunks from 'png-chunks-extract';

export interface ItxtFields {
  readonly keyword: string;
  /** The compression flag: 0 for uncompressed text. */
  readonly flag: number;
  readonly text: string;
}

/** The fields of one iTXt chunk's data. */
export function splitItxt(data: Uint8Array): ItxtFields {
  const nul = data.indexOf(0);
  const language = data.indexOf(0, nul + 3);
  const translated = data.indexOf(0, language + 1);
  return {
    keyword: Buffer.from(data.subarray(0, nul)).toString('latin1'),
    flag: data[nul + 1] ?? -1,
    text: Buffer.from(data.subarray(translated + 1)).toString('utf8'),
  };
}

/** Every iTXt chunk of a PNG, in file order. */
export function itxtChunksOf(png: Uint8Array): ItxtFields[] {
  return extractChunks(png)
    .filter((chunk) => chunk.name === 'iTXt')
    .map((chunk) => splitItxt(chunk.data));
}
