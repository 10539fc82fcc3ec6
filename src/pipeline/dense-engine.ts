import { InputError } from '../errors.js';

/** The dense tfjs engine's module (trainer, dense executor, evaluation); its type only, so nothing loads tfjs. */
export type DenseEngine = typeof import('../train/engine.js');

/** The optional packages the dense engine needs, at the versions spikewatt is tested with. */
export const DENSE_ENGINE_PACKAGES = ['@tensorflow/tfjs@4.22.0', '@tensorflow/tfjs-backend-wasm@4.22.0'] as const;

/**
 * Loads the dense engine. NOTE: tfjs is an optional peer dependency (a package installed from its tarball leaves it
 * out); when it is missing, the job that asked for it fails with one line saying what to install.
 */
export async function loadDenseEngine(job: string): Promise<DenseEngine> {
  try {
    return await import('../train/engine.js');
  } catch (e) {
    const missing = missingPackage(e);
    if (missing === null || !missing.startsWith('@tensorflow/')) throw e;
    throw new InputError(`${job} needs the optional package ${missing}, not installed: npm install ${DENSE_ENGINE_PACKAGES.join(' ')}`);
  }
}

/** The package named by Node's "cannot find package" error, else null. */
export function missingPackage(e: unknown): string | null {
  const code = (e as { code?: unknown } | null)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return null;
  const m = /Cannot find (?:package|module) '((?:@[^/']+\/)?[^/']+)/.exec(e instanceof Error ? e.message : '');
  return m?.[1] ?? null;
}
