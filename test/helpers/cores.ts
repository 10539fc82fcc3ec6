import type { TestContext } from 'node:test';
import type { ComputeCore } from '../../src/sim/core.js';
import { CORES, type CoreName } from '../../src/sim/cores/index.js';
import { CoreUnavailableError } from '../../src/sim/cores/unavailable.js';

/** The core, or null after marking the test skipped with the core's one-line reason (e.g. no WebGPU adapter here). */
export function coreOrSkip(t: TestContext, name: CoreName): ComputeCore | null {
  try {
    return CORES[name]();
  } catch (e) {
    if (!(e instanceof CoreUnavailableError)) throw e;
    t.skip(e.message);
    return null;
  }
}
