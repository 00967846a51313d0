/**
 * CPU twin of shaders/mask-combine.wgsl: AND / OR / AND NOT of two binary
 * masks (nonzero = set) as 0/1.
 */

/** and: a ∧ b; or: a ∨ b; andNot: a ∧ ¬b. */
export type MaskCombine = 'and' | 'or' | 'andNot';

export function combineMasksCpu(a: Uint8Array, b: Uint8Array, operation: MaskCombine): Uint8Array {
  if (a.length !== b.length) {
    throw new Error(`Masks to combine differ in size (${a.length} and ${b.length} pixels)`);
  }
  const out = new Uint8Array(a.length);
  if (operation === 'and') {
    for (let i = 0; i < a.length; i++) out[i] = a[i] !== 0 && b[i] !== 0 ? 1 : 0;
  } else if (operation === 'or') {
    for (let i = 0; i < a.length; i++) out[i] = a[i] !== 0 || b[i] !== 0 ? 1 : 0;
  } else {
    for (let i = 0; i < a.length; i++) out[i] = a[i] !== 0 && b[i] === 0 ? 1 : 0;
  }
  return out;
}

/**
 * CPU twin of shaders/mask-pack.wgsl: a mask of one word per pixel (as the
 * kernels hold masks) to one byte per pixel, 1 where the word is nonzero —
 * the bytes the packed words hold, in pixel order.
 */
export function packMaskCpu(mask: Uint32Array): Uint8Array {
  return Uint8Array.from(mask, (word) => (word !== 0 ? 1 : 0));
}
