import type { CommandModule } from 'yargs';
import { CORE_NAMES, CORE_SUMMARY, cpuCoreUnavailable, type CoreName } from '../../sim/cores/index.js';
import { GPU_MODE_REQUESTS, isGpuModeRequest, probeModes, resolveMode, GpuModeUnavailableError } from '../../sim/cores/gpujs/modes.js';
import { InputError } from '../../errors.js';
import { describeAdapter, probeWebgpu } from '../../sim/cores/webgpu.js';

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
    const request = a.gpuMode ?? 'auto';
    if (!isGpuModeRequest(request)) throw new InputError(`unknown --gpu-mode '${request}' (use ${GPU_MODE_REQUESTS.join(', ')})`);
    const probe = probeModes();
    let gpujsMode: string;
    try {
      gpujsMode = resolveMode(request, probe);
    } catch (e) {
      if (e instanceof GpuModeUnavailableError) throw new InputError(e.message);
      throw e;
    }
    const names = new Set<string>(CORE_NAMES);
    names.add('gpujs');
    const webgpu = probeWebgpu();
    const cores = [...names].map((name) =>
      name === 'gpujs'
        ? {
            name,
            registered: (CORE_NAMES as string[]).includes(name),
            mode: gpujsMode,
            detail: probe.find((p) => p.mode === gpujsMode)?.why ?? '',
          }
        : name === 'webgpu'
          ? {
              name,
              registered: true,
              mode: webgpu.available ? 'webgpu' : 'unavailable',
              detail: webgpu.available ? `WGSL on adapter ${describeAdapter(webgpu.adapter)}` : `no WebGPU adapter: ${webgpu.why}`,
            }
          : ((why) => ({
              name,
              registered: true,
              mode: why ? 'unavailable' : CORE_SUMMARY[name as CoreName].arithmetic,
              detail: why ?? CORE_SUMMARY[name as CoreName].summary,
            }))(cpuCoreUnavailable(name as CoreName)),
    );
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
