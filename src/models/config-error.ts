import { InputError } from '../errors.js';

/**
 * A model config that cannot be built: a size knob out of range, the wrong number of attention kinds, or sizes that
 * do not fit together (a width the heads do not divide, an image size the strides do not divide). Input validation
 * only: a builder's other errors are bugs and keep their class.
 */
export class ConfigError extends InputError {
  override name = 'ConfigError';
}
