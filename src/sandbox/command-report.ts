/** One command a job ran, as recorded in the audit trail (`command.ran`). */
export interface CommandReport {
  command: string;
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
}
