import type { CommandModule } from 'yargs';
import { InputError } from '../../errors.js';
import { checkOutDir, commandLine, mergeParts, parseList, readRecordFile, renderProfile, writeOutputs } from '../../pipeline/index.js';
import { profileSummary } from '../../pipeline/index.js';
import { printJson, printText } from '../io.js';

interface Args {
  parts?: string[] | undefined;
  out?: string | undefined;
  hardware?: string | undefined;
  json?: boolean | undefined;
}

export const mergeCommand: CommandModule<object, Args> = {
  command: 'merge <parts..>',
  describe:
    'Merge the run records of a sharded run (profile --shard i/n) into the full report set: exact integer sums, ' +
    'equal to the unsharded run',
  builder: (y) =>
    y
      .positional('parts', {
        type: 'string',
        array: true,
        describe: "each shard's counts.json (or its directory, or the profile.json beside it)",
      })
      .option('out', { type: 'string', describe: 'output directory of the merged report set' })
      .option('hardware', {
        type: 'string',
        describe: "price the merged counts on these profiles (default: the profiles the parts' run asked for)",
      })
      .option('json', { type: 'boolean', describe: 'print a JSON summary (paths, accuracy, energy per profile) instead of the table' })
      .example('spikewatt merge parts/* --out merged/', 'after profile --shard 0/4 ... 3/4 --out parts/$i') as never,
  handler: async (a) => {
    if (!a.out) throw new InputError('give --out DIR');
    const dir = checkOutDir(a.out);
    const parts = (a.parts ?? []).map(String).map(readRecordFile);
    const { report, record } = mergeParts(parts, {
      ...(a.hardware !== undefined ? { hardware: parseList(a.hardware, 'hardware') } : {}),
      command: commandLine(process.argv.slice(2)),
    });
    const files = await renderProfile(report, { record });
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
