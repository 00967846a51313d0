/**
 * The kept blobs of an analysis as RFC 7946 GeoJSON: one Feature per blob
 * (a Polygon, or a MultiPolygon where its pixels meet only at corners), WGS 84
 * lon/lat through the same georeference path as the pier export
 * (geojson.ts `pixelRoisToLonLat`), closed rings, exteriors counter-clockwise,
 * holes clockwise. Properties, in the blob click's definitions (blob-pick.ts):
 *   id           "appeared-3": kind and number (1..N per kind, raster order)
 *   kind         appeared | disappeared | both (present at both dates)
 *   area_m2      the blob's pixel area × pixel ground area (not its outline's
 *                area on the ellipsoid, which differs by the projection's scale)
 *   teu, teu_low, teu_high   the table's arithmetic on area_m2 and the blob's
 *                outline pixels (top tier only)
 *   mean_change  mean change magnitude over the blob, DN
 *   roi          the pier holding most of the blob, or null
 *   rois         [{ name, area_m2 }] every pier it covers, most first
 */
import type { AnalysisInput, AnalysisResult } from '../core/analysis/cpu-pipeline.ts';
import { blobSourceOf, blobTeu } from '../core/analysis/blob-pick.ts';
import type { AnalysisParams } from '../core/analysis/params.ts';
import { TooManyBlobs, traceBlobs, type TracedBlob } from '../core/export/blob-polygons.ts';
import { csvNumber } from '../core/export/piers-csv.ts';
import { pixelRoisToLonLat, type ImageGeoref, type Position } from './geojson.ts';

export interface BlobProperties {
  readonly id: string;
  readonly kind: TracedBlob['kind'];
  readonly area_m2: number;
  readonly teu: number;
  readonly teu_low: number;
  readonly teu_high: number;
  readonly mean_change: number;
  readonly roi: string | null;
  readonly rois: readonly { readonly name: string; readonly area_m2: number }[];
}

export interface BlobFeature {
  readonly type: 'Feature';
  readonly id: string;
  readonly properties: BlobProperties;
  readonly geometry:
    | { readonly type: 'Polygon'; readonly coordinates: Position[][] }
    | { readonly type: 'MultiPolygon'; readonly coordinates: Position[][][] };
}

export interface BlobFeatureCollection {
  readonly type: 'FeatureCollection';
  readonly features: BlobFeature[];
}

/** What an export needs of an analysis on screen (qw-app's lastAnalysis) or in the CLI. */
export interface BlobExportSource {
  readonly result: Pick<AnalysisResult, 'rois' | 'masks' | 'changeMagnitude' | 'roiIndex'>;
  readonly input: Pick<AnalysisInput, 'widthPx' | 'heightPx' | 'pixelAreaM2'>;
  readonly params: Pick<
    AnalysisParams,
    'fillFactor' | 'fillFactorSpread' | 'teuFootprintM2' | 'minAreaM2'
  >;
  /** [x0, y0, …] of the window in the before image: where window pixel (0, 0) lies. */
  readonly windowPx: readonly [number, number, number, number];
}

/** Numbers as the CSV writes them (3 decimals): the file stays readable and small. */
const round = (value: number): number => Number(csvNumber(value));

/**
 * The most blobs blobs.geojson holds: about 90 MB of text (a feature takes
 * some 450 characters), far beyond what the defaults give (tens of thousands
 * on a large port); a few million would pass JavaScript's string length
 * limit after minutes of tracing.
 */
export const MAX_EXPORT_BLOBS = 200_000;

function tooManyBlobsMessage(
  error: TooManyBlobs,
  params: Pick<AnalysisParams, 'minAreaM2'>,
): string {
  return (
    `blobs.geojson would hold more than ${error.limit} blobs (${error.atLeast} of one kind): ` +
    `raise the smallest blob area (minAreaM2, now ${params.minAreaM2} m²) or the threshold to keep fewer`
  );
}

/**
 * The blobs of `source` as a FeatureCollection; `georef` is the before
 * image's (full image, not the window). Throws a message naming the blob when
 * a corner has no place on the map.
 */
export function blobsGeoJson(source: BlobExportSource, georef: ImageGeoref): BlobFeatureCollection {
  const { result, input, params, windowPx } = source;
  const [x0, y0] = windowPx;
  let blobs: TracedBlob[];
  try {
    blobs = traceBlobs(blobSourceOf(result, input), MAX_EXPORT_BLOBS);
  } catch (error) {
    if (!(error instanceof TooManyBlobs)) throw error;
    throw new TooManyBlobs(error.atLeast, error.limit, tooManyBlobsMessage(error, params));
  }
  const idOf = (blob: TracedBlob): string => `${blob.kind}-${blob.number}`;
  const lonLat = pixelRoisToLonLat(
    blobs.map((blob) => ({
      name: `Blob ${idOf(blob)}`,
      id: idOf(blob),
      polygons: blob.polygons.map((rings) =>
        rings.map((ring) => ring.map(([x, y]): [number, number] => [x + x0, y + y0])),
      ),
    })),
    georef,
  );
  return {
    type: 'FeatureCollection',
    features: blobs.map((blob, index): BlobFeature => {
      const polygons = lonLat[index]?.polygons ?? [];
      const [only] = polygons;
      const teu = blobTeu(blob, params);
      return {
        type: 'Feature',
        id: idOf(blob),
        properties: {
          id: idOf(blob),
          kind: blob.kind,
          area_m2: round(blob.areaM2),
          teu: round(teu.teu),
          teu_low: round(teu.lowTeu),
          teu_high: round(teu.highTeu),
          mean_change: round(blob.meanChangeDn),
          roi: blob.roiName,
          rois: blob.rois.map((share) => ({
            name: share.roi,
            area_m2: round(share.areaPx * input.pixelAreaM2),
          })),
        },
        geometry:
          polygons.length === 1 && only !== undefined
            ? { type: 'Polygon', coordinates: only }
            : { type: 'MultiPolygon', coordinates: polygons },
      };
    }),
  };
}

/** The GeoJSON text of `blobsGeoJson`, as written to blobs.geojson. */
export function blobsGeoJsonText(source: BlobExportSource, georef: ImageGeoref): string {
  return `${JSON.stringify(blobsGeoJson(source, georef))}\n`;
}
