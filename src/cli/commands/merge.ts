import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { InputError } from '../../errors.js';
import { checkOutDir, mergeParts, parseList, renderProfile, writeOutputs, type PartFile } from '../../pipeline/index.js';
import { commandLine } from '../../pipeline/run-record.js';
import { parseProfileReport } from '../../reports/schema.js';
import { profileSummary } from '../../reports/summary.js';
import { printJson, printText } from '../io.js';

interface Args {
  parts?: string[] | undefined;
  out?: string | undefined;
  hardware?: string | undefined;
  json?: boolean | undefined;
}

/** A part named by its profile.json or by the directory that holds it. */
function readPart(path: string): PartFile {
  let file = path;
  try {
    if (statSync(path).isDirectory()) file = join(path, 'profile.json');
  } catch {
    /* reported by the read below */
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return { file, report: parseProfileReport(text, file) };
}

export const mergeCommand: CommandModule<object, Args> = {
  command: 'merge <parts..>',
  describe:
    'Merge the parts of a sharded run (profile --shard i/n) into the full report set: exact integer sums, ' + 'equal to the unsharded run',
  builder: (y) =>
    y
      .positional('parts', { type: 'string', array: true, describe: 'profile.json of each shard (or the directories holding them)' })
      .option('out', { type: 'string', describe: 'output directory of the merged report set' })
      .option('hardware', {
        type: 'string',
        describe: "price the merged counts on these profiles (default: the parts' built-in profiles)",
      })
      .option('json', { type: 'boolean', describe: 'print a JSON summary (paths, accuracy, energy per profile) instead of the table' })
      .example('spikewatt merge parts/*/profile.json --out merged/', 'after profile --shard 0/4 ... 3/4 --out parts/$i') as never,
  handler: async (a) => {
    if (!a.out) throw new InputError('give --out DIR');
    const dir = checkOutDir(a.out);
    const parts = (a.parts ?? []).map(String).map(readPart);
    const report = mergeParts(parts, {
      ...(a.hardware !== undefined ? { hardware: parseList(a.hardware, 'hardware') } : {}),
      command: commandLine(process.argv.slice(2)),
    });
    const files = await renderProfile(report);
    writeOutputs(dir, files);
    if (a.json) {
      printJson({
        out: dir,
        files: [...files.keys()],
        parts: parts.length,
        accuracy: report.accuracy,
        energy: report.energy.map((e) => ({ profile: e.profile, convention: e.convention, totalMj: e.totalMj, unpriced: e.unpriced })),
      });
      return;
    }
    printText(`${profileSummary(report)}\nmerged ${parts.length} parts; wrote ${files.size} files to ${dir}`);
  },
};
