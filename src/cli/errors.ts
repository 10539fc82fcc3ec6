/**
 * The CLI's error policy: an InputError (src/errors.ts; every loader's and checker's error extends it) is one
 * line on stderr and exit 2; anything else is a bug: its first line, a hint to `--debug`, exit 1.
 */
export { InputError } from '../errors.js';
/** @deprecated the same class as InputError, under the CLI's old name. */
export { InputError as UserError } from '../errors.js';
