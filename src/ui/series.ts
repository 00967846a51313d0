/**
 * The N-date series: the per-pier TEU of every opened date, each measured as
 * the "after" of the pair (reference, date) with the current piers and
 * parameters. The runner is pure orchestration (the pair analysis is handed
 * in), so it runs in Node tests: dates one after another, progress, cancel,
 * latest start wins, and an error of one date never stops the others.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ReferenceValues, type DateOutcome, type TeuValue } from '../core/series.ts';

export interface SeriesDate {
  readonly id: number;
  readonly name: string;
  readonly label: string;
}

/** What one pair (reference, date) gave. */
export interface PairTeu {
  /** The reference date's TEU per pier, as this pair measured it. */
  readonly before: ReadonlyMap<string, TeuValue | null>;
  /** This date's TEU per pier. */
  readonly after: ReadonlyMap<string, TeuValue | null>;
  /** The residual shift the date was read with, reference pixels. */
  readonly shiftPx: readonly [number, number];
  /** Where that shift came from, e.g. "in use for the pair on screen". */
  readonly shiftSource: string;
}

export interface SeriesJob {
  readonly referenceId: number;
  /** All dates in date order, the reference among them. */
  readonly dates: readonly SeriesDate[];
  /** Analyses the pair (reference, date); rejects with an AbortError once `signal` aborts. */
  readonly runPair: (dateId: number, signal: AbortSignal) => Promise<PairTeu>;
  /** Identifies a pair's result (same images, piers, parameters, shift): equal keys are reused. */
  readonly cacheKey: (dateId: number) => string;
  /** Pairs already analysed elsewhere (the pair on screen): taken as they are. */
  readonly known?: readonly { readonly dateId: number; readonly value: PairTeu }[];
}

export interface SeriesState {
  readonly referenceId: number;
  readonly dates: readonly SeriesDate[];
  /** One per date, in the dates' order. */
  readonly outcomes: readonly DateOutcome[];
  /** Per date: "shift (0.60, −0.40) px, estimated" and the like; null where none. */
  readonly notes: readonly (string | null)[];
  readonly running: boolean;
  /** Pairs finished (done or failed) and pairs in all (dates other than the reference). */
  readonly finished: number;
  readonly total: number;
  /** The date being analysed now (index into `dates`), or null. */
  readonly currentIndex: number | null;
  /** How the last run ended, when it did not end by itself. */
  readonly stopped: 'cancelled' | 'superseded' | null;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** "shift (0.60, −0.40) px, estimated against the reference". */
export function describeShift(value: PairTeu): string {
  const one = (v: number): string => v.toFixed(2).replace('-', '−');
  return `shift (${one(value.shiftPx[0])}, ${one(value.shiftPx[1])}) px, ${value.shiftSource}`;
}

/** Results kept for reuse; a handful of parameter sets × dates is plenty. */
const CACHE_LIMIT = 64;

export class SeriesRunner {
  private controller: AbortController | undefined;
  private readonly cache = new Map<string, PairTeu>();
  private stateValue: SeriesState | undefined;

  constructor(private readonly onChange: (state: SeriesState | undefined) => void) {}

  get state(): SeriesState | undefined {
    return this.stateValue;
  }

  get running(): boolean {
    return this.stateValue?.running === true;
  }

  private set(state: SeriesState | undefined): void {
    this.stateValue = state;
    this.onChange(state);
  }

  private patch(change: Partial<SeriesState>): void {
    if (this.stateValue !== undefined) this.set({ ...this.stateValue, ...change });
  }

  private remember(key: string, value: PairTeu): void {
    this.cache.delete(key);
    this.cache.set(key, value);
    if (this.cache.size > CACHE_LIMIT) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }

  /** Stops the run in flight (if any) and says why; finished dates keep their values. */
  stop(reason: 'cancelled' | 'superseded' = 'cancelled'): void {
    const controller = this.controller;
    if (controller === undefined) return;
    this.controller = undefined;
    controller.abort();
    const state = this.stateValue;
    if (state === undefined) return;
    this.set({
      ...state,
      outcomes: state.outcomes.map((outcome) =>
        outcome.kind === 'pending' || outcome.kind === 'running' ? { kind: 'cancelled' } : outcome,
      ),
      running: false,
      currentIndex: null,
      stopped: reason,
    });
  }

  /** Forgets the series (fewer than three dates, no piers). */
  clear(): void {
    this.stop();
    if (this.stateValue !== undefined) this.set(undefined);
  }

  /**
   * Runs every date against the reference, one after another; a newer start
   * cancels this one. Resolves when this run has finished or was stopped.
   */
  async start(job: SeriesJob): Promise<void> {
    this.stop();
    const controller = new AbortController();
    this.controller = controller;
    const { signal } = controller;
    // A function, not the property: the flag changes across the awaits below.
    const stopped = (): boolean => signal.aborted;
    for (const { dateId, value } of job.known ?? []) this.remember(job.cacheKey(dateId), value);
    const referenceIndex = job.dates.findIndex((date) => date.id === job.referenceId);
    const order = job.dates.map((_, index) => index).filter((index) => index !== referenceIndex);
    // The reference's own value comes from the pair shown on screen when there is one.
    const preferred = job.known?.[0]?.dateId;
    order.sort(
      (a, b) => Number(job.dates[b]?.id === preferred) - Number(job.dates[a]?.id === preferred),
    );
    const outcomes: DateOutcome[] = job.dates.map(() => ({ kind: 'pending' }));
    const notes: (string | null)[] = job.dates.map(() => null);
    // The reference's values: its first pair's, and for a pier that pair did not cover
    // (null), the first later pair's that did.
    const reference = new ReferenceValues<TeuValue | null>((teu) => teu !== null);
    this.set({
      referenceId: job.referenceId,
      dates: job.dates,
      outcomes: [...outcomes],
      notes: [...notes],
      running: true,
      finished: 0,
      total: order.length,
      currentIndex: null,
      stopped: null,
    });
    for (const [step, index] of order.entries()) {
      const date = job.dates[index];
      if (date === undefined || stopped()) break;
      const key = job.cacheKey(date.id);
      outcomes[index] = { kind: 'running' };
      this.patch({ outcomes: [...outcomes], currentIndex: index });
      try {
        const value = this.cache.get(key) ?? (await job.runPair(date.id, signal));
        if (stopped()) return;
        this.remember(key, value);
        outcomes[index] = { kind: 'done', teuByPier: value.after };
        notes[index] = describeShift(value);
        if (referenceIndex >= 0) {
          const values = reference.add(date.label, value.before);
          notes[referenceIndex] = reference.note;
          outcomes[referenceIndex] = { kind: 'done', teuByPier: values };
        }
      } catch (error) {
        // Only this run's own cancel ends it; any other failure is this date's error.
        if (stopped()) return;
        outcomes[index] = { kind: 'error', message: message(error) };
      }
      this.patch({ outcomes: [...outcomes], notes: [...notes], finished: step + 1 });
    }
    if (stopped() || this.controller !== controller) return;
    this.controller = undefined;
    if (reference.values === null && referenceIndex >= 0) {
      outcomes[referenceIndex] = {
        kind: 'error',
        message: 'No pair with the reference could be analysed, so it has no value either.',
      };
    }
    this.patch({ outcomes: [...outcomes], running: false, currentIndex: null });
  }
}

export interface SeriesHostHooks {
  /** Identifies the set of opened dates; a change restarts the series. */
  readonly datesKey: () => string;
  readonly onDatesChanged: () => void;
}

/**
 * The series as a Lit controller of qw-app: renders on every change and,
 * before each host update, stops a run whose piers, parameters or reference
 * are no longer the ones on screen (latest wins; the new analysis starts a
 * fresh one) and restarts when images were opened or removed.
 */
export class SeriesController implements ReactiveController {
  readonly runner: SeriesRunner;
  /** Estimate each date's residual shift against the reference (else: none). */
  fineAlign = false;
  /** The last job, to run again after a cancel; with the test that it is still current. */
  private last: { readonly job: SeriesJob; readonly isCurrent: () => boolean } | undefined;
  private datesKey = '';

  constructor(
    host: ReactiveControllerHost,
    private readonly hooks: SeriesHostHooks,
  ) {
    this.runner = new SeriesRunner(() => {
      host.requestUpdate();
    });
    host.addController(this);
  }

  get state(): SeriesState | undefined {
    return this.runner.state;
  }

  start(job: SeriesJob, isCurrent: () => boolean): void {
    this.last = { job, isCurrent };
    void this.runner.start(job);
  }

  /** Runs the last job again (after a cancel) while it still matches the screen. */
  rerun(): void {
    if (this.last?.isCurrent() === true) void this.runner.start(this.last.job);
  }

  cancel(): void {
    this.runner.stop('cancelled');
  }

  clear(): void {
    this.last = undefined;
    this.runner.clear();
  }

  hostUpdate(): void {
    if (this.runner.running && this.last?.isCurrent() === false) this.runner.stop('superseded');
    const key = this.hooks.datesKey();
    if (key !== this.datesKey) {
      this.datesKey = key;
      this.hooks.onDatesChanged();
    }
  }

  hostDisconnected(): void {
    this.runner.stop();
  }
}
