/** What a triage run says about each test (as TriageRun carries it). */
export interface RunTests {
  reportRead: boolean;
  failedTests: string[];
}

/** One test's outcomes on the triaged commit: the red run that filed the item and the reruns with a report. */
export interface TestEvidence {
  id: string;
  runs: number;
  failures: number;
}

/** More tests flaking at once is a broken build or a broken machine, not flaky tests: no quarantine for it. */
export const MAX_QUARANTINE_PER_PR = 5;

/**
 * Tests that both failed and passed on the same commit, with their counts. `redRun` is the failed
 * tests of the checks run that filed the item (null when its report was not read); a rerun counts only
 * when its report was read. A test that failed in every counted run is not flaky (it is broken).
 */
export function flakyTests(redRun: readonly string[] | null, reruns: readonly RunTests[]): TestEvidence[] {
  const runs: string[][] = [...(redRun ? [[...redRun]] : []), ...reruns.filter((r) => r.reportRead).map((r) => r.failedTests)];
  const failures = new Map<string, number>();
  for (const failed of runs) for (const id of new Set(failed)) failures.set(id, (failures.get(id) ?? 0) + 1);
  return [...failures]
    .filter(([, n]) => n < runs.length)
    .map(([id, n]) => ({ id, runs: runs.length, failures: n }))
    .sort((a, b) => b.failures - a.failures || a.id.localeCompare(b.id));
}

/** Tests that failed in every rerun with a report (the bisection's target when there is exactly one). */
export function brokenTests(reruns: readonly RunTests[]): string[] {
  const read = reruns.filter((r) => r.reportRead);
  if (read.length === 0) return [];
  const [first, ...rest] = read;
  return [...new Set(first!.failedTests)].filter((id) => rest.every((r) => r.failedTests.includes(id))).sort();
}
