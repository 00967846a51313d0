/**
 * The session file: what an analyst needs to come back to a piece of work —
 * which files (by name and size, never their pixels), the alignment shift
 * applied, the piers (RFC 7946 GeoJSON, WGS 84), the analysis parameters, the
 * viewer's state (opaque JSON the viewer gives and takes back), the
 * fill-factor calibration and which analysis overlays are shown. The same text is saved as
 * `quaywatch-session.json`, kept in IndexedDB for the autosave, and
 * recognised in a drop by its `"quaywatch-session"` field, which holds the
 * schema version.
 *
 * Version 1:
 * ```json
 * {
 *   "quaywatch-session": 1,
 *   "savedAt": "2024-10-16T09:00:00.000Z",
 *   "files": [{ "role": "before", "name": "before.tif", "sizeBytes": 123 }, …],
 *   "alignment": { "shiftPx": [0.6, -0.4] } | null,
 *   "rois": { "source": "piers.geojson", "geojson": { "type": "FeatureCollection", … } } | null,
 *   "params": { …AnalysisParams; missing keys take their defaults },
 *   "view": any JSON | null,
 *   "calibration": { "fillFactor": 0.9, "note": "…" } | null,
 *   "overlays": { "heat": { "visible": true, "opacity01": 0.7 }, … } | null,
 *   "keepImages": false
 * }
 * ```
 */
import {
  analysisParamsFromJson,
  NUMBER_RULES,
  type AnalysisParams,
} from '../core/analysis/params.ts';
import { parseRoiGeoJson } from './geojson.ts';

export const SESSION_MARKER = 'quaywatch-session';
export const SESSION_VERSION = 1;
/** The name a saved session file gets. */
export const SESSION_FILE_NAME = 'quaywatch-session.json';

export type SessionRole = 'before' | 'after';

export interface SessionFileRef {
  readonly role: SessionRole;
  readonly name: string;
  readonly sizeBytes: number;
}

export interface SessionCalibration {
  readonly fillFactor: number;
  readonly note: string;
}

/** One analysis overlay's visibility and opacity, by overlay id. */
export type SessionOverlays = Readonly<
  Record<string, { readonly visible: boolean; readonly opacity01: number }>
>;

export interface Session {
  /** ISO 8601 time of saving. */
  readonly savedAt: string;
  readonly files: readonly SessionFileRef[];
  /** The residual shift applied to the after image, in before-image pixels. */
  readonly alignment: { readonly shiftPx: readonly [number, number] } | null;
  /** The piers as GeoJSON text (WGS 84) and the name of the file they came from. */
  readonly rois: { readonly source: string; readonly geojson: string } | null;
  readonly params: AnalysisParams;
  /** The viewer's own serializable state, passed back to it as it came; null when none. */
  readonly view: unknown;
  readonly calibration: SessionCalibration | null;
  /** Shown analysis overlays and their opacities; null (or absent in the file): the defaults. */
  readonly overlays: SessionOverlays | null;
  /** The analyst asked to keep the image files in this browser (the autosave only). */
  readonly keepImages: boolean;
}

const REQUIRED = ['files', 'alignment', 'rois', 'params'] as const;
const OPTIONAL = ['savedAt', 'view', 'calibration', 'overlays', 'keepImages'] as const;
const KNOWN: readonly string[] = [SESSION_MARKER, ...REQUIRED, ...OPTIONAL];

/** True when the text carries the session marker (cheap: for sorting dropped .json files). */
export function looksLikeSession(text: string): boolean {
  return text.includes(`"${SESSION_MARKER}"`);
}

/** The session as the JSON text of the schema above. */
export function sessionToJson(session: Session): string {
  let geojson: unknown = null;
  if (session.rois !== null) geojson = JSON.parse(session.rois.geojson) as unknown;
  return JSON.stringify(
    {
      [SESSION_MARKER]: SESSION_VERSION,
      savedAt: session.savedAt,
      files: session.files.map(({ role, name, sizeBytes }) => ({ role, name, sizeBytes })),
      alignment:
        session.alignment === null
          ? null
          : { shiftPx: [session.alignment.shiftPx[0], session.alignment.shiftPx[1]] },
      rois: session.rois === null ? null : { source: session.rois.source, geojson },
      params: session.params,
      view: session.view ?? null,
      calibration: session.calibration,
      overlays: session.overlays,
      keepImages: session.keepImages,
    },
    null,
    2,
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : typeof value;
}

function parseFiles(value: unknown, fail: (text: string) => never): SessionFileRef[] {
  if (!Array.isArray(value)) fail(`"files" must be an array of files (got ${describe(value)})`);
  const files = (value as unknown[]).map((item, index): SessionFileRef => {
    const at = `files[${index}]`;
    if (!isRecord(item)) fail(`${at} must be an object with role, name and sizeBytes`);
    const { role, name, sizeBytes } = item;
    if (role !== 'before' && role !== 'after') {
      fail(`${at}.role must be "before" or "after" (got ${describe(role)})`);
    }
    if (typeof name !== 'string' || name.length === 0) {
      fail(`${at}.name must be the file name (got ${describe(name)})`);
    }
    if (typeof sizeBytes !== 'number' || !Number.isInteger(sizeBytes) || sizeBytes < 0) {
      fail(
        `${at}.sizeBytes must be a whole number of bytes, 0 or more (got ${describe(sizeBytes)})`,
      );
    }
    return { role, name, sizeBytes };
  });
  for (const role of ['before', 'after'] as const) {
    if (files.filter((file) => file.role === role).length > 1) {
      fail(`"files" names more than one ${role} image`);
    }
  }
  return files;
}

function parseAlignment(value: unknown, fail: (text: string) => never): Session['alignment'] {
  if (value === null) return null;
  const shift = isRecord(value) ? value['shiftPx'] : undefined;
  if (
    !Array.isArray(shift) ||
    shift.length !== 2 ||
    !shift.every((v) => typeof v === 'number' && Number.isFinite(v))
  ) {
    fail('"alignment" must be null or { "shiftPx": [dx, dy] } with two finite numbers of pixels');
  }
  const [dx, dy] = shift as [number, number];
  return { shiftPx: [dx, dy] };
}

function parseRois(value: unknown, fail: (text: string) => never): Session['rois'] {
  if (value === null) return null;
  if (!isRecord(value)) fail('"rois" must be null or { "source": name, "geojson": GeoJSON }');
  const { source, geojson } = value;
  if (typeof source !== 'string')
    fail(`"rois.source" must be a file name (got ${describe(source)})`);
  if (!isRecord(geojson))
    fail(`"rois.geojson" must be a GeoJSON object (got ${describe(geojson)})`);
  const text = JSON.stringify(geojson);
  try {
    parseRoiGeoJson(text, source);
  } catch (error) {
    fail(`its piers cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { source, geojson: text };
}

function parseCalibration(
  value: unknown,
  fail: (text: string) => never,
): SessionCalibration | null {
  if (value === null || value === undefined) return null;
  if (!isRecord(value))
    fail('"calibration" must be null or { "fillFactor": number, "note": text }');
  const { fillFactor, note } = value;
  const rule = NUMBER_RULES.fillFactor;
  if (
    typeof fillFactor !== 'number' ||
    !Number.isFinite(fillFactor) ||
    (rule !== undefined && (fillFactor < rule.min || fillFactor > rule.max))
  ) {
    const range = rule === undefined ? '' : ` from ${rule.min} to ${rule.max}`;
    fail(`"calibration.fillFactor" must be a number${range} (got ${describe(fillFactor)})`);
  }
  if (typeof note !== 'string') fail(`"calibration.note" must be text (got ${describe(note)})`);
  return { fillFactor, note };
}

function parseOverlays(value: unknown, fail: (text: string) => never): SessionOverlays | null {
  if (value === null || value === undefined) return null;
  if (!isRecord(value))
    fail('"overlays" must be null or an object of { visible, opacity01 } by id');
  const out: Record<string, { visible: boolean; opacity01: number }> = {};
  for (const [id, setting] of Object.entries(value)) {
    if (!isRecord(setting))
      fail(`"overlays.${id}" must be { "visible": true|false, "opacity01": 0..1 }`);
    const { visible, opacity01 } = setting;
    if (typeof visible !== 'boolean') {
      fail(`"overlays.${id}.visible" must be true or false (got ${describe(visible)})`);
    }
    if (typeof opacity01 !== 'number' || !(opacity01 >= 0 && opacity01 <= 1)) {
      fail(`"overlays.${id}.opacity01" must be a number from 0 to 1 (got ${describe(opacity01)})`);
    }
    out[id] = { visible, opacity01 };
  }
  return out;
}

/**
 * A session from JSON text, or an Error naming exactly what is wrong: not
 * JSON, not a session, a version this build does not read, missing or unknown
 * fields, or which field holds a bad value (invalid parameters are named by
 * analysisParamsFromJson).
 */
export function parseSession(text: string, sourceName = 'The session file'): Session {
  const fail = (reason: string): never => {
    throw new Error(`${sourceName}: ${reason}`);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    fail(`not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isRecord(parsed)) return fail('not a Quaywatch session (expected a JSON object)');
  if (!(SESSION_MARKER in parsed)) {
    return fail(`not a Quaywatch session file: it has no "${SESSION_MARKER}" field`);
  }
  const version = parsed[SESSION_MARKER];
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    return fail(
      `"${SESSION_MARKER}" must hold the format version, a whole number (got ${describe(version)})`,
    );
  }
  if (version !== SESSION_VERSION) {
    const who = version > SESSION_VERSION ? 'a newer Quaywatch wrote it' : 'it is too old';
    return fail(
      `session format version ${version}; this Quaywatch reads version ${SESSION_VERSION} (${who})`,
    );
  }
  const missing = REQUIRED.filter((key) => !(key in parsed));
  if (missing.length > 0) return fail(`missing field(s): ${missing.join(', ')}`);
  const unknown = Object.keys(parsed).filter((key) => !KNOWN.includes(key));
  if (unknown.length > 0) return fail(`unknown field(s): ${unknown.join(', ')}`);

  const files = parseFiles(parsed['files'], fail);
  const alignment = parseAlignment(parsed['alignment'], fail);
  const rois = parseRois(parsed['rois'], fail);
  const rawParams = parsed['params'];
  if (!isRecord(rawParams)) {
    return fail(`"params" must be an object of named values (got ${describe(rawParams)})`);
  }
  let params: AnalysisParams;
  try {
    params = analysisParamsFromJson(JSON.stringify(rawParams));
  } catch (error) {
    return fail(`invalid parameters: ${error instanceof Error ? error.message : String(error)}`);
  }
  const savedAt = parsed['savedAt'] ?? '';
  if (typeof savedAt !== 'string')
    return fail(`"savedAt" must be a date (got ${describe(savedAt)})`);
  const keepImages = parsed['keepImages'] ?? false;
  if (typeof keepImages !== 'boolean') {
    return fail(`"keepImages" must be true or false (got ${describe(keepImages)})`);
  }
  return {
    savedAt,
    files,
    alignment,
    rois,
    params,
    view: parsed['view'] ?? null,
    calibration: parseCalibration(parsed['calibration'], fail),
    overlays: parseOverlays(parsed['overlays'], fail),
    keepImages,
  };
}

/** True when the files named by the session are the given before and after files (name and size). */
export function sessionMatchesFiles(session: Session, files: readonly SessionFileRef[]): boolean {
  return (['before', 'after'] as const).every((role) => {
    const saved = session.files.find((file) => file.role === role);
    const given = files.find((file) => file.role === role);
    return (
      saved !== undefined &&
      given !== undefined &&
      saved.name === given.name &&
      saved.sizeBytes === given.sizeBytes
    );
  });
}
