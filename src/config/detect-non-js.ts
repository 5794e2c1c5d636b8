import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import type { ProposedCheck } from "./ci-checks.ts";

export const NO_CHECKS_NOTE =
  "no test command detected: add [[checks.commands]] entries (name and run) to .pushpals/config.toml " +
  "(looked for package.json scripts, CI workflows, go.mod, Cargo.toml, pytest/tox/nox settings, pom.xml, a Gradle wrapper and a Makefile test target)";

export interface NonJsDetection {
  checks: ProposedCheck[];
  notes: string[];
}

/** The usual test commands of a repository without package.json: the first toolchain found wins. */
export function detectNonJs(root: string): NonJsDetection {
  const notes: string[] = [];
  const checks = rust(root) ?? go(root) ?? python(root) ?? java(root, notes) ?? make(root) ?? [];
  if (checks.length === 0) notes.push(NO_CHECKS_NOTE);
  return { checks, notes };
}

const check = (name: string, run: string, from: string): ProposedCheck => ({ name, run, script: null, from });

function rust(root: string): ProposedCheck[] | null {
  return existsSync(join(root, "Cargo.toml")) ? [check("test", "cargo test", "from Cargo.toml")] : null;
}

function go(root: string): ProposedCheck[] | null {
  if (!existsSync(join(root, "go.mod"))) return null;
  return [check("vet", "go vet ./...", "from go.mod"), check("test", "go test ./...", "from go.mod")];
}

/** pytest's own settings first, then tox, then nox, then pytest named as a dependency. */
function python(root: string): ProposedCheck[] | null {
  const pyproject = readToml(join(root, "pyproject.toml"));
  const tool = record(pyproject.tool);
  const setupCfg = readIfExists(join(root, "setup.cfg"));
  const toxIni = readIfExists(join(root, "tox.ini"));
  const pytestConfig = ["pytest.ini", "conftest.py"].find((f) => existsSync(join(root, f))) ?? (tool.pytest ? "pyproject.toml" : undefined) ?? (/^\[tool:pytest\]/m.test(setupCfg) ? "setup.cfg" : undefined) ?? (/^\[pytest\]/m.test(toxIni) ? "tox.ini" : undefined);
  if (pytestConfig) return [check("test", "python3 -m pytest", `from the pytest settings in ${pytestConfig}`)];
  const tox = /^\[(tox|testenv)\]/m.test(toxIni) ? "tox.ini" : /^\[tox:tox\]/m.test(setupCfg) ? "setup.cfg" : tool.tox ? "pyproject.toml" : undefined;
  if (tox) return [check("test", "tox", `from the tox settings in ${tox}`)];
  if (existsSync(join(root, "noxfile.py"))) return [check("test", "nox", "from noxfile.py")];
  const mentions = ["pyproject.toml", "setup.cfg", "tox.ini", "setup.py", "requirements.txt", "requirements-dev.txt", "requirements-test.txt"];
  const named = mentions.find((file) => /\bpytest\b/.test(readIfExists(join(root, file))));
  return named ? [check("test", "python3 -m pytest", `pytest is named in ${named}`)] : null;
}

/** Maven (its wrapper when committed), or Gradle through its committed wrapper. */
function java(root: string, notes: string[]): ProposedCheck[] | null {
  if (existsSync(join(root, "pom.xml"))) {
    const wrapper = wrapperCommand(root, "mvnw");
    return [check("test", wrapper ? `${wrapper} -B test` : "mvn -B test", "from pom.xml")];
  }
  const gradle = ["build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts"].find((f) => existsSync(join(root, f)));
  if (!gradle) return null;
  const wrapper = wrapperCommand(root, "gradlew");
  if (wrapper) return [check("test", `${wrapper} test`, `from ${gradle} and its wrapper`)];
  notes.push(`${gradle} is a Gradle build without its wrapper (gradlew): commit the wrapper (\`gradle wrapper\`) and run \`pushpals init\` again, or add a check such as \`gradle test\` by hand`);
  return null;
}

/** `./gradlew`, or `sh gradlew` when the committed file lost its executable bit. */
function wrapperCommand(root: string, name: string): string | null {
  const path = join(root, name);
  if (!existsSync(path)) return null;
  try {
    accessSync(path, constants.X_OK);
    return `./${name}`;
  } catch {
    return `sh ${name}`;
  }
}

function make(root: string): ProposedCheck[] | null {
  return makefileHasTest(root) ? [check("test", "make test", "from the Makefile's test target")] : null;
}

/** A `test:` rule (possibly among other targets) in the Makefile make would read; `test := x` is a variable. */
function makefileHasTest(root: string): boolean {
  const file = ["GNUmakefile", "makefile", "Makefile"].find((name) => existsSync(join(root, name)));
  if (!file) return false;
  return /^(?:[^\s:#=]+[ \t]+)*test(?:[ \t]+[^\s:#=]+)*[ \t]*::?(?!=)/m.test(readIfExists(join(root, file)));
}

function readToml(path: string): Record<string, unknown> {
  const text = readIfExists(path);
  if (!text) return {};
  try {
    return parseToml(text);
  } catch {
    return {};
  }
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function readIfExists(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}
