/**
 * The main thread's handle on one raster in its own io worker. Every call can
 * report progress and be cancelled; a worker that crashes, or that makes no
 * progress for `stallMs`, is terminated and the call fails with a message
 * naming the file — the next call starts a fresh worker and reopens the file,
 * so one bad file never takes the others (or the page) down. Calls that were
 * waiting on a worker stopped for another call's sake run once more on a
 * fresh one instead of failing.
 */
import * as Comlink from 'comlink';
import type { RasterInfo, RasterWindow } from '../core/raster.ts';
import type { RasterSource } from './decoder.ts';
import type { ShiftEstimate } from '../core/align/phase-correlation.ts';
import type { AlignedBands, AlignTarget } from './align-read.ts';
import type {
  AlignedDisplayRequest,
  AlignedDisplayResult,
  CoveredLuminance,
  DecodeWorkerApi,
  DisplayRequest,
  DisplayResult,
  LuminanceImage,
} from './decode.worker.ts';

export interface CallOptions {
  readonly onProgress?: (fraction: number) => void;
  readonly signal?: AbortSignal;
  /** Overrides the client's stall watchdog for this call, milliseconds. */
  readonly stallMs?: number;
}

/** A call that makes no progress for this long is taken for a runaway decode. */
const DEFAULT_STALL_MS = 30_000;
/** After a cancel, how long the worker gets to stop before it is terminated. */
const CANCEL_GRACE_MS = 2_000;

interface Live {
  readonly worker: Worker;
  readonly api: Comlink.Remote<DecodeWorkerApi>;
  /** Rejects the pending calls when the worker dies or is killed. */
  readonly died: Promise<never>;
  readonly fail: (error: Error) => void;
  /** Calls in flight on this worker (a cancel kills it only when it has no other). */
  calls: number;
  /**
   * The stall timers of the calls in flight, re-armed by progress from any of
   * them: the worker runs its calls one at a time, so a call queued behind a
   * long read makes no progress of its own, and the read that does must not
   * lose its progress to the newer call (it was then taken for stalled).
   */
  readonly stallTimers: Set<() => void>;
  /** Set once its proxy is released and the worker terminated. */
  dead: boolean;
  /** Settles when the file is open in this worker; every call waits for it. */
  opened: Promise<void>;
}

/** A call whose worker was stopped for another call's sake (a stale read that would not stop, a stall). */
class WorkerStoppedError extends Error {}

export class RasterClient {
  private live: Live | undefined;
  private infoValue: RasterInfo | undefined;
  /** Set by close(): no call starts a worker again. */
  private closed = false;

  private constructor(
    private openSource: RasterSource,
    readonly name: string,
    private readonly stallMs: number,
  ) {}

  /** The source as the worker opened it (a URL's sidecars settled), or as given before that. */
  get source(): RasterSource {
    return this.openSource;
  }

  /** Opens `source` in a new worker; rejects with a message naming the file. */
  static async open(
    source: RasterSource,
    name: string,
    options: CallOptions & { stallMs?: number } = {},
  ): Promise<RasterClient> {
    const client = new RasterClient(source, name, options.stallMs ?? DEFAULT_STALL_MS);
    await client.ensureOpen(options);
    return client;
  }

  get info(): RasterInfo {
    if (this.infoValue === undefined) throw new Error(`${this.name} is not open`);
    return this.infoValue;
  }

  private spawn(): Live {
    const worker = new Worker(new URL('./decode.worker.ts', import.meta.url), {
      type: 'module',
      name: `quaywatch-io ${this.name}`,
    });
    const api = Comlink.wrap<DecodeWorkerApi>(worker);
    let fail: (error: Error) => void = () => undefined;
    const died = new Promise<never>((_, reject) => {
      fail = reject;
      worker.addEventListener('error', (event) => {
        event.preventDefault();
        // The crash's own message first: kill's generic one then changes nothing.
        reject(
          new Error(`Decoding ${this.name} crashed${event.message ? `: ${event.message}` : ''}`),
        );
        this.kill(live);
      });
    });
    died.catch(() => undefined); // observed by whichever call is pending
    const live: Live = {
      worker,
      api,
      died,
      fail,
      calls: 0,
      dead: false,
      stallTimers: new Set(),
      opened: Promise.resolve(),
    };
    return live;
  }

  /** Terminates `live`'s worker (not a newer one that replaced it); the next call starts afresh. */
  private kill(live: Live | undefined = this.live): void {
    if (live === undefined) return;
    if (this.live === live) this.live = undefined;
    if (live.dead) return;
    live.dead = true;
    live.api[Comlink.releaseProxy]();
    live.worker.terminate();
    // Calls still pending on it would never hear back: they fail now (a first rejection wins).
    live.fail(new WorkerStoppedError(`The worker reading ${this.name} was stopped; try again`));
  }

  private async ensureOpen(options: CallOptions): Promise<Live> {
    if (this.closed) throw new Error(`${this.name} was closed`);
    const current = this.live;
    if (current !== undefined) {
      // Calls that come while another opens the file (a retry after a stopped
      // worker, say) wait for it: sent now, they would find nothing open.
      try {
        await current.opened;
      } catch (error) {
        if (options.signal?.aborted === true) throw error;
        // The opening was another call's: this one may try again.
        throw new WorkerStoppedError(`Opening ${this.name} for another read failed; try again`, {
          cause: error,
        });
      }
      return current;
    }
    const live = this.spawn();
    this.live = live;
    live.opened = this.guard(
      live,
      () => live.api.open(this.openSource),
      options,
      `Opening ${this.name}`,
    ).then(
      ({ info, source }) => {
        this.infoValue = info;
        // A replaced worker reopens the same files, without probing for sidecars again.
        this.openSource = source;
      },
      (error: unknown) => {
        // A worker without the file open is of no use to the next call.
        this.kill(live);
        throw error;
      },
    );
    await live.opened;
    return live;
  }

  /**
   * Runs one worker call under the watchdog: progress resets the stall timer,
   * a cancel asks the worker to stop and terminates it if it does not.
   */
  private guard<T>(
    live: Live,
    call: (onProgress: (fraction: number) => void) => Promise<T>,
    options: CallOptions,
    what: string,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let stallTimer: ReturnType<typeof setTimeout> | undefined;
      const finish = (action: () => void): void => {
        if (settled) return;
        settled = true;
        live.calls--;
        live.stallTimers.delete(armStall);
        clearTimeout(stallTimer);
        options.signal?.removeEventListener('abort', onAbort);
        action();
      };
      const stallMs = options.stallMs ?? this.stallMs;
      const armStall = (): void => {
        clearTimeout(stallTimer);
        stallTimer = setTimeout(() => {
          this.kill(live);
          finish(() => {
            reject(
              new Error(
                `${what} stopped responding for ${Math.round(stallMs / 1000)} s and was stopped`,
              ),
            );
          });
        }, stallMs);
      };
      const onAbort = (): void => {
        // Its worker may be gone already (an earlier cancel or a stall killed it).
        if (!live.dead) void live.api.cancel();
        setTimeout(() => {
          // Newer calls on the same worker keep it: the cancel stops the stale read, and the
          // stall watchdog still guards against one that never stops.
          if (!settled && live.calls <= 1) this.kill(live);
          finish(() => {
            reject(new DOMException(`${what} was cancelled`, 'AbortError'));
          });
        }, CANCEL_GRACE_MS);
      };
      if (options.signal?.aborted === true) {
        reject(new DOMException(`${what} was cancelled`, 'AbortError'));
        return;
      }
      live.calls++;
      options.signal?.addEventListener('abort', onAbort);
      live.stallTimers.add(armStall);
      armStall();
      const onProgress = Comlink.proxy((fraction: number): void => {
        for (const rearm of live.stallTimers) rearm();
        // A cancelled read may still report before the worker stops it.
        if (!settled) options.onProgress?.(fraction);
      });
      Promise.race([call(onProgress), live.died]).then(
        (value) => {
          finish(() => {
            resolve(value);
          });
        },
        (error: unknown) => {
          finish(() => {
            reject(
              options.signal?.aborted === true
                ? new DOMException(`${what} was cancelled`, 'AbortError')
                : error instanceof Error
                  ? error
                  : new Error(String(error)),
            );
          });
        },
      );
    });
  }

  /**
   * One worker call under the watchdog; a call whose worker was stopped for
   * another's sake runs once more on a fresh worker (unless it was cancelled,
   * or it hands over buffers that the first try already gave away).
   */
  private async run<T>(
    call: (
      api: Comlink.Remote<DecodeWorkerApi>,
      onProgress: (fraction: number) => void,
    ) => Promise<T>,
    options: CallOptions,
    what: string,
    retry = true,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const live = await this.ensureOpen(options);
      try {
        return await this.guard(live, (onProgress) => call(live.api, onProgress), options, what);
      } catch (error) {
        const again =
          error instanceof WorkerStoppedError &&
          retry &&
          attempt === 0 &&
          options.signal?.aborted !== true &&
          !this.closed;
        if (!again) throw error;
      }
    }
  }

  async readDisplay(request: DisplayRequest, options: CallOptions = {}): Promise<DisplayResult> {
    return this.run(
      (api, onProgress) => api.readDisplay(request, onProgress),
      options,
      `Reading ${this.name}`,
    );
  }

  async readBands(
    window: readonly [number, number, number, number],
    level: number,
    bands?: readonly number[],
    options: CallOptions = {},
  ): Promise<RasterWindow> {
    return this.run(
      (api, onProgress) => api.readBands(window, level, bands, onProgress),
      options,
      `Reading ${this.name}`,
    );
  }

  /** This image resampled onto another's display grid. */
  async readAlignedDisplay(
    request: AlignedDisplayRequest,
    options: CallOptions = {},
  ): Promise<AlignedDisplayResult> {
    return this.run(
      (api, onProgress) => api.readAlignedDisplay(request, onProgress),
      options,
      `Aligning ${this.name}`,
    );
  }

  /** This image's bands on another grid at analysis resolution. */
  async readAlignedBands(
    target: AlignTarget,
    shiftPx: readonly [number, number],
    bands: readonly number[],
    options: CallOptions = {},
  ): Promise<AlignedBands> {
    return this.run(
      (api, onProgress) => api.readAlignedBands(target, shiftPx, bands, onProgress),
      options,
      `Aligning ${this.name}`,
    );
  }

  /**
   * Residual shift of an aligned luminance (readAlignedDisplay withLuminance)
   * against a reference luminance, display pixels, worked out in this worker.
   * `moving` is handed over (its buffers are detached here); `reference` is copied.
   */
  async estimateShift(
    reference: LuminanceImage,
    moving: CoveredLuminance,
    options: CallOptions = {},
  ): Promise<ShiftEstimate> {
    return this.run(
      (api) =>
        api.estimateShift(
          reference,
          Comlink.transfer(moving, [moving.luminance.buffer, moving.valid.buffer]),
        ),
      options,
      `Estimating the shift of ${this.name}`,
      // `moving` is handed over on the first try: there is nothing to send again.
      false,
    );
  }

  close(): void {
    this.closed = true;
    this.kill();
  }
}
