/**
 * A small radix-2 complex FFT (iterative Cooley–Tukey, decimation in time)
 * on split real/imaginary Float64Arrays, and its 2-D form by rows then
 * columns. Enough for phase correlation on power-of-two crops; no
 * normalisation on the forward transform, 1/N on the inverse.
 */

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

interface Plan {
  readonly bitReverse: Uint32Array;
  /** cos and sin of 2πk/n, k = 0 … n/2 − 1. */
  readonly cos: Float64Array;
  readonly sin: Float64Array;
}

const plans = new Map<number, Plan>();

function planFor(n: number): Plan {
  const cached = plans.get(n);
  if (cached !== undefined) return cached;
  if (!isPowerOfTwo(n)) throw new Error(`FFT size must be a power of two (got ${n})`);
  const bits = Math.round(Math.log2(n));
  const bitReverse = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    bitReverse[i] = r;
  }
  const half = n >> 1;
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  for (let k = 0; k < half; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / n);
    sin[k] = Math.sin((2 * Math.PI * k) / n);
  }
  const plan = { bitReverse, cos, sin };
  plans.set(n, plan);
  return plan;
}

/**
 * In-place FFT of the n values re[offset + k·stride], im[…], k = 0 … n − 1.
 * Forward: X_k = Σ x_j e^{−2πi jk/n}; inverse: x_j = (1/n) Σ X_k e^{+2πi jk/n}.
 */
export function fft1d(
  re: Float64Array,
  im: Float64Array,
  n: number,
  inverse = false,
  offset = 0,
  stride = 1,
): void {
  const { bitReverse, cos, sin } = planFor(n);
  for (let i = 0; i < n; i++) {
    const r = bitReverse[i] ?? 0;
    if (r > i) {
      const a = offset + i * stride;
      const b = offset + r * stride;
      const tr = re[a] ?? 0;
      const ti = im[a] ?? 0;
      re[a] = re[b] ?? 0;
      im[a] = im[b] ?? 0;
      re[b] = tr;
      im[b] = ti;
    }
  }
  const sign = inverse ? 1 : -1;
  for (let size = 2; size <= n; size *= 2) {
    const half = size >> 1;
    const twiddleStep = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * twiddleStep] ?? 1;
        const wi = sign * (sin[k * twiddleStep] ?? 0);
        const a = offset + (start + k) * stride;
        const b = a + half * stride;
        const br = re[b] ?? 0;
        const bi = im[b] ?? 0;
        const tr = br * wr - bi * wi;
        const ti = br * wi + bi * wr;
        const ar = re[a] ?? 0;
        const ai = im[a] ?? 0;
        re[b] = ar - tr;
        im[b] = ai - ti;
        re[a] = ar + tr;
        im[a] = ai + ti;
      }
    }
  }
  if (inverse) {
    for (let i = 0; i < n; i++) {
      const a = offset + i * stride;
      re[a] = (re[a] ?? 0) / n;
      im[a] = (im[a] ?? 0) / n;
    }
  }
}

/** In-place 2-D FFT of a row-major width × height complex array (both powers of two). */
export function fft2d(
  re: Float64Array,
  im: Float64Array,
  width: number,
  height: number,
  inverse = false,
): void {
  if (re.length !== width * height || im.length !== width * height) {
    throw new Error(`fft2d: arrays must hold ${width}×${height} values`);
  }
  for (let y = 0; y < height; y++) fft1d(re, im, width, inverse, y * width, 1);
  // Columns through a contiguous scratch copy: strided access is slow on large images.
  const colRe = new Float64Array(height);
  const colIm = new Float64Array(height);
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      colRe[y] = re[y * width + x] ?? 0;
      colIm[y] = im[y * width + x] ?? 0;
    }
    fft1d(colRe, colIm, height, inverse);
    for (let y = 0; y < height; y++) {
      re[y * width + x] = colRe[y] ?? 0;
      im[y * width + x] = colIm[y] ?? 0;
    }
  }
}
