/**
 * The one base class of errors caused by what a user gave (a file that does not parse, an unknown name, a
 * shape that does not fit, an op a profile does not price). The CLI maps it to one line on stderr and exit 2;
 * any other error is a bug (exit 1, `--debug` shows the stack). Library callers can test `instanceof`.
 *
 * NOTE: this file imports nothing, so every layer (models up to cli) may import it without breaking the
 * dependency direction.
 */
export class InputError extends Error {
  override name = 'InputError';

  /** NOTE: a message quotes names from the file (zip entries, pickle globals): their line breaks are shown as \n, so it stays one line. */
  constructor(message: string, options?: ErrorOptions) {
    super(message.replace(/\r\n|\r|\n/g, '\\n'), options);
  }
}

/** The first line of an error's message (inputs' messages are one line; a bug's first line is its summary). */
export function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
}

/** The end of every switch over a closed union (`LayerKind`, `OpKind`, ...): a new member does not compile. */
export function assertNever(x: never, what = 'value'): never {
  throw new Error(`unhandled ${what} ${JSON.stringify(x)}`);
}
