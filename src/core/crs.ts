/**
 * Coordinate reference systems as proj4 definitions, from EPSG codes. Covers
 * the families analysts meet with port imagery (UTM on WGS 84, NAD83, NAD27,
 * ETRS89; lon/lat; Web Mercator) and a few national grids; anything else is
 * reported as unknown rather than guessed. Parameters from the EPSG registry.
 */

export interface Crs {
  readonly epsg: number | null;
  /** proj4 definition, null when the CRS is not known to Quaywatch. */
  readonly proj4: string | null;
  /** True for lon/lat (degrees) systems. */
  readonly geographic: boolean;
  readonly name: string;
}

/**
 * NAD27 to WGS 84 by the EPSG:1173 three-parameter shift (CONUS mean, ±10 m):
 * proj4's +datum=NAD27 names optional grid files that are not loaded here, and
 * without them it applies no shift at all (some 80 m off in California).
 */
const NAD27 = '+ellps=clrk66 +towgs84=-8,160,176,0,0,0,0';

const SPECIFIC: Record<number, { name: string; proj4: string; geographic?: boolean }> = {
  4326: { name: 'WGS 84', proj4: '+proj=longlat +datum=WGS84 +no_defs', geographic: true },
  4269: { name: 'NAD83', proj4: '+proj=longlat +datum=NAD83 +no_defs', geographic: true },
  4267: { name: 'NAD27', proj4: `+proj=longlat ${NAD27} +no_defs`, geographic: true },
  4258: {
    name: 'ETRS89',
    proj4: '+proj=longlat +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +no_defs',
    geographic: true,
  },
  3857: {
    name: 'WGS 84 / Pseudo-Mercator',
    proj4:
      '+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +wktext +no_defs',
  },
  3031: {
    name: 'WGS 84 / Antarctic Polar Stereographic',
    proj4:
      '+proj=stere +lat_0=-90 +lat_ts=-71 +lon_0=0 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs',
  },
  2193: {
    name: 'NZGD2000 / New Zealand Transverse Mercator 2000',
    proj4:
      '+proj=tmerc +lat_0=0 +lon_0=173 +k=0.9996 +x_0=1600000 +y_0=10000000 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
  },
  26771: {
    name: 'NAD27 / Illinois East',
    proj4: `+proj=tmerc +lat_0=36.6666666666667 +lon_0=-88.3333333333333 +k=0.999975 +x_0=152400.30480061 +y_0=0 ${NAD27} +units=us-ft +no_defs`,
  },
  21897: {
    name: 'Bogota 1975 / Colombia Bogota zone',
    proj4:
      '+proj=tmerc +lat_0=4.59904722222222 +lon_0=-74.0809166666667 +k=1 +x_0=1000000 +y_0=1000000 +ellps=intl +towgs84=307,304,-318,0,0,0,0 +units=m +no_defs',
  },
};

function utm(zone: number, south: boolean, datum: string): string {
  return `+proj=utm +zone=${zone}${south ? ' +south' : ''} ${datum} +units=m +no_defs`;
}

/** The CRS of an EPSG code, with a proj4 definition where Quaywatch knows it. */
export function crsFromEpsg(epsg: number): Crs {
  const specific = SPECIFIC[epsg];
  if (specific !== undefined) {
    return {
      epsg,
      proj4: specific.proj4,
      geographic: specific.geographic === true,
      name: specific.name,
    };
  }
  const families: [number, number, string, string, boolean][] = [
    [32601, 32660, '+datum=WGS84', 'WGS 84 / UTM zone %N', false],
    [32701, 32760, '+datum=WGS84', 'WGS 84 / UTM zone %S', true],
    [26901, 26923, '+datum=NAD83', 'NAD83 / UTM zone %N', false],
    [26701, 26722, NAD27, 'NAD27 / UTM zone %N', false],
    [25828, 25838, '+ellps=GRS80 +towgs84=0,0,0,0,0,0,0', 'ETRS89 / UTM zone %N', false],
  ];
  for (const [first, last, datum, name, south] of families) {
    if (epsg >= first && epsg <= last) {
      const zone = epsg - first + (first === 25828 ? 28 : 1);
      return {
        epsg,
        proj4: utm(zone, south, datum),
        geographic: false,
        name: name.replace('%', String(zone)),
      };
    }
  }
  return { epsg, proj4: null, geographic: false, name: `EPSG:${epsg}` };
}

/** EPSG code of WGS 84 / UTM for a lon/lat. */
export function utmEpsgFor(lon: number, lat: number): number {
  const zone = Math.min(60, Math.max(1, Math.floor((lon + 180) / 6) + 1));
  return (lat >= 0 ? 32600 : 32700) + zone;
}
