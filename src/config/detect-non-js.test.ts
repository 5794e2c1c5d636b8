import { afterAll, expect, test } from "bun:test";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { detectProject } from "./detect.ts";

const dirs: { cleanup: () => void }[] = [];
afterAll(() => dirs.forEach((d) => d.cleanup()));

/** A folder with these files; a name ending in "*" is written executable (without the star). */
function project(files: Record<string, string>): string {
  const dir = tempDir("pushpals-nonjs-");
  dirs.push(dir);
  for (const [raw, content] of Object.entries(files)) {
    const name = raw.replace(/\*$/, "");
    mkdirSync(join(dir.path, name, ".."), { recursive: true });
    writeFileSync(join(dir.path, name), content);
    chmodSync(join(dir.path, name), raw.endsWith("*") ? 0o755 : 0o644);
  }
  return dir.path;
}

test.each<[string, Record<string, string>, string[]]>([
  ["Go: vet and test", { "go.mod": "module example.com/x\n\ngo 1.22\n" }, ["go vet ./...", "go test ./..."]],
  ["Rust", { "Cargo.toml": "[package]\nname = 'x'\n" }, ["cargo test"]],
  ["pytest settings in pyproject.toml", { "pyproject.toml": "[tool.pytest.ini_options]\naddopts = '-q'\n" }, ["python3 -m pytest"]],
  ["pytest.ini", { "pytest.ini": "[pytest]\n" }, ["python3 -m pytest"]],
  ["setup.cfg [tool:pytest]", { "setup.cfg": "[metadata]\nname = x\n\n[tool:pytest]\ntestpaths = tests\n" }, ["python3 -m pytest"]],
  ["tox.ini with a [pytest] section: pytest itself", { "tox.ini": "[tox]\nenvlist = py312\n\n[pytest]\naddopts = -q\n" }, ["python3 -m pytest"]],
  ["tox.ini", { "tox.ini": "[tox]\nenvlist = py312\n\n[testenv]\ncommands = python -m unittest\n" }, ["tox"]],
  ["tox settings in setup.cfg", { "setup.cfg": "[tox:tox]\nenvlist = py312\n" }, ["tox"]],
  ["tox settings in pyproject.toml", { "pyproject.toml": "[tool.tox]\nlegacy_tox_ini = ''\n" }, ["tox"]],
  ["noxfile.py", { "noxfile.py": "import nox\n", "pyproject.toml": "[project]\nname = 'x'\n" }, ["nox"]],
  ["pytest named as a dependency", { "requirements-dev.txt": "pytest==8.0\n" }, ["python3 -m pytest"]],
  ["Maven", { "pom.xml": "<project/>\n" }, ["mvn -B test"]],
  ["Maven with its committed wrapper", { "pom.xml": "<project/>\n", "mvnw*": "#!/bin/sh\n" }, ["./mvnw -B test"]],
  ["Gradle with its committed wrapper", { "build.gradle.kts": "plugins { java }\n", "gradlew*": "#!/bin/sh\n" }, ["./gradlew test"]],
  ["Gradle with a wrapper that lost its executable bit", { "settings.gradle": "", "gradlew": "#!/bin/sh\n" }, ["sh gradlew test"]],
  ["a Makefile test target", { Makefile: "test:\n\tgo test ./...\n" }, ["make test"]],
])("%s", (_, files, runs) => {
  const d = detectProject(project(files));
  expect(d).toMatchObject({ packageManager: null, lockfile: null, notes: [] });
  expect(d.checks.map((c) => c.run)).toEqual(runs);
});

test("Gradle without its wrapper: no check, and the note says how to get one", () => {
  const d = detectProject(project({ "build.gradle": "plugins { id 'java' }\n" }));
  expect(d.checks).toEqual([]);
  expect(d.notes[0]).toMatch(/^build\.gradle is a Gradle build without its wrapper \(gradlew\): commit the wrapper \(`gradle wrapper`\)/);
});

test("nothing found: say so plainly, how to add a check, and what was looked for", () => {
  const d = detectProject(project({ "main.c": "int main(void) { return 0; }\n" }));
  expect(d.checks).toEqual([]);
  expect(d.notes).toEqual([expect.stringMatching(/^no test command detected: add \[\[checks\.commands\]\] entries \(name and run\) to \.pushpals\/config\.toml \(looked for .*go\.mod, Cargo\.toml, pytest\/tox\/nox settings, pom\.xml, a Gradle wrapper/)]);
});

test("a Go repository with CI: the table compares CI's commands with the detected ones", () => {
  const root = project({
    "go.mod": "module x\n",
    ".github/workflows/go.yml": "on: [push]\njobs:\n  test:\n    steps:\n      - uses: actions/setup-go@v5\n      - run: go vet ./...\n      - run: go test -race ./...\n",
  });
  const d = detectProject(root);
  expect(d.ciFiles).toEqual([".github/workflows/go.yml"]);
  expect(d.ci.map((r) => [r.ci, r.check])).toEqual([
    ["go vet ./...", "vet"],
    ["go test -race ./...", null],
    ["", "test"],
  ]);
});
