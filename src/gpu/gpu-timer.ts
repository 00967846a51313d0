/**
 * GPU time of a chain of submissions, from timestamp queries. Each submission
 * is opened by an empty compute pass that writes a begin timestamp and closed
 * by one that writes an end timestamp; the time reported is the sum of
 * (end − begin) over the submissions, so the host round trips between them
 * (read-backs of histograms and Otsu maxima, CPU fits) are not counted.
 *
 * Browsers may quantize timestamps (Chromium rounds them to 100 µs unless its
 * WebGPU developer features are on), so a figure under a millisecond is
 * coarse. Without the 'timestamp-query' feature there is no timer (null).
 */
import { readBuffer } from './buffers.ts';

const BYTES_PER_TIMESTAMP = 8;

/** A timestamp query set of `pairs` begin/end pairs and the buffer it resolves into. */
export interface TimestampPairs {
  readonly querySet: GPUQuerySet;
  readonly resolveBuffer: GPUBuffer;
}

export function createTimestampPairs(
  device: GPUDevice,
  label: string,
  pairs: number,
): TimestampPairs {
  return {
    querySet: device.createQuerySet({ label, type: 'timestamp', count: 2 * pairs }),
    resolveBuffer: device.createBuffer({
      label: `${label} resolve`,
      size: 2 * pairs * BYTES_PER_TIMESTAMP,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    }),
  };
}

export function destroyTimestampPairs({ querySet, resolveBuffer }: TimestampPairs): void {
  querySet.destroy();
  resolveBuffer.destroy();
}

/**
 * Milliseconds between the begin (2k) and end (2k + 1) timestamps of the
 * first `pairs` pairs; call once every pass that writes them is submitted.
 */
export async function readTimestampPairsMs(
  device: GPUDevice,
  { querySet, resolveBuffer }: TimestampPairs,
  pairs: number,
): Promise<number[]> {
  if (pairs === 0) return [];
  const count = 2 * pairs;
  const encoder = device.createCommandEncoder({ label: `${querySet.label} resolve` });
  encoder.resolveQuerySet(querySet, 0, count, resolveBuffer, 0);
  device.queue.submit([encoder.finish()]);
  const stamps = new BigUint64Array(
    await readBuffer(device, resolveBuffer, count * BYTES_PER_TIMESTAMP),
  );
  return Array.from({ length: pairs }, (_, k) => {
    const begin = stamps[2 * k] ?? 0n;
    const end = stamps[2 * k + 1] ?? 0n;
    // A reset or reordered counter can give end < begin: that pair counts as 0.
    return end > begin ? Number(end - begin) / 1e6 : 0;
  });
}

export class GpuTimer {
  private readonly stamps: TimestampPairs;
  private spans = 0;
  /** The label of each span, in order (the encoder's label where it has one). */
  private readonly spanLabels: string[] = [];

  private constructor(
    private readonly device: GPUDevice,
    private readonly maxSpans: number,
  ) {
    this.stamps = createTimestampPairs(device, 'gpu timer', maxSpans);
  }

  /** A timer for up to maxSpans submissions, or null where the device has no timestamp queries. */
  static create(device: GPUDevice, maxSpans: number): GpuTimer | null {
    if (!device.features.has('timestamp-query')) return null;
    return new GpuTimer(device, maxSpans);
  }

  /** Records `record` between a begin and an end timestamp; past maxSpans it records untimed. */
  wrap(encoder: GPUCommandEncoder, record: () => void): void {
    if (this.spans >= this.maxSpans) {
      record();
      return;
    }
    const first = 2 * this.spans;
    this.spans++;
    this.spanLabels.push(encoder.label);
    encoder
      .beginComputePass({
        label: 'gpu timer begin',
        timestampWrites: { querySet: this.stamps.querySet, beginningOfPassWriteIndex: first },
      })
      .end();
    record();
    encoder
      .beginComputePass({
        label: 'gpu timer end',
        timestampWrites: { querySet: this.stamps.querySet, endOfPassWriteIndex: first + 1 },
      })
      .end();
  }

  /** Milliseconds of GPU time over the spans recorded so far (after their submissions). */
  async readMs(): Promise<number> {
    const spans = await this.readSpansMs();
    return spans.reduce((total, span) => total + span.ms, 0);
  }

  /** Each span's label and GPU time in ms, in recording order (after their submissions). */
  async readSpansMs(): Promise<{ readonly label: string; readonly ms: number }[]> {
    const ms = await readTimestampPairsMs(this.device, this.stamps, this.spans);
    return this.spanLabels.map((label, k) => ({ label, ms: ms[k] ?? 0 }));
  }

  destroy(): void {
    destroyTimestampPairs(this.stamps);
  }
}
