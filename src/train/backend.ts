import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

/** The tfjs backend actually in use. */
export type TfBackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendChoice {
  /** 'auto': a native tfjs-node(-gpu) if the user installed one, else wasm, else cpu. */
  prefer: 'auto' | 'wasm' | 'cpu';
}

let initialised: TfBackendName | null = null;

/**
 * Loads a native backend dynamically when the user installed `@tensorflow/tfjs-node-gpu` or
 * `@tensorflow/tfjs-node` (neither is a dependency: both download libtensorflow at install time), otherwise the
 * WebAssembly backend from the .wasm files shipped in node_modules, otherwise the pure-JS cpu backend.
 * NOTE: a native package registers its own copy of tfjs-core; it is used only if it shares ours.
 */
export async function initTf(choice: BackendChoice = { prefer: 'auto' }): Promise<TfBackendName> {
  if (initialised && (choice.prefer === 'auto' || choice.prefer === initialised)) return initialised;
  if (choice.prefer === 'auto') {
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      try {
        await import(pkg);
        if (tf.findBackend('tensorflow') && (await tf.setBackend('tensorflow'))) {
          await tf.ready();
          return (initialised = 'tensorflow');
        }
      } catch {
        /* not installed: fall through */
      }
    }
  }
  if (choice.prefer !== 'cpu') {
    try {
      const require = createRequire(import.meta.url);
      const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
      setWasmPaths(`${dist}${path.sep}`);
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        return (initialised = 'wasm');
      }
    } catch {
      /* wasm failed to start: fall back to cpu */
    }
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return (initialised = 'cpu');
}

export { tf };
