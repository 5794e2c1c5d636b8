import { describe, expect, test } from "bun:test";
import { configFromProposal, describeItem, missingItems, proposeConfig, type InitDetection } from "./init-plan.ts";
import { parseLayer } from "./load.ts";
import { DEFAULT_CONFIG } from "./schema.ts";

const PATH = "/repo/.pushpals/config.toml";

function detection(overrides: Partial<InitDetection> = {}): InitDetection {
  return {
    packageManager: "pnpm",
    packageManagerSource: "pnpm-lock.yaml",
    lockfile: "pnpm-lock.yaml",
    checks: [
      { name: "lint", run: "pnpm run lint" },
      { name: "test", run: "pnpm test" },
    ],
    ciFiles: [],
    ci: [],
    notes: [],
    baseBranch: "develop",
    baseBranchSource: "origin/HEAD",
    workers: 2,
    ...overrides,
  };
}

describe("proposeConfig", () => {
  test("carries the detection and the documented defaults", () => {
    const proposed = proposeConfig(detection());
    expect(proposed).toEqual({
      repo: { base_branch: "develop" },
      workers: { count: 2 },
      jobs: { lease_seconds: DEFAULT_CONFIG.jobs.lease_seconds, max_attempts: DEFAULT_CONFIG.jobs.max_attempts },
      checks: { timeout_seconds: DEFAULT_CONFIG.checks.timeout_seconds, commands: detection().checks },
      install: { package_manager: "pnpm", allow_scripts: false },
    });
  });

  test("no package manager means none, not auto", () => {
    expect(proposeConfig(detection({ packageManager: null })).install.package_manager).toBe("none");
  });

  test("configFromProposal fills every other key with its default and does not touch DEFAULT_CONFIG", () => {
    const before = structuredClone(DEFAULT_CONFIG);
    const config = configFromProposal(proposeConfig(detection()));
    expect(config.server).toEqual(DEFAULT_CONFIG.server);
    expect(config.jobs.max_log_lines).toBe(DEFAULT_CONFIG.jobs.max_log_lines);
    expect(config.checks.commands).toHaveLength(2);
    expect(DEFAULT_CONFIG).toEqual(before);
  });
});

describe("missingItems", () => {
  const proposed = proposeConfig(detection());
  const allSections = "[repo]\n[workers]\n[jobs]\n[checks]\n[install]\n";

  test("an empty file lacks every section and every check", () => {
    expect(missingItems(parseLayer("", PATH), proposed).map(describeItem)).toEqual([
      "section [repo]",
      "section [workers]",
      "section [jobs]",
      "section [checks]",
      "section [install]",
      'check "lint" (pnpm run lint)',
      'check "test" (pnpm test)',
    ]);
  });

  test("a check the user changed is theirs: present by name, nothing to add", () => {
    const text = `${allSections}[[checks.commands]]\nname = "lint"\nrun = "pnpm eslint --max-warnings 0 ."\n`;
    expect(missingItems(parseLayer(text, PATH), proposed)).toEqual([{ kind: "check", name: "test", run: "pnpm test" }]);
  });

  test("a check the user renamed is present by its command line", () => {
    const text = `${allSections}[[checks.commands]]\nname = "unit"\nrun = "pnpm test"\n[[checks.commands]]\nname = "lint"\nrun = "x"\n`;
    expect(missingItems(parseLayer(text, PATH), proposed)).toEqual([]);
  });

  test("differing values and missing keys inside a present section are never additions", () => {
    const text = '[repo]\nbase_branch = "trunk"\n[workers]\n[jobs]\nmax_attempts = 9\n[checks]\n[install]\npackage_manager = "auto"\n';
    expect(missingItems(parseLayer(text, PATH), proposed).map((i) => i.kind)).toEqual(["check", "check"]);
  });

  test("dotted keys count as the section being present", () => {
    expect(missingItems(parseLayer('repo.base_branch = "x"\nworkers.count = 1\njobs = {}\n[checks]\n[install]\n', PATH), proposed)).toHaveLength(2);
  });
});
