/**
 * Data exports off the main thread: tracing every blob's outline is a pass
 * over the analysis window per kind (seconds on a large port), so the blobs
 * GeoJSON is made here and the page stays responsive. One export per worker;
 * the page terminates it when done or cancelled.
 */
import * as Comlink from 'comlink';
import { blobsGeoJsonText, type BlobExportSource } from '../io/export-blobs.ts';
import type { ImageGeoref } from '../io/geojson.ts';

const api = {
  blobsGeoJsonText(source: BlobExportSource, georef: ImageGeoref): string {
    return blobsGeoJsonText(source, georef);
  },
};

export type ExportWorkerApi = typeof api;

Comlink.expose(api);
