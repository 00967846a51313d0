import { describe, expect, test } from 'vitest';
import {
  componentStatsCpu,
  decodeComponentStats,
  type ComponentStatsInput,
  type ComponentStatsRaw,
} from '../../src/core/component-stats.ts';
import { COMPONENT_STATS_RECORD_WORDS } from '../../src/core/kernel-layout.ts';
import { Random } from '../../src/core/random.ts';
import {
  componentStatsGpu,
  createComponentStatsWorkspace,
  encodeComponentStats,
} from '../../src/gpu/component-stats.ts';
import { createStorageBufferFrom, readBuffer } from '../../src/gpu/buffers.ts';
import { withDevice } from '../support/gpu-test.ts';

/**
 * Tolerance: none. Counts, bounding boxes, Σx, Σy, kind, boundary and ROI
 * counts are integers, and the change sum is a 64-bit fixed-point integer
 * (each pixel rounded once, identically on both sides), so GPU and CPU agree
 * word for word.
 */
function expectSameWords(gpu: ComponentStatsRaw, cpu: ComponentStatsRaw): void {
  expect(gpu.records.length).toBe(cpu.records.length);
  expect(gpu.roiPixelCounts.length).toBe(cpu.roiPixelCounts.length);
  for (let i = 0; i < cpu.records.length; i++) {
    if (gpu.records[i] !== cpu.records[i]) {
      const c = Math.floor(i / COMPONENT_STATS_RECORD_WORDS);
      const field = i % COMPONENT_STATS_RECORD_WORDS;
      throw new Error(
        `component ${c + 1}, word ${field}: gpu ${gpu.records[i]}, cpu ${cpu.records[i]}`,
      );
    }
  }
  for (let i = 0; i < cpu.roiPixelCounts.length; i++) {
    if (gpu.roiPixelCounts[i] !== cpu.roiPixelCounts[i]) {
      throw new Error(`ROI count ${i}: gpu ${gpu.roiPixelCounts[i]}, cpu ${cpu.roiPixelCounts[i]}`);
    }
  }
}

type LabelPattern = 'blobs' | 'one' | 'tiny';

function makeInput(
  seed: number,
  widthPx: number,
  heightPx: number,
  pattern: LabelPattern,
  roiCount: number,
  changeRange: number,
): ComponentStatsInput {
  const random = new Random(seed);
  const pixelCount = widthPx * heightPx;
  const labels = new Uint32Array(pixelCount);
  let componentCount: number;
  if (pattern === 'one') {
    labels.fill(1);
    componentCount = 1;
  } else if (pattern === 'tiny') {
    // Every other pixel its own id, in a checkerboard: many one-pixel components.
    let next = 0;
    for (let y = 0; y < heightPx; y++) {
      for (let x = 0; x < widthPx; x++) if ((x + y) % 2 === 0) labels[y * widthPx + x] = ++next;
    }
    componentCount = next;
  } else {
    componentCount = Math.max(1, Math.floor(pixelCount / 400));
    for (let r = 0; r < componentCount * 2; r++) {
      const id = 1 + Math.floor(random.next() * componentCount);
      const x0 = Math.floor(random.next() * widthPx);
      const y0 = Math.floor(random.next() * heightPx);
      const x1 = Math.min(widthPx, x0 + 1 + Math.floor(random.next() * 80));
      const y1 = Math.min(heightPx, y0 + 1 + Math.floor(random.next() * 20));
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) labels[y * widthPx + x] = id;
    }
  }
  const change = new Float32Array(pixelCount);
  const kinds = new Uint32Array(pixelCount);
  const roiIds = new Uint16Array(pixelCount);
  for (let i = 0; i < pixelCount; i++) {
    change[i] = (random.next() * 2 - 1) * changeRange;
    kinds[i] = Math.floor(random.next() * 8);
  }
  // ROIs as horizontal bands with ragged edges, plus ids above roiCount (outside).
  for (let y = 0; y < heightPx; y++) {
    for (let x = 0; x < widthPx; x++) {
      const band = Math.floor(((y + Math.floor(random.next() * 3)) * (roiCount + 2)) / heightPx);
      roiIds[y * widthPx + x] = Math.min(band, roiCount + 1);
    }
  }
  return { widthPx, heightPx, labels, change, kinds, roiIds, componentCount, roiCount };
}

describe('component-stats.wgsl against its CPU twin', () => {
  const cases: {
    name: string;
    w: number;
    h: number;
    pattern: LabelPattern;
    rois: number;
    range: number;
  }[] = [
    { name: '1×1, one component', w: 1, h: 1, pattern: 'one', rois: 1, range: 5 },
    { name: '1×1, background', w: 1, h: 1, pattern: 'tiny', rois: 0, range: 5 },
    { name: '97×61 random blobs, 5 ROIs', w: 97, h: 61, pattern: 'blobs', rois: 5, range: 1 },
    { name: '300×200 all one component', w: 300, h: 200, pattern: 'one', rois: 3, range: 60000 },
    { name: '255×129 many tiny components', w: 255, h: 129, pattern: 'tiny', rois: 64, range: 1 },
    {
      name: '2048×512 random blobs, 8 ROIs',
      w: 2048,
      h: 512,
      pattern: 'blobs',
      rois: 8,
      range: 1000,
    },
  ];
  for (const { name, w, h, pattern, rois, range } of cases) {
    test(name, async () => {
      await withDevice(async (device) => {
        const input = makeInput(w * 7 + h, w, h, pattern, rois, range);
        if (pattern === 'tiny' && w === 1) input.labels.fill(0);
        const cpu = componentStatsCpu(input);
        const gpu = await componentStatsGpu(device, input);
        expectSameWords(gpu, cpu);
        // The comparison can fail: some component has pixels and a non-zero change sum.
        const table = decodeComponentStats(cpu);
        if (pattern !== 'tiny' || w > 1) {
          expect(table.pixelCount.some((count) => count > 0)).toBe(true);
          expect(table.changeSum.some((sum) => sum !== 0)).toBe(true);
        }
      });
    });
  }

  test('a reused workspace clears between runs (encode API)', async () => {
    await withDevice(async (device) => {
      const first = makeInput(1, 130, 40, 'blobs', 4, 10);
      const second = makeInput(2, 130, 40, 'blobs', 4, 10);
      const workspace = createComponentStatsWorkspace(device, first);
      const uploads: GPUBuffer[] = [];
      try {
        for (const input of [first, second]) {
          const buffers = {
            labels: createStorageBufferFrom(device, 'labels', input.labels),
            change: createStorageBufferFrom(device, 'change', input.change),
            kinds: createStorageBufferFrom(device, 'kinds', input.kinds),
            rois: createStorageBufferFrom(device, 'rois', Uint32Array.from(input.roiIds)),
          };
          uploads.push(...Object.values(buffers));
          const encoder = device.createCommandEncoder({ label: 'test' });
          encodeComponentStats(encoder, workspace, buffers);
          device.queue.submit([encoder.finish()]);
          const records = new Uint32Array(
            await readBuffer(device, workspace.records, workspace.recordsByteLength),
          );
          expect(records).toEqual(componentStatsCpu(input).records);
        }
      } finally {
        workspace.destroy();
        for (const buffer of uploads) buffer.destroy();
      }
    });
  });
});
