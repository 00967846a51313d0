/**
 * Deterministic randomness: a seeded generator for choices, and hash-based
 * noise that is a pure function of ground coordinates (so unchanged ground
 * renders identically at every date).
 */

/** Mix a 32-bit integer (the finaliser of MurmurHash3, Appleby 2008). */
export function hash32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of integer lattice point (i, j) under a seed, as a float in [0, 1). */
export function latticeHash(i: number, j: number, seed: number): number {
  return hash32(Math.imul(i, 0x27d4eb2d) ^ hash32(Math.imul(j, 0x165667b1) ^ seed)) / 4294967296;
}

/** Seeded PRNG (mulberry32); `next()` returns a float in [0, 1). */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = hash32(seed ^ 0x9e3779b9);
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** Standard normal deviate (Box–Muller). */
  gaussian(): number {
    const u = Math.max(this.next(), 1e-12);
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick() from an empty list');
    return item;
  }
}

function smooth(t: number): number {
  return t * t * (3 - 2 * t);
}

/** Bilinearly interpolated value noise in [0, 1) at (x, y) in lattice units. */
export function valueNoise(x: number, y: number, seed: number): number {
  const i = Math.floor(x);
  const j = Math.floor(y);
  const fx = smooth(x - i);
  const fy = smooth(y - j);
  const a = latticeHash(i, j, seed);
  const b = latticeHash(i + 1, j, seed);
  const c = latticeHash(i, j + 1, seed);
  const d = latticeHash(i + 1, j + 1, seed);
  return a + (b - a) * fx + (c - a) * fy + (a - b - c + d) * fx * fy;
}

/** Fractal sum of value noise: `octaves` layers, each at twice the frequency and half the weight. */
export function fractalNoise(x: number, y: number, seed: number, octaves: number): number {
  let sum = 0;
  let weight = 0.5;
  let total = 0;
  let freq = 1;
  for (let o = 0; o < octaves; o++) {
    sum += weight * valueNoise(x * freq, y * freq, seed + o * 1013);
    total += weight;
    weight *= 0.5;
    freq *= 2;
  }
  return sum / total;
}
