import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseProfile, ProfileError, type HardwareProfile } from './profile-schema.js';

/**
 * The built-in hardware profiles: one JSON file each in `hardware-profiles/`, one line here. Adding a chip
 * is a new file plus a line; no code changes. The key must equal the file's `name`.
 */
export const BUILTIN_PROFILES = {
  'cmos45-fp32': 'cmos45-fp32.json',
  'cmos45-int8': 'cmos45-int8.json',
  'cmos45-paper': 'cmos45-paper.json',
  'loihi': 'loihi.json',
  'truenorth': 'truenorth.json',
  'odin': 'odin.json',
} satisfies Record<string, string>;

export type BuiltinProfileName = keyof typeof BUILTIN_PROFILES;

/** Reads a file's text (injected so the library does no I/O of its own; the CLI passes fs.readFileSync). */
export type ReadText = (path: string) => string;

/** `hardware-profiles/` of this package (same depth from src/cost-models and dist/cost-models). */
export const PROFILE_DIR = fileURLToPath(new URL('../../hardware-profiles/', import.meta.url));

export function listProfiles(): BuiltinProfileName[] {
  return Object.keys(BUILTIN_PROFILES) as BuiltinProfileName[];
}

export function isBuiltinProfile(s: string): s is BuiltinProfileName {
  return Object.prototype.hasOwnProperty.call(BUILTIN_PROFILES, s);
}

/** Path of a built-in profile's file. */
export function builtinProfilePath(name: BuiltinProfileName): string {
  return join(PROFILE_DIR, BUILTIN_PROFILES[name]);
}

/** A name that is neither a built-in profile nor a path. */
export class UnknownProfileError extends Error {
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
  let file: string;
  if (isBuiltinProfile(nameOrPath)) file = builtinProfilePath(nameOrPath);
  else if (nameOrPath.includes('/') || nameOrPath.includes('\\') || nameOrPath.endsWith('.json') || isAbsolute(nameOrPath)) file = nameOrPath;
  else throw new UnknownProfileError(nameOrPath);
  let text: string;
  try {
    text = readFile(file);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    throw new ProfileError(file, '/', `cannot read the file${typeof code === 'string' ? ` (${code})` : ''}`);
  }
  const p = parseProfile(text, file);
  if (isBuiltinProfile(nameOrPath) && p.name !== nameOrPath) {
    throw new ProfileError(file, '/name', `built-in profile '${nameOrPath}' names itself '${p.name}'`);
  }
  return p;
}
