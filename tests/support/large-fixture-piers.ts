/** Piers on the large fixture (scripts/make-large-fixture.ts), as GeoJSON in lon/lat. */
import proj4 from 'proj4';
import { LARGE_FIXTURE_GEO } from '../../scripts/make-large-fixture.ts';
import { crsFromEpsg } from '../../src/core/crs.ts';

/**
 * One square pier `sideM` metres a side whose north-west corner lies
 * `insetM` east and south of the fixture's corner.
 */
export function squarePierGeoJson(name: string, insetM: number, sideM: number): string {
  const { originX, originY, epsg } = LARGE_FIXTURE_GEO;
  const utm = crsFromEpsg(epsg).proj4 ?? '';
  const corner = (eastM: number, southM: number): number[] =>
    proj4(utm, 'WGS84', [originX + insetM + eastM, originY - insetM - southM]);
  // Counter-clockwise on the map, as RFC 7946 asks of exteriors.
  const ring = [
    corner(0, 0),
    corner(0, sideM),
    corner(sideM, sideM),
    corner(sideM, 0),
    corner(0, 0),
  ];
  return JSON.stringify({
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', properties: { name }, geometry: { type: 'Polygon', coordinates: [ring] } },
    ],
  });
}
