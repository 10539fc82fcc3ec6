import { readFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { InputError } from '../../errors.js';
import {
  checkOutDir,
  CONVENTION_NAMES,
  priceRecord,
  parseList,
  parseWeightSharing,
  readRecordFile,
  recordFileOf,
  renderProfile,
  RECORD_FILES,
  writeOutputs,
  type RunRecord,
} from '../../pipeline/index.js';
import { parseProfileReport, profileSummary, type ProfileReport } from '../../pipeline/index.js';
import { printJson, printText } from '../io.js';
import { conventionsFrom } from '../options.js';

interface Args {
  file?: string | undefined;
  out?: string | undefined;
  json?: boolean | undefined;
  hardware?: string | undefined;
  convention?: string | undefined;
  allowUnpriced?: boolean | undefined;
  weightSharing?: string | undefined;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

/** A run record, given as such or found beside a profile.json: priced afresh. */
function priced(a: Args, record: RunRecord): ProfileReport {
  return priceRecord(record, {
    ...(a.hardware !== undefined ? { hardware: parseList(a.hardware, 'hardware') } : {}),
    ...(a.convention !== undefined ? { conventions: conventionsFrom(a.convention).conventions } : {}),
    ...(a.allowUnpriced !== undefined ? { allowUnpriced: a.allowUnpriced } : {}),
    ...(a.weightSharing !== undefined ? { weightSharing: parseWeightSharing(a.weightSharing) } : {}),
  });
}

export const reportCommand: CommandModule<object, Args> = {
  command: 'report <file>',
  describe:
    'Re-render report.html, the CSV tables and the PNG charts from a saved profile.json, ' +
    'or re-price it on other hardware (--hardware); no simulation',
  builder: (y) =>
    y
      .positional('file', {
        type: 'string',
        describe:
          'a counts.json (the run record) or a profile.json written by spikewatt profile (re-pricing reads the counts.json beside it)',
      })
      .option('out', { type: 'string', describe: 'output directory (default: the directory of the file)' })
      .option('json', { type: 'boolean', describe: 'print the list of written files as JSON' })
      .option('hardware', {
        type: 'string',
        describe: "price the recorded counts on these profiles (names or paths, comma-separated; default the run's own); needs --out",
      })
      .option('convention', {
        type: 'string',
        describe: `re-price under these counting conventions (comma-separated: ${CONVENTION_NAMES.join(' | ')}); needs --out`,
      })
      .option('allow-unpriced', { type: 'boolean', describe: 'with --hardware: report ops a profile does not price as unpriced counts' })
      .option('weight-sharing', {
        type: 'string',
        describe: 'with --hardware: chip model storage of conv weights on profiles with an architecture, none | per-core (default none)',
      })
      .example('spikewatt report out/counts.json --hardware truenorth,./my-chip.json --out priced/', 'the same run priced on other chips')
      .example(
        'spikewatt report out/counts.json --hardware cmos7,odin --convention exact,spikformer --allow-unpriced --out priced/',
        'two chips under two conventions, no simulation',
      )
      .example('spikewatt report out/profile.json --out out2/', 'render the reports again, e.g. after a spikewatt upgrade') as never,
  handler: async (a) => {
    if (!a.file) throw new InputError('give the counts.json to price, or the profile.json to render');
    const repricing = a.hardware !== undefined || a.convention !== undefined || a.weightSharing !== undefined;
    if (repricing && a.out === undefined) {
      throw new InputError(`${a.hardware !== undefined ? '--hardware' : '--convention'} re-prices into a new directory: give --out DIR`);
    }
    const isProfile = /(^|\/)profile\.json$/.test(a.file) && !repricing;
    let report: ProfileReport, record: RunRecord | undefined;
    if (isProfile) {
      report = parseProfileReport(readText(a.file), a.file);
      const beside = recordFileOf(a.file);
      if (beside !== null) record = readRecordFile(beside).record;
    } else {
      record = readRecordFile(a.file).record;
      report = priced(a, record);
    }
    const dir = checkOutDir(a.out ?? (a.file.replace(/[^/]*$/, '') || '.'));
    const files = await renderProfile(report, { json: a.out !== undefined || !isProfile, ...(record ? { record } : {}) });
    const keep = a.out === undefined ? ['profile.json', ...RECORD_FILES] : [];
    if (a.out === undefined) for (const f of RECORD_FILES) files.delete(f);
    writeOutputs(dir, files, keep.length ? { keep } : {});
    if (a.json) {
      printJson({ out: dir, files: [...files.keys()] });
      return;
    }
    printText(`${profileSummary(report)}\nwrote ${files.size} files to ${dir}`);
  },
};
