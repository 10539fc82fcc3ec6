/** The CLI's output helpers: the only writers of stdout and stderr besides the progress bar. */

/** One JSON document on stdout (one-space indent, trailing newline). */
export function printJson(value: unknown, indent: number | undefined = 1): void {
  process.stdout.write(`${JSON.stringify(value, null, indent)}\n`);
}

/** Text on stdout, with a trailing newline. */
export function printText(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** A one-line warning on stderr. */
export function warn(message: string, prefix = 'spikewatt'): void {
  process.stderr.write(`${prefix}: warning: ${message}\n`);
}

/** A one-line message on stderr. */
export function info(message: string, prefix = 'spikewatt'): void {
  process.stderr.write(`${prefix}: ${message}\n`);
}
