/**
 * GPU time per compute pass, for profiling on a real GPU (the benchmarks'
 * QW_BENCH_PROFILE=1). GpuTimer times whole submissions; this says which
 * kernels inside them take the time. While a profiler is attached to a
 * device, every pass the kernels open through `beginComputePass` writes a
 * timestamp at its beginning and end; the labels are the passes' own. Nothing
 * is recorded, and no query set exists, while none is attached: the app never
 * attaches one.
 *
 * Passes on a queue may overlap on some GPUs, so per-pass times need not sum
 * to a submission's time; they show where the time goes, not a budget.
 */
import {
  createTimestampPairs,
  destroyTimestampPairs,
  readTimestampPairsMs,
  type TimestampPairs,
} from './gpu-timer.ts';

const attached = new WeakMap<GPUDevice, PassProfiler>();
/** Passes one profiler times between reads: two queries each, and a query set holds at most 4096. */
export const MAX_PROFILED_PASSES = 2048;

export interface PassTime {
  readonly label: string;
  readonly ms: number;
}

export class PassProfiler {
  private readonly stamps: TimestampPairs;
  private readonly labels: string[] = [];
  private skipped = 0;
  private detached = false;

  private constructor(
    private readonly device: GPUDevice,
    private readonly capacityPasses: number,
  ) {
    this.stamps = createTimestampPairs(device, 'pass profiler', capacityPasses);
  }

  /**
   * Attaches a profiler for up to capacityPasses passes between reads, or
   * gives null where the device has no timestamp queries. One profiler per
   * device at a time.
   */
  static attach(device: GPUDevice, capacityPasses = MAX_PROFILED_PASSES): PassProfiler | null {
    if (
      !Number.isInteger(capacityPasses) ||
      capacityPasses < 1 ||
      capacityPasses > MAX_PROFILED_PASSES
    ) {
      throw new Error(
        `A pass profiler holds 1 to ${MAX_PROFILED_PASSES} passes (asked for ${capacityPasses})`,
      );
    }
    if (!device.features.has('timestamp-query')) return null;
    if (attached.has(device)) throw new Error('This device already has a pass profiler');
    const profiler = new PassProfiler(device, capacityPasses);
    attached.set(device, profiler);
    return profiler;
  }

  /** Passes recorded since the last read (timed ones; skipped ones are counted apart). */
  get pendingPasses(): number {
    return this.labels.length;
  }

  /** The timestamp writes of the next pass, or undefined once the set is full (counted as skipped). */
  nextPass(label: string): GPUComputePassTimestampWrites | undefined {
    if (this.labels.length >= this.capacityPasses) {
      this.skipped++;
      return undefined;
    }
    const first = 2 * this.labels.length;
    this.labels.push(label);
    return {
      querySet: this.stamps.querySet,
      beginningOfPassWriteIndex: first,
      endOfPassWriteIndex: first + 1,
    };
  }

  /**
   * Each pass recorded since the last read, in recording order, with its GPU
   * time, and how many passes went untimed because the set was full. Starts
   * the next round empty. Call it once every encoder that recorded those
   * passes is submitted: a pass encoded and never submitted (or submitted
   * later) has no timestamps of this round, and reads as 0.
   */
  async read(): Promise<{ readonly passes: PassTime[]; readonly skipped: number }> {
    if (this.detached) throw new Error('This pass profiler is detached');
    const labels = this.labels.splice(0);
    const skipped = this.skipped;
    this.skipped = 0;
    const ms = await readTimestampPairsMs(this.device, this.stamps, labels.length);
    const passes = labels.map((label, k): PassTime => ({ label, ms: ms[k] ?? 0 }));
    return { passes, skipped };
  }

  /** Stops recording on the device and frees the query set. */
  detach(): void {
    if (this.detached) return;
    this.detached = true;
    if (attached.get(this.device) === this) attached.delete(this.device);
    destroyTimestampPairs(this.stamps);
  }
}

/** Whether a profiler is attached to `device` (stages may then split passes to be named apart). */
export function isProfiling(device: GPUDevice): boolean {
  return attached.has(device);
}

/**
 * Opens a compute pass labelled `label`; with a profiler attached to `device`
 * (and no timestamp writes of the caller's own), the pass is timed.
 */
export function beginComputePass(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  label: string,
  timestampWrites?: GPUComputePassTimestampWrites,
): GPUComputePassEncoder {
  const writes = timestampWrites ?? attached.get(device)?.nextPass(label);
  return encoder.beginComputePass(
    writes === undefined ? { label } : { label, timestampWrites: writes },
  );
}

/** Per-pass times summed by label: total ms and pass count, largest total first. */
export function passTimesByLabel(
  passes: readonly PassTime[],
): { readonly label: string; readonly ms: number; readonly count: number }[] {
  const byLabel = new Map<string, { ms: number; count: number }>();
  for (const { label, ms } of passes) {
    const entry = byLabel.get(label) ?? { ms: 0, count: 0 };
    entry.ms += ms;
    entry.count++;
    byLabel.set(label, entry);
  }
  return [...byLabel.entries()]
    .map(([label, { ms, count }]) => ({ label, ms, count }))
    .sort((a, b) => b.ms - a.ms);
}
