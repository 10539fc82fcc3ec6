import { readFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { InputError } from '../../errors.js';
import { checkOutDir, renderProfile, writeOutputs } from '../../pipeline/index.js';
import { parseProfileReport } from '../../reports/schema.js';
import { profileSummary } from '../../reports/summary.js';
import { printJson, printText } from '../io.js';

interface Args { file?: string | undefined; out?: string | undefined; json?: boolean | undefined }

export const reportCommand: CommandModule<object, Args> = {
  command: 'report <file>',
  describe: 'Re-render report.html, the CSV tables and the PNG charts from a saved profile.json (no simulation)',
  builder: (y) => y
    .positional('file', { type: 'string', describe: 'a profile.json written by spikewatt profile' })
    .option('out', { type: 'string', describe: 'output directory (default: the directory of the file)' })
    .option('json', { type: 'boolean', describe: 'print the list of written files as JSON' })
    .example('spikewatt report out/profile.json --out out2/', 'render the reports again, e.g. after a spikewatt upgrade') as never,
  handler: async (a) => {
    if (!a.file) throw new InputError('give the profile.json to render');
    let text: string;
    try { text = readFileSync(a.file, 'utf8'); } catch (e) {
      throw new InputError(`${a.file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    const report = parseProfileReport(text, a.file);
    const dir = checkOutDir(a.out ?? (a.file.replace(/[^/]*$/, '') || '.'));
    const files = await renderProfile(report, { json: a.out !== undefined });
    writeOutputs(dir, files);
    if (a.json) { printJson({ out: dir, files: [...files.keys()] }); return; }
    printText(`${profileSummary(report)}\nwrote ${files.size} files to ${dir}`);
  },
};
