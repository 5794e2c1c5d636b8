/**
 * Fault injection for crash tests: with `PUSHPALS_FAILPOINT=<name>` in its environment, a process that
 * reaches that point says so on stderr and stops there for good, so a test can kill -9 it at exactly
 * that moment. Without the variable (always, outside tests) this is a no-op.
 */
export async function failpoint(name: string): Promise<void> {
  if (process.env.PUSHPALS_FAILPOINT !== name) return;
  process.stderr.write(`failpoint ${name} reached (pid ${process.pid})\n`);
  await new Promise(() => {});
}
