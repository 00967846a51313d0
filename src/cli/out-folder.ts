/**
 * The CLI's output folder: checked before any image is read, so that a bad
 * --out fails at once with one line instead of after minutes of work; made
 * only when there is something to write; written file by file with the path
 * in any error.
 */
import { accessSync, constants, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

function errnoCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code ?? (error instanceof Error ? error.message : String(error));
}

/**
 * Checks, without touching anything, that `out` is or can become a folder
 * this process writes to; returns the folders still to make, outermost first.
 */
export function checkOutFolder(out: string): string[] {
  const folder = resolve(out);
  const missing: string[] = [];
  for (let at = folder; ;) {
    let isFolder: boolean;
    try {
      isFolder = statSync(at).isDirectory();
    } catch (error) {
      const code = errnoCode(error);
      // ENOTDIR: a file stands where a folder of the path should; found on the way up.
      if (code !== 'ENOENT' && code !== 'ENOTDIR')
        throw new Error(`--out ${out}: cannot look at ${at} (${code})`, { cause: error });
      missing.push(at);
      const parent = dirname(at);
      if (parent === at) break;
      at = parent;
      continue;
    }
    if (!isFolder) {
      throw new Error(
        at === folder
          ? `--out ${out} is a file, not a folder`
          : `--out ${out}: ${at} is a file, not a folder`,
      );
    }
    try {
      accessSync(at, constants.W_OK);
    } catch (error) {
      throw new Error(`--out ${out}: cannot write in ${at} (${errnoCode(error)})`, {
        cause: error,
      });
    }
    break;
  }
  return missing.reverse();
}

/** Makes `out` (checked as checkOutFolder does) and its missing parents. */
export function prepareOutFolder(out: string): void {
  // One level at a time: Node 20's recursive mkdir never returns on some
  // pseudo file systems (mkdirSync('/proc/x', { recursive: true }) spins).
  for (const dir of checkOutFolder(out)) {
    try {
      mkdirSync(dir);
    } catch (error) {
      // Made meanwhile (another run creating a sibling folder): fine.
      if (errnoCode(error) === 'EEXIST' && statSync(dir).isDirectory()) continue;
      throw new Error(`--out ${out}: cannot create ${dir} (${errnoCode(error)})`, {
        cause: error,
      });
    }
  }
}

/** Writes one output file; an error names the file. */
export function writeOutFile(path: string, data: string | Uint8Array): void {
  try {
    writeFileSync(path, data);
  } catch (error) {
    throw new Error(`cannot write ${path} (${errnoCode(error)})`, { cause: error });
  }
}

/** Removes one output file if it is there; an error names the file. */
export function removeOutFile(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch (error) {
    throw new Error(`cannot remove ${path} (${errnoCode(error)})`, { cause: error });
  }
}
