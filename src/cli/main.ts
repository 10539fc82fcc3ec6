import yargs, { type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { InputError, firstLine } from '../errors.js';
import { COMMANDS } from './registry.js';
import { spikewattVersion } from '../pipeline/outputs.js';
import { initNir, isNirPath } from '../pipeline/nir-file.js';

/**
 * The spikewatt command line. The only place that reads argv, prints, or writes files. The error policy
 * lives here, once: an InputError is one line on stderr and exit 2; anything else is a bug, exit 1, with a
 * hint to `--debug` (or SPIKEWATT_DEBUG=1), which prints the stack.
 */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug') || Boolean(process.env.SPIKEWATT_DEBUG);
  let cli = yargs(argv)
    .scriptName('spikewatt')
    .usage('spikewatt <command> [options]\n\nNeuromorphic simulator and energy profiler for spiking transformers (QKFormer, Spikformer).')
    .strict()
    .demandCommand(1, 'Give a command; `spikewatt --help` lists them.')
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns || 110))
    .option('debug', { type: 'boolean', global: true, describe: 'print the stack trace of an error' })
    .fail((msg, err) => {
      throw err ?? new InputError(msg);
    })
    .help()
    .version('version', 'print the spikewatt version', spikewattVersion())
    .alias('version', 'V');
  for (const c of Object.values(COMMANDS)) cli = cli.command(c as CommandModule);
  try {
    // h5wasm starts asynchronously (about a second): only when a NIR file is named
    if (argv.some(isNirPath)) await initNir();
    await cli.parseAsync();
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (e) {
    const { code, text } = errorReport(e, debug);
    process.stderr.write(text);
    return code;
  }
}

/** The error policy: what is printed on stderr and the exit code, for an error thrown by a command. */
export function errorReport(e: unknown, debug: boolean): { code: 1 | 2; text: string } {
  const input = e instanceof InputError;
  let text = `spikewatt: ${input ? '' : 'internal error: '}${firstLine(e)}\n`;
  if (debug && e instanceof Error) text += `${e.stack}\n`;
  else if (!input) text += 'spikewatt: this is a bug; run again with --debug for the stack trace, and report it\n';
  return { code: input ? 2 : 1, text };
}

const isMain = process.argv[1] !== undefined && /main\.(ts|js)$/.test(process.argv[1]);
if (isMain) {
  main(hideBin(process.argv)).then((code) => {
    process.exitCode = code;
  });
}
