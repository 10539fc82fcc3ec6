import { InputError } from '../../errors.js';

/**
 * Thrown by a core factory when the core cannot run on this machine (e.g. no GPU adapter); the message is one line.
 * An InputError: asking for such a core here is the user's choice (the CLI prints the line and exits 2).
 */
export class CoreUnavailableError extends InputError {
  override name = 'CoreUnavailableError';
}
