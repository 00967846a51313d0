// Browser tier: the io worker protocol in a real browser (Workers, Comlink, transfer).
import { describe, expect, test } from 'vitest';
import { RasterClient } from '../../src/io/raster-client.ts';
import { writeTiff } from '../../src/io/tiff-writer.ts';

const demo = (name: string): string => new URL(`/public/demo/${name}`, location.origin).href;

describe('RasterClient (one io worker per image)', () => {
  test('opens by URL, reads a display image with progress, pixels transferred', async () => {
    const progress: number[] = [];
    const client = await RasterClient.open({ kind: 'url', url: demo('before.tif') }, 'before.tif');
    expect(client.info).toMatchObject({ width: 1400, height: 1000, bands: 3, compression: 'jpeg' });
    const display = await client.readDisplay(
      { maxDimension: 700, bands: [0, 1, 2] },
      { onProgress: (fraction) => progress.push(fraction) },
    );
    expect(display.image.width).toBe(700);
    expect(display.image.height).toBe(500);
    expect(display.image.rgba.length).toBe(700 * 500 * 4);
    expect(progress.at(-1)).toBe(1);
    expect(new Set(display.image.rgba).size).toBeGreaterThan(50);
    client.close();
  });

  test('a cancelled read rejects with AbortError and the client still works', async () => {
    const client = await RasterClient.open({ kind: 'url', url: demo('after.tif') }, 'after.tif');
    const controller = new AbortController();
    const read = client.readBands([0, 0, 1400, 1000], 0, undefined, { signal: controller.signal });
    controller.abort();
    await expect(read).rejects.toMatchObject({ name: 'AbortError' });
    const window = await client.readBands([0, 0, 64, 32], 0);
    expect(window.width).toBe(64);
    expect(window.bands).toHaveLength(3);
    client.close();
  });

  test('a read that stalls is stopped with a message naming the file; the next call restarts the worker', async () => {
    const client = await RasterClient.open({ kind: 'url', url: demo('after.tif') }, 'after.tif');
    await expect(
      client.readBands([0, 0, 1400, 1000], 0, undefined, { stallMs: 1 }),
    ).rejects.toThrow('Reading after.tif stopped responding for 0 s and was stopped');
    // A fresh worker reopens the file and serves the next read.
    const window = await client.readBands([100, 100, 164, 132], 0);
    expect(window.width).toBe(64);
    expect(window.bands[0]?.some((value) => value > 0)).toBe(true);
    client.close();
  });

  test('each call hears its own progress, also with a newer call queued behind it', async () => {
    // The worker runs calls one at a time. Progress used to reach only the
    // newest call: a long read with a newer call queued behind it heard none of
    // its own, and its watchdog, never fed, took it for stalled.
    const client = await RasterClient.open({ kind: 'url', url: demo('before.tif') }, 'before.tif');
    const longProgress: number[] = [];
    const queuedProgress: number[] = [];
    const long = client.readBands([0, 0, 1400, 1000], 0, [0, 1, 2], {
      onProgress: (fraction) => longProgress.push(fraction),
    });
    const queued = client.readBands([100, 100, 164, 132], 0, [0, 1, 2], {
      onProgress: (fraction) => queuedProgress.push(fraction),
    });
    const [window, small] = await Promise.all([long, queued]);
    expect(window.width).toBe(1400);
    expect(small.width).toBe(64);
    expect(longProgress.length).toBeGreaterThan(1);
    expect(longProgress.at(-1)).toBe(1);
    expect(queuedProgress.at(-1)).toBe(1);
    expect([...longProgress].sort((a, b) => a - b)).toEqual(longProgress);
    client.close();
  });

  test('a call whose worker is stopped for another call (a stall) runs again on a fresh worker', async () => {
    const client = await RasterClient.open({ kind: 'url', url: demo('after.tif') }, 'after.tif');
    const stalled = client.readBands([0, 0, 1400, 1000], 0, undefined, { stallMs: 1 });
    // Two queued: the second retry must wait for the first to reopen the file.
    const queued = [
      client.readBands([100, 100, 164, 132], 0),
      client.readBands([200, 300, 232, 316], 0),
    ];
    await expect(stalled).rejects.toThrow('Reading after.tif stopped responding');
    const [window, other] = await Promise.all(queued);
    expect(window?.width).toBe(64);
    expect(window?.bands[0]?.some((value) => value > 0)).toBe(true);
    expect(other?.width).toBe(32);
    client.close();
    // Closed is closed: no call starts a worker again.
    await expect(client.readBands([0, 0, 8, 8], 0)).rejects.toThrow('after.tif was closed');
  });

  test('reads cancelled part-way never spoil the next read of the same file', async () => {
    // As the app does when piers are edited quickly: stale reads are cancelled, then a new one
    // starts. Handing the AbortSignal to geotiff.js used to corrupt its block cache here
    // ("SOI not found" within 25 rounds).
    const client = await RasterClient.open({ kind: 'url', url: demo('before.tif') }, 'before.tif');
    const window = [100, 150, 1300, 900] as const;
    const reference = await client.readBands(window, 0, [0, 1, 2]);
    let seed = 7;
    const random = (): number => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const failures: string[] = [];
    for (let round = 0; round < 25; round++) {
      const controllers = [0, 1, 2].map(() => new AbortController());
      const stale = controllers.map((controller) => {
        const x0 = Math.floor(random() * 600);
        const y0 = Math.floor(random() * 400);
        const x1 = x0 + 300 + Math.floor(random() * 500);
        const y1 = y0 + 200 + Math.floor(random() * 400);
        return client
          .readBands([x0, y0, x1, y1], 0, [0, 1, 2], { signal: controller.signal })
          .catch((error: unknown) => {
            if ((error as Error).name !== 'AbortError')
              failures.push(`stale read: ${String(error)}`);
          });
      });
      await new Promise((resolve) => setTimeout(resolve, random() * 80));
      for (const controller of controllers) controller.abort();
      try {
        const fresh = await client.readBands(window, 0, [0, 1, 2]);
        const same = fresh.bands.every((band, b) =>
          band.every((value, i) => value === reference.bands[b]?.[i]),
        );
        if (!same) failures.push(`round ${round}: other pixels than the first read`);
      } catch (error) {
        failures.push(`round ${round}: ${String(error)}`);
      }
      await Promise.all(stale);
    }
    client.close();
    expect(failures).toEqual([]);
  }, 120_000);

  test('overlapping reads of one file (display, windows, aligned) give the pixels of reads one by one', async () => {
    // As the app does after a reload: the display read, the pier window and the after image's
    // aligned read of the same files overlap. geotiff.js's block cache is not safe under
    // overlapping fetches (an evicted block could be lost, a JPEG tile decode from other bytes);
    // the worker runs its reads one at a time.
    const before = await RasterClient.open({ kind: 'url', url: demo('before.tif') }, 'before.tif');
    const after = await RasterClient.open({ kind: 'url', url: demo('after.tif') }, 'after.tif');
    const windows = [
      [0, 0, 1600, 1200],
      [100, 150, 1300, 900],
      [800, 400, 1900, 1500],
    ] as const;
    const target = {
      grid: null,
      width: 600,
      height: 400,
      name: 'before.tif',
    };
    const serial: Awaited<ReturnType<typeof before.readBands>>[] = [];
    for (const window of windows) serial.push(await before.readBands(window, 0, [0, 1, 2]));
    const display = await before.readDisplay({ maxDimension: 512, bands: [0, 1, 2] });
    const aligned = await after.readAlignedBands(target, [0.5, -0.25], [0, 1, 2]);
    const failures: string[] = [];
    for (let round = 0; round < 4; round++) {
      const [displayAgain, alignedAgain, ...windowsAgain] = await Promise.all([
        before.readDisplay({ maxDimension: 512, bands: [0, 1, 2] }),
        after.readAlignedBands(target, [0.5, -0.25], [0, 1, 2]),
        ...windows.map((window) => before.readBands(window, 0, [0, 1, 2])),
      ]);
      if (!displayAgain.image.rgba.every((v, i) => v === display.image.rgba[i]))
        failures.push(`round ${round}: display differs`);
      if (!alignedAgain.bands.every((band, b) => band.every((v, i) => v === aligned.bands[b]?.[i])))
        failures.push(`round ${round}: aligned bands differ`);
      windowsAgain.forEach((result, k) => {
        const same = result.bands.every((band, b) =>
          band.every((v, i) => v === serial[k]?.bands[b]?.[i]),
        );
        if (!same) failures.push(`round ${round}: window ${k} differs`);
      });
    }
    before.close();
    after.close();
    expect(failures).toEqual([]);
  }, 120_000);

  test('a file that is not an image fails with a message naming it, in its own worker', async () => {
    const blob = new Blob([new TextEncoder().encode('definitely not a tiff')]);
    await expect(
      RasterClient.open({ kind: 'blob', blob, name: 'bad.tif' }, 'bad.tif'),
    ).rejects.toThrow(/./);
  });

  test('the display stretch of a 16-bit image leaves out its nodata pixels', async () => {
    // 40 % of the image is the nodata value 0, the rest runs from 1000 to 3000: a 2–98 %
    // stretch over every pixel would start at 0 and show the data in a third of the range.
    const width = 200;
    const height = 100;
    const data = new Uint16Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 80; x < width; x++)
        data[y * width + x] = 1000 + Math.round((2000 * (x - 80)) / 119);
    }
    const bytes = writeTiff([
      { width, height, samplesPerPixel: 1, bitsPerSample: 16, data, nodata: 0 },
    ]);
    const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/tiff' });
    const client = await RasterClient.open(
      { kind: 'blob', blob, name: 'collar.tif' },
      'collar.tif',
    );
    const display = await client.readDisplay({ maxDimension: 200, bands: [0] });
    const [stretch] = display.stretches;
    // The 2 % and 98 % points of the data alone: about 1040 and 2960.
    expect(stretch?.low).toBeGreaterThan(1020);
    expect(stretch?.low).toBeLessThan(1060);
    expect(stretch?.high).toBeGreaterThan(2940);
    expect(stretch?.high).toBeLessThan(2980);
    // So the data spans the grey range: its middle (x = 140, 2008) shows near mid-grey.
    const middle = display.image.rgba[(50 * width + 140) * 4] ?? 0;
    expect(middle).toBeGreaterThan(115);
    expect(middle).toBeLessThan(140);
    client.close();
  });
});
