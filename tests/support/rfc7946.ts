/**
 * A small, independent reader of RFC 7946 GeoJSON for tests: it checks the
 * rules the exports promise (structure, WGS 84 ranges, closed rings of four or
 * more positions, exteriors counter-clockwise and holes clockwise by signed
 * area, no `crs` member) and measures polygon areas on the WGS 84 ellipsoid.
 * It shares no code with src/.
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Twice the signed area of a closed lon/lat ring: positive when counter-clockwise. */
export function ringSignedArea2(ring: readonly (readonly number[])[]): number {
  let twice = 0;
  for (let k = 0; k + 1 < ring.length; k++) {
    const [x0 = 0, y0 = 0] = ring[k] ?? [];
    const [x1 = 0, y1 = 0] = ring[k + 1] ?? [];
    twice += x0 * y1 - x1 * y0;
  }
  return twice;
}

function checkRing(ring: unknown, where: string, exterior: boolean, problems: string[]): void {
  if (!Array.isArray(ring) || ring.length < 4) {
    problems.push(`${where}: a ring needs 4 or more positions`);
    return;
  }
  for (const [k, position] of (ring as unknown[]).entries()) {
    if (
      !Array.isArray(position) ||
      position.length < 2 ||
      position.length > 3 ||
      !position.every((n) => typeof n === 'number' && Number.isFinite(n))
    ) {
      problems.push(`${where}[${k}]: not a position`);
      return;
    }
    const [lon, lat] = position as number[];
    if (
      lon === undefined ||
      lat === undefined ||
      lon < -180 ||
      lon > 180 ||
      lat < -90 ||
      lat > 90
    ) {
      problems.push(`${where}[${k}]: ${String(lon)}, ${String(lat)} outside WGS 84 ranges`);
    }
  }
  const positions = ring as number[][];
  const first = positions[0] ?? [];
  const last = positions[positions.length - 1] ?? [];
  if (first[0] !== last[0] || first[1] !== last[1]) problems.push(`${where}: ring not closed`);
  const area = ringSignedArea2(positions);
  if (exterior && !(area > 0)) problems.push(`${where}: exterior ring not counter-clockwise`);
  if (!exterior && !(area < 0)) problems.push(`${where}: hole not clockwise`);
}

function checkPolygon(polygon: unknown, where: string, problems: string[]): void {
  if (!Array.isArray(polygon) || polygon.length === 0) {
    problems.push(`${where}: a polygon needs at least its exterior ring`);
    return;
  }
  for (const [r, ring] of (polygon as unknown[]).entries()) {
    checkRing(ring, `${where}[${r}]`, r === 0, problems);
  }
}

/** Every breach of the rules above in a FeatureCollection of (Multi)Polygons; [] when clean. */
export function rfc7946Problems(root: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(root) || root['type'] !== 'FeatureCollection' || !Array.isArray(root['features'])) {
    return ['not a FeatureCollection with a features array'];
  }
  if ('crs' in root) problems.push('RFC 7946 has no crs member');
  for (const [f, feature] of (root['features'] as unknown[]).entries()) {
    const where = `features[${f}]`;
    if (!isObject(feature) || feature['type'] !== 'Feature') {
      problems.push(`${where}: not a Feature`);
      continue;
    }
    if (!isObject(feature['properties'])) problems.push(`${where}: properties must be an object`);
    const geometry = feature['geometry'];
    if (!isObject(geometry)) {
      problems.push(`${where}: no geometry`);
      continue;
    }
    const coordinates = geometry['coordinates'];
    if (geometry['type'] === 'Polygon') {
      checkPolygon(coordinates, `${where}.coordinates`, problems);
    } else if (geometry['type'] === 'MultiPolygon' && Array.isArray(coordinates)) {
      if (coordinates.length === 0) problems.push(`${where}: empty MultiPolygon`);
      for (const [p, polygon] of (coordinates as unknown[]).entries()) {
        checkPolygon(polygon, `${where}.coordinates[${p}]`, problems);
      }
    } else {
      problems.push(`${where}: geometry is not a Polygon or MultiPolygon`);
    }
  }
  return problems;
}

// WGS 84 ellipsoid.
const A_M = 6378137;
const E2 = 0.00669437999014;

/**
 * Area of polygons (lists of closed lon/lat rings, exterior first) in m²: each
 * ring projected onto the plane tangent at its first position with the
 * ellipsoid's radii there, which is exact to far below a part per million for
 * shapes of a few hundred metres.
 */
export function polygonsAreaM2(polygons: readonly (readonly (readonly number[])[])[][]): number {
  let area = 0;
  for (const polygon of polygons) {
    for (const ring of polygon) {
      const [lon0 = 0, lat0 = 0] = ring[0] ?? [];
      const phi = (lat0 * Math.PI) / 180;
      const w = Math.sqrt(1 - E2 * Math.sin(phi) ** 2);
      const meridionalM = (A_M * (1 - E2)) / w ** 3;
      const primeVerticalM = A_M / w;
      const local = ring.map(([lon = 0, lat = 0]) => [
        (((lon - lon0) * Math.PI) / 180) * primeVerticalM * Math.cos(phi),
        (((lat - lat0) * Math.PI) / 180) * meridionalM,
      ]);
      area += ringSignedArea2(local) / 2;
    }
  }
  return area;
}
