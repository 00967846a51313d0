/**
 * What a snapshot PNG carries in its "quaywatch" iTXt chunk: enough to
 * reproduce the figure (parameters, alignment, files, view) and the numbers
 * it shows. The app reads it back to restore the parameters.
 */
import { analysisParamsFromJson, type AnalysisParams } from '../analysis/params.ts';
import { insertChunkAfterIhdr, itxtChunk } from './png-itxt.ts';

export const SNAPSHOT_KEYWORD = 'quaywatch';

/** The small print of a snapshot (app and CLI alike). */
export function snapshotFootnote(version: string): string {
  return `Quaywatch ${version} · TEU from the top tier seen from above`;
}

export interface SnapshotFileRef {
  readonly name: string;
  readonly sizeBytes: number;
  readonly role: 'before' | 'after';
  /** "2023-10-13" where known, else null. */
  readonly date: string | null;
}

export interface SnapshotRoiNumbers {
  readonly name: string;
  readonly before_teu: number;
  readonly after_teu: number;
  readonly appeared_teu: number;
  readonly disappeared_teu: number;
  readonly net_teu: number;
  /** [low, high]. */
  readonly range_teu: readonly number[];
  /** Share of the pier both images cover, as result.json has it. */
  readonly coverage?: number;
}

export interface SnapshotView {
  readonly layout: 'single' | 'side-by-side';
  /** The before-image rectangle shown: x, y, width, height in full-resolution before px. */
  readonly rectImagePx: readonly [number, number, number, number];
  /** Output pixels per before-image pixel. */
  readonly outputPxPerImagePx: number;
  /** Overlays drawn, by id. */
  readonly overlays: readonly string[];
  /** The app's own view state (compare mode, centre, zoom), when made in the app. */
  readonly viewState?: unknown;
}

export interface SnapshotMetadata {
  readonly version: string;
  readonly params: AnalysisParams;
  /** [dx, dy] in before px. */
  readonly alignment: { readonly shiftPx: readonly number[]; readonly method: string };
  readonly files: readonly SnapshotFileRef[];
  readonly rois: readonly SnapshotRoiNumbers[];
  readonly view: SnapshotView;
  readonly title: string;
  readonly credit: string;
  /** ISO 8601. */
  readonly createdAt: string;
}

/** Two decimals, as result.json has them. */
export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * The chunk's JSON read back. Only what a restore uses is checked strictly:
 * the parameters (validated like a session's) and the alignment shift.
 */
export function parseSnapshotMetadata(text: string): SnapshotMetadata {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`The snapshot's "quaywatch" chunk is not JSON: ${String(error)}`, {
      cause: error,
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('The snapshot\'s "quaywatch" chunk is not a JSON object');
  }
  const record = parsed as Record<string, unknown>;
  const params = analysisParamsFromJson(JSON.stringify(record['params'] ?? {}));
  const alignment = record['alignment'] as { shiftPx?: unknown; method?: unknown } | undefined;
  const shift = alignment?.shiftPx;
  if (
    !Array.isArray(shift) ||
    shift.length !== 2 ||
    !shift.every((value) => typeof value === 'number' && Number.isFinite(value))
  ) {
    throw new Error("The snapshot's alignment has no shift of two numbers");
  }
  const [dx, dy] = shift as [number, number];
  return {
    ...(record as unknown as SnapshotMetadata),
    params,
    alignment: {
      shiftPx: [dx, dy],
      method: typeof alignment?.method === 'string' ? alignment.method : '',
    },
  };
}

/** The PNG with its "quaywatch" iTXt chunk added right after IHDR. */
export function withSnapshotMetadata(png: Uint8Array, metadata: SnapshotMetadata): Uint8Array {
  return insertChunkAfterIhdr(png, itxtChunk(SNAPSHOT_KEYWORD, JSON.stringify(metadata)));
}
