/**
 * Child process that opens rasters and reads a probe window, one request at a
 * time, for tests/support/decode-in-worker.ts. Runs under `node --import tsx`.
 * Whatever a decode does — throw, hang, exhaust the heap, abort V8 — stays in
 * this process; the parent sees an outcome, a timeout or an exit.
 */
import { readFile } from 'node:fs/promises';
import { registerNodeDecoders } from '../../src/cli/node-decoders.ts';
import type { BandArray, RasterInfo } from '../../src/core/raster.ts';
import { levelFor, openRaster, readWindow, type OpenRaster } from '../../src/io/decoder.ts';
import { explainDecodeError, TiffRefusal } from '../../src/io/tiff-preflight.ts';
import type { DecodeOutcome, DecodeRequest, WindowProbe } from './decode-in-worker.ts';

registerNodeDecoders();

let current: number | null = null;

function send(message: { id: number; outcome: DecodeOutcome }): void {
  process.send?.(message);
}

// Anything that escapes a decode is a bug to report, not a result.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (error: unknown) => {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(
      `${event} ${current === null ? 'between requests' : `in request ${current}`}: ${message}\n`,
    );
    if (current !== null)
      send({ id: current, outcome: { kind: 'uncaught', message, elapsedMs: 0 } });
    process.exit(70);
  });
}

/** Values that count as content: non-zero and not NaN. */
function contentCount(bands: readonly BandArray[]): number {
  let count = 0;
  for (const band of bands) {
    for (let i = 0; i < band.length; i++) {
      const value = band[i] ?? 0;
      if (value !== 0 && !Number.isNaN(value)) count++;
    }
  }
  return count;
}

async function probe(raster: OpenRaster, info: RasterInfo, full: boolean): Promise<WindowProbe> {
  const side = 64;
  const w = Math.min(side, info.width);
  const h = Math.min(side, info.height);
  const cx = Math.floor((info.width - w) / 2);
  const cy = Math.floor((info.height - h) / 2);
  const attempts: { where: WindowProbe['where']; read: () => ReturnType<typeof readWindow> }[] = [
    { where: 'top-left', read: () => readWindow(raster, { window: [0, 0, w, h] }) },
  ];
  if (full) {
    attempts.push({
      where: 'centre',
      read: () => readWindow(raster, { window: [cx, cy, cx + w, cy + h] }),
    });
    const outWidth = Math.min(256, info.width);
    const outHeight = Math.min(256, info.height);
    attempts.push({
      where: 'overview',
      read: () =>
        readWindow(raster, { level: levelFor(info, outWidth, outHeight), outWidth, outHeight }),
    });
  }
  let last: WindowProbe | undefined;
  for (const attempt of attempts) {
    const window = await attempt.read();
    last = {
      where: attempt.where,
      width: window.width,
      height: window.height,
      bands: window.bands.length,
      arrayTypes: [...new Set(window.bands.map((band) => band.constructor.name))],
      content: contentCount(window.bands),
    };
    if (last.content > 0) return last;
  }
  if (last === undefined) throw new Error('no probe window');
  return last;
}

async function handle(request: DecodeRequest): Promise<DecodeOutcome> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  try {
    const bytes = request.path === undefined ? request.bytes : await readFile(request.path);
    if (bytes === undefined) throw new Error('request has neither path nor bytes');
    const buffer = bytes.buffer.slice(
      bytes.byteOffset,
      bytes.byteOffset + bytes.byteLength,
    ) as ArrayBuffer;
    const raster = await openRaster({ kind: 'buffer', buffer, name: request.name });
    const { info } = raster;
    let window: WindowProbe;
    try {
      window = await probe(raster, info, request.probe === 'content');
    } catch (error) {
      // readWindow is not wrapped yet: explain its errors here the same way.
      throw explainDecodeError(error);
    }
    return { kind: 'raster', info, window, elapsedMs: elapsed() };
  } catch (error) {
    const raw = error instanceof Error ? error : new Error(String(error));
    const cause = raw.cause instanceof Error ? raw.cause.message : null;
    return {
      kind: 'error',
      name: raw.name,
      message: raw.message,
      reason: raw instanceof TiffRefusal ? raw.reason : null,
      rawMessage: cause,
      elapsedMs: elapsed(),
    };
  }
}

process.on('message', (message: { id: number; request: DecodeRequest }) => {
  current = message.id;
  void handle(message.request).then((outcome) => {
    current = null;
    send({ id: message.id, outcome });
  });
});
send({ id: -1, outcome: { kind: 'ready', elapsedMs: 0 } });
