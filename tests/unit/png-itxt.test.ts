import extractChunks from 'png-chunks-extract';
import { PNG } from 'pngjs';
import { describe, expect, test } from 'vitest';
import {
  crc32,
  insertChunkAfterIhdr,
  itxtChunk,
  pngSize,
  readItxt,
} from '../../src/core/export/png-itxt.ts';
import { splitItxt } from '../support/png-text-chunks.ts';

function tinyPng(width: number, height: number): Uint8Array {
  const png = new PNG({ width, height });
  png.data.fill(200);
  return new Uint8Array(PNG.sync.write(png));
}

describe('PNG iTXt', () => {
  test('crc32 matches the known check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  test('an inserted chunk is read back by an independent parser, the image still decodes', () => {
    const text = JSON.stringify({ pier: 'Pier № 3 — Ü', teu: 69.22 });
    const png = insertChunkAfterIhdr(tinyPng(7, 5), itxtChunk('quaywatch', text));
    const chunks = extractChunks(png); // checks every CRC
    expect(chunks.map((chunk) => chunk.name).slice(0, 2)).toEqual(['IHDR', 'iTXt']);
    const itxt = chunks.find((chunk) => chunk.name === 'iTXt');
    expect(itxt).toBeDefined();
    expect(splitItxt(itxt?.data ?? new Uint8Array())).toEqual({
      keyword: 'quaywatch',
      flag: 0,
      text,
    });
    const decoded = PNG.sync.read(Buffer.from(png));
    expect([decoded.width, decoded.height, decoded.data[0]]).toEqual([7, 5, 200]);
    expect(readItxt(png, 'quaywatch')).toBe(text);
    expect(pngSize(png)).toEqual({ widthPx: 7, heightPx: 5 });
  });

  test('no chunk, another keyword, a bad CRC and a non-PNG are told apart', () => {
    const plain = tinyPng(2, 2);
    expect(readItxt(plain, 'quaywatch')).toBeNull();
    const other = insertChunkAfterIhdr(plain, itxtChunk('Comment', 'hello'));
    expect(readItxt(other, 'quaywatch')).toBeNull();
    expect(readItxt(other, 'Comment')).toBe('hello');
    const broken = insertChunkAfterIhdr(plain, itxtChunk('quaywatch', '{}'));
    const at = 33 + 8 + 10; // a byte inside the iTXt data
    broken[at] = (broken[at] ?? 0) ^ 0xff;
    expect(() => readItxt(broken, 'quaywatch')).toThrow(/bad CRC/);
    expect(() => readItxt(new Uint8Array([1, 2, 3]), 'quaywatch')).toThrow(/not a PNG/);
    expect(() => itxtChunk('', 'x')).toThrow(/keyword/);
  });
});
