import { readFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { InputError } from '../../errors.js';
import { checkOutDir, parseList, renderProfile, reprice, writeOutputs } from '../../pipeline/index.js';
import { parseProfileReport } from '../../reports/schema.js';
import { profileSummary } from '../../reports/summary.js';
import { printJson, printText } from '../io.js';
import { overridesFrom, withModelOverrides, type OverrideArgs } from '../options.js';

interface Args extends OverrideArgs {
  file?: string | undefined; out?: string | undefined; json?: boolean | undefined;
  hardware?: string | undefined; allowUnpriced?: boolean | undefined;
}

export const reportCommand: CommandModule<object, Args> = {
  command: 'report <file>',
  describe: 'Re-render report.html, the CSV tables and the PNG charts from a saved profile.json, '
    + 'or re-price it on other hardware (--hardware); no simulation',
  builder: (y) => withModelOverrides(y)
    .positional('file', { type: 'string', describe: 'a profile.json written by spikewatt profile' })
    .option('out', { type: 'string', describe: 'output directory (default: the directory of the file)' })
    .option('json', { type: 'boolean', describe: 'print the list of written files as JSON' })
    .option('hardware', {
      type: 'string',
      describe: 're-price the saved counts on these profiles (names or paths, comma-separated); needs --out',
    })
    .option('allow-unpriced', { type: 'boolean', describe: 'with --hardware: report ops a profile does not price as unpriced counts' })
    .example('spikewatt report out/profile.json --out out2/', 'render the reports again, e.g. after a spikewatt upgrade')
    .example('spikewatt report out/profile.json --hardware cmos45-fp32,truenorth,./my-chip.json --allow-unpriced --out priced/',
      'the same counts priced on other chips (a zoo model run with size overrides needs the same overrides here)') as never,
  handler: async (a) => {
    if (!a.file) throw new InputError('give the profile.json to render');
    if (a.hardware !== undefined && a.out === undefined) throw new InputError('--hardware re-prices into a new directory: give --out DIR');
    let text: string;
    try { text = readFileSync(a.file, 'utf8'); } catch (e) {
      throw new InputError(`${a.file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    const saved = parseProfileReport(text, a.file);
    const report = a.hardware === undefined ? saved
      : reprice(saved, {
        hardware: parseList(a.hardware, 'hardware'), allowUnpriced: a.allowUnpriced ?? false, overrides: overridesFrom(a),
      });
    const dir = checkOutDir(a.out ?? (a.file.replace(/[^/]*$/, '') || '.'));
    const files = await renderProfile(report, { json: a.out !== undefined });
    writeOutputs(dir, files, a.out === undefined ? { keep: ['profile.json'] } : {});
    if (a.json) { printJson({ out: dir, files: [...files.keys()] }); return; }
    printText(`${profileSummary(report)}\nwrote ${files.size} files to ${dir}`);
  },
};
