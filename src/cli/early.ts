import { firstLine, InputError } from '../errors.js';
import { checkOutDir } from '../pipeline/out-dir.js';

/** Commands whose --out is a report directory (checkOutDir's rules). */
const REPORT_DIR_COMMANDS: ReadonlySet<string> = new Set(['profile', 'merge', 'compare']);

/**
 * The checks that need none of the CLI's heavy modules, run by bin/spikewatt.js before they load, so that an
 * unusable --out fails in a fraction of a second rather than after the seconds that loading the command line
 * takes. Anything it does not recognise is left to the full parser, which checks --out again. Returns the error
 * text (as main's error policy prints it), or null.
 */
export function earlyCheck(argv: readonly string[]): string | null {
  if (!REPORT_DIR_COMMANDS.has(argv[0] ?? '') || argv.includes('--help')) return null;
  const outs: string[] = [];
  argv.forEach((a, i) => {
    if (a === '--out' && argv[i + 1] !== undefined) outs.push(argv[i + 1]!);
    else if (a.startsWith('--out=')) outs.push(a.slice('--out='.length));
  });
  if (outs.length !== 1 || !outs[0]) return null;
  try {
    checkOutDir(outs[0]);
    return null;
  } catch (e) {
    if (e instanceof InputError) return `spikewatt: ${firstLine(e)}\n`;
    throw e;
  }
}
