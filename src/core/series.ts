/**
 * Pure helpers for the N-date series: putting the opened images in date order
 * (the acquisition date the file carries, else a date in its name, else the
 * order the files came in) and assembling per-pier TEU lines across the dates.
 */
import type { AnalysisResult } from './analysis/cpu-pipeline.ts';

/** One opened image, as the series sees it. */
export interface DatedItem {
  readonly id: number;
  readonly name: string;
  /** ISO 8601 acquisition date/time from the file's metadata, or null. */
  readonly acquired: string | null;
}

export type DateSource = 'acquired' | 'file name' | 'file order';

export interface OrderedDate {
  readonly id: number;
  readonly name: string;
  /** "2023-10-13" when a date is known, else the file name. */
  readonly label: string;
  /** A sortable ISO date/time, or null when undated. */
  readonly iso: string | null;
  readonly source: DateSource;
}

function validDate(year: number, month: number, day: number): boolean {
  if (!(year >= 1900 && year <= 2200 && month >= 1 && month <= 12 && day >= 1)) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * A date in a file name: 2023-10-13, 2023_10_13, 2023.10.13 or 20231013, not
 * inside a longer run of digits (a scene id). Null when none is a real date.
 */
export function dateInFileName(name: string): string | null {
  const pattern = /(?<!\d)(\d{4})([-_.]?)(\d{2})\2(\d{2})(?!\d)/g;
  for (const match of name.matchAll(pattern)) {
    const [, y = '', , m = '', d = ''] = match;
    if (validDate(Number(y), Number(m), Number(d))) return `${y}-${m}-${d}`;
  }
  return null;
}

/** The day (YYYY-MM-DD) an acquisition date/time starts with, or null when it has none. */
export function acquiredDay(acquired: string | null | undefined): string | null {
  return acquired != null && /^\d{4}-\d{2}-\d{2}/.test(acquired) ? acquired.slice(0, 10) : null;
}

/**
 * The date an image carries: its acquisition date/time from the metadata when
 * that starts with a day, else a date in its file name; null when neither.
 */
export function knownDate(item: {
  readonly name: string;
  readonly acquired: string | null;
}): { readonly iso: string; readonly source: 'acquired' | 'file name' } | null {
  if (item.acquired !== null && acquiredDay(item.acquired) !== null) {
    return { iso: item.acquired, source: 'acquired' };
  }
  const named = dateInFileName(item.name);
  return named === null ? null : { iso: named, source: 'file name' };
}

/**
 * The items in date order. Dated items (metadata first, else file name) come
 * first, oldest first; ties and undated items keep the order they were given in
 * (Array.prototype.sort is stable), undated ones after all dated ones.
 */
export function orderDates(items: readonly DatedItem[]): OrderedDate[] {
  const dated = items.map((item): OrderedDate => {
    const known = knownDate(item);
    return {
      id: item.id,
      name: item.name,
      label: known === null ? item.name : known.iso.slice(0, 10),
      iso: known?.iso ?? null,
      source: known?.source ?? 'file order',
    };
  });
  return dated.sort((a, b) => {
    if (a.iso === null || b.iso === null) return a.iso === null ? (b.iso === null ? 0 : 1) : -1;
    return a.iso < b.iso ? -1 : a.iso > b.iso ? 1 : 0;
  });
}

/** Two dates with the same day get their file names added, so every label tells them apart. */
export function distinctLabels(dates: readonly OrderedDate[]): string[] {
  const counts = new Map<string, number>();
  for (const date of dates) counts.set(date.label, (counts.get(date.label) ?? 0) + 1);
  return dates.map((date) =>
    (counts.get(date.label) ?? 0) > 1 && date.iso !== null
      ? `${date.label} (${date.name})`
      : date.label,
  );
}

export interface TeuValue {
  readonly teu: number;
  readonly lowTeu: number;
  readonly highTeu: number;
}

/** What one date contributed: TEU per pier name, or why it has none. */
export type DateOutcome =
  | { readonly kind: 'pending' }
  | { readonly kind: 'running' }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'error'; readonly message: string }
  | {
      readonly kind: 'done';
      /** Null for a pier the pair's images do not cover (measuredTeu): not measured, not 0 TEU. */
      readonly teuByPier: ReadonlyMap<string, TeuValue | null>;
    };

export interface SeriesLine {
  readonly pier: string;
  /** One per date, in the dates' order; null where the date has no value for this pier. */
  readonly points: readonly (TeuValue | null)[];
}

/**
 * Per-pier lines across the dates. Piers are listed in the order they first
 * appear among the done dates, so the legend follows the pier table.
 */
export function assembleSeries(outcomes: readonly DateOutcome[]): SeriesLine[] {
  const piers: string[] = [];
  for (const outcome of outcomes) {
    if (outcome.kind !== 'done') continue;
    for (const pier of outcome.teuByPier.keys()) if (!piers.includes(pier)) piers.push(pier);
  }
  return piers.map((pier) => ({
    pier,
    points: outcomes.map((outcome) =>
      outcome.kind === 'done' ? (outcome.teuByPier.get(pier) ?? null) : null,
    ),
  }));
}

const LEADING_DATE = /^(\d{4})-(\d{2})-(\d{2})/;

/**
 * Where each date sits along the chart's x axis, 0 to 1, from the labels in
 * date order: by time when every label starts with a YYYY-MM-DD date (a gap of
 * a year looks like one), else evenly. Neighbours stay at least
 * `minGapFraction` apart (capped at even spacing) so their labels do not
 * overlap: 13 and 16 October beside a date a year later are pushed apart,
 * and the order never changes.
 */
export function dateAxisPositions(labels: readonly string[], minGapFraction = 0): number[] {
  const n = labels.length;
  if (n === 0) return [];
  if (n === 1) return [0.5];
  const even = labels.map((_, i) => i / (n - 1));
  const times = labels.map((label) => {
    const match = LEADING_DATE.exec(label);
    return match === null
      ? Number.NaN
      : Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  });
  const first = times[0] ?? Number.NaN;
  const span = (times[n - 1] ?? Number.NaN) - first;
  const ordered = times.every(
    (t, i) => Number.isFinite(t) && (i === 0 || t >= (times[i - 1] ?? t)),
  );
  if (!ordered || !(span > 0)) return even;
  const gap = Math.min(Math.max(0, minGapFraction), 1 / (n - 1));
  const positions = times.map((t) => (t - first) / span);
  // Forward: at least `gap` after the previous; backward: at most 1 and `gap`
  // before the next. With gap ≤ 1/(n − 1) the result stays within [0, 1].
  for (let i = 1; i < n; i++) {
    positions[i] = Math.max(positions[i] ?? 0, (positions[i - 1] ?? 0) + gap);
  }
  positions[n - 1] = Math.min(positions[n - 1] ?? 1, 1);
  for (let i = n - 2; i >= 0; i--) {
    positions[i] = Math.min(positions[i] ?? 0, (positions[i + 1] ?? 1) - gap);
  }
  return positions;
}

/**
 * Before and after TEU per pier of one analysis, keyed by uniquePierNames (a
 * repeated name gets " (2)", " (3)"…), in pier order: how the app's and the
 * CLI's series key their piers.
 */
export function teuByPier(result: Pick<AnalysisResult, 'rois'>): {
  before: Map<string, TeuValue>;
  after: Map<string, TeuValue>;
} {
  const before = new Map<string, TeuValue>();
  const after = new Map<string, TeuValue>();
  const names = uniquePierNames(result.rois.map((roi) => roi.name));
  for (const [index, roi] of result.rois.entries()) {
    const name = names[index] ?? roi.name;
    before.set(name, {
      teu: roi.before.teu,
      lowTeu: roi.before.lowTeu,
      highTeu: roi.before.highTeu,
    });
    after.set(name, { teu: roi.after.teu, lowTeu: roi.after.lowTeu, highTeu: roi.after.highTeu });
  }
  return { before, after };
}

/**
 * `values` (teuByPier's, in the result's pier order) with null for every pier
 * whose coverage (pierCoverage, same order) is 0: where a date's image holds
 * none of a pier, its 0 TEU is not a measurement, and a chart must leave a gap
 * there rather than draw an empty pier.
 */
export function measuredTeu(
  values: ReadonlyMap<string, TeuValue>,
  coverage: readonly number[],
): Map<string, TeuValue | null> {
  return new Map(
    [...values].map(([pier, value], index) => [pier, coverage[index] === 0 ? null : value]),
  );
}

export interface MergedReference<T> {
  readonly values: Map<string, T>;
  /** The pair gave the reference a pier it had no measurement of. */
  readonly filled: boolean;
}

/**
 * The reference date's values as its pairs come in, one call a pair: the first
 * pair's, and for a pier that pair did not measure, the first later pair's
 * that did. (Every pair measures the reference as its "before"; a pier the
 * first pair's images miss is no 0 TEU.)
 */
export function mergeReference<T>(
  reference: ReadonlyMap<string, T> | null,
  pairBefore: ReadonlyMap<string, T>,
  measured: (value: T) => boolean,
): MergedReference<T> {
  if (reference === null) return { values: new Map(pairBefore), filled: false };
  const values = new Map(reference);
  let filled = false;
  for (const [pier, value] of pairBefore) {
    const kept = values.get(pier);
    if (measured(value) && (kept === undefined || !measured(kept))) {
      values.set(pier, value);
      filled = true;
    }
  }
  return { values, filled };
}

/** Where the reference's values come from, for its note in the app and in series.json. */
export function referenceSourceNote(firstPairLabel: string, filledFrom: readonly string[]): string {
  const note = `reference, measured in its pair with ${firstPairLabel}`;
  return filledFrom.length === 0
    ? note
    : `${note}; piers that pair did not cover from the pair with ${filledFrom.join(', ')}`;
}

/**
 * The reference date's values as its pairs come in, one add() a pair
 * (mergeReference), with the note that says which pairs gave them: the app's
 * series and the CLI's keep them alike.
 */
export class ReferenceValues<T> {
  private merged: Map<string, T> | null = null;
  private firstPairLabel = '';
  private readonly filledFrom: string[] = [];

  constructor(private readonly measured: (value: T) => boolean) {}

  /** The values so far; null before the first pair. */
  get values(): Map<string, T> | null {
    return this.merged;
  }

  get note(): string {
    return referenceSourceNote(this.firstPairLabel, this.filledFrom);
  }

  /** Takes one pair's "before" values; returns the reference's values (a new map). */
  add(pairLabel: string, pairBefore: ReadonlyMap<string, T>): Map<string, T> {
    const { values, filled } = mergeReference(this.merged, pairBefore, this.measured);
    if (this.merged === null) this.firstPairLabel = pairLabel;
    if (filled) this.filledFrom.push(pairLabel);
    this.merged = values;
    return values;
  }
}

/** Nice round axis ticks from 0 to at least `max` (about `count` of them). */
export function axisTicks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const ticks: number[] = [];
  for (let value = 0; value < max + step; value += step) ticks.push(value);
  return ticks;
}

/**
 * Pier names made unique for keying per-pier series: a repeated name gets
 * " (2)", " (3)", … in pier order, so two piers of one name keep both lines.
 */
export function uniquePierNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    let unique = name;
    for (let k = 2; taken.has(unique); k++) unique = `${name} (${k})`;
    taken.add(unique);
    return unique;
  });
}
