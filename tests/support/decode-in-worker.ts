/**
 * Decodes rasters in a separate Node process with a time and heap limit, so
 * that a decode which hangs, exhausts memory or aborts V8 kills only that
 * process; it is restarted for the next request.
 *
 * Why a child process and not a worker_thread: V8's fatal errors ("invalid
 * size", "Reached heap limit" while growing an array) abort the whole process
 * even when they happen in a worker_thread with resourceLimits (checked on
 * Node 20.20). A child process is the unit that can die alone.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RasterInfo } from '../../src/core/raster.ts';

export interface DecodeRequest {
  /** Name shown in messages. */
  readonly name: string;
  /** A file to read, or the bytes themselves. */
  readonly path?: string;
  readonly bytes?: Uint8Array;
  /**
   * `window`: open and read the top-left 64×64 window. `content`: also try the
   * centre and a whole-image overview until a window has non-zero pixels.
   */
  readonly probe: 'window' | 'content';
}

export interface WindowProbe {
  readonly where: 'top-left' | 'centre' | 'overview';
  readonly width: number;
  readonly height: number;
  readonly bands: number;
  /** Typed-array class names of the bands, e.g. ["Uint16Array"]. */
  readonly arrayTypes: readonly string[];
  /** Values that are neither 0 nor NaN. */
  readonly content: number;
}

export type DecodeOutcome =
  | {
      readonly kind: 'raster';
      readonly info: RasterInfo;
      readonly window: WindowProbe;
      readonly elapsedMs: number;
    }
  | {
      readonly kind: 'error';
      readonly name: string;
      readonly message: string;
      /** TiffRefusal reason, or null for other errors. */
      readonly reason: string | null;
      /** The wrapped error's message (e.g. geotiff.js's own), if any. */
      readonly rawMessage: string | null;
      readonly elapsedMs: number;
    }
  /** Something escaped the decode as an uncaught exception or rejection. */
  | { readonly kind: 'uncaught'; readonly message: string; readonly elapsedMs: number }
  /** The process died (V8 abort, out of memory, signal). */
  | { readonly kind: 'crash'; readonly message: string; readonly elapsedMs: number }
  | { readonly kind: 'timeout'; readonly elapsedMs: number }
  /** Internal: the child is up. */
  | { readonly kind: 'ready'; readonly elapsedMs: number };

export interface DecodeWorkerOptions {
  /** Per request (default 10 s). */
  readonly timeoutMs?: number;
  /** V8 old-generation heap of the child (default 768 MB). */
  readonly maxHeapMb?: number;
}

const CHILD = fileURLToPath(new URL('./decode-child.ts', import.meta.url));

/** One decoding child process, restarted after it dies or times out. */
export class DecodeWorker {
  private child: ChildProcess | null = null;
  private ready: Promise<void> | null = null;
  private nextId = 1;
  private stderrTail = '';
  /** Times the child was (re)started. */
  starts = 0;
  private readonly timeoutMs: number;
  private readonly maxHeapMb: number;

  constructor(options: DecodeWorkerOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxHeapMb = options.maxHeapMb ?? 768;
  }

  private start(): Promise<void> {
    this.starts++;
    this.stderrTail = '';
    const child = fork(CHILD, [], {
      execArgv: ['--import', 'tsx', `--max-old-space-size=${this.maxHeapMb}`],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-2000);
    });
    this.child = child;
    return new Promise<void>((resolve, reject) => {
      const onMessage = (message: { id: number }): void => {
        if (message.id !== -1) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve();
      };
      const onExit = (code: number | null): void => {
        reject(
          new Error(`decode child exited with ${code} before it was ready: ${this.stderrTail}`),
        );
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  }

  private kill(): void {
    this.child?.kill('SIGKILL');
    this.child = null;
    this.ready = null;
  }

  async decode(request: DecodeRequest): Promise<DecodeOutcome> {
    this.ready ??= this.start();
    await this.ready;
    const child = this.child;
    if (child === null) throw new Error('decode child missing');
    const id = this.nextId++;
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    return new Promise<DecodeOutcome>((resolve) => {
      const finish = (outcome: DecodeOutcome, restart: boolean): void => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (restart) this.kill();
        resolve(outcome);
      };
      const onMessage = (message: { id: number; outcome: DecodeOutcome }): void => {
        if (message.id !== id) return;
        finish(message.outcome, message.outcome.kind === 'uncaught');
      };
      const onExit = (code: number | null, signal: string | null): void => {
        const tail = this.stderrTail.split('\n').slice(0, 3).join(' | ');
        finish(
          {
            kind: 'crash',
            message: `decode process exited (${signal ?? `code ${code}`}): ${tail}`,
            elapsedMs: elapsed(),
          },
          true,
        );
      };
      const timer = setTimeout(() => {
        finish({ kind: 'timeout', elapsedMs: elapsed() }, true);
      }, this.timeoutMs);
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({ id, request });
    });
  }

  close(): void {
    this.kill();
  }
}

/** Runs requests on `concurrency` workers; results in request order. */
export async function decodeAll(
  requests: readonly DecodeRequest[],
  options: DecodeWorkerOptions & { readonly concurrency?: number } = {},
): Promise<{ outcomes: DecodeOutcome[]; starts: number }> {
  const workers = Array.from(
    { length: Math.max(1, options.concurrency ?? 2) },
    () => new DecodeWorker(options),
  );
  const outcomes = new Array<DecodeOutcome>(requests.length);
  let next = 0;
  try {
    await Promise.all(
      workers.map(async (worker) => {
        while (next < requests.length) {
          const index = next++;
          const request = requests[index];
          if (request !== undefined) outcomes[index] = await worker.decode(request);
        }
      }),
    );
  } finally {
    for (const worker of workers) worker.close();
  }
  return { outcomes, starts: workers.reduce((sum, worker) => sum + worker.starts, 0) };
}
