import { describe, expect, test } from 'vitest';
import { fft1d, fft2d } from '../../src/core/align/fft.ts';
import {
  estimateShift,
  normalizedCrossCorrelation,
  toLuminance,
  unreliableShiftReason,
} from '../../src/core/align/phase-correlation.ts';
import { Random } from '../../src/core/random.ts';

describe('fft', () => {
  test('matches a direct DFT and inverts', () => {
    const n = 32;
    const random = new Random(5);
    const re = Float64Array.from({ length: n }, () => random.next() - 0.5);
    const im = Float64Array.from({ length: n }, () => random.next() - 0.5);
    const [re0, im0] = [Float64Array.from(re), Float64Array.from(im)];
    fft1d(re, im, n);
    for (let k = 0; k < n; k++) {
      let sr = 0;
      let si = 0;
      for (let j = 0; j < n; j++) {
        const a = (-2 * Math.PI * j * k) / n;
        sr += re0[j]! * Math.cos(a) - im0[j]! * Math.sin(a);
        si += re0[j]! * Math.sin(a) + im0[j]! * Math.cos(a);
      }
      expect(re[k]).toBeCloseTo(sr, 10);
      expect(im[k]).toBeCloseTo(si, 10);
    }
    fft1d(re, im, n, true);
    for (let j = 0; j < n; j++) {
      expect(re[j]).toBeCloseTo(re0[j]!, 12);
      expect(im[j]).toBeCloseTo(im0[j]!, 12);
    }
    const re2 = Float64Array.from({ length: 64 * 16 }, () => random.next());
    const im2 = new Float64Array(64 * 16);
    const copy = Float64Array.from(re2);
    fft2d(re2, im2, 64, 16);
    fft2d(re2, im2, 64, 16, true);
    for (let i = 0; i < copy.length; i++) expect(re2[i]).toBeCloseTo(copy[i]!, 12);
    expect(() => {
      fft1d(new Float64Array(12), new Float64Array(12), 12);
    }).toThrow(/power of two/);
  });
});

/**
 * A band-limited random texture of size n × n, sampled with its content
 * displaced by (dx, dy) pixels (Fourier shift theorem: exact for any
 * fractional shift), cropped to width × height.
 */
function texture(seed: number, n: number): [Float64Array, Float64Array] {
  const random = new Random(seed);
  const re = Float64Array.from({ length: n * n }, () => random.next() - 0.5);
  const im = new Float64Array(n * n);
  fft2d(re, im, n, n);
  for (let ky = 0; ky < n; ky++) {
    for (let kx = 0; kx < n; kx++) {
      const fx = (kx < n / 2 ? kx : kx - n) / n;
      const fy = (ky < n / 2 ? ky : ky - n) / n;
      const f = Math.hypot(fx, fy);
      // 1/f spectrum like natural images, nothing near Nyquist.
      const gain = f === 0 || f > 0.4 ? 0 : 1 / (f + 0.01);
      re[ky * n + kx]! *= gain;
      im[ky * n + kx]! *= gain;
    }
  }
  return [re, im];
}

function render(
  spectrum: [Float64Array, Float64Array],
  n: number,
  dxPx: number,
  dyPx: number,
  width: number,
  height: number,
): Float32Array {
  const re = Float64Array.from(spectrum[0]);
  const im = Float64Array.from(spectrum[1]);
  for (let ky = 0; ky < n; ky++) {
    for (let kx = 0; kx < n; kx++) {
      const fx = (kx < n / 2 ? kx : kx - n) / n;
      const fy = (ky < n / 2 ? ky : ky - n) / n;
      const angle = -2 * Math.PI * (fx * dxPx + fy * dyPx);
      const i = ky * n + kx;
      const [a, b] = [re[i]!, im[i]!];
      re[i] = a * Math.cos(angle) - b * Math.sin(angle);
      im[i] = a * Math.sin(angle) + b * Math.cos(angle);
    }
  }
  fft2d(re, im, n, n, true);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) out[y * width + x] = re[(y + 40) * n + x + 40]!;
  return out;
}

describe('estimateShift', () => {
  const spectrum = texture(11, 512);

  test('sign: a feature at (x, y) in reference that is at (x + 3, y − 2) in moving gives (+3, −2)', () => {
    const [w, h] = [200, 150];
    const reference = render(spectrum, 512, 0, 0, w, h);
    const moving = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        // moving(x, y) = reference(x − 3, y + 2), edge pixels repeated.
        const sx = Math.min(w - 1, Math.max(0, x - 3));
        const sy = Math.min(h - 1, Math.max(0, y + 2));
        moving[y * w + x] = reference[sy * w + sx]!;
      }
    }
    const shift = estimateShift(reference, moving, w, h);
    console.log(
      `integer shift (3, −2): measured (${shift.dxPx.toFixed(3)}, ${shift.dyPx.toFixed(3)})`,
    );
    expect(shift.dxPx).toBeCloseTo(3, 1);
    expect(shift.dyPx).toBeCloseTo(-2, 1);
    // Swapping the images flips the sign.
    const back = estimateShift(moving, reference, w, h);
    expect(back.dxPx).toBeCloseTo(-3, 1);
    expect(back.dyPx).toBeCloseTo(2, 1);
  });

  test('sub-pixel shifts of a band-limited texture: error under 0.02 px, under noise and gain change', () => {
    const [w, h] = [384, 320];
    const reference = render(spectrum, 512, 0, 0, w, h);
    const random = new Random(3);
    for (const [dx, dy] of [
      [0.6, -0.4],
      [1.7, 0.3],
      [-2.2, 1.1],
      [0.25, 0.75],
      [-5.3, -7.8],
    ] as const) {
      const moving = render(spectrum, 512, dx, dy, w, h).map(
        (v) => 1.3 * v + 7 + 0.02 * (random.next() - 0.5),
      );
      const shift = estimateShift(reference, moving, w, h);
      const error = [shift.dxPx - dx, shift.dyPx - dy];
      console.log(
        `texture shift (${dx}, ${dy}): error (${error[0]!.toFixed(4)}, ${error[1]!.toFixed(4)}) px, ` +
          `peak ratio ${shift.peakRatio.toFixed(1)}, tiles ${shift.tilesUsed}/${shift.tilesTried}`,
      );
      expect(Math.abs(error[0]!)).toBeLessThan(0.02);
      expect(Math.abs(error[1]!)).toBeLessThan(0.02);
      expect(shift.peakRatio).toBeGreaterThan(3);
    }
  });

  test('ignores invalid pixels and reports a flat, unrelated pair as low confidence', () => {
    const [w, h] = [256, 200];
    const reference = render(spectrum, 512, 0, 0, w, h);
    const moving = render(spectrum, 512, 1.4, -0.6, w, h);
    const valid = new Uint8Array(w * h).fill(1);
    // A band of garbage on the right, masked out.
    for (let y = 0; y < h; y++) {
      for (let x = 200; x < w; x++) {
        moving[y * w + x] = 1e6 * Math.sin(x * y);
        valid[y * w + x] = 0;
      }
    }
    const shift = estimateShift(reference, moving, w, h, { valid });
    expect(shift.dxPx).toBeCloseTo(1.4, 1);
    expect(shift.dyPx).toBeCloseTo(-0.6, 1);
    const other = render(texture(99, 512), 512, 0, 0, w, h);
    const unrelated = estimateShift(reference, other, w, h);
    expect(unrelated.peakRatio).toBeLessThan(2);
    expect(unrelated.tilesUsed).toBeLessThan(unrelated.tilesTried / 4);
    // Only the related pair's estimate is fit to apply.
    expect(unreliableShiftReason(shift)).toBeNull();
    expect(unreliableShiftReason(unrelated)).toMatch(/tiles found a distinct peak|tiles disagree/);
  });

  test('an area where fewer tiles fit than must agree is judged by its whole-area peak', () => {
    // 100 × 100 px: two 64 px tiles fit; a related pair's clear peak is applied there,
    // an unrelated pair's is not.
    const [w, h] = [100, 100];
    const reference = render(spectrum, 512, 0, 0, w, h);
    const related = estimateShift(reference, render(spectrum, 512, 1, -1, w, h), w, h);
    expect(related.tilesTried).toBeLessThan(3);
    expect(unreliableShiftReason(related)).toBeNull();
    const unrelated = estimateShift(reference, render(texture(99, 512), 512, 0, 0, w, h), w, h);
    expect(unreliableShiftReason(unrelated)).toMatch(/^no distinct correlation peak/);
  });

  test('featureless images: no shift and zero confidence, not a guess', () => {
    const flat = new Float32Array(128 * 96).fill(7);
    expect(estimateShift(flat, flat, 128, 96)).toMatchObject({
      dxPx: 0,
      dyPx: 0,
      peakRatio: 0,
      tilesUsed: 0,
    });
  });

  test('too small a common area is an error, not a guess', () => {
    const valid = new Uint8Array(64 * 64);
    valid[0] = 1;
    expect(() =>
      estimateShift(new Float32Array(4096), new Float32Array(4096), 64, 64, { valid }),
    ).toThrow(/too small/);
  });
});

describe('helpers', () => {
  test('toLuminance weights bands and marks nodata as NaN', () => {
    const r = Uint8Array.from([10, 0, 200]);
    const g = Uint8Array.from([20, 50, 200]);
    const b = Uint8Array.from([30, 60, 200]);
    const nir = Uint8Array.from([1, 1, 1]);
    const lum = toLuminance([r, g, b, nir], [0.299, 0.587, 0.114], 0);
    expect(lum[0]).toBeCloseTo(0.299 * 10 + 0.587 * 20 + 0.114 * 30, 4);
    expect(Number.isNaN(lum[1])).toBe(true);
    expect(lum[2]).toBeCloseTo(200, 4);
  });

  test('normalizedCrossCorrelation is 1 for an affine copy, −1 for an inverted one', () => {
    const a = Float32Array.from([1, 5, 2, 8, 3]);
    expect(
      normalizedCrossCorrelation(
        a,
        a.map((v) => 2 * v + 1),
      ),
    ).toBeCloseTo(1, 6);
    expect(
      normalizedCrossCorrelation(
        a,
        a.map((v) => -v),
      ),
    ).toBeCloseTo(-1, 6);
    const valid = Uint8Array.from([1, 1, 1, 0, 0]);
    expect(normalizedCrossCorrelation(a, Float32Array.from([1, 5, 2, 0, 100]), valid)).toBeCloseTo(
      1,
      6,
    );
  });
});
