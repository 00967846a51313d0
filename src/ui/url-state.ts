/**
 * Parameters and view in the URL hash, so that a link reproduces the settings
 * without the imagery: `#params=<JSON of the non-default fields>&view=<JSON>`,
 * each URL-encoded. Other keys in the hash are kept as they are.
 */
import { analysisParamsFromJson, type AnalysisParams } from '../core/analysis/params.ts';
import { nonDefaultParams } from '../core/analysis/params-schema.ts';

export interface HashState {
  /** Null when the hash has no `params` (defaults are not written either). */
  readonly params: AnalysisParams | null;
  /** The viewer's state; undefined when the hash has no `view`. */
  readonly view: unknown;
  /** What could not be read, one message each (the rest still applies). */
  readonly problems: readonly string[];
}

function roundForLink(value: unknown): unknown {
  return typeof value === 'number' && Number.isFinite(value) && !Number.isInteger(value)
    ? Number(value.toPrecision(6))
    : value;
}

function hashParams(hash: string): URLSearchParams {
  return new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
}

/**
 * The hash (without '#') with `params` and `view` set from the given state and
 * every other key of `previous` kept; '' when nothing is left.
 */
export function encodeHash(params: AnalysisParams, view: unknown, previous = ''): string {
  const search = hashParams(previous);
  const changed = nonDefaultParams(params);
  if (Object.keys(changed).length === 0) search.delete('params');
  else search.set('params', JSON.stringify(changed));
  if (view === undefined || view === null) search.delete('view');
  // The view is opaque, but its numbers need not carry 17 digits into a link.
  else
    search.set(
      'view',
      JSON.stringify(view, (_key, value: unknown) => roundForLink(value)),
    );
  return search.toString();
}

/** Params (missing fields take their defaults) and view from a hash, with or without '#'. */
export function decodeHash(hash: string): HashState {
  const search = hashParams(hash);
  const problems: string[] = [];
  let params: AnalysisParams | null = null;
  const paramsText = search.get('params');
  if (paramsText !== null) {
    try {
      params = analysisParamsFromJson(paramsText.length === 0 ? '{}' : paramsText);
    } catch (error) {
      problems.push(
        `The link's parameters were not applied: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  let view: unknown = undefined;
  const viewText = search.get('view');
  if (viewText !== null) {
    try {
      view = JSON.parse(viewText) as unknown;
    } catch {
      problems.push("The link's view is not JSON and was not applied.");
    }
  }
  return { params, view, problems };
}

/** Writes params and view into the address bar without adding a history entry. */
export function writeHash(params: AnalysisParams, view: unknown): void {
  const hash = encodeHash(params, view, location.hash);
  const url = `${location.pathname}${location.search}${hash.length > 0 ? `#${hash}` : ''}`;
  if (url !== `${location.pathname}${location.search}${location.hash}`) {
    history.replaceState(history.state, '', url);
  }
}
