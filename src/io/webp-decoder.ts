/**
 * WebP tiles (TIFF compression 50001) where the runtime cannot decode them.
 * geotiff.js decodes WebP through createImageBitmap + a canvas, which browsers
 * have and Node does not. There, libwebp compiled to WebAssembly
 * (@jsquash/webp, Squoosh's build) takes over. The caller supplies the wasm
 * bytes, so this module needs no Node API (Node reads them from disk).
 */
import { addDecoder, BaseDecoder } from 'geotiff';
import decodeWebp, { init as initWebp } from '@jsquash/webp/decode.js';

/** Supplies the bytes of `@jsquash/webp/codec/dec/webp_dec.wasm`. */
export type WasmBytesLoader = () => Promise<ArrayBuffer>;

/** Whether geotiff.js's own WebP decoder (createImageBitmap + canvas) can run here. */
export function hasNativeWebImageDecoding(): boolean {
  return (
    typeof createImageBitmap === 'function' &&
    (typeof OffscreenCanvas !== 'undefined' || typeof document !== 'undefined')
  );
}

interface WebpParameters {
  readonly tileWidth: number;
  readonly tileHeight: number;
  readonly planarConfiguration: number;
  readonly bitsPerSample: number | ArrayLike<number>;
  readonly predictor: number;
  readonly samplesPerPixel: number;
}

let registered = false;

/**
 * Registers the wasm WebP decoder with geotiff.js unless the runtime decodes
 * WebP natively. Returns whether it registered. Idempotent.
 */
export function registerWasmWebpDecoder(loadWasm: WasmBytesLoader): boolean {
  if (registered) return true;
  if (hasNativeWebImageDecoding()) return false;
  let ready: Promise<void> | undefined;
  const initOnce = (): Promise<void> => {
    ready ??= loadWasm().then((wasmBinary) => initWebp({ wasmBinary }));
    return ready;
  };

  class WasmWebpDecoder extends BaseDecoder {
    /** RGBA from libwebp; RGB files drop the alpha channel. */
    override async decodeBlock(buffer: ArrayBufferLike): Promise<ArrayBuffer> {
      await initOnce();
      const image = await decodeWebp(buffer as ArrayBuffer);
      const rgba = image.data;
      const { samplesPerPixel } = this.parameters as unknown as WebpParameters;
      if (samplesPerPixel === 4) {
        return rgba.buffer.slice(rgba.byteOffset, rgba.byteOffset + rgba.byteLength);
      }
      if (samplesPerPixel === 3) {
        const rgb = new Uint8Array(image.width * image.height * 3);
        for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
          rgb[i] = rgba[j] ?? 0;
          rgb[i + 1] = rgba[j + 1] ?? 0;
          rgb[i + 2] = rgba[j + 2] ?? 0;
        }
        return rgb.buffer;
      }
      throw new Error(`WebP tiles with ${samplesPerPixel} samples per pixel are not supported`);
    }
  }

  addDecoder(
    50001,
    () => Promise.resolve(WasmWebpDecoder),
    async (directory) => {
      const tiled = !directory.hasTag('StripOffsets');
      const number = async (name: string): Promise<number> =>
        Number(await directory.loadValue(name as never)) || 0;
      const parameters: WebpParameters = {
        tileWidth: await number(tiled ? 'TileWidth' : 'ImageWidth'),
        tileHeight: tiled
          ? await number('TileLength')
          : (await number('RowsPerStrip')) || (await number('ImageLength')),
        planarConfiguration: (await number('PlanarConfiguration')) || 1,
        bitsPerSample: await directory.loadValue('BitsPerSample' as never),
        predictor: (await number('Predictor')) || 1,
        samplesPerPixel: (await number('SamplesPerPixel')) || 4,
      };
      return parameters as never;
    },
    false,
  );
  registered = true;
  return true;
}
