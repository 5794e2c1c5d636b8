import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { BenchmarkCommand } from "../../config/benchmark-settings.ts";
import type { PrProposal } from "../../prs/pr-types.ts";
import { measurementEdits, namedScripts, namesPath, pathTokens } from "./benchmark-harness.ts";
import { isMeasuredCode } from "./measured-code.ts";
import { isBenchmarkPath } from "./test-files.ts";

const manifest = (scripts: Record<string, string>, extra: Record<string, unknown> = {}) => JSON.stringify({ name: "x", scripts, ...extra }, null, 2);
const caseRoots: string[] = [];
afterAll(() => caseRoots.forEach((root) => rmSync(root, { recursive: true, force: true })));
/** A fresh repository whose base holds `files`; `edits` commits a change on it and asks the gate. */
function repoAt(files: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), "pushpals-harness-case-"));
  caseRoots.push(root);
  const run = (...args: string[]) => Bun.spawnSync(["git", "-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: root }).stdout.toString().trim();
  const write = (entries: Record<string, string>) => {
    for (const [path, text] of Object.entries(entries)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    run("add", "-A");
    run("commit", "-qm", "c");
    return run("rev-parse", "HEAD");
  };
  run("init", "-q");
  const at = write(files);
  return {
    root,
    base: at,
    /** Commits `changed` on the base and asks the gate; `renamed` maps a new path to the base path it was renamed from. */
    async edits(changed: Record<string, string>, commands: BenchmarkCommand[], renamed: Record<string, string> = {}): Promise<string[]> {
      for (const old of Object.values(renamed)) rmSync(join(root, old));
      const head = write(changed);
      const paths = Object.keys(changed).map((path) => (renamed[path] ? { path, status: "renamed", oldPath: renamed[path] } : { path, status: Object.hasOwn(files, path) ? "modified" : "added" }));
      const found = await measurementEdits(root, { headSha: head, files: paths } as PrProposal, at, commands);
      run("reset", "-q", "--hard", at);
      run("clean", "-qfd");
      return found.map((e) => e.path);
    },
  };
}

const shared = repoAt({
  "package.json": manifest({ bench: "node tools/measure.js && npm run bench:io", "bench:io": "node tools/io.js", test: "node --test" }),
  "tools/measure.js": "spin()\n",
  "tools/io.js": "io()\n",
  "tools/other.js": "other()\n",
  Makefile: "bench:\n\t./scripts/run-bench.sh\n",
  "scripts/run-bench.sh": "node lib.js\n",
  "perf/suite.py": "run()\n",
  "lib.js": "module.exports = 1\n",
});
const { root: dir, base } = shared;
const cmd = (run: string): BenchmarkCommand => ({ name: "b", run, higher_is_better: false });

const edits = (files: Record<string, string>, commands: BenchmarkCommand[]) => shared.edits(files, commands);

test("paths a command names: flags, absolute paths and .. left out; ./ dropped; a -m module as a path", () => {
  expect(pathTokens("node ./tools/measure.js --runs=3 /usr/bin/x ../up")).toEqual(["node", "tools/measure.js", "3"]);
  expect(pathTokens("python -m perf.suite")).toEqual(["python", "perf.suite", "perf/suite", "perf/__init__"]);
  expect(pathTokens('node "$(pwd)/tools/a.js" ${ROOT}/b.js $HOME/c.js')).toEqual(["node", "tools/a.js", "b.js", "c.js"]);
  expect(namesPath("perf/suite", "perf/suite.py")).toBe(true);
  expect(namesPath("tools", "tools/index.js")).toBe(true);
  expect(namesPath("tools", "tools/io.js")).toBe(false);
  expect(pathTokens("python -mperf.suite")).toEqual(["python", "perf.suite", "perf/suite", "perf/__init__"]);
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
  const changed = "package.json";
  expect(await edits({ "package.json": manifest({ bench: "true", "bench:io": "node tools/io.js", test: "node --test" }) }, bench)).toEqual([changed]);
  expect(await edits({ "package.json": manifest({ bench: "node tools/measure.js && npm run bench:io", "bench:io": "true", test: "node --test" }) }, bench)).toEqual([changed]);
  expect(await edits({ "package.json": manifest({ prebench: "exit 0", bench: "node tools/measure.js && npm run bench:io", "bench:io": "node tools/io.js", test: "node --test" }) }, bench)).toEqual([changed]);
  // The files those scripts run are the harness too.
  expect(await edits({ "tools/io.js": "\n" }, bench)).toEqual(["tools/io.js"]);
});

test("code the benchmark does not name is the change's to make; a manifest never is (a dependency swap is no faster code)", async () => {
  const bench = [cmd("npm run bench")];
  expect(await edits({ "tools/other.js": "\n", "lib.js": "module.exports = 2\n" }, bench)).toEqual([]);
  expect(await edits({ "package.json": manifest({ bench: "node tools/measure.js && npm run bench:io", "bench:io": "node tools/io.js", test: "node --test --x" }, { dependencies: { fast: "1.0.0" } }) }, bench)).toEqual(["package.json"]);
});

test("attack: a Makefile or a shell script is no code a benchmark measures, whatever runs it", async () => {
  expect(await edits({ Makefile: "bench:\n\ttrue\n" }, [cmd("make bench")])).toEqual(["Makefile"]);
  expect(await edits({ "scripts/run-bench.sh": "true\n" }, [cmd("make -s bench")])).toEqual(["scripts/run-bench.sh"]);
  expect(await edits({ Makefile: "CFLAGS=-O3\nbench:\n\t./scripts/run-bench.sh\n" }, [cmd("node tools/measure.js")])).toEqual(["Makefile"]);
});

test("attack: code a Makefile recipe runs is refused when the benchmark starts make, even after a prefix word", async () => {
  const repo = repoAt({ Makefile: "bench:\n\tnode tools/measure.js\n", "tools/measure.js": "spin()\n", "lib.js": "1\n" });
  for (const run of ["make bench", "time make bench", "sh -c 'make bench'", "hyperfine --runs 3 'make bench'"]) expect(await repo.edits({ "tools/measure.js": "\n" }, [cmd(run)])).toEqual(["tools/measure.js"]);
  expect(await repo.edits({ "lib.js": "2\n" }, [cmd("make bench")])).toEqual([]);
});

test("attack: a module run with -m is refused; a bench folder always is", async () => {
  expect(await edits({ "perf/suite.py": "pass\n" }, [cmd("python3 -m perf.suite")])).toEqual(["perf/suite.py"]);
  expect(await edits({ "bench/x.js": "\n" }, [cmd("node lib.js")])).toEqual(["bench/x.js"]);
});

test("a change past 200 files is refused whole; the gate reads the base only, never the change's files", async () => {
  const many = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`src/f${i}.js`, `${i}\n`]));
  const found = await measurementEdits(dir, { headSha: base, files: Object.keys(many).map((path) => ({ path, status: "added" })) } as PrProposal, base, [cmd("node lib.js")]);
  expect(found).toEqual([{ path: "201 files", why: "more than the 200 a performance change is checked on (split it)" }]);
  // A harness the change adds to the base's Makefile is not followed: the base's recipe is what runs.
  const repo = repoAt({ Makefile: "bench:\n\tnode lib.js\n", "lib.js": "1\n", "tools/x.js": "1\n" });
  expect(await repo.edits({ Makefile: "bench:\n\tnode tools/x.js\n", "tools/x.js": "2\n" }, [cmd("make bench")])).toEqual(["Makefile"]);
});

// ---- Holes found in review, each refused now. ----

const npmBase = { "package.json": manifest({ prebench: "node tools/warm.js", bench: "node tools/measure.js" }, { config: { iterations: 1000 } }), "tools/measure.js": "spin()\n", "tools/warm.js": "warm()\n", "lib.js": "1\n" };

test("attack: an .npmrc that changes how `npm run` runs the script (script-shell, node-options, ignore-scripts skips prebench) is refused", async () => {
  const repo = repoAt(npmBase);
  expect(await repo.edits({ ".npmrc": "script-shell=./lib.js\n" }, [cmd("npm run bench")])).toContain(".npmrc");
  expect(await repo.edits({ ".npmrc": "node-options=--require ./lib.js\n" }, [cmd("pnpm bench")])).toContain(".npmrc");
});

test("attack: the package.json `config` an npm script reads (npm_package_config_*) is refused", async () => {
  const repo = repoAt(npmBase);
  const changed = manifest({ prebench: "node tools/warm.js", bench: "node tools/measure.js" }, { config: { iterations: 1 } });
  expect(await repo.edits({ "package.json": changed }, [cmd("npm run bench")])).toEqual(["package.json"]);
});

test("attack: yarn's own config (.yarnrc.yml yarnPath picks the yarn binary that runs the script) is refused", async () => {
  const repo = repoAt({ ...npmBase, ".yarnrc.yml": "nodeLinker: node-modules\n" });
  expect(await repo.edits({ ".yarnrc.yml": "yarnPath: lib.js\n" }, [cmd("yarn bench")])).toContain(".yarnrc.yml");
});

test("attack: what bun loads before the benchmark (bunfig.toml preload, .env for `bun run`) is refused", async () => {
  const repo = repoAt({ ...npmBase, "bench.ts": "spin()\n" });
  expect(await repo.edits({ "bunfig.toml": 'preload = ["./lib.js"]\n' }, [cmd("bun bench.ts")])).toContain("bunfig.toml");
  expect(await repo.edits({ ".env": "NODE_OPTIONS=--require ./lib.js\n" }, [cmd("bun run bench")])).toContain(".env");
});

test("attack: a runner started after a prefix word (time, env, sh -c, hyperfine) still protects its Makefile", async () => {
  expect(await edits({ Makefile: "bench:\n\ttrue\n" }, [cmd("time make bench")])).toEqual(["Makefile"]);
  expect(await edits({ Makefile: "bench:\n\ttrue\n" }, [cmd("sh -c 'make bench'")])).toEqual(["Makefile"]);
  expect(await edits({ Makefile: "bench:\n\ttrue\n" }, [cmd("hyperfine --runs 3 'make bench'")])).toEqual(["Makefile"]);
});

test("attack: the package __init__.py a `-m` module imports first is refused", async () => {
  expect(await edits({ "perf/__init__.py": "import sys; sys.exit(0)\n" }, [cmd("python -m perf.suite")])).toEqual(["perf/__init__.py"]);
});

test("attack: a path named through a variable ($(pwd)/x, $(CURDIR)/x, ${ROOT}/x) is refused", async () => {
  expect(await edits({ "tools/measure.js": "\n" }, [cmd('node "$(pwd)/tools/measure.js"')])).toEqual(["tools/measure.js"]);
  expect(await edits({ "tools/measure.js": "\n" }, [cmd("node ${PWD}/tools/measure.js")])).toEqual(["tools/measure.js"]);
  const repo = repoAt({ Makefile: "bench:\n\t$(CURDIR)/scripts/run-bench.sh\n", "scripts/run-bench.sh": "node lib.js\n", "lib.js": "1\n" });
  expect(await repo.edits({ "scripts/run-bench.sh": "true\n" }, [cmd("make bench")])).toEqual(["scripts/run-bench.sh"]);
});

test("attack: what a named shell script runs in turn (./run-bench.sh running tools/measure.js) is refused", async () => {
  const repo = repoAt({ "run-bench.sh": "#!/bin/sh\nnode tools/measure.js\n", "tools/measure.js": "spin()\n" });
  expect(await repo.edits({ "tools/measure.js": "\n" }, [cmd("./run-bench.sh")])).toEqual(["tools/measure.js"]);
});

test("attack: a glob in a command (node --test 'tools/*.js') protects what it matches", async () => {
  expect(await edits({ "tools/io.js": "\n" }, [cmd("node --test 'tools/*.js'")])).toEqual(["tools/io.js"]);
});

test("attack: a workspace's script and what it runs (relative to its package) are refused when the benchmark runs workspaces", async () => {
  const repo = repoAt({ "package.json": manifest({}, { workspaces: ["packages/*"] }), "packages/a/package.json": JSON.stringify({ name: "@x/a", scripts: { bench: "node measure.js" } }), "packages/a/measure.js": "spin()\n", "packages/a/lib.js": "1\n" });
  expect(await repo.edits({ "packages/a/measure.js": "\n" }, [cmd("npm run bench --workspaces")])).toEqual(["packages/a/measure.js"]);
  expect(await repo.edits({ "packages/a/measure.js": "\n" }, [cmd("yarn workspace @x/a bench")])).toEqual(["packages/a/measure.js"]);
});

test("attack: scripts named by a run-all pattern (run-s bench:*, concurrently npm:bench:io) are followed", async () => {
  const repo = repoAt({ "package.json": manifest({ bench: "run-s bench:*", "bench:io": "node tools/io.js" }), "tools/io.js": "io()\n" });
  expect(await repo.edits({ "package.json": manifest({ bench: "run-s bench:*", "bench:io": "true" }) }, [cmd("npm run bench")])).toEqual(["package.json"]);
  expect(await repo.edits({ "tools/io.js": "\n" }, [cmd("npx concurrently npm:bench:io")])).toEqual(["tools/io.js"]);
});

test("attack: a manifest renamed away (package.json → package.json5, which pnpm reads) is refused (no manifest is code)", async () => {
  const repo = repoAt(npmBase);
  const json5 = manifest({ prebench: "node tools/warm.js", bench: "true" }, { config: { iterations: 1000 } });
  expect(await repo.edits({ "package.json5": json5 }, [cmd("pnpm bench")], { "package.json5": "package.json" })).toContain("package.json");
});

test("attack: the benchmark files of cargo (benches/), go test -bench (*_test.go) and capitalised bench folders are refused", async () => {
  expect(isBenchmarkPath("benches/parse.rs")).toBe(true);
  expect(isBenchmarkPath("crates/core/benches/parse.rs")).toBe(true);
  expect(isBenchmarkPath("Benchmarks/Parse.cs")).toBe(true);
  const repo = repoAt({ "parse_test.go": "package p\nfunc BenchmarkParse(b *testing.B) {}\n", "parse.go": "package p\n" });
  expect(await repo.edits({ "parse_test.go": "package p\nfunc BenchmarkParse(b *testing.B) { return }\n" }, [cmd("go test -run ^$ -bench . ./...")])).toEqual(["parse_test.go"]);
});

test("measured code: source files, not their build, bundler, runner or start-up configuration, dotfiles or vendored packages", () => {
  for (const path of ["lib.js", "src/a.ts", "pkg/core.py", "main.go", "src/lib.rs", "x/y.cpp", "App.kt"]) expect(isMeasuredCode(path)).toBe(true);
  for (const path of ["package.json", "pnpm-lock.yaml", ".npmrc", "bunfig.toml", ".env", "tsconfig.json", "Makefile", "run.sh", "vite.config.ts", "jest.config.js", ".eslintrc.js", ".yarn/releases/yarn.cjs", "node_modules/x/index.js", "setup.py", "sitecustomize.py", "build.rs", "Cargo.toml", "data.csv"]) expect(isMeasuredCode(path)).toBe(false);
});

test("a folder a command names (a Go package, a workspace, a Python package) leaves the code in it to the change, its entry point not", async () => {
  const repo = repoAt({
    "parser/parse.go": "package parser\n",
    "parser/parse_test.go": "package parser\n",
    "packages/core/package.json": JSON.stringify({ name: "core", scripts: { bench: "node index.js" } }),
    "packages/core/index.js": "1\n",
    "packages/core/src/hash.js": "1\n",
    "mylib/__main__.py": "run()\n",
    "mylib/core.py": "1\n",
  });
  expect(await repo.edits({ "parser/parse.go": "package parser // faster\n" }, [cmd("go test -run ^$ -bench . ./parser")])).toEqual([]);
  expect(await repo.edits({ "packages/core/src/hash.js": "2\n" }, [cmd("npm run bench -w packages/core")])).toEqual([]);
  expect(await repo.edits({ "packages/core/index.js": "2\n" }, [cmd("npm run bench -w packages/core")])).toEqual(["packages/core/index.js"]);
  expect(await repo.edits({ "mylib/core.py": "2\n" }, [cmd("python -m mylib --bench")])).toEqual([]);
  expect(await repo.edits({ "mylib/__main__.py": "2\n" }, [cmd("python -m mylib --bench")])).toEqual(["mylib/__main__.py"]);
});

test("`make bench` follows only what that target runs: its recipe, prerequisites, variables and includes, not every word", async () => {
  const makefile = ["include mk/bench.mk", "SRC = $(wildcard src/*.c)", "HARNESS = tools/measure.js", "", "all: build", "", "build: $(SRC)", "\tcc -O2 $(SRC) -o app", "", "bench: build warm", "\tnode $(HARNESS)", "", "clean:", "\trm -f *", ""].join("\n");
  const repo = repoAt({ Makefile: makefile, "mk/bench.mk": "warm:\n\tnode tools/warm.js\n", "src/hash.c": "int h;\n", "hash.c": "int g;\n", "tools/measure.js": "1\n", "tools/warm.js": "1\n", "src/crc.rs": "fn crc() {}\n" });
  const bench = [cmd("make bench")];
  expect(await repo.edits({ "src/hash.c": "int h2;\n", "hash.c": "int g2;\n", "src/crc.rs": "fn crc2() {}\n" }, bench)).toEqual([]);
  expect(await repo.edits({ "tools/measure.js": "2\n" }, bench)).toEqual(["tools/measure.js"]);
  expect(await repo.edits({ "tools/warm.js": "2\n" }, bench)).toEqual(["tools/warm.js"]);
  // No target named: make's default goal, the first rule.
  expect(await repo.edits({ "tools/measure.js": "2\n" }, [cmd("make")])).toEqual([]);
});

test("hostile input: a path thousands of folders deep is refused whole or checked, never a crash; a huge script list is bounded", async () => {
  const deep = `${Array.from({ length: 1500 }, (_, i) => `d${i}`).join("/")}/x.js`;
  const found = await measurementEdits(dir, { headSha: base, files: [{ path: deep, status: "added" }] } as PrProposal, base, [cmd("npm run bench")]);
  expect(found).toEqual([]);
  const scripts = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`q${i}`, "true"]));
  const named = namedScripts([`npm run bench ${Array.from({ length: 25_000 }, (_, i) => `q*${i % 7}`).join(" ")}`], { bench: "node tools/measure.js", ...scripts });
  expect(named.has("bench")).toBe(true);
  expect(named.size).toBeLessThanOrEqual(200);
});
