import type { CommandModule } from 'yargs';
import { GPU_MODE_REQUESTS, listCores } from '../../pipeline/index.js';

interface Args {
  json?: boolean | undefined;
  gpuMode?: string | undefined;
}

export const coresCommand: CommandModule<object, Args> = {
  command: 'cores',
  describe: 'List the compute cores and the gpu.js mode each would use on this machine (headlessgl > webasm > cpu)',
  builder: (y) =>
    y
      .option('gpu-mode', { type: 'string', describe: `gpu.js mode to check: ${GPU_MODE_REQUESTS.join(' | ')}`, default: 'auto' })
      .option('json', { type: 'boolean', describe: 'print JSON instead of a table' })
      .example('spikewatt cores', 'which core runs how here')
      .example('xvfb-run -a spikewatt cores --gpu-mode headlessgl', 'check that the GL path works under a virtual X display') as never,
  handler: (a) => {
    const { cores, gpuModes: probe, webgpu } = listCores(a.gpuMode ?? 'auto');
    if (a.json) {
      process.stdout.write(`${JSON.stringify({ cores, gpuModes: probe, webgpu }, null, 1)}\n`);
      return;
    }
    const lines = cores.map(
      (c) =>
        `${c.name.padEnd(10)} ${c.mode.padEnd(11)} ${c.detail}${c.registered ? '' : ' (not yet registered in src/sim/cores/index.ts)'}`,
    );
    lines.push('', 'gpu.js modes on this machine:');
    for (const p of probe) lines.push(`  ${p.mode.padEnd(11)} ${p.available ? 'yes' : 'no '}  ${p.why}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  },
};
