/** An error caused by the user's input: printed as one line on stderr, exit code 2, never a stack trace. */
export class UserError extends Error {}
