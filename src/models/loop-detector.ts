import { JobFailure } from "../core/job-failure.ts";

/**
 * Ends a model-backed job that goes in circles (#19), `[models.budget]` `loop_repeats` and
 * `no_progress_steps`: `loop_repeats` null (or under 2) turns rules 1-3 off, `no_progress_steps` null rule 4. Pure: the loop calls `observe` once after each step,
 * and it throws JobFailure("loop_detected") with the evidence (the command, or the steps) when:
 *
 * 1. **The same command `repeats` times in a row** (its whitespace normalized), whatever it changed: a
 *    model that proposes the very command it just ran is stuck, even one that appends to a file.
 * 2. **The same command on the same worktree `repeats` times within the last `2 × repeats` steps**: the
 *    diff before each run was the same, so the run can only say what it said before (`cat a; cat b;
 *    cat a; cat b; cat a`). Running the tests again after each edit is not a loop: the diff changed.
 * 3. **A diff that comes back**: the worktree's non-empty diff after a step is one it already had
 *    before it changed to something else (A → B → A, A → empty → A): the model is undoing and redoing.
 * 4. **No progress for `noProgressSteps` steps in a row**: a step progresses when the loop says so
 *    (`progressed`: its command printed output not seen before in the job) or the diff changed.
 *
 * A step with no command (the model's reply was refused) counts for rule 4 only.
 */

export interface LoopRules {
  repeats: number | null;
  noProgressSteps: number | null;
}

export interface StepObservation {
  /** The command the step ran; null when it ran none (a refused reply). */
  command: string | null;
  /** A hash of the worktree's diff after the step; null or "" for no diff at all. */
  diffHash: string | null;
  /** The step produced something new (output not seen before in the job). */
  progressed: boolean;
}

const EMPTY = "";
const REPEATS_KEY = "models.budget.loop_repeats";
const NO_PROGRESS_KEY = "models.budget.no_progress_steps";

/** A command as the rules compare it: runs of whitespace as one space, no leading or trailing space. */
export function normalizeCommand(command: string): string {
  return command.replace(/\s+/g, " ").trim();
}

interface Step {
  step: number;
  command: string | null;
  /** The diff before the step ran. */
  before: string;
  after: string;
}

export class LoopDetector {
  private readonly steps: Step[] = [];
  private diff = EMPTY;
  /** Every non-empty diff seen, with the step that first produced it. */
  private readonly seenDiffs = new Map<string, number>();
  /** Each change of the diff: the step and the diff after it. */
  private readonly changes: { step: number; diff: string }[] = [];
  private stalled = 0;
  private stalledSince = 0;

  constructor(private readonly rules: LoopRules) {}

  observe(observation: StepObservation): void {
    const step = this.steps.length + 1;
    const command = observation.command === null ? null : normalizeCommand(observation.command);
    const after = observation.diffHash ?? EMPTY;
    const current: Step = { step, command, before: this.diff, after };
    this.steps.push(current);
    // Only what the rules look at is kept.
    const window = this.window();
    if (this.steps.length > Math.max(window, this.rules.noProgressSteps ?? 0) + 1) this.steps.shift();

    const changed = after !== this.diff;
    this.diff = after;
    if (command !== null) this.repeatedCommand(current, window);
    if (changed) this.changes.push({ step, diff: after });
    if (changed && after !== EMPTY && this.repetitionRules()) {
      const first = this.seenDiffs.get(after);
      if (first !== undefined) {
        const circle = this.changes.filter((c) => c.step >= first).map((c) => `step ${c.step}: ${c.diff === EMPTY ? "no diff" : `diff ${short(c.diff)}`}`);
        throw new JobFailure("loop_detected", `the worktree went back to the diff it had after step ${first} (it changed in between): the model is undoing and redoing its work (step ${step})`, {
          logExcerpt: excerpt(circle),
        });
      }
      this.seenDiffs.set(after, step);
    }
    if (changed || observation.progressed) {
      this.stalled = 0;
    } else {
      if (this.stalled === 0) this.stalledSince = step;
      this.stalled++;
      const limit = this.rules.noProgressSteps;
      if (limit !== null && this.stalled >= limit) {
        throw new JobFailure("loop_detected", `no progress for ${this.stalled} steps (steps ${this.stalledSince}-${step}: no change to the diff, no new output; raise ${NO_PROGRESS_KEY})`, {
          logExcerpt: excerpt(this.steps.filter((s) => s.step >= this.stalledSince).map(describe)),
        });
      }
    }
  }

  private window(): number {
    return this.rules.repeats === null ? 0 : 2 * this.rules.repeats;
  }

  private repetitionRules(): boolean {
    return this.rules.repeats !== null && this.rules.repeats >= 2;
  }

  private repeatedCommand(current: Step, window: number): void {
    const repeats = this.rules.repeats;
    if (repeats === null || !this.repetitionRules()) return;
    const inRow = this.steps.slice(-repeats);
    if (inRow.length === repeats && inRow.every((s) => s.command === current.command)) {
      throw new JobFailure("loop_detected", `the model proposed the same command ${repeats} times in a row (steps ${inRow[0]!.step}-${current.step}; raise ${REPEATS_KEY})`, {
        command: current.command!.slice(0, 4096),
      });
    }
    const same = this.steps.slice(-window).filter((s) => s.command === current.command && s.before === current.before);
    if (same.length >= repeats) {
      throw new JobFailure("loop_detected", `the model ran the same command ${same.length} times on the same worktree within ${window} steps (steps ${same.map((s) => s.step).join(", ")}; raise ${REPEATS_KEY})`, {
        command: current.command!.slice(0, 4096),
      });
    }
  }
}

/** The evidence's lines, within the taxonomy's excerpt bound. */
function excerpt(lines: string[]): string {
  return lines.join("\n").slice(0, 16_000);
}

function short(hash: string): string {
  return hash.slice(0, 12);
}

function describe(s: Step): string {
  return `step ${s.step}: ${s.command === null ? "(no command)" : s.command.slice(0, 200)}`;
}
