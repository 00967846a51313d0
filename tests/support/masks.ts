/** Random test masks, shared by the unit and gpu tiers. */
import type { Random } from '../../src/core/random.ts';

/** Each pixel set with probability `density`, drawn in raster order from `random`. */
export function randomMask(
  random: Random,
  width: number,
  height: number,
  density: number,
): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) mask[i] = random.next() < density ? 1 : 0;
  return mask;
}
