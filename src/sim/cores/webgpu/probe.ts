import { existsSync, readdirSync } from 'node:fs';
import type { AdapterInfo } from './protocol.js';

/**
 * The adapter probe, run as its own process (`node probe.js [dawn flags...]`, one JSON line on stdout).
 * NOTE: a separate process, not a thread, because Dawn aborts the whole process when a thread is terminated while
 * inside it (a simulation worker torn down on another worker's error would take its device worker down mid-call);
 * with no adapter, no Dawn code ever runs in the simulating process.
 */
export type ProbeReply = { available: true; adapter: AdapterInfo } | { available: false; why: string };

/** What a Linux Vulkan setup has: the loader (libvulkan.so.1) and the drivers' ICD manifests, for the no-adapter line. */
function vulkanSetup(): string {
  if (process.platform !== 'linux') return `platform ${process.platform}`;
  const libDirs = [
    ...(process.env.LD_LIBRARY_PATH ?? '').split(':'),
    '/usr/lib/x86_64-linux-gnu',
    '/usr/lib64',
    '/usr/lib',
    '/lib/x86_64-linux-gnu',
  ].filter((d) => d.length > 0);
  const loader = libDirs.some((d) => existsSync(`${d}/libvulkan.so.1`));
  const icds = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'].flatMap((d) => {
    try {
      return readdirSync(d);
    } catch {
      return [];
    }
  });
  const drivers = icds.length
    ? `Vulkan drivers: ${icds.join(', ')}`
    : 'no Vulkan driver manifest in /usr/share/vulkan/icd.d or /etc/vulkan/icd.d';
  return `${loader ? 'Vulkan loader found' : 'no Vulkan loader libvulkan.so.1'}; ${drivers}`;
}

async function probe(flags: string[]): Promise<ProbeReply> {
  let gpu: GPU;
  try {
    const mod = (await import('webgpu')) as { create(flags: string[]): GPU; globals: object };
    gpu = mod.create(flags);
  } catch (e) {
    return { available: false, why: `the webgpu (Dawn) add-on does not load: ${String((e as Error).message).split('\n')[0]}` };
  }
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return { available: false, why: `Dawn found no adapter (${vulkanSetup()}; see docs/gpu.md)` };
  const i = adapter.info;
  return { available: true, adapter: { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description } };
}

process.stdout.write(`${JSON.stringify(await probe(process.argv.slice(2)))}\n`);
process.exit(0);
