import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { tempDir } from "../../test/helpers/temp.ts";
import { isPushpalsError, type PushpalsError } from "../core/errors.ts";
import { defaultPolicyToml } from "./default-policy-toml.ts";
import { loadPolicy, parsePolicyText, policyHash, POLICY_RELATIVE_PATH } from "./load-policy.ts";
import { DEFAULT_POLICY } from "./policy-defaults.ts";

const FILE = "/repo/.pushpals/policy.toml";
const dirs: (() => void)[] = [];
afterAll(() => dirs.forEach((c) => c()));

function refusal(text: string): PushpalsError {
  try {
    parsePolicyText(text, FILE);
  } catch (err) {
    if (isPushpalsError(err, "config_invalid")) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

function repoWith(text: string | null): string {
  const dir = tempDir("pushpals-policy-");
  dirs.push(dir.cleanup);
  if (text !== null) {
    mkdirSync(join(dir.path, ".pushpals"), { recursive: true });
    writeFileSync(join(dir.path, POLICY_RELATIVE_PATH), text);
  }
  return dir.path;
}

describe("defaults", () => {
  test("no file: the defaults, no source, the defaults' hash", () => {
    const loaded = loadPolicy(repoWith(null));
    expect(loaded).toEqual({ policy: DEFAULT_POLICY, hash: policyHash(DEFAULT_POLICY), source: null });
    expect(loaded.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  test("defaultPolicyToml spells out every default key and parses back to exactly the defaults", () => {
    const text = defaultPolicyToml();
    expect(parseToml(text) as unknown).toEqual(DEFAULT_POLICY);
    expect(parsePolicyText(text, FILE)).toEqual(DEFAULT_POLICY);
    expect(text).toContain("# ");
  });

  test("the written default file, an empty file and no file hash the same (the hash is of the normalized policy)", () => {
    const root = repoWith(defaultPolicyToml());
    const written = loadPolicy(root);
    expect(written.source).toBe(join(root, POLICY_RELATIVE_PATH));
    expect(written.hash).toBe(policyHash(DEFAULT_POLICY));
    expect(loadPolicy(repoWith("# nothing\n")).hash).toBe(policyHash(DEFAULT_POLICY));
  });

  test("a partial file keeps every other default; a list replaces the default list; roles merge by name", () => {
    const policy = parsePolicyText('[low]\nauto_merge = true\n[paths]\nprotected = ["secrets/**"]\n[roles]\nformatter = ["**/*.ts"]\n', FILE);
    expect(policy.low).toEqual({ ...DEFAULT_POLICY.low, auto_merge: true });
    expect(policy.paths).toEqual({ protected: ["secrets/**"], lockfiles: DEFAULT_POLICY.paths.lockfiles });
    expect(policy.roles).toEqual({ ...DEFAULT_POLICY.roles, formatter: ["**/*.ts"] });
    expect(policy.medium).toEqual(DEFAULT_POLICY.medium);
  });

  test("a sub-table merges key by key", () => {
    const policy = parsePolicyText('[dependencies.tiers]\nminor = "low"\n', FILE);
    expect(policy.dependencies.tiers).toEqual({ ...DEFAULT_POLICY.dependencies.tiers, minor: "low" });
  });

  test("the hash changes with any value and ignores key order in the file", () => {
    const a = parsePolicyText("[low]\nmax_files = 5\nmax_lines = 50\n", FILE);
    const b = parsePolicyText("[low]\nmax_lines = 50\nmax_files = 5\n", FILE);
    expect(policyHash(a)).toBe(policyHash(b));
    expect(policyHash(a)).not.toBe(policyHash(DEFAULT_POLICY));
  });
});

describe("errors name the file, the key, the bad value and the fix", () => {
  const cases: { name: string; text: string; key: string; value: string; message: RegExp; hint: RegExp }[] = [
    { name: "unknown table", text: "[lo]\nx = 1\n", key: "lo", value: '{"x":1}', message: /Unrecognized key/, hint: /remove or rename lo; known keys here: roles, paths, low/ },
    { name: "unknown key", text: "[low]\nmax_filez = 3\n", key: "low.max_filez", value: "3", message: /Unrecognized key/, hint: /remove or rename max_filez; known keys here: max_files, max_lines, auto_merge/ },
    { name: "wrong type", text: '[low]\nmax_files = "ten"\n', key: "low.max_files", value: '"ten"', message: /expected number/, hint: /set low.max_files to a number, e.g. 10/ },
    { name: "wrong type (boolean)", text: '[high]\nrequire_rfc = "yes"\n', key: "high.require_rfc", value: '"yes"', message: /expected boolean/, hint: /set high.require_rfc to a boolean, e.g. true/ },
    { name: "wrong type (list)", text: '[roles]\ncodemod = "**"\n', key: "roles.codemod", value: '"**"', message: /expected array/, hint: /set roles.codemod to a list, e.g. \["\*\*"\]/ },
    { name: "bad glob (absolute)", text: '[paths]\nprotected = ["/etc/**"]\n', key: "paths.protected[0]", value: '"/etc/**"', message: /not a valid glob: it is absolute/, hint: /repo-relative glob/ },
    { name: "bad glob (..)", text: '[roles]\ncodemod = ["src/**", "../x"]\n', key: "roles.codemod[1]", value: '"../x"', message: /climbs out/, hint: /repo-relative glob/ },
    { name: "bad glob (unclosed [)", text: '[paths]\nlockfiles = ["[abc"]\n', key: "paths.lockfiles[0]", value: '"[abc"', message: /unclosed "\["/, hint: /balanced/ },
    { name: "bad glob (unclosed {)", text: '[paths]\nprotected = ["{a,b"]\n', key: "paths.protected[0]", value: '"{a,b"', message: /unclosed "\{"/, hint: /balanced/ },
    { name: "bad glob (./)", text: '[paths]\nprotected = ["./src/**"]\n', key: "paths.protected[0]", value: '"./src/**"', message: /starts with "\.\/"/, hint: /no leading/ },
    { name: "bad tier name", text: '[dependencies.tiers]\npatch = "critical"\n', key: "dependencies.tiers.patch", value: '"critical"', message: /expected one of "low"\|"medium"\|"high"/, hint: /set dependencies.tiers.patch to one of "low", "medium", "high"/ },
    { name: "bad role name", text: '[roles]\nBad-Role = ["**"]\n', key: "roles.Bad-Role", value: '["**"]', message: /not a valid role name/, hint: /rename "Bad-Role": a role name is snake_case/ },
    { name: "bad job kind name", text: '[network]\nkinds = ["No pe"]\n', key: "network.kinds[0]", value: '"No pe"', message: /must be a job kind name/, hint: /network.kinds/ },
    { name: "too small", text: "[medium]\nrequired_approvals = 0\n", key: "medium.required_approvals", value: "0", message: /Too small/, hint: /at least 1/ },
    { name: "not an integer", text: "[low]\nmax_lines = 2.5\n", key: "low.max_lines", value: "2.5", message: /expected int/, hint: /set low.max_lines to a whole number, e.g. 200/ },
    { name: "bad package name", text: '[dependencies]\ndenied_packages = ["bad name"]\n', key: "dependencies.denied_packages[0]", value: '"bad name"', message: /package name/, hint: /dependencies.denied_packages/ },
    { name: "medium below low", text: "[medium]\nmax_files = 5\n", key: "medium.max_files", value: "5", message: /at least low.max_files \(10\)/, hint: /raise medium.max_files to 10 or more, or lower low.max_files/ },
    { name: "high approvals below medium", text: "[medium]\nrequired_approvals = 2\n", key: "high.required_approvals", value: "1", message: /at least medium.required_approvals \(2\)/, hint: /raise high.required_approvals/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const err = refusal(c.text);
      expect(err.message.startsWith(`${FILE}: ${c.key}: `)).toBe(true);
      expect(err.message).toMatch(c.message);
      expect(err.message).toContain(`(got ${c.value})`);
      expect(err.field).toBe(c.key);
      expect(err.hint).toMatch(c.hint);
    });
  }

  test("not TOML: file, line and column, and where to look", () => {
    const err = refusal("[low\n");
    expect(err.message).toMatch(new RegExp(`^${FILE} at line 1, column \\d+: not valid TOML`));
    expect(err.hint).toMatch(/fix the syntax/);
  });

  test("loadPolicy names the file on disk", () => {
    const root = repoWith("[low]\nauto_merge = 1\n");
    expect(() => loadPolicy(root)).toThrow(join(root, POLICY_RELATIVE_PATH));
  });
});

test("docs/policy.md shows exactly the default file", () => {
  const doc = readFileSync(join(import.meta.dir, "../../docs/policy.md"), "utf8");
  const block = /```toml\n([\s\S]*?)```/.exec(doc.slice(doc.indexOf("## The default policy, complete")));
  expect(block?.[1]).toBe(defaultPolicyToml());
});
