let exitOnEpipe = true;

/** A command whose reader went away simply ends, except a supervisor, which must keep its children. */
export function exitOnClosedStdout(): boolean {
  return exitOnEpipe;
}

export function keepRunningOnClosedStdout(): void {
  exitOnEpipe = false;
}
