import type { CommandModule } from 'yargs';
import { modelsCommand } from './commands/models.js';
import { hardwareCommand } from './commands/hardware.js';
import { inferCommand } from './commands/infer.js';
import { coresCommand } from './commands/cores.js';
import { datasetsCommand } from './commands/datasets.js';
import { profileCommand } from './commands/profile.js';
import { compareCommand } from './commands/compare.js';
import { reportCommand } from './commands/report.js';
import { demoCommand } from './commands/demo.js';
import { trainCommand } from './commands/train.js';
import { convertCommand } from './commands/convert.js';
import { evalCommand } from './commands/eval.js';
import { inspectCommand } from './commands/inspect.js';
import { mergeCommand } from './commands/merge.js';
import { nirCommand } from './commands/nir.js';

/**
 * Every CLI command: one file in commands/ plus one line here. NOTE: typed by annotation, not `satisfies`, so
 * declaration emit (`npm run build`) need not name each command's private Args type.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- yargs command modules differ in their argument types
export const COMMANDS: Readonly<Record<string, CommandModule<object, any>>> = {
  models: modelsCommand,
  hardware: hardwareCommand,
  infer: inferCommand,
  cores: coresCommand,
  datasets: datasetsCommand,
  profile: profileCommand,
  compare: compareCommand,
  report: reportCommand,
  demo: demoCommand,
  train: trainCommand,
  convert: convertCommand,
  eval: evalCommand,
  inspect: inspectCommand,
  merge: mergeCommand,
  nir: nirCommand,
};
