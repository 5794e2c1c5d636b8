import { afterAll, beforeAll, expect, test } from "bun:test";
import { routes } from "../src/api/routes.ts";
import type { Job } from "../src/store/jobs/job-rows.ts";
import type { PullRequest } from "../src/prs/pr-types.ts";
import { Cluster, PUSHPALS_BIN, spawnPushpals } from "./helpers/cluster.ts";

/**
 * Hole 7 (terminal escape injection): escape sequences planted in everything a job, a PR or a
 * repository can put in front of the operator. No human-readable output may carry a raw control
 * (tests run without a terminal, so PushPals' own colours are off too), each planted sequence shows
 * in its visible form, and `--json` carries the exact original string.
 */

/** Any byte a terminal acts on, except the TAB and LF PushPals prints itself. */
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

function expectSafe(label: string, text: string): void {
  const m = RAW.exec(text);
  const found = m ? `${JSON.stringify(m[0])} in ${JSON.stringify(text.slice(Math.max(0, m.index - 60), m.index + 60))}` : null;
  expect({ label, found }).toEqual({ label, found: null });
}

const TOKEN = ["ghp_", "wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx"].join("");

// A check whose name and command carry raw escapes (TOML \u escapes), and that fails once src/FAIL exists.
const CONFIG = `
[[checks.commands]]
name = "lint\\u001b]0;chk\\u0007"
run = "echo 'check says \\u001b]52;c;Y2hr\\u0007 \\u001b[2J' >&2; test ! -f src/FAIL"
`;

const TITLE = "title \x1b]0;pwned\x07 \x1b[2J \u009b31m \u202eevil\u202c ok\rFAKE";
const BODY = "first line\n  gate       open: pushpals pr merge <n> merges it\n\x1b]52;c;Ym9keQ==\x07 body\r\nlast \u009d0;x\u009c";
const HOSTILE_FILE = "e\x1b]0;p\x07\u202e.txt";
// Printed by the command (octal escapes in printf, so the command text itself is plain).
const RUN_COMMAND = [
  String.raw`printf 'out \033]52;c;cHduZWQ=\007 \033[2J\033[H \033]0;pwned\007 \302\2332J done\n'`,
  String.raw`printf 'progress 10%%\rFAKE all checks passed\n'`,
  String.raw`printf 'err \033[1A\033[2K \302\2350;t\302\234\n' >&2`,
  String.raw`printf '\033]52;c;ZGlmZg==\007 content\n' > src/ok.txt`,
  String.raw`printf 'token = "${TOKEN}"\n' > "src/$(printf 'e\033]0;p\007\342\200\256.txt')"`,
].join("; ");
// Raw escapes in the command text itself: they reach the failure evidence as written.
const FAILING_COMMAND = "echo '\x1b]0;cmd\x07 \x1b[2J' >&2; exit 3";
const OUTSIDE_SCOPE = "touch 'docs-\x1b[2Jx\u009b.txt'";
const GOAL = "goal \x1b]0;g\x07 \u009b2J";
const WHY = "freeze \x1b]0;p\x07\u202e";

let c: Cluster;
const jobs: Record<"pr" | "failed" | "denied" | "checks", string> = { pr: "", failed: "", denied: "", checks: "" };
let runHuman: { exitCode: number; stdout: string; stderr: string };
let rfcPr: PullRequest;

function runJson(args: string[]): { job: Job; pr: PullRequest | null } {
  const r = c.cli(["run", "--json", ...args]);
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout) as { job: Job; pr: PullRequest | null };
}

beforeAll(async () => {
  c = await Cluster.create({ configToml: CONFIG, files: { "src/a.txt": "one\n" } });
  await c.startServer();
  await c.startWorker("w1");
  await c.startAgents();
  runHuman = c.cli(["run", "--scope", "src/**", "--title", TITLE, "--body", BODY, "--", RUN_COMMAND]);
  jobs.pr = JSON.parse(c.cli(["jobs", "--kind", "run", "--limit", "1", "--json"]).stdout).jobs[0].id;
  jobs.failed = runJson(["--scope", "src/**", "--", FAILING_COMMAND]).job.id;
  jobs.denied = runJson(["--scope", "src/**", "--", OUTSIDE_SCOPE]).job.id;
  jobs.checks = runJson(["--scope", "src/**", "--", "touch src/FAIL"]).job.id;
  const asked = c.cli(["ask", GOAL, "--risk", "high", "--scope", "src/**", "--json"]);
  expect(asked.exitCode).toBe(0);
  const rfcJob = (JSON.parse(asked.stdout) as { rfcJob: Job }).rfcJob;
  await c.waitForJob(rfcJob.id, (j) => j.state === "succeeded", 30_000);
  const { prs } = await c.client.call(routes.listPrs, { query: {} });
  rfcPr = prs.find((p) => p.jobId === rfcJob.id)!;
  // The review of the RFC PR has landed before anything reads it.
  for (let i = 0; i < 200 && (await c.client.call(routes.getPr, { params: { number: rfcPr.number } })).pr.review?.headSha !== rfcPr.headSha; i++) await Bun.sleep(50);
}, 120_000);

afterAll(async () => {
  await c?.stop();
});

test("the planted jobs ended as intended (the attack reached the store)", async () => {
  expect(runHuman.exitCode).toBe(0);
  const pr = (await c.client.call(routes.getPr, { params: { number: 1 } })).pr;
  expect(pr.title).toBe(TITLE);
  expect(pr.body).toBe(BODY);
  expect(pr.files.map((f) => f.path).sort()).toEqual([`src/${HOSTILE_FILE}`, "src/ok.txt"]);
  expect(pr.review?.findings.some((f) => f.file === `src/${HOSTILE_FILE}`)).toBe(true);
  expect((await c.job(jobs.failed)).job.failure).toMatchObject({ class: "invalid_input", evidence: { command: FAILING_COMMAND } });
  expect((await c.job(jobs.denied)).job.failure).toMatchObject({ class: "policy_denied", evidence: { paths: ["docs-\x1b[2Jx\u009b.txt"] } });
  expect((await c.job(jobs.checks)).job.failure?.class).toBe("checks_failed");
  expect((await c.job(jobs.checks)).job.failure?.message).toContain("lint\x1b]0;chk\x07");
  expect(rfcPr.title).toBe(`RFC 0001: ${GOAL}`);
});

test("run: the followed log, the PR title and the review findings print no raw control", () => {
  expectSafe("run", runHuman.stdout + runHuman.stderr);
  expect(runHuman.stdout).toContain(String.raw`out \x1b]52;c;cHduZWQ=\x07 \x1b[2J\x1b[H \x1b]0;pwned\x07 \x9b2J done`);
  expect(runHuman.stdout).toContain(String.raw`progress 10%\rFAKE all checks passed`);
  expect(runHuman.stdout).toContain(String.raw`opened PR #1: title \x1b]0;pwned\x07 \x1b[2J \x9b31m \u{202e}evil\u{202c} ok\rFAKE`);
  expect(runHuman.stdout).toContain(String.raw`src/e\x1b]0;p\x07\u{202e}.txt`);
});

test("logs (and logs -f) show every log line in its visible form; --json carries the exact line", async () => {
  for (const args of [["logs", jobs.pr], ["logs", jobs.pr, "-f"]]) {
    const r = c.cli(args);
    expect(r.exitCode).toBe(0);
    expectSafe(args.join(" "), r.stdout + r.stderr);
    expect(r.stdout).toContain(String.raw`out \x1b]52;c;cHduZWQ=\x07 \x1b[2J\x1b[H \x1b]0;pwned\x07 \x9b2J done`);
    expect(r.stdout).toContain(String.raw`! err \x1b[1A\x1b[2K \x9d0;t\x9c`);
  }
  const lines = c.cli(["logs", jobs.pr, "--json"]).stdout.trim().split("\n").map((l) => JSON.parse(l) as { line: string });
  expect(lines.map((l) => l.line)).toContain("out \x1b]52;c;cHduZWQ=\x07 \x1b[2J\x1b[H \x1b]0;pwned\x07 \u009b2J done");
  expect(lines.map((l) => l.line)).toContain("progress 10%\rFAKE all checks passed");
  const checks = c.cli(["logs", jobs.checks]);
  expectSafe("logs checks", checks.stdout);
  expect(checks.stdout).toContain(String.raw`! check says \x1b]52;c;Y2hr\x07 \x1b[2J`);
});

test("job: failure message, command, paths and log excerpt are visible, the exact strings are in --json", () => {
  const failed = c.cli(["job", jobs.failed]);
  expectSafe("job failed", failed.stdout);
  expect(failed.stdout).toContain(String.raw`  command    echo '\x1b]0;cmd\x07 \x1b[2J' >&2; exit 3`);
  expect(failed.stdout).toContain(String.raw`    | \x1b]0;cmd\x07 \x1b[2J`);
  expect(JSON.parse(c.cli(["job", jobs.failed, "--json"]).stdout).job.failure.evidence.command).toBe(FAILING_COMMAND);

  const denied = c.cli(["job", jobs.denied]);
  expectSafe("job denied", denied.stdout);
  expect(denied.stdout).toContain(String.raw`docs-\x1b[2Jx\x9b.txt`);

  const checks = c.cli(["job", jobs.checks]);
  expectSafe("job checks", checks.stdout);
  expect(checks.stdout).toContain(String.raw`  failure    checks_failed: lint\x1b]0;chk\x07 failed`);
  expect(checks.stdout).toContain(String.raw`    | check says \x1b]52;c;Y2hr\x07 \x1b[2J`);
  const exact = JSON.parse(c.cli(["job", jobs.checks, "--json"]).stdout).job.failure;
  expect(exact.message).toStartWith("lint\x1b]0;chk\x07 failed: `echo 'check says \x1b]52;c;Y2hr\x07 \x1b[2J' >&2;");
});

test("jobs: the failure column is visible", () => {
  const r = c.cli(["jobs"]);
  expect(r.exitCode).toBe(0);
  expectSafe("jobs", r.stdout);
  expect(r.stdout).toContain(String.raw`checks_failed: lint\x1b]0;chk\x07 failed`);
});

test("prs: titles are visible; --json round-trips the hostile title exactly", () => {
  const r = c.cli(["prs"]);
  expectSafe("prs", r.stdout);
  expect(r.stdout).toContain(String.raw`title \x1b]0;pwned\x07 \x1b[2J \x9b31m \u{202e}evil\u{202c} ok\rFAKE`);
  expect(r.stdout).toContain(String.raw`RFC 0001: goal \x1b]0;g\x07 \x9b2J`);
  const listed = JSON.parse(c.cli(["prs", "--json"]).stdout) as { prs: PullRequest[] };
  expect(listed.prs.find((p) => p.number === 1)?.title).toBe(TITLE);
  expect(listed.prs.find((p) => p.number === rfcPr.number)?.title).toBe(`RFC 0001: ${GOAL}`);
  const one = JSON.parse(c.cli(["pr", "1", "--json"]).stdout) as { pr: PullRequest };
  expect(one.pr).toMatchObject({ title: TITLE, body: BODY });
});

test("pr: title, body (every line behind '  | '), check names, findings, files and the diff are visible", () => {
  const r = c.cli(["pr", "1", "--diff"]);
  expect(r.exitCode).toBe(0);
  expectSafe("pr 1", r.stdout);
  expect(r.stdout).toContain(String.raw`PR #1  title \x1b]0;pwned\x07`);
  // The body cannot forge a gate line: each of its lines starts with "  | ".
  expect(r.stdout).toContain("  | first line\n  |   gate       open: pushpals pr merge <n> merges it\n");
  expect(r.stdout).toContain(String.raw`  | \x1b]52;c;Ym9keQ==\x07 body` + "\n" + String.raw`  | last \x9d0;x\x9c`);
  expect(r.stdout).not.toMatch(/^ {2}gate {7}open/m);
  expect(r.stdout).toContain(String.raw`ok   lint\x1b]0;chk\x07`);
  expect(r.stdout).toContain(String.raw`src/e\x1b]0;p\x07\u{202e}.txt`);
  expect(r.stdout).toContain(String.raw`+\x1b]52;c;ZGlmZg==\x07 content`);
  const rfc = c.cli(["pr", String(rfcPr.number), "--diff"]);
  expectSafe("pr rfc", rfc.stdout);
  expect(rfc.stdout).toContain(String.raw`+# RFC 0001: goal \x1b]0;g\x07 \x9b2J`);
  const exact = JSON.parse(c.cli(["pr", String(rfcPr.number), "--diff", "--json"]).stdout) as { diff: string };
  expect(exact.diff).toContain(`+# RFC 0001: ${GOAL}\n`);
});

test("policy explain and pr merge print the PR's values visibly", () => {
  const explain = c.cli(["policy", "explain", "1"]);
  expectSafe("policy explain", explain.stdout + explain.stderr);
  expect(explain.stdout).toContain(String.raw`src/e\x1b]0;p\x07\u{202e}.txt`);
  // The secret finding keeps the gate shut: the merge job fails and `pr merge` shows its detail.
  const merge = c.cli(["pr", "merge", "1"]);
  expect(merge.exitCode).toBe(1);
  expectSafe("pr merge", merge.stdout + merge.stderr);
});

test("watch replays the events (titles in their payloads too) in their visible form", async () => {
  const { lastEventSeq } = await c.client.call(routes.health);
  const watch = spawnPushpals(["watch", "--after", "0"], c.root);
  try {
    await watch.waitForOutput(new RegExp(` #${lastEventSeq} `), 15_000);
  } finally {
    watch.proc.kill();
  }
  expectSafe("watch", watch.output());
  // A transition's reason is text (visible form); an event's payload prints as JSON, whose own escapes
  // show the C0 controls, with the rest (C1, bidi) in the visible form.
  expect(watch.output()).toContain(String.raw`checks_failed: lint\x1b]0;chk\x07 failed`);
  expect(watch.output()).toContain(String.raw`"title":"title \u001b]0;pwned\u0007 \u001b[2J \x9b31m \u{202e}evil\u{202c} ok\rFAKE"`);
  const json = spawnPushpals(["watch", "--after", "0", "--json"], c.root);
  try {
    await json.waitForOutput(new RegExp(`"seq":${lastEventSeq},`), 15_000);
  } finally {
    json.proc.kill();
  }
  const events = json.output().trim().split("\n").map((l) => JSON.parse(l) as { data: Record<string, unknown> });
  expect(events.some((e) => JSON.stringify(e.data).includes(JSON.stringify(TITLE).slice(1, -1)))).toBe(true);
});

test("pause reason in pause and status; a server error quoting hostile input", () => {
  const paused = c.cli(["pause", "--why", WHY]);
  expect(paused.exitCode).toBe(0);
  expectSafe("pause", paused.stdout);
  expect(paused.stdout).toContain(String.raw`freeze \x1b]0;p\x07\u{202e}`);
  const status = c.cli(["status"]);
  expect(status.exitCode).toBe(0);
  expectSafe("status", status.stdout);
  expect(status.stdout).toContain(String.raw`PAUSED since`);
  expect(status.stdout).toContain(String.raw`freeze \x1b]0;p\x07\u{202e} (resume: pushpals resume)`);
  expect(JSON.parse(c.cli(["status", "--json"]).stdout).paused.reason).toBe(WHY);
  expect(c.cli(["resume"]).exitCode).toBe(0);

  const refused = c.cli(["enqueue", "k\x1b]0;bad\x07\x1b[2J"]);
  expect(refused.exitCode).toBe(2);
  expectSafe("error", refused.stderr);
  expect(refused.stderr).toContain(String.raw`\x1b]0;bad\x07\x1b[2J`);
});

test("config: values read from the repository's config file are visible", () => {
  const r = c.cli(["config"]);
  expect(r.exitCode).toBe(0);
  expectSafe("config", r.stdout);
  expect(r.stdout).toMatch(/checks\.commands +lint\\x1b\]0;chk\\x07 +\.pushpals\/config\.toml/);
  expect(JSON.parse(c.cli(["config", "--json"]).stdout).config.checks.commands[0].name).toBe("lint\x1b]0;chk\x07");
});

test("on a terminal PushPals' own colours stay while the planted sequences are shown", () => {
  const env = { ...process.env, TERM: "xterm" } as Record<string, string>;
  delete env.NO_COLOR;
  const onTty = (args: string) =>
    Bun.spawnSync(["script", "-qec", `${PUSHPALS_BIN} ${args}`, "/dev/null"], { cwd: c.root, stdout: "pipe", stderr: "pipe", env }).stdout.toString();
  const status = onTty("status");
  expect(status).toContain("\x1b[32monline\x1b[0m");
  const pr = onTty("pr 1");
  expect(pr).toContain(`\x1b[1m${String.raw`title \x1b]0;pwned\x07 \x1b[2J \x9b31m \u{202e}evil\u{202c} ok\rFAKE`}\x1b[0m`);
  // Apart from our own SGR colours (ESC [ digits m) and the terminal's CRLF, nothing raw.
  expectSafe("tty pr", pr.replaceAll(/\x1b\[[0-9;]*m/g, "").replaceAll("\r\n", "\n"));
});
