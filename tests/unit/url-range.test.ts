import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { largeFixtureName, makeLargeFixture } from '../../scripts/make-large-fixture.ts';
import { levelFor, openRaster, readWindow } from '../../src/io/decoder.ts';

// A local HTTP server with Range support, counting the bytes it sends: a
// cloud-optimized GeoTIFF must be readable without downloading it.
const fixture = join(tmpdir(), largeFixtureName(20000));
let server: Server;
let url = '';
let bytesSent = 0;
let requests = 0;

beforeAll(async () => {
  await makeLargeFixture(fixture, 20000);
  const size = statSync(fixture).size;
  server = createServer((request, response) => {
    requests++;
    const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
    if (range === null) {
      response.writeHead(200, { 'Content-Length': size, 'Accept-Ranges': 'bytes' });
      bytesSent += size;
      createReadStream(fixture).pipe(response);
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
    createReadStream(fixture, { start, end }).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fixture.tif`;
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('opening a GeoTIFF by URL', () => {
  test('reads the header, an overview and a window through range requests only', async () => {
    const size = statSync(fixture).size;
    const raster = await openRaster({ kind: 'url', url });
    expect(raster.info).toMatchObject({ width: 20000, height: 20000, bands: 3, sizeBytes: size });
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
});
