/** A problem that stops a process with one readable line (a bad variable, a broken catalogue), never a stack trace. */
export class StartupError extends Error {}
