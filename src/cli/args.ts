/**
 * Command-line options of `analyze` and `series`: Node's parseArgs, plus the
 * refusals it does not make. An option given twice would silently keep its
 * last value (`--before a.tif … --before b.tif` analysed b against the after
 * image), and an empty value (`--out ""`) would stand for the current folder.
 */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';

type StringOptions = Readonly<
  Record<string, { type: 'string'; default?: string; mayBeEmpty?: boolean }>
>;

export interface CommandArgs {
  readonly values: Readonly<Record<string, string | undefined>>;
  readonly positionals: readonly string[];
}

/** Parses `argv` for `command`; throws one line naming the option for every kind of misuse. */
export function parseCommandArgs(
  command: string,
  argv: readonly string[],
  options: StringOptions,
  allowPositionals: boolean,
): CommandArgs {
  const config: ParseArgsConfig = {
    args: [...argv],
    // parseArgs knows type and default only.
    options: Object.fromEntries(
      Object.entries(options).map(([name, { type, default: value }]) => [
        name,
        value === undefined ? { type } : { type, default: value },
      ]),
    ),
    allowPositionals,
    strict: true,
    tokens: true,
  };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const unknown = /'(-[^']*)'/.exec(error instanceof Error ? error.message : '')?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown !== undefined) {
      throw new Error(
        `${command} has no option ${unknown} (quaywatch ${command} --help lists them)`,
        { cause: error },
      );
    }
    throw error;
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option') continue;
    if (seen.has(token.name)) {
      throw new Error(`--${token.name} is given twice; give it once`);
    }
    seen.add(token.name);
    // A text may be empty on purpose (--title "" draws no title); a file or a choice may not.
    if (token.value === '' && options[token.name]?.mayBeEmpty !== true) {
      throw new Error(`--${token.name} needs a value (got an empty one)`);
    }
  }
  const values: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(parsed.values)) {
    if (typeof value === 'string') values[name] = value;
  }
  const empty = parsed.positionals.findIndex((positional) => positional === '');
  if (empty >= 0) throw new Error(`${command}: argument ${empty + 1} is empty; give a file`);
  return { values, positionals: parsed.positionals };
}

/**
 * Where a path leads, links followed (its real path), so that two names of one
 * file compare equal; the resolved path when it cannot be followed.
 */
export function samePlace(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}
