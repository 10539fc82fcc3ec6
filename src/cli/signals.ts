import { constants } from 'node:os';
import { commandLine } from '../pipeline/run-record.js';
import { info } from './io.js';

/**
 * SIGINT / SIGTERM as a request to stop at the next sample boundary: the run sees `stopped()` turn true,
 * keeps its resumable state and returns; a second signal ends the process at once (the state on disk is the
 * last flushed checkpoint, which is always whole). Slurm's scancel and Kubernetes send SIGTERM first.
 */
export class StopSignals {
  signal: NodeJS.Signals | null = null;
  private readonly handler = (s: NodeJS.Signals) => {
    if (this.signal !== null) process.exit(exitCodeOf(s));
    this.signal = s;
    info(`${s}: stopping after the samples in flight (a second ${s} ends at once)`);
  };

  constructor() {
    process.on('SIGINT', this.handler);
    process.on('SIGTERM', this.handler);
  }

  readonly stopped = (): boolean => this.signal !== null;

  dispose(): void {
    process.off('SIGINT', this.handler);
    process.off('SIGTERM', this.handler);
  }
}

/** The shell's exit status of a process ended by `s`: 128 + its number. */
export function exitCodeOf(s: NodeJS.Signals): number {
  return 128 + (constants.signals[s] ?? 15);
}

/** The command that continues an interrupted run: the same arguments plus `--resume`. */
export function resumeCommand(args: readonly string[]): string {
  return commandLine(args.includes('--resume') ? args : [...args, '--resume']);
}
