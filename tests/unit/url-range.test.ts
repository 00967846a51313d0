import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { largeFixtureName, makeLargeFixture } from '../../scripts/make-large-fixture.ts';
import { MASK_BAND } from '../../src/core/raster.ts';
import {
  levelFor,
  openRaster,
  readWindow,
  settleSidecars,
  sidecarUrl,
} from '../../src/io/decoder.ts';
import { wholeFileOf } from '../../src/io/tiff-preflight.ts';
import { writeTiff } from '../../src/io/tiff-writer.ts';

// A local HTTP server with Range support, counting the bytes it sends: a
// cloud-optimized GeoTIFF must be readable without downloading it. It also
// serves small files by path (sidecars beside an image), 404 elsewhere.
const fixture = join(tmpdir(), largeFixtureName(20000));
const small = new Map<string, Uint8Array>();
let fixtureBytes = new Uint8Array(0);
let server: Server;
let origin = '';
let url = '';
let bytesSent = 0;
/** While true, /flaky/fixture.tif answers 503: a server gone between the open and a read. */
let serverDown = false;
let requests = 0;

beforeAll(async () => {
  await makeLargeFixture(fixture, 20000);
  fixtureBytes = readFileSync(fixture);
  server = createServer((request, response) => {
    requests++;
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    // A single-page app's fallback: its web page for any path, with 200.
    if (path.startsWith('/spa/') && path.endsWith('.msk')) {
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end('<!doctype html><title>app</title>');
      return;
    }
    if (path === '/flaky/fixture.tif' && serverDown) {
      response.writeHead(503);
      response.end();
      return;
    }
    if (path === '/gone/empty.tif') {
      // What a server answers a range request for a file of 0 bytes.
      response.writeHead(416, { 'Content-Range': 'bytes */0' });
      response.end();
      return;
    }
    const served = path.endsWith('/fixture.tif') ? fixtureBytes : small.get(path);
    if (served === undefined) {
      response.writeHead(404);
      response.end();
      return;
    }
    const size = served.byteLength;
    const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
    // Under /norange/ the server ignores Range and sends whole files, as simple servers do.
    if (range === null || path.startsWith('/norange/')) {
      response.writeHead(200, { 'Content-Length': size, 'Accept-Ranges': 'bytes' });
      bytesSent += size;
      response.end(served);
      return;
    }
    const start = Number(range[1]);
    const end = Math.min(size - 1, range[2] === '' ? size - 1 : Number(range[2]));
    response.writeHead(206, {
      'Content-Range': `bytes ${start}-${end}/${size}`,
      'Content-Length': end - start + 1,
      'Accept-Ranges': 'bytes',
    });
    bytesSent += end - start + 1;
    response.end(served.subarray(start, end + 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  url = `${origin}/fixture.tif`;
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('opening a GeoTIFF by URL', () => {
  test('a missing file or an empty one is named for what it is', async () => {
    await expect(openRaster({ kind: 'url', url: `${origin}/no-such.tif` })).rejects.toThrow(
      'The server answered 404 Not Found to a request for the file: check the address',
    );
    await expect(openRaster({ kind: 'url', url: `${origin}/gone/empty.tif` })).rejects.toThrow(
      'The file is empty (the server has no bytes for it)',
    );
  });

  test('a server that refuses a read after the open is named as the cause', async () => {
    const raster = await openRaster({ kind: 'url', url: `${origin}/flaky/fixture.tif` });
    serverDown = true;
    try {
      await expect(readWindow(raster, { window: [15000, 15000, 15100, 15100] })).rejects.toThrow(
        'The server refused a read part-way through the file (geotiff.js: Error fetching data): the file may have moved or changed, or its link expired; open it again',
      );
    } finally {
      serverDown = false;
    }
  });

  test('reads the header, an overview and a window through range requests only', async () => {
    const size = statSync(fixture).size;
    // This test's own traffic: earlier tests of the file served bytes too.
    bytesSent = 0;
    requests = 0;
    const raster = await openRaster({ kind: 'url', url });
    // Its .ovr and .msk were asked for (404): it has internal overviews and no mask.
    expect(raster.info).toMatchObject({ width: 20000, height: 20000, bands: 3, sizeBytes: size });
    expect(raster.info.mask).toBe('none');
    const afterOpen = bytesSent;
    const level = levelFor(raster.info, 1000, 1000);
    const overview = await readWindow(raster, { level });
    expect(overview.width).toBeGreaterThanOrEqual(1000);
    const window = await readWindow(raster, { window: [12000, 3000, 12512, 3512] });
    expect(window.bands[0]?.[0]).toBe(12000 % 256);
    expect(window.bands[1]?.[0]).toBe(3000 % 256);
    console.log(
      `URL read of a ${(size / 1e6).toFixed(1)} MB COG: open ${afterOpen} B, then overview + 512² window ` +
        `${bytesSent - afterOpen} B; ${requests} requests, ${((100 * bytesSent) / size).toFixed(1)} % of the file`,
    );
    expect(bytesSent).toBeLessThan(size * 0.2);
  });

  // GDAL looks for x.tif.msk beside x.tif; so does a URL source (decoder.ts sidecarUrl).
  const [width, height] = [8, 6];
  const image = writeTiff([
    {
      width,
      height,
      samplesPerPixel: 3,
      bitsPerSample: 8,
      data: new Uint8Array(width * height * 3).fill(120),
    },
  ]);
  // Data in the 5 western columns only.
  const maskValues = Uint8Array.from({ length: width * height }, (_, i) =>
    i % width < 5 ? 255 : 0,
  );
  const mask = writeTiff([
    { width, height, samplesPerPixel: 1, bitsPerSample: 8, data: maskValues },
  ]);

  test('a .msk beside the URL is found and read as the data mask', async () => {
    small.set('/masked/x.tif', image);
    small.set('/masked/x.tif.msk', mask);
    const raster = await openRaster({ kind: 'url', url: `${origin}/masked/x.tif?token=1` });
    expect(raster.info.mask).toBe('external-mask');
    const read = await readWindow(raster, { bands: [MASK_BAND] });
    expect(Array.from(read.bands[0] ?? [])).toEqual(Array.from(maskValues));
    // Told there is none: not looked for.
    const told = await openRaster({ kind: 'url', url: `${origin}/masked/x.tif`, maskUrl: null });
    expect(told.info.mask).toBe('none');
    // Settled once, a source reopens the same files without asking again (a replaced worker).
    const settled = await settleSidecars({ kind: 'url', url: `${origin}/masked/x.tif` });
    expect(settled).toEqual({
      kind: 'url',
      url: `${origin}/masked/x.tif`,
      overviewUrl: null,
      maskUrl: `${origin}/masked/x.tif.msk`,
    });
    const asked = requests;
    await expect(settleSidecars(settled)).resolves.toEqual(settled);
    expect(requests).toBe(asked);
  });

  test('a web page where the .msk would be is no mask; a broken .msk is named as the file at fault', async () => {
    small.set('/spa/x.tif', image);
    const spa = await openRaster({ kind: 'url', url: `${origin}/spa/x.tif` });
    expect(spa.info.mask).toBe('none');
    // Nothing to resolve a relative URL against (Node has no location): no sidecar, no throw.
    await expect(sidecarUrl('relative/x.tif', '.msk')).resolves.toBeNull();
    // A data: URL has no path beside it: appending would name the image itself.
    await expect(sidecarUrl('data:image/tiff;base64,SUkqAA==', '.msk')).resolves.toBeNull();
    small.set('/broken/x.tif', image);
    small.set('/broken/x.tif.msk', mask.subarray(0, 12));
    await expect(openRaster({ kind: 'url', url: `${origin}/broken/x.tif` })).rejects.toThrow(
      /^its mask \(\.msk\) beside it: .+; remove or repair that file$/,
    );
  });

  test('a .ovr beside the URL is used for overviews; from a server without ranges only the .msk is', async () => {
    const rgb = (n: number): Uint8Array =>
      writeTiff([
        {
          width: n,
          height: n,
          samplesPerPixel: 3,
          bitsPerSample: 8,
          data: new Uint8Array(n * n * 3).fill(90),
        },
      ]);
    const maskOf = (n: number): Uint8Array =>
      writeTiff([
        {
          width: n,
          height: n,
          samplesPerPixel: 1,
          bitsPerSample: 8,
          data: new Uint8Array(n * n).fill(255),
        },
      ]);
    for (const folder of ['/ranged', '/norange']) {
      small.set(`${folder}/y.tif`, rgb(64));
      small.set(`${folder}/y.tif.ovr`, rgb(32));
      small.set(`${folder}/y.tif.msk`, maskOf(64));
    }
    const ranged = await openRaster({ kind: 'url', url: `${origin}/ranged/y.tif` });
    expect(ranged.info.overviews).toHaveLength(1);
    expect(ranged.info.mask).toBe('external-mask');
    // Overviews would cost the whole .ovr to save reading; the mask is needed whatever it costs.
    const whole = await openRaster({ kind: 'url', url: `${origin}/norange/y.tif` });
    expect(whole.info.overviews).toHaveLength(0);
    expect(whole.info.mask).toBe('external-mask');
  });

  test('an open aborted while the sidecars are asked for rejects with the abort', async () => {
    small.set('/aborted/x.tif', image);
    await expect(
      openRaster({ kind: 'url', url: `${origin}/aborted/x.tif` }, AbortSignal.abort()),
    ).rejects.toThrow(/abort/i);
  });

  test('a server without ranges: a file over the whole-download limit is refused, saying why', async () => {
    const bytes = new Uint8Array(3000).fill(7);
    const tooLarge =
      'The server does not answer range requests, so the whole file would be downloaded at once';
    // Declared in Content-Length: refused before the body is read.
    const declared = new Response(bytes, { headers: { 'Content-Length': '3000' } });
    await expect(wholeFileOf(declared, 2000)).rejects.toThrow(
      `${tooLarge}: 0 MB, more than the 0 MB read that way`,
    );
    // Not declared (a stream): refused once the count passes the limit.
    const streamed = new Response(
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let k = 0; k < 3; k++) controller.enqueue(bytes.subarray(k * 1000, (k + 1) * 1000));
          controller.close();
        },
      }),
    );
    await expect(wholeFileOf(streamed, 2000)).rejects.toThrow(`${tooLarge}: over 0 MB`);
    const within = await wholeFileOf(new Response(bytes), 3000);
    expect(within.byteLength).toBe(3000);
    expect(within.buffer.byteLength).toBe(3000);
    expect(within[2999]).toBe(7);
  });
});
