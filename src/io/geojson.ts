/**
 * ROI (pier) polygons from GeoJSON, and back. Runs in the browser worker and
 * in the Node CLI: no DOM, no Node APIs.
 *
 * Reading accepts a FeatureCollection, a single Feature, or a bare Polygon /
 * MultiPolygon (or GeometryCollection of them). Every way a file can be wrong
 * is reported by an Error whose message names the file and says what to do;
 * things that can be repaired safely (unclosed or clockwise rings, duplicate
 * names, features that are not areas next to ones that are) are repaired and
 * reported in `warnings`.
 *
 * One feature is one ROI: a MultiPolygon pier stays one ROI (one row in the
 * pier table) whose `polygons` holds its parts. `rings` lists every ring of
 * every part, closed, exteriors counter-clockwise and holes clockwise, so the
 * nonzero winding rule or the sum of signed ring areas gives the ROI without
 * looking at `polygons`.
 */
import proj4 from 'proj4';
import { crsFromEpsg } from '../core/crs.ts';
import { ringSelfIntersection } from '../core/roi-edit.ts';
import { pixelToMap, type GeoTransform } from '../core/raster.ts';

/** A position: [lon, lat] in degrees for `Roi`, [x, y] in map units for `MapRoi`. */
export type Position = [number, number];
/** A closed ring: first position repeated as the last. */
export type Ring = Position[];

export interface Roi {
  /** `name` property, else the feature id, else `ROI n` (n counts ROIs in file order); unique in a set. */
  readonly name: string;
  readonly id: string | number | null;
  /** All rings of all parts, closed; exteriors counter-clockwise, holes clockwise. */
  readonly rings: Ring[];
  /** The same rings grouped by part: [exterior, ...holes] per polygon. */
  readonly polygons: Ring[][];
}

/** An ROI in the map coordinates of an image CRS (same invariants as `Roi`). */
export type MapRoi = Roi;

export interface RoiSet {
  readonly rois: Roi[];
  /** Repairs and doubts, each naming the file; empty for a clean file. */
  readonly warnings: string[];
}

export interface GeoJsonPolygonFeature {
  type: 'Feature';
  id?: string | number;
  properties: { name: string };
  geometry:
    | { type: 'Polygon'; coordinates: Position[][] }
    | { type: 'MultiPolygon'; coordinates: Position[][][] };
}

export interface GeoJsonFeatureCollection {
  type: 'FeatureCollection';
  features: GeoJsonPolygonFeature[];
}

const WGS84_PROJ4 = '+proj=longlat +datum=WGS84 +no_defs';
const REPROJECT_HINT =
  'reproject it to WGS 84 (e.g. `ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson`)';
/** A ring whose |area| is below this fraction of its bounding-box diagonal² is degenerate. */
const ZERO_AREA_RELATIVE = 1e-9;

// ---------------------------------------------------------------- type guards

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function preview(value: unknown): string {
  if (value === undefined) return 'nothing';
  // Infinity (from e.g. 1e999) would print as null in JSON.
  const text = Array.isArray(value)
    ? `[${(value as unknown[]).map(preview).join(',')}]`
    : typeof value === 'number'
      ? String(value)
      : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Degrees or metres for a message: whole numbers when large, else up to 8 decimals. */
function formatCoordinate(value: number): string {
  return Math.abs(value) >= 1000 ? String(Math.round(value)) : String(Number(value.toFixed(8)));
}

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, 5).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------- JSON syntax

/** Line and column (1-based) of a UTF-16 offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class JsonSyntaxError extends Error {
  constructor(
    readonly offset: number,
    readonly what: string,
  ) {
    super(what);
  }
}

/**
 * A JSON syntax checker, only run after JSON.parse failed, to say where and
 * what (Node 20's V8 often omits the position).
 */
function locateJsonError(text: string): JsonSyntaxError | null {
  let i = 0;
  const describe = (at: number): string =>
    at >= text.length ? 'end of file' : `'${text.charAt(at)}'`;
  const fail = (what: string, at = i): never => {
    throw new JsonSyntaxError(at, what);
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`unexpected ${describe(i)}`);
  };
  const string = (): void => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const code = text.charCodeAt(i);
      if (code === 34) {
        i++;
        return;
      }
      if (code < 32) fail('control character (e.g. a raw line break) inside a string');
      if (code === 92) {
        const next = text.charAt(i + 1);
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('bad \\u escape');
          i += 6;
        } else if ('"\\/bfnrt'.includes(next) && next !== '') i += 2;
        else fail(`bad escape '\\${next}'`);
      } else i++;
    }
  };
  const number = (): void => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (match === null) fail(`unexpected ${describe(i)}`);
    else i += match[0].length;
  };
  const value = (depth: number): void => {
    if (depth > 512) fail('nesting too deep');
    ws();
    const c = text.charAt(i);
    if (c === '{') {
      i++;
      ws();
      if (text.charAt(i) === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text.charAt(i) !== '"') {
          if (text.charAt(i) === '}') fail("trailing comma before '}'");
          fail(`expected a property name in double quotes, found ${describe(i)}`);
        }
        string();
        ws();
        if (text.charAt(i) !== ':')
          fail(`expected ':' after a property name, found ${describe(i)}`);
        i++;
        value(depth + 1);
        ws();
        if (text.charAt(i) === ',') i++;
        else if (text.charAt(i) === '}') {
          i++;
          return;
        } else fail(`expected ',' or '}' after a property value, found ${describe(i)}`);
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text.charAt(i) === ']') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text.charAt(i) === ']') fail("trailing comma before ']'");
        value(depth + 1);
        ws();
        if (text.charAt(i) === ',') i++;
        else if (text.charAt(i) === ']') {
          i++;
          return;
        } else fail(`expected ',' or ']' after an array element, found ${describe(i)}`);
      }
    }
    if (c === '"') {
      string();
      return;
    }
    if (c === "'") fail('strings need double quotes, not single quotes');
    if (c === '-' || (c >= '0' && c <= '9')) {
      if (/^-?Infinity/.test(text.slice(i, i + 9))) fail('Infinity is not a JSON number');
      number();
      return;
    }
    if (text.startsWith('NaN', i) || text.startsWith('Infinity', i)) {
      fail(`${text.startsWith('NaN', i) ? 'NaN' : 'Infinity'} is not a JSON number`);
    }
    if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else fail(`unexpected ${describe(i)}`);
  };
  try {
    value(0);
    ws();
    if (i < text.length) fail(`unexpected ${describe(i)} after the end of the JSON value`);
    return null;
  } catch (error) {
    return error instanceof JsonSyntaxError ? error : null;
  }
}

function parseJson(text: string, sourceName: string): unknown {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text; // byte-order mark
  if (body.trim() === '') throw new Error(`${sourceName} is empty: expected GeoJSON`);
  try {
    return JSON.parse(body) as unknown;
  } catch (error) {
    const trimmed = body.trimStart();
    if (trimmed.startsWith('<')) {
      throw new Error(
        `${sourceName} is XML (KML or GPX?), not GeoJSON: convert it to GeoJSON ` +
          '(e.g. `ogr2ogr -f GeoJSON out.geojson in.kml`)',
        { cause: error },
      );
    }
    const located = locateJsonError(body);
    if (located !== null) {
      const { line, column } = lineColumn(body, located.offset);
      throw new Error(
        `${sourceName} is not valid JSON: ${located.what} at line ${line}, column ${column}`,
        { cause: error },
      );
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${sourceName} is not valid JSON: ${reason}`, { cause: error });
  }
}

// ---------------------------------------------------------------- CRS member

/** Throws unless a GeoJSON 2008 `crs` member is absent, null, or WGS 84 lon/lat. */
function checkCrs(owner: JsonObject, sourceName: string): void {
  const crs = owner['crs'];
  if (crs === undefined || crs === null) return;
  const properties = isObject(crs) ? crs['properties'] : undefined;
  let declared: string | null = null;
  if (isObject(crs) && isObject(properties)) {
    const name = properties['name'];
    const code = properties['code'];
    const href = properties['href'];
    if (crs['type'] === 'name' && typeof name === 'string') declared = name.trim();
    else if (crs['type'] === 'EPSG' && typeof code === 'number') declared = `EPSG:${code}`;
    else if (crs['type'] === 'link' && typeof href === 'string') declared = href.trim();
  }
  if (declared === null) {
    throw new Error(
      `${sourceName} has a "crs" member Quaywatch cannot read (${preview(crs)}). ` +
        `RFC 7946 GeoJSON is WGS 84 longitude/latitude; ${REPROJECT_HINT}`,
    );
  }
  if (/(^|[:/])CRS:?84$/i.test(declared) || /^WGS ?84$/i.test(declared)) return;
  const epsgMatch = /epsg/i.test(declared) ? /(\d+)\/?$/.exec(declared) : null;
  const epsg = epsgMatch?.[1] === undefined ? null : Number(epsgMatch[1]);
  if (epsg === 4326) return;
  let what = `"${declared}"`;
  if (epsg !== null) {
    const known = crsFromEpsg(epsg);
    what = known.proj4 === null ? `EPSG:${epsg}` : `EPSG:${epsg} (${known.name})`;
  }
  throw new Error(
    `${sourceName}: RFC 7946 GeoJSON is WGS 84 longitude/latitude; this file declares ${what} — ` +
      `reproject it to WGS 84 (e.g. \`ogr2ogr -t_srs EPSG:4326 out.geojson ${sourceName}\`)`,
  );
}

// ---------------------------------------------------------------- geometry

interface RawRing {
  /** Which ring of the ROI, for messages: "exterior ring", "polygon 2, hole 1". */
  readonly part: string;
  readonly positions: Position[];
}

interface RawRoi {
  readonly name: string;
  readonly id: string | number | null;
  /** Per part: [exterior, ...holes]. */
  readonly parts: RawRing[][];
}

function readPosition(value: unknown, where: () => string, sourceName: string): Position {
  if (Array.isArray(value) && value.length >= 2) {
    const [x, y] = value as unknown[];
    if (
      typeof x === 'number' &&
      typeof y === 'number' &&
      Number.isFinite(x) &&
      Number.isFinite(y)
    ) {
      return [x, y]; // an altitude, if any, is dropped
    }
  }
  throw new Error(
    `${sourceName}: ${where()} is not a pair of finite numbers (found ${preview(value)})`,
  );
}

function readRing(value: unknown, roiLabel: string, part: string, sourceName: string): RawRing {
  const label = `${roiLabel}, ${part}`;
  if (!Array.isArray(value)) {
    throw new Error(
      `${sourceName}: ${label} is not an array of positions (found ${preview(value)})`,
    );
  }
  const items = value as unknown[];
  const positions = items.map((item, k) =>
    readPosition(item, () => `${label}, position ${k + 1}`, sourceName),
  );
  return { part, positions };
}

function readPolygonCoordinates(
  value: unknown,
  roiLabel: string,
  polygonLabel: string,
  sourceName: string,
): RawRing[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new Error(
      `${sourceName}: ${roiLabel}${polygonLabel === '' ? '' : `, ${polygonLabel}`} has no rings ` +
        `(coordinates ${preview(value)}): an ROI must be an area`,
    );
  }
  const rings = value as unknown[];
  const prefix = polygonLabel === '' ? '' : `${polygonLabel}, `;
  return rings.map((ring, k) =>
    readRing(ring, roiLabel, `${prefix}${k === 0 ? 'exterior ring' : `hole ${k}`}`, sourceName),
  );
}

/** Polygon parts of a geometry, or null when it has no area (Point, LineString, null, ...). */
function readGeometry(geometry: unknown, label: string, sourceName: string): RawRing[][] | null {
  if (!isObject(geometry)) return null;
  checkCrs(geometry, sourceName);
  const type = geometry['type'];
  const coordinates = geometry['coordinates'];
  if (type === 'Polygon') return [readPolygonCoordinates(coordinates, label, '', sourceName)];
  if (type === 'MultiPolygon') {
    if (!Array.isArray(coordinates) || coordinates.length === 0) {
      throw new Error(
        `${sourceName}: ${label} is a MultiPolygon with no polygons: an ROI must be an area`,
      );
    }
    const polygons = coordinates as unknown[];
    return polygons.map((polygon, k) =>
      readPolygonCoordinates(polygon, label, `polygon ${k + 1}`, sourceName),
    );
  }
  if (type === 'GeometryCollection' && Array.isArray(geometry['geometries'])) {
    const members = geometry['geometries'] as unknown[];
    const parts = members.flatMap((member) => readGeometry(member, label, sourceName) ?? []);
    return parts.length > 0 ? parts : null;
  }
  return null;
}

function geometryTypeName(geometry: unknown): string {
  if (!isObject(geometry)) return 'no geometry';
  const type = geometry['type'];
  return typeof type === 'string' ? type : 'untyped geometry';
}

/** The `wanted` property (any case: name, NAME, Name, …) as a non-empty string, if any. */
function textProperty(properties: unknown, wanted: string): string | null {
  if (!isObject(properties)) return null;
  const key =
    wanted in properties ? wanted : Object.keys(properties).find((k) => k.toLowerCase() === wanted);
  const value = key === undefined ? undefined : properties[key];
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function featureId(feature: JsonObject): string | number | null {
  const id = feature['id'];
  if (typeof id === 'string' && id.trim() !== '') return id;
  if (typeof id === 'number' && Number.isFinite(id)) return id;
  return null;
}

// ---------------------------------------------------------------- ring math

/** Twice the signed area (shoelace), positive for counter-clockwise; open ring, origin shifted for precision. */
function signedArea2(ring: readonly Position[]): number {
  const origin = ring[0];
  if (origin === undefined) return 0;
  let sum = 0;
  for (let k = 0; k < ring.length; k++) {
    const a = ring[k] ?? origin;
    const b = ring[(k + 1) % ring.length] ?? origin;
    sum += (a[0] - origin[0]) * (b[1] - origin[1]) - (b[0] - origin[0]) * (a[1] - origin[1]);
  }
  return sum;
}

function bboxDiagonal2(ring: readonly Position[]): number {
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of ring) {
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  return (maxX - minX) ** 2 + (maxY - minY) ** 2;
}

function samePosition(a: Position | undefined, b: Position | undefined): boolean {
  return a !== undefined && b !== undefined && a[0] === b[0] && a[1] === b[1];
}

/** Where an open ring (no repeated closing position) meets itself, or null (ringSelfIntersection). */
function selfIntersection(ring: readonly Position[]): Position | null {
  const hit = ringSelfIntersection(ring);
  return hit === null ? null : [hit[0], hit[1]];
}

/** Closes an open ring (copy) and orients it: counter-clockwise when `ccw`, else clockwise. */
function closedOriented(open: readonly Position[], ccw: boolean): Ring {
  const ring: Ring = open.map(([x, y]) => [x, y]);
  if (samePosition(ring[0], ring[ring.length - 1])) ring.pop();
  if (signedArea2(ring) > 0 !== ccw) ring.reverse();
  const first = ring[0];
  if (first !== undefined) ring.push([first[0], first[1]]);
  return ring;
}

// ---------------------------------------------------------------- reading

/** Collects one warning per kind of repair, listing the ROIs it touched. */
class WarningList {
  private readonly byKind = new Map<string, string[]>();
  private readonly single: string[] = [];

  add(kind: string, roiName: string): void {
    const names = this.byKind.get(kind) ?? [];
    if (!names.includes(roiName)) names.push(roiName);
    this.byKind.set(kind, names);
  }

  addMessage(message: string): void {
    this.single.push(message);
  }

  messages(sourceName: string): string[] {
    const kinds: string[] = [];
    for (const [kind, names] of this.byKind) {
      if (kind === 'unclosed') {
        kinds.push(
          `${sourceName}: rings of ${listNames(names)} were not closed (last position ≠ first); closed them`,
        );
      } else if (kind === 'winding') {
        kinds.push(
          `${sourceName}: rings of ${listNames(names)} ran the wrong way round (RFC 7946: exteriors ` +
            'counter-clockwise, holes clockwise); reversed them, the areas are unchanged',
        );
      } else if (kind === 'degenerate-hole') {
        kinds.push(`${sourceName}: holes of ${listNames(names)} had no area; ignored them`);
      }
    }
    return [...this.single.map((m) => `${sourceName}: ${m}`), ...kinds];
  }
}

function collectRawRois(root: JsonObject, sourceName: string, warnings: WarningList): RawRoi[] {
  const type = root['type'];
  if (type === 'FeatureCollection' || type === 'Feature') {
    let features: unknown[];
    if (type === 'Feature') features = [root];
    else {
      const list = root['features'];
      if (!Array.isArray(list)) {
        throw new Error(`${sourceName} is a FeatureCollection without a "features" array`);
      }
      features = list as unknown[];
      if (features.length === 0) {
        throw new Error(`${sourceName} is an empty FeatureCollection: it contains no ROIs`);
      }
    }
    const rois: RawRoi[] = [];
    const skipped = new Map<string, number>();
    features.forEach((feature, k) => {
      if (!isObject(feature) || feature['type'] !== 'Feature') {
        const found = isObject(feature) ? `type ${preview(feature['type'])}` : preview(feature);
        throw new Error(`${sourceName}: feature ${k + 1} is not a GeoJSON Feature (${found})`);
      }
      if (feature !== root) checkCrs(feature, sourceName);
      const id = featureId(feature);
      // name, else the feature's id, else an id among its properties (many files keep it there).
      const name =
        textProperty(feature['properties'], 'name') ??
        (id === null ? textProperty(feature['properties'], 'id') : String(id));
      const label = name ?? `feature ${k + 1}`;
      const parts = readGeometry(feature['geometry'], label, sourceName);
      if (parts === null) {
        const typeName = geometryTypeName(feature['geometry']);
        skipped.set(typeName, (skipped.get(typeName) ?? 0) + 1);
        return;
      }
      rois.push({ name: name ?? `ROI ${rois.length + 1}`, id, parts });
    });
    const found = [...skipped].map(([name, count]) => `${count} ${name}`).join(', ');
    if (rois.length === 0) {
      throw new Error(
        `${sourceName} contains ${plural(features.length, 'feature')} but no Polygon or ` +
          `MultiPolygon (found ${found}): ROIs must be areas`,
      );
    }
    if (skipped.size > 0) {
      const count = [...skipped.values()].reduce((a, b) => a + b, 0);
      warnings.addMessage(
        `skipped ${plural(count, 'feature')} that ${count === 1 ? 'is' : 'are'} not an area ` +
          `(${found}): ROIs must be Polygons or MultiPolygons`,
      );
    }
    return rois;
  }
  if (type === 'Polygon' || type === 'MultiPolygon' || type === 'GeometryCollection') {
    const parts = readGeometry(root, 'ROI 1', sourceName);
    if (parts === null) {
      throw new Error(
        `${sourceName} is a GeometryCollection with no Polygon or MultiPolygon: ROIs must be areas`,
      );
    }
    return [{ name: 'ROI 1', id: null, parts }];
  }
  if (type === 'Point' || type === 'MultiPoint' || type === 'LineString') {
    throw new Error(
      `${sourceName} is a ${type} geometry, not a Polygon or MultiPolygon: ROIs must be areas`,
    );
  }
  if (type === 'MultiLineString') {
    throw new Error(
      `${sourceName} is a MultiLineString geometry, not a Polygon or MultiPolygon: ROIs must be areas`,
    );
  }
  if (type === 'Topology') {
    throw new Error(
      `${sourceName} is TopoJSON, not GeoJSON: convert it (e.g. \`mapshaper ${sourceName} -o format=geojson\`)`,
    );
  }
  throw new Error(
    `${sourceName} is JSON but not GeoJSON: its "type" is ${preview(type)}; expected ` +
      'FeatureCollection, Feature, Polygon or MultiPolygon',
  );
}

/** Throws when positions cannot be WGS 84 lon/lat: projected, or latitude first. */
function checkLonLatRanges(rois: readonly RawRoi[], sourceName: string): void {
  const positions = rois.flatMap((roi) => roi.parts.flat().flatMap((ring) => ring.positions));
  const bad = positions.find(([x, y]) => Math.abs(x) > 180 || Math.abs(y) > 90);
  if (bad === undefined) return;
  const example = `${formatCoordinate(bad[0])}, ${formatCoordinate(bad[1])}`;
  const swapped = positions.every(([x, y]) => Math.abs(x) <= 90 && Math.abs(y) <= 180);
  if (swapped) {
    throw new Error(
      `${sourceName}: coordinates look like latitude, longitude (e.g. ${example}: a latitude ` +
        `cannot be ${formatCoordinate(bad[1])}); GeoJSON positions are longitude first, then latitude — swap them`,
    );
  }
  throw new Error(
    `${sourceName}: coordinates look projected (e.g. ${example}), not longitude/latitude. ` +
      'RFC 7946 GeoJSON is WGS 84 longitude/latitude; reproject it to WGS 84 ' +
      '(e.g. `ogr2ogr -s_srs EPSG:<its CRS> -t_srs EPSG:4326 out.geojson in.geojson`)',
  );
}

/** Cleans, checks, closes and orients one ring; null for a hole with no area (dropped). */
function finishRing(
  raw: RawRing,
  isExterior: boolean,
  roiName: string,
  sourceName: string,
  warnings: WarningList,
): Ring | null {
  const input = raw.positions;
  const closed = input.length >= 2 && samePosition(input[0], input[input.length - 1]);
  // Consecutive duplicates add nothing; the closing position is put back at the end.
  const open = input.filter((p, k) => k === 0 || !samePosition(p, input[k - 1]));
  if (open.length > 1 && samePosition(open[0], open[open.length - 1])) open.pop();
  let problem: string | null = null;
  if (open.length < 3) {
    problem =
      closed && input.length < 4
        ? `has only ${plural(input.length, 'position')}; a ring needs at least 4 (3 corners and the closing position)`
        : `has only ${plural(open.length, 'distinct corner')}; an area needs at least 3`;
  } else if (Math.abs(signedArea2(open)) <= ZERO_AREA_RELATIVE * bboxDiagonal2(open)) {
    problem =
      selfIntersection(open) === null
        ? 'has zero area (all its corners lie on one line)'
        : 'crosses itself and its loops cancel out to zero area';
  }
  if (problem !== null) {
    if (isExterior)
      throw new Error(`${sourceName}: ${roiName} is empty: its ${raw.part} ${problem}`);
    warnings.add('degenerate-hole', roiName);
    return null;
  }
  if (!closed) warnings.add('unclosed', roiName);
  if (signedArea2(open) > 0 !== isExterior) warnings.add('winding', roiName);
  const crossing = selfIntersection(open);
  if (crossing !== null) {
    warnings.addMessage(
      `${roiName} crosses itself (${raw.part}, near ` +
        `${formatCoordinate(crossing[0])}, ${formatCoordinate(crossing[1])}): its area is ` +
        'ambiguous and counts inside it may be wrong — fix the polygon',
    );
  }
  return closedOriented(open, isExterior);
}

/** Makes names unique ("Pier 1", "Pier 1 (2)") and warns about each duplicate. */
function uniqueNames(rois: readonly RawRoi[], warnings: WarningList): string[] {
  const seen = new Map<string, number>();
  const used = new Set(rois.map((roi) => roi.name));
  return rois.map((roi) => {
    const count = (seen.get(roi.name) ?? 0) + 1;
    seen.set(roi.name, count);
    if (count === 1) return roi.name;
    let suffix = count;
    while (used.has(`${roi.name} (${suffix})`)) suffix++;
    const name = `${roi.name} (${suffix})`;
    used.add(name);
    warnings.addMessage(`two or more ROIs are named "${roi.name}"; called this one "${name}"`);
    return name;
  });
}

/**
 * The largest pier (GeoJSON) or session file read: a port's piers take
 * kilobytes, and parsing holds 6–8 bytes per byte of text, so a file of
 * hundreds of MB (a whole country's layer) would take the tab with it.
 */
export const MAX_TEXT_FILE_BYTES = 64 * 1024 * 1024;

/**
 * The most piers one analysis takes: each holds its own surface histograms
 * (about 0.1 MB a date on the GPU, more on the CPU), and a port has tens to hundreds.
 */
export const MAX_ROIS = 1000;

/** Why a pier or session file of `sizeBytes` is not read, or null when it may be. */
export function textFileSizeProblem(name: string, sizeBytes: number): string | null {
  if (sizeBytes <= MAX_TEXT_FILE_BYTES) return null;
  const mb = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(0)} MB`;
  return (
    `${name} is ${mb(sizeBytes)}: pier and session files are read up to ${mb(MAX_TEXT_FILE_BYTES)} ` +
    `(a port's piers take kilobytes); clip the layer to the port first (e.g. ogr2ogr -clipsrc)`
  );
}

/**
 * Reads ROI polygons from GeoJSON text. `sourceName` (the file name) starts or
 * appears in every message. Throws an Error with a specific message for text
 * that cannot give ROIs; returns the ROIs in file order with any warnings.
 */
export function parseRoiGeoJson(text: string, sourceName: string): RoiSet {
  const json = parseJson(text, sourceName);
  if (!isObject(json) || typeof json['type'] !== 'string') {
    const what = Array.isArray(json) ? 'an array' : isObject(json) ? 'an object' : preview(json);
    const esri =
      isObject(json) && (Array.isArray(json['features']) || 'spatialReference' in json)
        ? ' (it looks like Esri JSON: export the layer as GeoJSON instead)'
        : '';
    throw new Error(
      `${sourceName} is JSON but not GeoJSON: the top level is ${what} without a "type" member${esri}`,
    );
  }
  checkCrs(json, sourceName);
  const warnings = new WarningList();
  const raw = collectRawRois(json, sourceName, warnings);
  if (raw.length > MAX_ROIS) {
    throw new Error(
      `${sourceName} holds ${raw.length} piers; an analysis takes at most ${MAX_ROIS}: keep the piers of one port, or split the file`,
    );
  }
  checkLonLatRanges(raw, sourceName);
  const names = uniqueNames(raw, warnings);
  const rois = raw.map((roi, k): Roi => {
    const name = names[k] ?? roi.name;
    const polygons = roi.parts.map((part) =>
      part
        .map((ring, r) => finishRing(ring, r === 0, name, sourceName, warnings))
        .filter((ring): ring is Ring => ring !== null),
    );
    return { name, id: roi.id, rings: polygons.flat(), polygons };
  });
  return { rois, warnings: warnings.messages(sourceName) };
}

// ---------------------------------------------------------------- writing

function normalizedPolygons(roi: Roi): Position[][][] {
  return roi.polygons.map((part) => part.map((ring, r) => closedOriented(ring, r === 0)));
}

/** RFC 7946 FeatureCollection: closed rings, exteriors counter-clockwise, holes clockwise, `name` property. */
export function roiSetToGeoJson(rois: readonly Roi[]): GeoJsonFeatureCollection {
  return {
    type: 'FeatureCollection',
    features: rois.map((roi): GeoJsonPolygonFeature => {
      const polygons = normalizedPolygons(roi);
      const [only] = polygons;
      const geometry: GeoJsonPolygonFeature['geometry'] =
        polygons.length === 1 && only !== undefined
          ? { type: 'Polygon', coordinates: only }
          : { type: 'MultiPolygon', coordinates: polygons };
      return {
        type: 'Feature',
        ...(roi.id === null ? {} : { id: roi.id }),
        properties: { name: roi.name },
        geometry,
      };
    }),
  };
}

// ---------------------------------------------------------------- projection

function transformRois(
  rois: readonly Roi[],
  transform: (position: Position) => Position,
  what: string,
): Roi[] {
  return rois.map((roi) => {
    const polygons = roi.polygons.map((part) =>
      part.map((ring, r) => {
        const moved = ring.map((position): Position => {
          const [x, y] = transform(position);
          if (!Number.isFinite(x) || !Number.isFinite(y)) {
            throw new Error(
              `${roi.name} cannot be ${what}: position ${position[0]}, ${position[1]} has no image there`,
            );
          }
          return [x, y];
        });
        // A projection can mirror (e.g. a south-oriented grid): keep the winding invariant.
        return closedOriented(moved, r === 0);
      }),
    );
    return { name: roi.name, id: roi.id, rings: polygons.flat(), polygons };
  });
}

function converter(proj4Definition: string): proj4.Converter {
  try {
    return proj4(WGS84_PROJ4, proj4Definition);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot use the CRS definition "${proj4Definition}": ${reason}`, {
      cause: error,
    });
  }
}

/** ROIs (WGS 84 lon/lat) in the map coordinates of a CRS given as a proj4 definition. */
export function projectRois(rois: readonly Roi[], proj4Definition: string): MapRoi[] {
  const convert = converter(proj4Definition);
  return transformRois(
    rois,
    (p) => convert.forward<Position>([p[0], p[1]]),
    `projected to ${proj4Definition}`,
  );
}

/** The inverse of `projectRois`: map coordinates of a proj4 CRS → WGS 84 lon/lat. */
export function unprojectRois(rois: readonly MapRoi[], proj4Definition: string): Roi[] {
  const convert = converter(proj4Definition);
  return transformRois(
    rois,
    (p) => {
      // A lon/lat grid across the antimeridian holds longitudes past 180°,
      // which GeoJSON (and this module's own reader) refuses: a whole turn back.
      const [lon, lat] = convert.inverse<Position>([p[0], p[1]]);
      return [lon > 180 ? lon - 360 : lon < -180 ? lon + 360 : lon, lat];
    },
    `brought back from ${proj4Definition} to longitude/latitude`,
  );
}

// ---------------------------------------------------------------- image pixels

/** An image's georeference: pixel → map through the geotransform, map → WGS 84 through proj4. */
export interface ImageGeoref {
  readonly geoTransform: GeoTransform;
  readonly proj4: string;
}

/** An ROI in pixel coordinates of an image (corner origin), rings open or closed, any winding. */
export interface PixelRoiRings {
  readonly name: string;
  readonly id: string | number | null;
  /** Per part: [exterior, ...holes]. */
  readonly polygons: readonly (readonly (readonly (readonly [number, number])[])[])[];
}

/** Pixel ROIs → the same shapes in the image's map coordinates (closed, RFC 7946 winding). */
export function pixelRoisToMap(rois: readonly PixelRoiRings[], georef: ImageGeoref): MapRoi[] {
  const asRois: Roi[] = rois.map((roi) => {
    const polygons = roi.polygons.map((part) =>
      part.map((ring) => ring.map(([x, y]): Position => [x, y])),
    );
    return { name: roi.name, id: roi.id, rings: polygons.flat(), polygons };
  });
  return transformRois(
    asRois,
    ([col, row]) => pixelToMap(georef.geoTransform, col, row),
    'placed on the map',
  );
}

/**
 * Pixel ROIs of an image → WGS 84 lon/lat ROIs: through the image's
 * geotransform to its map coordinates, then proj4 to lon/lat. Rings come out
 * closed, exteriors counter-clockwise and holes clockwise (a north-up
 * geotransform mirrors y, so pixel-space winding is not kept).
 */
export function pixelRoisToLonLat(rois: readonly PixelRoiRings[], georef: ImageGeoref): Roi[] {
  return unprojectRois(pixelRoisToMap(rois, georef), georef.proj4);
}

/**
 * RFC 7946 GeoJSON text of pixel ROIs drawn on an image with `georef`: a
 * FeatureCollection of Polygons (MultiPolygons for several parts) in WGS 84
 * lon/lat, closed rings, exteriors counter-clockwise, holes clockwise, a
 * `name` property per feature and the feature id where the ROI had one.
 * Coordinates keep full double precision (round trips within 1e-6 m).
 */
export function exportRoiGeoJson(rois: readonly PixelRoiRings[], georef: ImageGeoref): string {
  return `${JSON.stringify(roiSetToGeoJson(pixelRoisToLonLat(rois, georef)), null, 2)}\n`;
}
