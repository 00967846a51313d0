import { describe, expect, test } from 'vitest';
import {
  assembleSeries,
  axisTicks,
  dateAxisPositions,
  dateInFileName,
  distinctLabels,
  measuredTeu,
  mergeReference,
  orderDates,
  referenceSourceNote,
  type DateOutcome,
  type TeuValue,
} from '../../src/core/series.ts';
import {
  SeriesRunner,
  type PairTeu,
  type SeriesJob,
  type SeriesState,
} from '../../src/ui/series.ts';

const teu = (value: number): TeuValue => ({ teu: value, lowTeu: value - 1, highTeu: value + 1 });

function pair(before: number, after: number): PairTeu {
  return {
    before: new Map([['Pier 1', teu(before)]]),
    after: new Map([['Pier 1', teu(after)]]),
    shiftPx: [0, 0],
    shiftSource: 'none',
  };
}

function abortError(): DOMException {
  return new DOMException('cancelled', 'AbortError');
}

/** A runPair whose calls wait until the test resolves them, rejecting on abort. */
function controllablePairs(): {
  runPair: SeriesJob['runPair'];
  calls: number[];
  resolve: (dateId: number, value: PairTeu | Error) => void;
} {
  const pending = new Map<number, (value: PairTeu | Error) => void>();
  const calls: number[] = [];
  return {
    calls,
    runPair: (dateId, signal) => {
      calls.push(dateId);
      return new Promise<PairTeu>((resolve, reject) => {
        signal.addEventListener('abort', () => {
          reject(abortError());
        });
        pending.set(dateId, (value) => {
          if (value instanceof Error) reject(value);
          else resolve(value);
        });
      });
    },
    resolve: (dateId, value) => {
      const settle = pending.get(dateId);
      if (settle === undefined) throw new Error(`date ${dateId} is not running`);
      settle(value);
    },
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

const DATES = [
  { id: 1, name: 'a.tif', label: '2023-10-13' },
  { id: 2, name: 'b.tif', label: '2023-10-16' },
  { id: 3, name: 'c.tif', label: '2023-10-20' },
  { id: 4, name: 'd.tif', label: '2023-10-24' },
];

function outcomeTeu(state: SeriesState | undefined): (number | string)[] {
  return (state?.outcomes ?? []).map((outcome) =>
    outcome.kind === 'done' ? (outcome.teuByPier.get('Pier 1')?.teu ?? NaN) : outcome.kind,
  );
}

describe('date ordering', () => {
  test('dates in file names: dashed, underscored, compact; not inside longer digit runs', () => {
    expect(dateInFileName('najin_2023-10-13_wv3.tif')).toBe('2023-10-13');
    expect(dateInFileName('najin_2023_10_16.tif')).toBe('2023-10-16');
    expect(dateInFileName('S2A_20231020_T52.tif')).toBe('2023-10-20');
    expect(dateInFileName('scene_120231020999.tif')).toBeNull();
    expect(dateInFileName('2023-13-40.tif')).toBeNull();
    expect(dateInFileName('2023-02-30.tif')).toBeNull();
    expect(dateInFileName('2024-02-29.tif')).toBe('2024-02-29');
    expect(dateInFileName('no date.tif')).toBeNull();
    // Mixed separators are not one date.
    expect(dateInFileName('2023-10_13.tif')).toBeNull();
  });

  test('metadata date first, else the name, else file order (undated last, stable)', () => {
    const ordered = orderDates([
      { id: 1, name: 'undated-b.tif', acquired: null },
      { id: 2, name: 'x_20231020.tif', acquired: null },
      { id: 3, name: 'meta.tif', acquired: '2023-10-16T02:31:00Z' },
      { id: 4, name: 'undated-a.tif', acquired: null },
      // The metadata wins over a date in the name.
      { id: 5, name: 'named_2030-01-01.tif', acquired: '2023-10-13T02:14:00Z' },
    ]);
    expect(ordered.map((date) => date.id)).toEqual([5, 3, 2, 1, 4]);
    expect(ordered.map((date) => date.source)).toEqual([
      'acquired',
      'acquired',
      'file name',
      'file order',
      'file order',
    ]);
    expect(ordered.map((date) => date.label)).toEqual([
      '2023-10-13',
      '2023-10-16',
      '2023-10-20',
      'undated-b.tif',
      'undated-a.tif',
    ]);
  });

  test('two images of the same day get their file names in the label', () => {
    const ordered = orderDates([
      { id: 1, name: 'am.tif', acquired: '2023-10-13T02:00:00Z' },
      { id: 2, name: 'pm.tif', acquired: '2023-10-13T14:00:00Z' },
      { id: 3, name: 'next.tif', acquired: '2023-10-14T02:00:00Z' },
    ]);
    expect(distinctLabels(ordered)).toEqual([
      '2023-10-13 (am.tif)',
      '2023-10-13 (pm.tif)',
      '2023-10-14',
    ]);
  });
});

describe('series assembly', () => {
  test('a line per pier, a point per date, null where a date failed or lacks the pier', () => {
    const outcomes: DateOutcome[] = [
      {
        kind: 'done',
        teuByPier: new Map([
          ['Pier 1', teu(100)],
          ['Pier 2', teu(50)],
        ]),
      },
      { kind: 'error', message: 'bad file' },
      { kind: 'done', teuByPier: new Map([['Pier 2', teu(80)]]) },
      { kind: 'pending' },
    ];
    const lines = assembleSeries(outcomes);
    expect(lines.map((line) => line.pier)).toEqual(['Pier 1', 'Pier 2']);
    expect(lines[0]?.points.map((point) => point?.teu ?? null)).toEqual([100, null, null, null]);
    expect(lines[1]?.points.map((point) => point?.teu ?? null)).toEqual([50, null, 80, null]);
  });

  test('a pier a date does not cover is a gap on that date, not a point at 0, and keeps its line', () => {
    // Pier 2 lies outside the second date's image (coverage 0): its 0 TEU there is no measurement.
    const first = measuredTeu(
      new Map([
        ['Pier 1', teu(100)],
        ['Pier 2', teu(50)],
      ]),
      [1, 0.4],
    );
    const second = measuredTeu(
      new Map([
        ['Pier 1', teu(90)],
        ['Pier 2', teu(0)],
      ]),
      [1, 0],
    );
    expect(first.get('Pier 2')?.teu).toBe(50);
    expect(second.get('Pier 2')).toBeNull();
    const lines = assembleSeries([
      { kind: 'done', teuByPier: first },
      { kind: 'done', teuByPier: second },
    ]);
    expect(lines.map((line) => line.pier)).toEqual(['Pier 1', 'Pier 2']);
    expect(lines[1]?.points.map((point) => point?.teu ?? null)).toEqual([50, null]);
    // Covered by no date at all: still listed, with no point.
    const nowhere = measuredTeu(new Map([['Pier 3', teu(0)]]), [0]);
    expect(assembleSeries([{ kind: 'done', teuByPier: nowhere }])[0]?.points).toEqual([null]);
  });

  test('the reference takes its first pair’s values and fills only unmeasured piers from later pairs', () => {
    const measured = (value: { teu: number; coverage: number }): boolean => value.coverage > 0;
    const first = mergeReference(
      null,
      new Map([
        ['Pier 1', { teu: 0, coverage: 0 }],
        ['Pier 2', { teu: 12, coverage: 0.4 }],
      ]),
      measured,
    );
    expect(first.filled).toBe(false);
    const second = mergeReference(
      first.values,
      new Map([
        ['Pier 1', { teu: 30, coverage: 1 }],
        ['Pier 2', { teu: 31, coverage: 1 }],
        ['Pier 3', { teu: 7, coverage: 1 }],
      ]),
      measured,
    );
    expect(second.filled).toBe(true);
    // Pier 2 was measured (in part) by the first pair and keeps that value; Pier 3 is new.
    expect([...second.values]).toEqual([
      ['Pier 1', { teu: 30, coverage: 1 }],
      ['Pier 2', { teu: 12, coverage: 0.4 }],
      ['Pier 3', { teu: 7, coverage: 1 }],
    ]);
    const third = mergeReference(
      second.values,
      new Map([['Pier 1', { teu: 99, coverage: 1 }]]),
      measured,
    );
    expect(third.filled).toBe(false);
    expect(third.values.get('Pier 1')?.teu).toBe(30);
    // The input maps are not changed.
    expect(first.values.get('Pier 1')?.teu).toBe(0);
    expect(referenceSourceNote('2023-10-14', [])).toBe(
      'reference, measured in its pair with 2023-10-14',
    );
    expect(referenceSourceNote('2023-10-14', ['2023-10-16', '2023-10-20'])).toBe(
      'reference, measured in its pair with 2023-10-14; piers that pair did not cover from the pair with 2023-10-16, 2023-10-20',
    );
  });

  test('dates sit by time on the x axis, pushed apart only as far as their labels need', () => {
    expect(dateAxisPositions([])).toEqual([]);
    expect(dateAxisPositions(['2023-10-13'])).toEqual([0.5]);
    // 3 days, then 10 more: by time.
    const byTime = dateAxisPositions(['2023-10-13', '2023-10-16', '2023-10-26']);
    expect(byTime[0]).toBe(0);
    expect(byTime[1]).toBeCloseTo(3 / 13, 12);
    expect(byTime[2]).toBe(1);
    // A year later: 13 and 16 October would be 0.008 apart; the gap holds them 0.1 apart.
    const year = dateAxisPositions(['2023-10-13', '2023-10-16 (b.tif)', '2024-10-16'], 0.1);
    expect(year[0]).toBe(0);
    expect(year[1]).toBeCloseTo(0.1, 12);
    expect(year[2]).toBe(1);
    // The gap is capped at even spacing; crowded dates at the end are pushed back inwards.
    const crowded = dateAxisPositions(
      ['2020-01-01', '2023-10-13', '2023-10-14', '2023-10-15'],
      0.5,
    );
    expect(crowded.map((p) => Number(p.toFixed(9)))).toEqual(
      [0, 1 / 3, 2 / 3, 1].map((p) => Number(p.toFixed(9))),
    );
    const tail = dateAxisPositions(['2020-01-01', '2023-10-13', '2023-10-14', '2023-10-15'], 0.1);
    expect(tail[3]).toBe(1);
    expect(tail[2]).toBeCloseTo(0.9, 12);
    expect(tail[1]).toBeCloseTo(0.8, 12);
    for (let i = 1; i < tail.length; i++) expect(tail[i] ?? 0).toBeGreaterThan(tail[i - 1] ?? 0);
  });

  test('undated, unordered or same-day labels are spaced evenly', () => {
    expect(dateAxisPositions(['a.tif', '2023-10-16', 'c.tif'])).toEqual([0, 0.5, 1]);
    expect(dateAxisPositions(['2023-10-16', '2023-10-13'])).toEqual([0, 1]);
    expect(dateAxisPositions(['2023-10-16 (a.tif)', '2023-10-16 (b.tif)'])).toEqual([0, 1]);
  });

  test('axis ticks are round and reach the maximum', () => {
    expect(axisTicks(217)).toEqual([0, 100, 200, 300]);
    expect(axisTicks(38)).toEqual([0, 10, 20, 30, 40]);
    expect(axisTicks(0)).toEqual([0, 1]);
  });
});

describe('series runner', () => {
  test('runs the dates one after another; the reference takes the first pair’s before value', async () => {
    const pairs = controllablePairs();
    const states: (SeriesState | undefined)[] = [];
    const runner = new SeriesRunner((state) => states.push(state));
    const done = runner.start({
      referenceId: 2,
      dates: DATES,
      runPair: pairs.runPair,
      cacheKey: (id) => `k${id}`,
    });
    await tick();
    // One at a time, in date order, the reference skipped.
    expect(pairs.calls).toEqual([1]);
    expect(runner.state?.currentIndex).toBe(0);
    expect(runner.state?.total).toBe(3);
    pairs.resolve(1, pair(200, 150));
    await tick();
    expect(pairs.calls).toEqual([1, 3]);
    expect(outcomeTeu(runner.state)).toEqual([150, 200, 'running', 'pending']);
    expect(runner.state?.finished).toBe(1);
    pairs.resolve(3, pair(201, 90));
    await tick();
    pairs.resolve(4, pair(199, 210));
    await done;
    expect(outcomeTeu(runner.state)).toEqual([150, 200, 90, 210]);
    expect(runner.state?.running).toBe(false);
    expect(runner.state?.finished).toBe(3);
    expect(runner.state?.notes[1]).toMatch(/reference, measured in its pair with 2023-10-13/);
    expect(states.length).toBeGreaterThan(4);
  });

  test('a pier the reference’s first pair does not cover takes its value from a later pair that does', async () => {
    const pairs = controllablePairs();
    const runner = new SeriesRunner(() => undefined);
    const done = runner.start({
      referenceId: 2,
      dates: DATES,
      runPair: pairs.runPair,
      cacheKey: (id) => `k${id}`,
    });
    const twoPiers = (pier2: number | null): PairTeu => ({
      before: new Map([
        ['Pier 1', teu(200)],
        ['Pier 2', pier2 === null ? null : teu(pier2)],
      ]),
      after: new Map([
        ['Pier 1', teu(150)],
        ['Pier 2', pier2 === null ? null : teu(pier2 + 5)],
      ]),
      shiftPx: [0, 0],
      shiftSource: 'none',
    });
    await tick();
    pairs.resolve(1, twoPiers(null));
    await tick();
    pairs.resolve(3, twoPiers(40));
    await tick();
    pairs.resolve(4, twoPiers(41));
    await done;
    const reference = runner.state?.outcomes[1];
    if (reference?.kind !== 'done') throw new Error('the reference has a value');
    // Pier 2: not from the first pair (it covered none of it), from the second; not overwritten by the third.
    expect(reference.teuByPier.get('Pier 2')?.teu).toBe(40);
    expect(reference.teuByPier.get('Pier 1')?.teu).toBe(200);
    expect(runner.state?.notes[1]).toBe(
      'reference, measured in its pair with 2023-10-13; piers that pair did not cover from the pair with 2023-10-20',
    );
    const first = runner.state?.outcomes[0];
    expect(first?.kind === 'done' ? first.teuByPier.get('Pier 2') : 'missing').toBeNull();
  });

  test('a known pair (the one on screen) runs first, is not recomputed and gives the reference', async () => {
    const pairs = controllablePairs();
    const runner = new SeriesRunner(() => undefined);
    const done = runner.start({
      referenceId: 1,
      dates: DATES,
      runPair: pairs.runPair,
      cacheKey: (id) => `k${id}`,
      known: [{ dateId: 4, value: pair(300, 310) }],
    });
    await tick();
    expect(pairs.calls).toEqual([2]);
    expect(outcomeTeu(runner.state)).toEqual([300, 'running', 'pending', 310]);
    pairs.resolve(2, pair(299, 20));
    await tick();
    pairs.resolve(3, pair(301, 30));
    await done;
    expect(outcomeTeu(runner.state)).toEqual([300, 20, 30, 310]);
  });

  test('an error of one date shows on that date and the others still run', async () => {
    const pairs = controllablePairs();
    const runner = new SeriesRunner(() => undefined);
    const done = runner.start({
      referenceId: 1,
      dates: DATES,
      runPair: pairs.runPair,
      cacheKey: (id) => `k${id}`,
    });
    await tick();
    pairs.resolve(2, new Error('c.tif: the read failed'));
    await tick();
    pairs.resolve(3, pair(100, 40));
    await tick();
    pairs.resolve(4, pair(101, 60));
    await done;
    const outcome = runner.state?.outcomes[1];
    expect(outcome).toEqual({ kind: 'error', message: 'c.tif: the read failed' });
    expect(outcomeTeu(runner.state)).toEqual([100, 'error', 40, 60]);
    expect(runner.state?.finished).toBe(3);
  });

  test('cancel stops at once: the running date is aborted, pending ones never start', async () => {
    const pairs = controllablePairs();
    const runner = new SeriesRunner(() => undefined);
    const done = runner.start({
      referenceId: 1,
      dates: DATES,
      runPair: pairs.runPair,
      cacheKey: (id) => `k${id}`,
    });
    await tick();
    pairs.resolve(2, pair(100, 50));
    await tick();
    expect(pairs.calls).toEqual([2, 3]);
    runner.stop('cancelled');
    await done;
    expect(pairs.calls).toEqual([2, 3]);
    expect(outcomeTeu(runner.state)).toEqual([100, 50, 'cancelled', 'cancelled']);
    expect(runner.state?.running).toBe(false);
    expect(runner.state?.stopped).toBe('cancelled');
  });

  test('the latest start wins; a stale run never writes, and cached pairs are reused', async () => {
    const pairs = controllablePairs();
    const runner = new SeriesRunner(() => undefined);
    const first = runner.start({
      referenceId: 1,
      dates: DATES,
      runPair: pairs.runPair,
      cacheKey: (id) => `old${id}`,
    });
    await tick();
    pairs.resolve(2, pair(100, 50));
    await tick();
    // New parameters: a new start; date 3 of the old run is aborted.
    const second = runner.start({
      referenceId: 1,
      dates: DATES,
      runPair: pairs.runPair,
      cacheKey: (id) => (id === 2 ? 'old2' : `new${id}`),
    });
    await first;
    await tick();
    // Date 2 came from the cache (same key): the new run went straight to date 3.
    expect(pairs.calls).toEqual([2, 3, 3]);
    pairs.resolve(3, pair(110, 70));
    await tick();
    pairs.resolve(4, pair(111, 80));
    await second;
    expect(outcomeTeu(runner.state)).toEqual([100, 50, 70, 80]);
    expect(runner.state?.stopped).toBeNull();
  });
});
