/**
 * Mipmap chains for the view's textures, so a minified image is filtered
 * (trilinear) instead of aliased. Each level halves the previous one with a
 * 2 × 2 box filter weighted by alpha, so transparent overlay pixels do not
 * darken the edges of what is drawn ('mean'); or, for overlays of thin lines
 * such as blob outlines, keeps the most opaque of the four pixels ('max'), so
 * a one-pixel outline stays visible, at full strength, when zoomed out.
 */
import type { Rgba8Image } from './raster.ts';

/** How a mip level is made from the one above it. */
export type MinifyMode = 'mean' | 'max';

/** Level sizes as WebGPU defines them: max(1, floor(size / 2ⁱ)) down to 1 × 1. */
export function mipLevelCount(width: number, height: number): number {
  return Math.floor(Math.log2(Math.max(width, height, 1))) + 1;
}

/** The next level down of an image. */
export function halveImage(image: Rgba8Image, mode: MinifyMode = 'mean'): Rgba8Image {
  const width = Math.max(1, Math.floor(image.width / 2));
  const height = Math.max(1, Math.floor(image.height / 2));
  const src = image.rgba;
  const out = new Uint8ClampedArray(width * height * 4);
  const lastX = image.width - 1;
  const lastY = image.height - 1;
  for (let y = 0; y < height; y++) {
    const y0 = Math.min(2 * y, lastY);
    const y1 = Math.min(2 * y + 1, lastY);
    for (let x = 0; x < width; x++) {
      const x0 = Math.min(2 * x, lastX);
      const x1 = Math.min(2 * x + 1, lastX);
      const i00 = (y0 * image.width + x0) * 4;
      const i01 = (y0 * image.width + x1) * 4;
      const i10 = (y1 * image.width + x0) * 4;
      const i11 = (y1 * image.width + x1) * 4;
      const a00 = src[i00 + 3] ?? 0;
      const a01 = src[i01 + 3] ?? 0;
      const a10 = src[i10 + 3] ?? 0;
      const a11 = src[i11 + 3] ?? 0;
      const alphaSum = a00 + a01 + a10 + a11;
      const o = (y * width + x) * 4;
      if (mode === 'max') {
        // The most opaque of the four, colour and alpha (the first on ties).
        let pick = i00;
        let most = a00;
        if (a01 > most) {
          pick = i01;
          most = a01;
        }
        if (a10 > most) {
          pick = i10;
          most = a10;
        }
        if (a11 > most) pick = i11;
        for (let c = 0; c < 4; c++) out[o + c] = src[pick + c] ?? 0;
        continue;
      }
      for (let c = 0; c < 3; c++) {
        const weighted =
          (src[i00 + c] ?? 0) * a00 +
          (src[i01 + c] ?? 0) * a01 +
          (src[i10 + c] ?? 0) * a10 +
          (src[i11 + c] ?? 0) * a11;
        out[o + c] =
          alphaSum === 0
            ? ((src[i00 + c] ?? 0) +
                (src[i01 + c] ?? 0) +
                (src[i10 + c] ?? 0) +
                (src[i11 + c] ?? 0)) /
              4
            : weighted / alphaSum;
      }
      out[o + 3] = alphaSum / 4;
    }
  }
  return { width, height, rgba: out };
}

/**
 * Which level of a chain to draw at `pxPerTexel` output px per level-0 texel
 * (below 1: minified): the level whose texels are nearest one output px.
 */
export function levelFor(levelCount: number, pxPerTexel: number): number {
  if (!(pxPerTexel < 1)) return 0;
  return Math.min(levelCount - 1, Math.floor(Math.log2(1 / pxPerTexel)));
}

/** Level 0 (the image itself) and every smaller level down to 1 × 1. */
export function mipChain(image: Rgba8Image, mode: MinifyMode = 'mean'): Rgba8Image[] {
  const levels = [image];
  let level = image;
  for (let i = 1; i < mipLevelCount(image.width, image.height); i++) {
    level = halveImage(level, mode);
    levels.push(level);
  }
  return levels;
}
