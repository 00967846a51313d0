/** The CLI as a user runs it (`bin/quaywatch.js` under this Node), for tests. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `quaywatch ...args` from the repository root and waits for it. */
export function quaywatch(...args: string[]): CliRun {
  const result = spawnSync(process.execPath, ['bin/quaywatch.js', ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * `--before F/before.tif --after F/after.tif --rois F/piers.geojson`: a pair
 * laid out as the demo's; `files` names other files of F in their place.
 */
export function pairArgs(
  folder: string,
  files: { readonly before?: string; readonly after?: string } = {},
): string[] {
  return [
    '--before',
    join(folder, files.before ?? 'before.tif'),
    '--after',
    join(folder, files.after ?? 'after.tif'),
    '--rois',
    join(folder, 'piers.geojson'),
  ];
}
