/** Thrown by a core factory when the core cannot run on this machine (e.g. no GPU adapter); the message is one line. */
export class CoreUnavailableError extends Error {}
