import { describe, expect, test } from 'vitest';
import {
  CHANGE_FIXED_LIMIT,
  componentStatsCpu,
  decodeComponentStats,
  quantizeChange,
  type ComponentStatsInput,
  type ComponentStatsRaw,
} from '../../src/core/component-stats.ts';
import {
  COMPONENT_STATS_FIELD as F,
  COMPONENT_STATS_RECORD_WORDS as RECORD_WORDS,
} from '../../src/core/kernel-layout.ts';
import { Random } from '../../src/core/random.ts';

/**
 * Independent oracle: gathers each component's pixels first, then computes
 * every statistic from the list, with BigInt for the 64-bit sums.
 */
function oracle(input: ComponentStatsInput): ComponentStatsRaw {
  const { widthPx: w, heightPx: h, componentCount: n, roiCount } = input;
  const scale = input.changeScale ?? 256;
  const pixels = new Map<number, number[]>();
  input.labels.forEach((id, i) => {
    if (id === 0 || id > n) return;
    const list = pixels.get(id) ?? [];
    list.push(i);
    pixels.set(id, list);
  });
  const records = new Uint32Array(n * RECORD_WORDS);
  const roiPixelCounts = new Uint32Array(n * roiCount);
  const label = (x: number, y: number): number | null =>
    x < 0 || y < 0 || x >= w || y >= h ? null : (input.labels[y * w + x] ?? 0);
  for (let id = 1; id <= n; id++) {
    const list = pixels.get(id) ?? [];
    const xs = list.map((i) => i % w);
    const ys = list.map((i) => Math.floor(i / w));
    const base = (id - 1) * RECORD_WORDS;
    const put64 = (at: number, value: bigint): void => {
      const wrapped = BigInt.asUintN(64, value);
      records[base + at] = Number(wrapped & 0xffffffffn);
      records[base + at + 1] = Number(wrapped >> 32n);
    };
    records[base + F.pixelCount] = list.length;
    records[base + F.minX] = list.length === 0 ? 0xffffffff : Math.min(...xs);
    records[base + F.minY] = list.length === 0 ? 0xffffffff : Math.min(...ys);
    records[base + F.maxX] = list.length === 0 ? 0 : Math.max(...xs);
    records[base + F.maxY] = list.length === 0 ? 0 : Math.max(...ys);
    put64(
      F.sumXLo,
      xs.reduce((a, x) => a + BigInt(x), 0n),
    );
    put64(
      F.sumYLo,
      ys.reduce((a, y) => a + BigInt(y), 0n),
    );
    let change = 0n;
    let boundary = 0;
    list.forEach((i, k) => {
      const v = Math.fround((input.change[i] ?? 0) * scale);
      let q = Number.isNaN(v) ? 0 : Math.max(-CHANGE_FIXED_LIMIT, Math.min(CHANGE_FIXED_LIMIT, v));
      // Round half to even, written differently from the twin.
      const r = Math.round(q);
      q = Math.abs(q % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
      change += BigInt(q);
      const kind = (input.kinds[i] ?? 0) & 3;
      records[base + F.kind0 + kind] = (records[base + F.kind0 + kind] ?? 0) + 1;
      const x = xs[k] ?? 0;
      const y = ys[k] ?? 0;
      const own = input.labels[i];
      const neighbours = [label(x - 1, y), label(x + 1, y), label(x, y - 1), label(x, y + 1)];
      if (neighbours.some((other) => other !== own)) boundary++;
      const roi = input.roiIds[i] ?? 0;
      if (roi >= 1 && roi <= roiCount) {
        const at = (id - 1) * roiCount + roi - 1;
        roiPixelCounts[at] = (roiPixelCounts[at] ?? 0) + 1;
      }
    });
    put64(F.changeLo, change);
    records[base + F.boundaryPx] = boundary;
  }
  return { componentCount: n, roiCount, changeScale: scale, records, roiPixelCounts };
}

function randomInput(
  seed: number,
  widthPx: number,
  heightPx: number,
  componentCount: number,
  roiCount: number,
  changeRange: number,
): ComponentStatsInput {
  const random = new Random(seed);
  const pixelCount = widthPx * heightPx;
  const labels = new Uint32Array(pixelCount);
  // Random rectangles of random ids over noise, so runs and boundaries occur.
  for (let r = 0; r < Math.max(1, componentCount); r++) {
    const id = 1 + Math.floor(random.next() * componentCount);
    const x0 = Math.floor(random.next() * widthPx);
    const y0 = Math.floor(random.next() * heightPx);
    const x1 = Math.min(widthPx, x0 + 1 + Math.floor(random.next() * 40));
    const y1 = Math.min(heightPx, y0 + 1 + Math.floor(random.next() * 12));
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) labels[y * widthPx + x] = id;
  }
  const change = new Float32Array(pixelCount);
  const kinds = new Uint32Array(pixelCount);
  const roiIds = new Uint16Array(pixelCount);
  for (let i = 0; i < pixelCount; i++) {
    change[i] = (random.next() * 2 - 1) * changeRange;
    kinds[i] = Math.floor(random.next() * 8); // codes above 3 use their low two bits
    roiIds[i] = Math.floor(random.next() * (roiCount + 2)); // includes ids above roiCount
  }
  return { widthPx, heightPx, labels, change, kinds, roiIds, componentCount, roiCount };
}

describe('component statistics, CPU twin', () => {
  test('hand-computed 4×3 image', () => {
    // id 1: an L of 4 px; id 2: two px; kinds and ROIs by hand.
    const labels = Uint32Array.from([1, 1, 0, 2, 1, 0, 0, 2, 1, 0, 0, 0]);
    const change = Float32Array.from([1, 2, 0, -1, 3, 0, 0, -1, 0.5, 0, 0, 0]);
    const kinds = Uint32Array.from([1, 2, 0, 3, 3, 0, 0, 3, 1, 0, 0, 0]);
    const roiIds = Uint16Array.from([1, 2, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0]);
    const raw = componentStatsCpu({
      widthPx: 4,
      heightPx: 3,
      labels,
      change,
      kinds,
      roiIds,
      componentCount: 2,
      roiCount: 2,
    });
    const t = decodeComponentStats(raw);
    expect([...t.pixelCount]).toEqual([4, 2]);
    expect([t.minX[0], t.minY[0], t.maxX[0], t.maxY[0]]).toEqual([0, 0, 1, 2]);
    expect([t.minX[1], t.minY[1], t.maxX[1], t.maxY[1]]).toEqual([3, 0, 3, 1]);
    // Σx = 0+1+0+0 = 1, Σy = 0+0+1+2 = 3; centroids at pixel centres.
    expect(t.centroidXPx[0]).toBeCloseTo(1 / 4 + 0.5, 12);
    expect(t.centroidYPx[0]).toBeCloseTo(3 / 4 + 0.5, 12);
    expect(t.changeSum[0]).toBe(6.5);
    expect(t.meanChange[1]).toBe(-1);
    expect([...t.kindCounts.slice(0, 4)]).toEqual([0, 2, 1, 1]);
    expect([...t.kindCounts.slice(4, 8)]).toEqual([0, 0, 0, 2]);
    // Every pixel of both is on the image edge or next to another id.
    expect([...t.boundaryPx]).toEqual([4, 2]);
    expect([...t.roiPixelCounts]).toEqual([2, 1, 0, 1]);
  });

  test('quantization rounds half to even, clamps, and maps NaN to 0', () => {
    expect(quantizeChange(0.5, 1)).toBe(0);
    expect(quantizeChange(1.5, 1)).toBe(2);
    expect(quantizeChange(-2.5, 1)).toBe(-2);
    expect(quantizeChange(1 / 3, 256)).toBe(85);
    expect(quantizeChange(Number.NaN, 256)).toBe(0);
    expect(quantizeChange(Number.POSITIVE_INFINITY, 256)).toBe(CHANGE_FIXED_LIMIT);
    expect(quantizeChange(-1e30, 256)).toBe(-CHANGE_FIXED_LIMIT);
  });

  test('64-bit change sums carry past 2³² both ways', () => {
    for (const sign of [1, -1]) {
      const pixelCount = 300;
      const input: ComponentStatsInput = {
        widthPx: 30,
        heightPx: 10,
        labels: new Uint32Array(pixelCount).fill(1),
        change: new Float32Array(pixelCount).fill(sign * 4_000_000),
        kinds: new Uint32Array(pixelCount),
        roiIds: new Uint16Array(pixelCount),
        componentCount: 1,
        roiCount: 0,
      };
      const raw = componentStatsCpu(input);
      expect(raw.records).toEqual(oracle(input).records);
      // 300 · 4e6 · 256 = 3.072e11 > 2³².
      expect(decodeComponentStats(raw).changeSum[0]).toBe(sign * 1.2e9);
    }
  });

  const cases = [
    { w: 1, h: 1, n: 1, k: 1 },
    { w: 37, h: 23, n: 12, k: 3 },
    { w: 100, h: 60, n: 200, k: 64 },
    { w: 257, h: 9, n: 5, k: 0 },
  ];
  for (const { w, h, n, k } of cases) {
    test(`matches the oracle word for word: ${w}×${h}, ${n} ids, ${k} ROIs`, () => {
      const input = randomInput(w * 131 + h, w, h, n, k, 1000);
      const raw = componentStatsCpu(input);
      const expected = oracle(input);
      expect(raw.records).toEqual(expected.records);
      expect(raw.roiPixelCounts).toEqual(expected.roiPixelCounts);
      expect(raw.records.some((word, i) => i % RECORD_WORDS === F.pixelCount && word > 0)).toBe(
        true,
      );
    });
  }

  test('every pixel its own id, and one id everywhere', () => {
    const w = 40;
    const h = 30;
    const input = randomInput(9, w, h, 1, 2, 10);
    const many = { ...input, labels: Uint32Array.from({ length: w * h }, (_, i) => i + 1) };
    const manyInput = { ...many, componentCount: w * h };
    expect(componentStatsCpu(manyInput).records).toEqual(oracle(manyInput).records);
    const one = { ...input, labels: new Uint32Array(w * h).fill(1) };
    const t = decodeComponentStats(componentStatsCpu(one));
    expect(t.pixelCount[0]).toBe(w * h);
    expect(t.boundaryPx[0]).toBe(2 * (w + h) - 4);
    expect(t.centroidXPx[0]).toBe(w / 2);
    expect(t.centroidYPx[0]).toBe(h / 2);
  });

  test('mean change is within count·0.5/scale + Σ|v|·2⁻²⁴ of the exact mean', () => {
    const input = randomInput(77, 64, 64, 20, 2, 3.7);
    const t = decodeComponentStats(componentStatsCpu(input));
    for (let c = 0; c < 20; c++) {
      let exact = 0;
      let absSum = 0;
      input.labels.forEach((id, i) => {
        if (id !== c + 1) return;
        exact += input.change[i] ?? 0;
        absSum += Math.abs(input.change[i] ?? 0);
      });
      const count = t.pixelCount[c] ?? 0;
      if (count === 0) continue;
      const bound = count * (0.5 / 256) + absSum * 2 ** -24;
      expect(Math.abs((t.changeSum[c] ?? 0) - exact)).toBeLessThanOrEqual(bound);
    }
  });

  test('refuses bad shapes with specific messages', () => {
    const input = randomInput(1, 4, 4, 2, 1, 1);
    expect(() => componentStatsCpu({ ...input, roiCount: 65 })).toThrow(/0 to 64 ROIs/);
    expect(() => componentStatsCpu({ ...input, widthPx: 5 })).toThrow(/must hold 20 values/);
    expect(() => componentStatsCpu({ ...input, changeScale: 0.1 })).toThrow(/f32/);
  });
});
