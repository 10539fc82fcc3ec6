import type { OnProgress, ProgressEvent } from '../pipeline/index.js';

/**
 * The CLI's listener of pipeline progress: a bar with ETA on stderr, redrawn in place, only when stderr is a
 * terminal; notes always go to stderr as `spikewatt: note: ...`.
 */
export class ProgressBar {
  private readonly tty = process.stderr.isTTY === true;
  private drawn = false;
  constructor(private readonly prefix = 'spikewatt') {}

  readonly listener: OnProgress = (e: ProgressEvent) => {
    switch (e.kind) {
      case 'note':
        this.clear();
        process.stderr.write(`${this.prefix}: note: ${e.message}\n`);
        return;
      case 'simulate': {
        if (!this.tty) return;
        const w = 28,
          f = Math.round((w * e.done) / e.total);
        const eta = e.done > 0 ? (e.elapsedSeconds * (e.total - e.done)) / e.done : NaN;
        process.stderr.write(
          `\r${e.label} [${'#'.repeat(f)}${'.'.repeat(w - f)}] ${e.done}/${e.total}  ${e.elapsedSeconds.toFixed(1)} s, ` +
            `ETA ${Number.isFinite(eta) ? `${eta.toFixed(0)} s` : '?'}   `,
        );
        this.drawn = true;
        if (e.done === e.total) this.clear();
        return;
      }
    }
  };

  clear(): void {
    if (this.tty && this.drawn) process.stderr.write('\r\x1b[K');
    this.drawn = false;
  }
}
