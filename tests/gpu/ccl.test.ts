import { describe, expect, test } from 'vitest';
import { denseIds, labelComponentsCpu } from '../../src/core/ccl.ts';
import { CCL_TILE_HEIGHT, CCL_TILE_WIDTH } from '../../src/core/kernel-layout.ts';
import { Random } from '../../src/core/random.ts';
import { randomMask } from '../support/masks.ts';
import {
  createCclWorkspace,
  encodeLabelComponents,
  labelComponentsGpu,
} from '../../src/gpu/ccl.ts';
import { createStorageBufferFrom, readBuffer } from '../../src/gpu/buffers.ts';
import { withDevice } from '../support/gpu-test.ts';

/**
 * Tolerance: none. Labels, dense ids and the count are integers with one right
 * answer (canonical labels), so GPU and CPU must agree on every pixel.
 */
function firstDifference(gpu: Int32Array, cpu: Int32Array): string | undefined {
  if (gpu.length !== cpu.length) return `length ${gpu.length} vs ${cpu.length}`;
  for (let i = 0; i < cpu.length; i++) {
    if (gpu[i] !== cpu[i]) return `pixel ${i}: gpu ${gpu[i]}, cpu ${cpu[i]}`;
  }
  return undefined;
}

async function compareWithCpu(
  device: GPUDevice,
  name: string,
  mask: Uint8Array,
  width: number,
  height: number,
  connectivity: 4 | 8 = 8,
): Promise<number> {
  const cpuStart = performance.now();
  const cpu = labelComponentsCpu(mask, width, height, connectivity);
  const cpuMs = performance.now() - cpuStart;
  const gpuStart = performance.now();
  const gpu = await labelComponentsGpu(device, mask, width, height, connectivity);
  const gpuMs = performance.now() - gpuStart;
  console.info(
    `ccl ${name} ${width}×${height}: ${cpu.count} components; CPU ${cpuMs.toFixed(1)} ms, GPU (upload+run+read-back) ${gpuMs.toFixed(1)} ms`,
  );
  expect(firstDifference(gpu.labels, cpu.labels), 'labels').toBeUndefined();
  expect(firstDifference(gpu.ids, cpu.ids), 'dense ids').toBeUndefined();
  expect(
    firstDifference(gpu.ids, denseIds(gpu.labels)),
    'dense ids from GPU labels',
  ).toBeUndefined();
  expect(gpu.count).toBe(cpu.count);
  return cpu.count;
}

/** One square spiral, walls two pixels apart (so 8-connectivity keeps them apart). */
function spiral(width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  const set = (x: number, y: number): boolean =>
    x >= 0 && y >= 0 && x < width && y < height && mask[y * width + x] === 1;
  const inside = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < width && y < height;
  const steps = [
    [1, 0],
    [0, 1],
    [-1, 0],
    [0, -1],
  ] as const;
  let x = 0;
  let y = 0;
  let dir = 0;
  mask[0] = 1;
  const canStep = (d: number): boolean => {
    const [dx, dy] = steps[d % 4]!;
    const x1 = x + dx;
    const y1 = y + dy;
    return inside(x1, y1) && !set(x1, y1) && !set(x1 + dx, y1 + dy);
  };
  for (let guard = 0; guard < width * height; guard++) {
    if (!canStep(dir)) {
      dir = (dir + 1) % 4;
      if (!canStep(dir)) break;
    }
    const [dx, dy] = steps[dir]!;
    x += dx;
    y += dy;
    mask[y * width + x] = 1;
  }
  return mask;
}

/** Boustrophedon: full rows every other row, joined alternately at the right and left end. */
function snake(width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    if (y % 2 === 0) mask.fill(1, y * width, (y + 1) * width);
    else mask[y * width + (y % 4 === 1 ? width - 1 : 0)] = 1;
  }
  return mask;
}

function checkerboard(width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) mask[y * width + x] = (x + y) % 2;
  }
  return mask;
}

function fromPredicate(
  width: number,
  height: number,
  set: (x: number, y: number) => boolean,
): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) mask[y * width + x] = set(x, y) ? 1 : 0;
  }
  return mask;
}

/**
 * A comb hanging from its back: one-pixel teeth every `pitch` columns, joined
 * only by the bottom row, so every tile's piece of a tooth learns the
 * component's smallest pixel (top of the first tooth) only through a chain of
 * cross-tile unions ending at the far side of the image.
 */
function comb(width: number, height: number, pitch: number): Uint8Array {
  return fromPredicate(width, height, (x, y) => y === height - 1 || x % pitch === 0);
}

describe('ccl-label.wgsl + ccl-dense.wgsl against the CPU twin (exact)', () => {
  test('hand-computed 5×3 mask', async () => {
    await withDevice(async (device) => {
      // 1 0 0 1 1
      // 0 1 0 0 0
      // 0 0 0 1 0
      const mask = new Uint8Array([1, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0]);
      const gpu = await labelComponentsGpu(device, mask, 5, 3);
      expect(Array.from(gpu.labels)).toEqual([
        0, -1, -1, 3, 3, -1, 0, -1, -1, -1, -1, -1, -1, 13, -1,
      ]);
      expect(Array.from(gpu.ids)).toEqual([1, 0, 0, 2, 2, 0, 1, 0, 0, 0, 0, 0, 0, 3, 0]);
      expect(gpu.count).toBe(3);
    });
  });

  test('1×1 foreground and background', async () => {
    await withDevice(async (device) => {
      const one = await labelComponentsGpu(device, new Uint8Array([1]), 1, 1);
      expect({
        labels: Array.from(one.labels),
        ids: Array.from(one.ids),
        count: one.count,
      }).toEqual({ labels: [0], ids: [1], count: 1 });
      const none = await labelComponentsGpu(device, new Uint8Array([0]), 1, 1);
      expect({
        labels: Array.from(none.labels),
        ids: Array.from(none.ids),
        count: none.count,
      }).toEqual({ labels: [-1], ids: [0], count: 0 });
    });
  });

  test('all foreground and all background, odd sizes', async () => {
    await withDevice(async (device) => {
      expect(
        await compareWithCpu(device, 'all foreground', new Uint8Array(129 * 67).fill(1), 129, 67),
      ).toBe(1);
      expect(
        await compareWithCpu(device, 'all background', new Uint8Array(129 * 67), 129, 67),
      ).toBe(0);
      expect(
        await compareWithCpu(device, 'all foreground', new Uint8Array(1 * 301).fill(1), 1, 301),
      ).toBe(1);
    });
  });

  test('checkerboards: diagonals join under 8-connectivity', async () => {
    await withDevice(async (device) => {
      expect(await compareWithCpu(device, 'checkerboard', checkerboard(63, 65), 63, 65)).toBe(1);
      expect(await compareWithCpu(device, 'checkerboard', checkerboard(256, 256), 256, 256)).toBe(
        1,
      );
    });
  });

  test('spiral and long snake (worst cases for union-find)', async () => {
    await withDevice(async (device) => {
      expect(await compareWithCpu(device, 'spiral', spiral(255, 253), 255, 253)).toBe(1);
      expect(await compareWithCpu(device, 'snake', snake(511, 255), 511, 255)).toBe(1);
      expect(await compareWithCpu(device, 'snake', snake(3, 1001), 3, 1001)).toBe(1);
    });
  });

  test('random masks, densities 10 % to 90 %, odd sizes', async () => {
    await withDevice(async (device) => {
      const random = new Random(2018);
      for (const [width, height] of [
        [17, 13],
        [257, 129],
        [1, 300],
        [300, 1],
      ] as const) {
        for (let tenths = 1; tenths <= 9; tenths++) {
          const mask = randomMask(random, width, height, tenths / 10);
          await compareWithCpu(device, `random ${tenths * 10} %`, mask, width, height);
        }
      }
      const large = randomMask(random, 509, 511, 0.45);
      expect(await compareWithCpu(device, 'random 45 %', large, 509, 511)).toBeGreaterThan(1);
    });
  });

  test('2048×2048 random mask at 45 % (near the 8-connected percolation threshold)', async () => {
    await withDevice(async (device) => {
      const mask = randomMask(new Random(2020), 2048, 2048, 0.45);
      expect(await compareWithCpu(device, 'random 45 %', mask, 2048, 2048)).toBeGreaterThan(1);
    });
  });

  test('tile borders: stripes one tile wide, off by one, and across tile corners', async () => {
    await withDevice(async (device) => {
      const tw = CCL_TILE_WIDTH;
      const th = CCL_TILE_HEIGHT;
      const width = 5 * tw + 3;
      const height = 4 * th + 5;
      const cases: [string, (x: number, y: number) => boolean][] = [
        ['horizontal stripes one tile high', (_x, y) => Math.floor(y / th) % 2 === 0],
        ['vertical stripes one tile wide', (x) => Math.floor(x / tw) % 2 === 0],
        ['horizontal stripes off by one', (_x, y) => Math.floor((y + 1) / th) % 2 === 0],
        ['vertical stripes off by one', (x) => Math.floor((x + 1) / tw) % 2 === 0],
        ['rows on tile edges', (_x, y) => y % th === 0 || y % th === th - 1],
        ['columns on tile edges', (x) => x % tw === 0 || x % tw === tw - 1],
        ['diagonals', (x, y) => (x - y + 1000 * tw) % 7 === 0],
        ['anti-diagonals', (x, y) => (x + y) % 5 === 0],
        // Single pixels at tile corners, joined only diagonally across the corner.
        ['corner diagonals (NW links)', (x, y) => x % tw === tw - 1 - (y % th) || x === y],
        ['corner diagonals (NE links)', (x, y) => (x + y) % tw === tw - 1],
        [
          'tile-corner pixels',
          (x, y) => (x % tw === 0 || x % tw === tw - 1) && (y % th === 0 || y % th === th - 1),
        ],
      ];
      for (const [name, set] of cases) {
        await compareWithCpu(device, name, fromPredicate(width, height, set), width, height);
      }
    });
  });

  test('tile borders: components crossing many tiles, found late', async () => {
    await withDevice(async (device) => {
      expect(await compareWithCpu(device, 'comb pitch 2', comb(300, 97, 2), 300, 97)).toBe(1);
      expect(
        await compareWithCpu(device, 'comb pitch tile', comb(301, 150, CCL_TILE_WIDTH), 301, 150),
      ).toBe(1);
      // Upside-down comb: the back is the top row, teeth hang down across tiles.
      const hanging = fromPredicate(211, 133, (x, y) => y === 0 || x % 3 === 1);
      expect(await compareWithCpu(device, 'hanging comb', hanging, 211, 133)).toBe(1);
      // Staircase from the bottom-left to the top-right corner: the smallest
      // pixel is at the far end from where most tiles start.
      const stairs = fromPredicate(257, 255, (x, y) => Math.abs(x - (256 - y)) <= 1);
      expect(await compareWithCpu(device, 'staircase', stairs, 257, 255)).toBe(1);
      expect(await compareWithCpu(device, 'spiral', spiral(97, 203), 97, 203)).toBe(1);
    });
  });

  test('tile borders: thin images and sizes that are not multiples of the tile', async () => {
    await withDevice(async (device) => {
      const random = new Random(2020);
      for (const [width, height] of [
        [1, 4 * CCL_TILE_HEIGHT + 1],
        [2, 777],
        [777, 2],
        [CCL_TILE_WIDTH, CCL_TILE_HEIGHT],
        [CCL_TILE_WIDTH + 1, CCL_TILE_HEIGHT - 1],
        [CCL_TILE_WIDTH - 1, 3 * CCL_TILE_HEIGHT + 1],
        [2 * CCL_TILE_WIDTH + 1, 2 * CCL_TILE_HEIGHT + 1],
        [131, 67],
      ] as const) {
        for (const density of [0.3, 0.5, 0.7]) {
          const mask = randomMask(random, width, height, density);
          await compareWithCpu(device, `random ${density * 100} %`, mask, width, height);
        }
      }
      const column = new Uint8Array(1000).fill(1);
      expect(await compareWithCpu(device, 'one column', column, 1, 1000)).toBe(1);
      expect(await compareWithCpu(device, 'snake', snake(2, 999), 2, 999)).toBe(1);
    });
  });

  test('4-connected (hole filling’s background): checkerboards, snakes, tile borders, random', async () => {
    await withDevice(async (device) => {
      const four = (name: string, mask: Uint8Array, width: number, height: number) =>
        compareWithCpu(device, `${name} (4-connected)`, mask, width, height, 4);
      // Every square of a checkerboard is its own component.
      const board = checkerboard(63, 65);
      expect(await four('checkerboard', board, 63, 65)).toBe(board.reduce((n, v) => n + v, 0));
      expect(await four('snake', snake(131, 97), 131, 97)).toBe(1);
      expect(await four('spiral', spiral(97, 203), 97, 203)).toBe(1);
      const tw = CCL_TILE_WIDTH;
      const th = CCL_TILE_HEIGHT;
      const width = 3 * tw + 3;
      const height = 3 * th + 5;
      for (const [name, set] of [
        ['rows on tile edges', (_x: number, y: number) => y % th === 0 || y % th === th - 1],
        ['columns on tile edges', (x: number) => x % tw === 0 || x % tw === tw - 1],
        // Steps that join only through corners under 8-connectivity.
        ['corner diagonals', (x: number, y: number) => (x + y) % tw === tw - 1],
        ['staircase', (x: number, y: number) => x === y || x === y + 1],
      ] as const) {
        await four(name, fromPredicate(width, height, set), width, height);
      }
      const random = new Random(4444);
      for (const [w, h] of [
        [17, 13],
        [2 * tw + 1, 2 * th + 1],
        [257, 129],
      ] as const) {
        for (const density of [0.3, 0.5, 0.6, 0.7]) {
          await four(`random ${density * 100} %`, randomMask(random, w, h, density), w, h);
        }
      }
    });
  });

  test('encodeLabelComponents chains into a caller encoder and a workspace is reusable', async () => {
    await withDevice(async (device) => {
      const width = 97;
      const height = 41;
      const pixelCount = width * height;
      const random = new Random(3);
      const masks = [
        randomMask(random, width, height, 0.3),
        randomMask(random, width, height, 0.6),
      ];
      const workspace = createCclWorkspace(device, width, height);
      const make = (label: string, size: number): GPUBuffer =>
        device.createBuffer({
          label,
          size,
          usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
        });
      const stages = masks.map((mask, k) => ({
        mask: createStorageBufferFrom(device, `mask ${k}`, Uint32Array.from(mask)),
        labels: make(`labels ${k}`, pixelCount * 4),
        ids: make(`ids ${k}`, pixelCount * 4),
        count: make(`count ${k}`, 4),
      }));
      try {
        // Both labellings recorded in one encoder, one submit, no read-back between.
        const encoder = device.createCommandEncoder({ label: 'two labellings' });
        for (const buffers of stages) encodeLabelComponents(encoder, workspace, buffers);
        device.queue.submit([encoder.finish()]);
        for (const [k, buffers] of stages.entries()) {
          const cpu = labelComponentsCpu(masks[k]!, width, height);
          const labels = new Int32Array(await readBuffer(device, buffers.labels, pixelCount * 4));
          const ids = new Int32Array(await readBuffer(device, buffers.ids, pixelCount * 4));
          const count = new Uint32Array(await readBuffer(device, buffers.count, 4))[0];
          expect(firstDifference(labels, cpu.labels)).toBeUndefined();
          expect(firstDifference(ids, cpu.ids)).toBeUndefined();
          expect(count).toBe(cpu.count);
        }
      } finally {
        workspace.destroy();
        for (const buffers of stages) {
          for (const buffer of Object.values(buffers)) buffer.destroy();
        }
      }
    });
  });
});
