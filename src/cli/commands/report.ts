import { readFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { InputError } from '../../errors.js';
import { checkOutDir, parseList, renderProfile, reprice, writeOutputs } from '../../pipeline/index.js';
import { parseProfileReport } from '../../reports/schema.js';
import { profileSummary } from '../../reports/summary.js';
import { printJson, printText } from '../io.js';
import { conventionsFrom, overridesFrom, withModelOverrides, type OverrideArgs } from '../options.js';
import { CONVENTION_NAMES } from '../../cost-models/index.js';

interface Args extends OverrideArgs {
  file?: string | undefined;
  out?: string | undefined;
  json?: boolean | undefined;
  hardware?: string | undefined;
  convention?: string | undefined;
  allowUnpriced?: boolean | undefined;
}

export const reportCommand: CommandModule<object, Args> = {
  command: 'report <file>',
  describe:
    'Re-render report.html, the CSV tables and the PNG charts from a saved profile.json, ' +
    'or re-price it on other hardware (--hardware); no simulation',
  builder: (y) =>
    withModelOverrides(y)
      .positional('file', { type: 'string', describe: 'a profile.json written by spikewatt profile' })
      .option('out', { type: 'string', describe: 'output directory (default: the directory of the file)' })
      .option('json', { type: 'boolean', describe: 'print the list of written files as JSON' })
      .option('hardware', {
        type: 'string',
        describe: 're-price the saved counts on these profiles (names or paths, comma-separated); needs --out',
      })
      .option('convention', {
        type: 'string',
        describe: `re-price under these counting conventions (comma-separated: ${CONVENTION_NAMES.join(' | ')}); needs --out`,
      })
      .option('allow-unpriced', { type: 'boolean', describe: 'with --hardware: report ops a profile does not price as unpriced counts' })
      .example('spikewatt report out/profile.json --out out2/', 'render the reports again, e.g. after a spikewatt upgrade')
      .example(
        'spikewatt report out/profile.json --hardware cmos45-fp32,truenorth,./my-chip.json --allow-unpriced --out priced/',
        'the same counts priced on other chips (a zoo model run with size overrides needs the same overrides here)',
      )
      .example(
        'spikewatt report out/profile.json --hardware cmos7,loihi --convention exact,spikformer --allow-unpriced --out priced/',
        'two chips under two conventions, no simulation',
      ) as never,
  handler: async (a) => {
    if (!a.file) throw new InputError('give the profile.json to render');
    const repricing = a.hardware !== undefined || a.convention !== undefined;
    if (repricing && a.out === undefined) {
      throw new InputError(`${a.hardware !== undefined ? '--hardware' : '--convention'} re-prices into a new directory: give --out DIR`);
    }
    let text: string;
    try {
      text = readFileSync(a.file, 'utf8');
    } catch (e) {
      throw new InputError(`${a.file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    const saved = parseProfileReport(text, a.file);
    const report = !repricing
      ? saved
      : reprice(saved, {
          hardware: a.hardware !== undefined ? parseList(a.hardware, 'hardware') : saved.config.hardware,
          ...(a.convention !== undefined ? { conventions: conventionsFrom(a.convention).conventions } : {}),
          allowUnpriced: a.allowUnpriced ?? false,
          overrides: overridesFrom(a),
        });
    const dir = checkOutDir(a.out ?? (a.file.replace(/[^/]*$/, '') || '.'));
    const files = await renderProfile(report, { json: a.out !== undefined });
    writeOutputs(dir, files, a.out === undefined ? { keep: ['profile.json'] } : {});
    if (a.json) {
      printJson({ out: dir, files: [...files.keys()] });
      return;
    }
    printText(`${profileSummary(report)}\nwrote ${files.size} files to ${dir}`);
  },
};
