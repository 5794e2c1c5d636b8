import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { BenchmarkCommand } from "../../config/benchmark-settings.ts";
import type { PrProposal } from "../../prs/pr-types.ts";
import { measurementEdits, namedScripts, namesPath, pathTokens } from "./benchmark-harness.ts";

const dir = mkdtempSync(join(tmpdir(), "pushpals-harness-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const git = (...args: string[]) => Bun.spawnSync(["git", "-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: dir }).stdout.toString().trim();

function commit(files: Record<string, string>): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  git("add", "-A");
  git("commit", "-qm", "c");
  return git("rev-parse", "HEAD");
}

const manifest = (scripts: Record<string, string>, extra: Record<string, unknown> = {}) => JSON.stringify({ name: "x", scripts, ...extra }, null, 2);
git("init", "-q");
const base = commit({
  "package.json": manifest({ bench: "node tools/measure.js && npm run bench:io", "bench:io": "node tools/io.js", test: "node --test" }),
  "tools/measure.js": "spin()\n",
  "tools/io.js": "io()\n",
  "tools/other.js": "other()\n",
  Makefile: "bench:\n\t./scripts/run-bench.sh\n",
  "scripts/run-bench.sh": "node lib.js\n",
  "perf/suite.py": "run()\n",
  "lib.js": "module.exports = 1\n",
});
const cmd = (run: string): BenchmarkCommand => ({ name: "b", run, higher_is_better: false });

async function edits(files: Record<string, string>, commands: BenchmarkCommand[]): Promise<string[]> {
  const head = commit(files);
  const proposal = { headSha: head, files: Object.keys(files).map((path) => ({ path, status: "modified" })) } as PrProposal;
  const found = await measurementEdits(dir, proposal, base, commands);
  git("reset", "-q", "--hard", base);
  return found;
}

test("paths a command names: flags, absolute paths and .. left out; ./ dropped; a -m module as a path", () => {
  expect(pathTokens("node ./tools/measure.js --runs=3 /usr/bin/x ../up $HOME/x")).toEqual(["node", "tools/measure.js", "3"]);
  expect(pathTokens("python -m perf.suite")).toEqual(["python", "perf.suite", "perf/suite"]);
  expect(namesPath("perf/suite", "perf/suite.py")).toBe(true);
  expect(namesPath("tools", "tools/io.js")).toBe(true);
  expect(namesPath("tool", "tools/io.js")).toBe(false);
  expect(namesPath("lib", "lib.d/x")).toBe(false);
});

test("the scripts a command runs: named ones, their hooks, and what they run in turn", () => {
  const scripts = { bench: "npm run bench:io", prebench: "node warm.js", "bench:io": "node io.js", test: "x" };
  expect([...namedScripts(["npm run bench"], scripts)].sort()).toEqual(["bench", "bench:io", "prebench"]);
  expect(namedScripts(["node bench.js"], scripts).size).toBe(0);
});

test("attack: a change to the harness script its `run` names is refused", async () => {
  expect(await edits({ "tools/measure.js": "// nothing\n" }, [cmd("node tools/measure.js")])).toEqual(["tools/measure.js"]);
});

test("attack: a package script the benchmark runs, or one it runs in turn, edited or added as a hook, is refused", async () => {
  const bench = [cmd("npm run bench")];
  const changed = "package.json (the scripts a benchmark runs)";
  expect(await edits({ "package.json": manifest({ bench: "true", "bench:io": "node tools/io.js", test: "node --test" }) }, bench)).toEqual([changed]);
  expect(await edits({ "package.json": manifest({ bench: "node tools/measure.js && npm run bench:io", "bench:io": "true", test: "node --test" }) }, bench)).toEqual([changed]);
  expect(await edits({ "package.json": manifest({ prebench: "exit 0", bench: "node tools/measure.js && npm run bench:io", "bench:io": "node tools/io.js", test: "node --test" }) }, bench)).toEqual([changed]);
  // The files those scripts run are the harness too.
  expect(await edits({ "tools/io.js": "\n" }, bench)).toEqual(["tools/io.js"]);
});

test("a manifest change the benchmark does not run (a dependency, another script) is the change's to make", async () => {
  const bench = [cmd("npm run bench")];
  expect(await edits({ "package.json": manifest({ bench: "node tools/measure.js && npm run bench:io", "bench:io": "node tools/io.js", test: "node --test --x" }, { dependencies: { fast: "1.0.0" } }) }, bench)).toEqual([]);
  expect(await edits({ "tools/other.js": "\n", "lib.js": "module.exports = 2\n" }, bench)).toEqual([]);
});

test("attack: the Makefile of `make bench`, and the script its recipe runs, are refused; a Makefile is not when make is not run", async () => {
  expect(await edits({ Makefile: "bench:\n\ttrue\n" }, [cmd("make bench")])).toEqual(["Makefile"]);
  expect(await edits({ "scripts/run-bench.sh": "true\n" }, [cmd("make -s bench")])).toEqual(["scripts/run-bench.sh"]);
  expect(await edits({ Makefile: "CFLAGS=-O3\nbench:\n\t./scripts/run-bench.sh\n" }, [cmd("node tools/measure.js")])).toEqual([]);
});

test("attack: a module run with -m is refused; a bench folder always is", async () => {
  expect(await edits({ "perf/suite.py": "pass\n" }, [cmd("python3 -m perf.suite")])).toEqual(["perf/suite.py"]);
  expect(await edits({ "bench/x.js": "\n" }, [cmd("node lib.js")])).toEqual(["bench/x.js"]);
});
