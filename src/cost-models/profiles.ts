import { readdirSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import { parseProfile, ProfileError, type HardwareProfile } from './profile-schema.js';

/**
 * The built-in hardware profiles are whatever `*.json` files sit in the profile directory: `NAME.json` is the
 * profile NAME (its `name` field must agree). Adding a chip is one new file; no code changes.
 * The directory is `hardware-profiles/` of this package, or `$SPIKEWATT_PROFILE_DIR` when that is set (tests,
 * and sites that keep their own set).
 */

/** Reads a file's text (injected so the library does no I/O of its own; the CLI passes fs.readFileSync). */
export type ReadText = (path: string) => string;

/** `hardware-profiles/` of this package (same depth from src/cost-models and dist/cost-models). */
export const PROFILE_DIR = fileURLToPath(new URL('../../hardware-profiles/', import.meta.url));

/** The directory the built-in profiles are listed from. */
export function profileDir(): string {
  const env = process.env.SPIKEWATT_PROFILE_DIR;
  return env !== undefined && env !== '' ? env : PROFILE_DIR;
}

/** The built-in profile names (file names without `.json`), sorted. */
export function listProfiles(): string[] {
  return readdirSync(profileDir())
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

export function isBuiltinProfile(s: string): boolean {
  return !s.includes('/') && !s.includes('\\') && listProfiles().includes(s);
}

/** Path of a built-in profile's file. */
export function builtinProfilePath(name: string): string {
  return join(profileDir(), `${name}.json`);
}

/** A name that is neither a built-in profile nor a path. */
export class UnknownProfileError extends InputError {
  constructor(readonly profile: string) {
    super(`unknown hardware profile '${profile}' (built-in: ${listProfiles().join(', ')}; or give a path to a .json profile)`);
    this.name = 'UnknownProfileError';
  }
}

/**
 * Loads a built-in profile by name, or a profile file by path (anything containing a path separator or
 * ending in `.json`). Errors: UnknownProfileError, or ProfileError `file: /pointer: reason`.
 */
export function loadProfile(nameOrPath: string, readFile: ReadText): HardwareProfile {
  const builtin = isBuiltinProfile(nameOrPath);
  let file: string;
  if (builtin) file = builtinProfilePath(nameOrPath);
  else if (nameOrPath.includes('/') || nameOrPath.includes('\\') || nameOrPath.endsWith('.json') || isAbsolute(nameOrPath))
    file = nameOrPath;
  else throw new UnknownProfileError(nameOrPath);
  let text: string;
  try {
    text = readFile(file);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    throw new ProfileError(file, '/', `cannot read the file${typeof code === 'string' ? ` (${code})` : ''}`);
  }
  const p = parseProfile(text, file);
  if (builtin && p.name !== nameOrPath) {
    throw new ProfileError(file, '/name', `built-in profile '${nameOrPath}' names itself '${p.name}'`);
  }
  return p;
}
