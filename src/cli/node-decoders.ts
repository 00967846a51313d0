/**
 * Decoders that Node lacks and browsers have: WebP (browsers decode it through
 * createImageBitmap). Call once before opening rasters in Node (CLI, tests).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { registerWasmWebpDecoder } from '../io/webp-decoder.ts';

/** Registers the wasm WebP decoder; returns whether it was needed. */
export function registerNodeDecoders(): boolean {
  const require = createRequire(import.meta.url);
  return registerWasmWebpDecoder(async () => {
    const bytes = await readFile(require.resolve('@jsquash/webp/codec/dec/webp_dec.wasm'));
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  });
}
