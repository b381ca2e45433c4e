// The error launch() throws for a plan it must not start (or cannot prepare); the message says why.

/** A plan that must not be started as it is; the message says why. */
export class MacosLaunchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MacosLaunchError";
  }
}
