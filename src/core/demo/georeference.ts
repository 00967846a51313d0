/**
 * Grids, ground truth and pier GeoJSON for a demo scene: the before image on
 * UTM at the scene's GSD, the after image on the same grid or on another
 * (UTM at another GSD, or WGS 84 lon/lat), with the after content shifted by
 * the requested misregistration.
 */
import proj4 from 'proj4';
import type { DemoScene, PixelToScene, Scenario } from './scene.ts';

export interface DemoGrid {
  readonly epsg: number;
  readonly modelType: 'projected' | 'geographic';
  readonly width: number;
  readonly height: number;
  /** Upper-left corner of the upper-left pixel, map units. */
  readonly originX: number;
  readonly originY: number;
  readonly pixelSizeX: number;
  readonly pixelSizeY: number;
  /** Pixel (centre = integer coordinates) → scene metres. */
  readonly pixelToScene: PixelToScene;
}

export function utmZone(lon: number): number {
  return Math.floor((lon + 180) / 6) + 1;
}

export function utmProj4(zone: number, north: boolean): string {
  return `+proj=utm +zone=${zone} ${north ? '' : '+south '}+datum=WGS84 +units=m +no_defs`;
}

export const WGS84_PROJ4 = '+proj=longlat +datum=WGS84 +no_defs';

/** Metres per degree of latitude and longitude at latitude φ on WGS 84 (first-order series). */
export function metresPerDegree(latDeg: number): { lat: number; lon: number } {
  const phi = (latDeg * Math.PI) / 180;
  return {
    lat: 111132.954 - 559.822 * Math.cos(2 * phi) + 1.175 * Math.cos(4 * phi),
    lon: 111412.84 * Math.cos(phi) - 93.5 * Math.cos(3 * phi),
  };
}

export interface DemoFrame {
  readonly zone: number;
  readonly utmEpsg: number;
  readonly utmDefinition: string;
  /** UTM of the scene's north-west corner (scene x = 0, y = 0). */
  readonly originE: number;
  readonly originN: number;
}

export function demoFrame(scene: DemoScene): DemoFrame {
  const [lon, lat] = scene.params.centreLonLat;
  const zone = utmZone(lon);
  const north = lat >= 0;
  const utmDefinition = utmProj4(zone, north);
  const [e, n] = proj4(WGS84_PROJ4, utmDefinition, [lon, lat]);
  return {
    zone,
    utmEpsg: (north ? 32600 : 32700) + zone,
    utmDefinition,
    originE: Math.round(e - scene.widthM / 2),
    originN: Math.round(n + scene.heightM / 2),
  };
}

export function sceneToLonLat(scene: DemoScene, x: number, y: number): [number, number] {
  const frame = demoFrame(scene);
  const [lon, lat] = proj4(frame.utmDefinition, WGS84_PROJ4, [
    frame.originE + x,
    frame.originN - y,
  ]);
  return [lon, lat];
}

export function beforeGrid(scene: DemoScene): DemoGrid {
  const frame = demoFrame(scene);
  const gsd = scene.params.gsdM;
  return {
    epsg: frame.utmEpsg,
    modelType: 'projected',
    width: scene.params.widthPx,
    height: scene.params.heightPx,
    originX: frame.originE,
    originY: frame.originN,
    pixelSizeX: gsd,
    pixelSizeY: gsd,
    pixelToScene: (col, row) => [(col + 0.5) * gsd, (row + 0.5) * gsd],
  };
}

/**
 * Samples `exact` on a lattice every `step` pixels and interpolates
 * bilinearly between, so a per-pixel projection costs a few multiplications.
 * Over a port-sized scene the lattice error is far below a millimetre.
 */
function interpolatedMapping(
  width: number,
  height: number,
  step: number,
  exact: PixelToScene,
): PixelToScene {
  const cols = Math.ceil(width / step) + 2;
  const rows = Math.ceil(height / step) + 2;
  const xs = new Float64Array(cols * rows);
  const ys = new Float64Array(cols * rows);
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < cols; i++) {
      const [x, y] = exact(i * step - 1, j * step - 1);
      xs[j * cols + i] = x;
      ys[j * cols + i] = y;
    }
  }
  return (col, row) => {
    const fi = Math.min(cols - 1.000001, Math.max(0, (col + 1) / step));
    const fj = Math.min(rows - 1.000001, Math.max(0, (row + 1) / step));
    const i = Math.floor(fi);
    const j = Math.floor(fj);
    const tx = fi - i;
    const ty = fj - j;
    const k = j * cols + i;
    const lerp = (a: Float64Array): number =>
      ((a[k] ?? 0) * (1 - tx) + (a[k + 1] ?? 0) * tx) * (1 - ty) +
      ((a[k + cols] ?? 0) * (1 - tx) + (a[k + cols + 1] ?? 0) * tx) * ty;
    // Outside the lattice (never in practice) the clamped value is used.
    return [lerp(xs), lerp(ys)];
  };
}

/**
 * The after image's grid. Its content is shifted by misregistrationPx (in
 * before pixels, x east, y south): a feature appears that far east/south of
 * where its georeference says it is.
 */
export function afterGrid(scene: DemoScene, options: { exact?: boolean } = {}): DemoGrid {
  const { params } = scene;
  const shiftX = params.misregistrationPx[0] * params.gsdM;
  const shiftY = params.misregistrationPx[1] * params.gsdM;
  const spec = params.afterGrid;
  if (spec === null || spec.crs === 'utm') {
    const base = beforeGrid(scene);
    const gsd = spec?.gsdM ?? params.gsdM;
    return {
      ...base,
      width: Math.round(scene.widthM / gsd),
      height: Math.round(scene.heightM / gsd),
      pixelSizeX: gsd,
      pixelSizeY: gsd,
      pixelToScene: (col, row) => [(col + 0.5) * gsd - shiftX, (row + 0.5) * gsd - shiftY],
    };
  }
  // WGS 84 lon/lat grid covering the scene, square in metres at its centre.
  const frame = demoFrame(scene);
  const corners = [
    [0, 0],
    [scene.widthM, 0],
    [0, scene.heightM],
    [scene.widthM, scene.heightM],
  ].map(([x = 0, y = 0]) => sceneToLonLat(scene, x, y));
  const lons = corners.map(([lon]) => lon);
  const lats = corners.map(([, lat]) => lat);
  const west = Math.min(...lons);
  const north = Math.max(...lats);
  const south = Math.min(...lats);
  const east = Math.max(...lons);
  const perDegree = metresPerDegree((north + south) / 2);
  const dLon = spec.gsdM / perDegree.lon;
  const dLat = spec.gsdM / perDegree.lat;
  const width = Math.ceil((east - west) / dLon);
  const height = Math.ceil((north - south) / dLat);
  const toUtm = proj4(WGS84_PROJ4, frame.utmDefinition);
  const exact: PixelToScene = (col, row) => {
    const [e, n] = toUtm.forward([west + (col + 0.5) * dLon, north - (row + 0.5) * dLat]);
    return [e - frame.originE - shiftX, frame.originN - n - shiftY];
  };
  return {
    epsg: 4326,
    modelType: 'geographic',
    width,
    height,
    originX: west,
    originY: north,
    pixelSizeX: dLon,
    pixelSizeY: dLat,
    pixelToScene: options.exact === true ? exact : interpolatedMapping(width, height, 16, exact),
  };
}

/** RFC 7946 FeatureCollection of the piers: WGS 84 lon/lat, closed counter-clockwise rings. */
export function piersGeoJson(scene: DemoScene): object {
  return {
    type: 'FeatureCollection',
    features: scene.piers.map((pier, i) => {
      const ring = pier.corners.map(([x, y]) => {
        const [lon, lat] = sceneToLonLat(scene, x, y);
        return [Number(lon.toFixed(8)), Number(lat.toFixed(8))];
      });
      const first = ring[0];
      if (first !== undefined) ring.push([...first]);
      return {
        type: 'Feature',
        id: `pier-${i + 1}`,
        properties: { name: pier.name },
        geometry: { type: 'Polygon', coordinates: [ring] },
      };
    }),
  };
}

export interface DemoTruth {
  readonly version: 1;
  readonly note: string;
  readonly seed: number;
  readonly dates: { readonly before: string; readonly after: string };
  readonly crs: { readonly before: string; readonly after: string };
  readonly gsdM: { readonly before: number; readonly after: number };
  readonly misregistrationPx: readonly [number, number];
  readonly piers: readonly {
    readonly name: string;
    readonly scenario: Scenario;
    readonly capacity_teu: number;
    readonly before_teu: number;
    readonly after_teu: number;
    readonly appeared_teu: number;
    readonly disappeared_teu: number;
    readonly net_teu: number;
  }[];
}

export function demoTruth(scene: DemoScene): DemoTruth {
  const before = beforeGrid(scene);
  const after = afterGrid(scene);
  const { params } = scene;
  return {
    version: 1,
    note:
      'TEU = 20-ft-equivalent ground slots occupied, as seen from above: a 40-ft container counts 2, ' +
      'stacked containers count once (only the top tier is visible). Containers on a ship and trucks are not counted.',
    seed: params.seed,
    dates: { before: params.dates[0], after: params.dates[1] },
    crs: { before: `EPSG:${before.epsg}`, after: `EPSG:${after.epsg}` },
    gsdM: { before: params.gsdM, after: params.afterGrid?.gsdM ?? params.gsdM },
    misregistrationPx: params.misregistrationPx,
    piers: scene.piers.map((pier) => ({
      name: pier.name,
      scenario: pier.scenario,
      capacity_teu: pier.capacityTeu,
      before_teu: pier.teu.before,
      after_teu: pier.teu.after,
      appeared_teu: pier.teu.appeared,
      disappeared_teu: pier.teu.disappeared,
      net_teu: pier.teu.after - pier.teu.before,
    })),
  };
}
