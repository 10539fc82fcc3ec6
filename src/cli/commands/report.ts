import { readFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { renderProfileFiles } from '../../reports/profile-files.js';
import { parseProfileReport } from '../../reports/schema.js';
import { profileSummary } from '../../reports/summary.js';
import { UserError } from '../errors.js';
import { chartJsSource, checkOutDir, writeOutputs } from '../run-profile.js';

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
    if (!a.file) throw new UserError('give the profile.json to render');
    let text: string;
    try { text = readFileSync(a.file, 'utf8'); } catch (e) {
      throw new UserError(`${a.file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    let report;
    try { report = parseProfileReport(text, a.file); } catch (e) { throw new UserError(e instanceof Error ? e.message : String(e)); }
    const dir = checkOutDir(a.out ?? (a.file.replace(/[^/]*$/, '') || '.'));
    const files = await renderProfileFiles(report, chartJsSource(), { json: a.out !== undefined });
    writeOutputs(dir, files);
    if (a.json) { process.stdout.write(`${JSON.stringify({ out: dir, files: [...files.keys()] }, null, 1)}\n`); return; }
    process.stdout.write(`${profileSummary(report)}\nwrote ${files.size} files to ${dir}\n`);
  },
};
