import yargs, { type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { COMMANDS } from './registry.js';
import { UserError } from './errors.js';

/**
 * The spikewatt command line. The only place that reads argv, prints, or writes files. Bad input ends with
 * one line on stderr and a non-zero exit.
 */
export async function main(argv: string[]): Promise<number> {
  let cli = yargs(argv)
    .scriptName('spikewatt')
    .usage('spikewatt <command> [options]\n\nNeuromorphic simulator and energy profiler for spiking transformers (QKFormer, Spikformer).')
    .strict()
    .demandCommand(1, 'Give a command; `spikewatt --help` lists them.')
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns || 110))
    .fail((msg, err) => { throw err ?? new UserError(msg); })
    .help()
    .version(false);
  for (const c of Object.values(COMMANDS)) cli = cli.command(c as CommandModule);
  try {
    await cli.parseAsync();
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`spikewatt: ${msg.split('\n')[0]}\n`);
    if (process.env.SPIKEWATT_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return e instanceof UserError ? 2 : 1;
  }
}

const isMain = process.argv[1] !== undefined && /main\.(ts|js)$/.test(process.argv[1]);
if (isMain) {
  main(hideBin(process.argv)).then((code) => { process.exitCode = code; });
}
