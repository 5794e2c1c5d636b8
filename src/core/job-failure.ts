import type { Failure, FailureClass, FailureEvidence } from "./failures.ts";

/** Thrown by a handler (or any domain code it calls) to fail its job with a class from the taxonomy and evidence. */
export class JobFailure extends Error {
  constructor(
    readonly failureClass: FailureClass,
    message: string,
    readonly evidence: FailureEvidence = {},
  ) {
    super(message);
    this.name = "JobFailure";
  }

  toFailure(): Failure {
    return { class: this.failureClass, message: this.message, evidence: this.evidence };
  }
}

/** Thrown by a handler to give its job back to the queue unfinished (paused): the attempt does not count. */
export class JobParked extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "JobParked";
  }
}
