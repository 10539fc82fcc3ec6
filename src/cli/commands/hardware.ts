import type { CommandModule } from 'yargs';
import { hardwareProfile, hardwareProfiles, listProfiles, OP_KINDS, priceStatus, type HardwareProfile } from '../../pipeline/index.js';

interface ListArgs {
  json?: boolean | undefined;
}
interface ShowArgs {
  profile: string;
  json?: boolean | undefined;
}

const bytes = (n: number) =>
  n >= 1048576 && n % 1048576 === 0 ? `${n / 1048576} MB` : n >= 1024 && n % 1024 === 0 ? `${n / 1024} KB` : `${n} B`;

/** One line per op kind: how the profile prices it. */
function priceSummary(p: HardwareProfile): string {
  const parts: string[] = [];
  const unpriced: string[] = [];
  for (const k of OP_KINDS) {
    const e = p.ops[k];
    if (e?.energyPj !== undefined) parts.push(`${k} ${e.energyPj} pJ`);
    else if (e?.includedIn) parts.push(`${k} in ${e.includedIn.join('+')}`);
    else if (priceStatus(p, k) === 'priced') parts.push(`${k} by memory size`);
    else unpriced.push(k);
  }
  return `${parts.join(', ')}${unpriced.length ? `; not priced: ${unpriced.join(', ')}` : ''}`;
}

function showText(p: HardwareProfile, file: string): string {
  const out: string[] = [`${p.name}: ${p.technology}`, `file: ${file}`, '', p.description, ''];
  const rows = OP_KINDS.map((k) => {
    const e = p.ops[k];
    if (e?.energyPj !== undefined) return [k, String(e.energyPj), e.provenance ?? '', e.source + (e.note ? ` (${e.note})` : '')];
    if (e?.includedIn) return [k, `in ${e.includedIn.join('+')}`, '', e.source + (e.note ? ` (${e.note})` : '')];
    if (priceStatus(p, k) === 'priced') return [k, 'by memory', '', 'see memory below'];
    return [k, 'not priced', '', ''];
  });
  const head = ['op kind', 'pJ/op', 'provenance', 'source'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 3 ? c : c.padEnd(w[i]!)))
      .join('  ')
      .trimEnd();
  out.push(line(head), ...rows.map(line));
  const m = p.memory;
  if (m) {
    out.push(
      '',
      `memory: ${m.wordBits}-bit words, energy ${m.interpolation} in capacity (per word = per access x ${m.wordBits} / access bits)`,
    );
    for (const pt of m.onChip) {
      out.push(
        `  ${bytes(pt.capacityBytes).padEnd(7)} ${pt.energyPjPerAccess} pJ per ${pt.accessBits}-bit access (${(pt.energyPjPerAccess * m.wordBits) / pt.accessBits} pJ per word)  ${pt.provenance}  ${pt.source}`,
      );
    }
    if (m.offChip) {
      const o = m.offChip;
      out.push(
        `  off-chip ${o.energyPjPerAccess} pJ per ${o.accessBits}-bit access  ${o.provenance}  ${o.source}${o.note ? ` (${o.note})` : ''}`,
      );
    }
  }
  if (p.otherCoefficients?.length) {
    out.push('', 'other coefficients (listed, not mapped to an op kind):');
    for (const c of p.otherCoefficients) out.push(`  ${c.name}: ${c.energyPj} pJ per ${c.per}  ${c.provenance}  ${c.source}`);
  }
  if (p.notes?.length) out.push('', 'notes:', ...p.notes.map((n) => `  - ${n}`));
  return `${out.join('\n')}\n`;
}

const showCommand: CommandModule<object, ShowArgs> = {
  command: 'show <profile>',
  describe: 'Print one profile (a built-in name or a path to a profile .json) with the source of every coefficient',
  builder: (y) =>
    y
      .positional('profile', {
        type: 'string',
        demandOption: true,
        describe: `built-in (${listProfiles().join(', ')}) or a path to a .json file`,
      })
      .option('json', { type: 'boolean', describe: 'print the validated profile as JSON' })
      .example('spikewatt hardware show loihi', "how Loihi's SANA-FE unit costs map to op kinds")
      .example('spikewatt hardware show ./my-chip.json --json', 'validate your own profile and print it') as never,
  handler: (a) => {
    const { profile, file } = hardwareProfile(a.profile);
    if (a.json) process.stdout.write(`${JSON.stringify({ file, ...profile }, null, 1)}\n`);
    else process.stdout.write(showText(profile, file));
  },
};

export const hardwareCommand: CommandModule<object, ListArgs> = {
  command: 'hardware',
  describe: 'List the hardware cost profiles (energy per op kind, with sources); `hardware show NAME` prints one',
  builder: (y) =>
    y
      .command(showCommand as CommandModule<object, never>)
      .option('json', { type: 'boolean', describe: 'print a JSON array of the validated profiles' })
      .epilog(
        'A profile is one JSON file in hardware-profiles/ (schemaVersion 1): energy per op kind in pJ with source and provenance ' +
          '(measured | fitted | pre-silicon | analytical | operating-point-average), optionally SRAM energy by memory capacity. ' +
          'Op kinds a profile does not price make pricing fail unless unpriced ops are allowed. See docs/energy.md.',
      )
      .example('spikewatt hardware', 'the built-in profiles and what each prices')
      .example('spikewatt hardware show cmos45-fp32', 'Horowitz 45 nm numbers and SRAM by capacity') as never,
  handler: (a) => {
    const profiles = hardwareProfiles();
    if (a.json) {
      process.stdout.write(
        `${JSON.stringify(
          profiles.map(({ profile, file }) => ({ file, ...profile })),
          null,
          1,
        )}\n`,
      );
      return;
    }
    const w = Math.max(...profiles.map(({ profile }) => profile.name.length));
    const lines = profiles.flatMap(({ profile: p }) => [`${p.name.padEnd(w)}  ${p.technology}`, `${' '.repeat(w)}  ${priceSummary(p)}`]);
    process.stdout.write(`${lines.join('\n')}\n\n\`spikewatt hardware show NAME\` prints a profile with the source of every number.\n`);
  },
};
