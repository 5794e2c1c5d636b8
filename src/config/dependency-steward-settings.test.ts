import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { isPushpalsError, type PushpalsError } from "../core/errors.ts";
import { DEFAULT_DEPENDENCY_STEWARD, packageNameMatcher } from "./dependency-steward-settings.ts";
import { CONFIG_RELATIVE_PATH, LOCAL_CONFIG_NAME, loadEffectiveConfig, parseConfigText } from "./load.ts";
import { DEFAULT_CONFIG } from "./schema.ts";

const PATH = "/repo/.pushpals/config.toml";

function refusal(text: string): PushpalsError {
  try {
    parseConfigText(text, PATH);
  } catch (err) {
    if (isPushpalsError(err, "config_invalid")) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

describe("[dependency_steward] defaults", () => {
  test("no section: every default", () => {
    expect(parseConfigText("", PATH).dependency_steward).toEqual({
      scan_every_seconds: 21_600,
      peers: false,
      lockfile_maintenance: false,
      commit_prefix: "chore(deps):",
      schedule: { days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], hours: [0, 24], timezone: "UTC" },
      package_rules: [],
    });
    expect(DEFAULT_CONFIG.dependency_steward).toEqual(DEFAULT_DEPENDENCY_STEWARD);
  });

  test("a schedule table fills the keys it leaves out; a rule fills its match keys and leaves group and enabled unset", () => {
    const config = parseConfigText(
      ['[dependency_steward.schedule]', 'days = ["sat", "sun"]', "", "[[dependency_steward.package_rules]]", 'group = "eslint"', "", "[[dependency_steward.package_rules]]", 'packages = ["left-pad"]', "enabled = false"].join("\n"),
      PATH,
    );
    expect(config.dependency_steward.schedule).toEqual({ days: ["sat", "sun"], hours: [0, 24], timezone: "UTC" });
    expect(config.dependency_steward.package_rules).toEqual([
      { packages: ["*"], dep_types: ["prod", "dev", "optional", "peer"], update_types: ["in-range", "minor", "major"], group: "eslint" },
      { packages: ["left-pad"], dep_types: ["prod", "dev", "optional", "peer"], update_types: ["in-range", "minor", "major"], enabled: false },
    ]);
    expect(config.dependency_steward.scan_every_seconds).toBe(21_600);
  });

  test("a full section is read as written", () => {
    const text = [
      "[dependency_steward]",
      "scan_every_seconds = 0",
      "peers = true",
      "lockfile_maintenance = true",
      'commit_prefix = "build(deps):"',
      'schedule = { days = ["mon", "tue", "wed", "thu", "fri"], hours = [22, 24], timezone = "Europe/Berlin" }',
      "",
      "[[dependency_steward.package_rules]]",
      'packages = ["@types/*", "eslint*"]',
      'dep_types = ["dev"]',
      'update_types = ["minor", "in-range"]',
      'group = "lint-and-types"',
      "enabled = true",
    ].join("\n");
    expect(parseConfigText(text, PATH).dependency_steward).toEqual({
      scan_every_seconds: 0,
      peers: true,
      lockfile_maintenance: true,
      commit_prefix: "build(deps):",
      schedule: { days: ["mon", "tue", "wed", "thu", "fri"], hours: [22, 24], timezone: "Europe/Berlin" },
      package_rules: [{ packages: ["@types/*", "eslint*"], dep_types: ["dev"], update_types: ["minor", "in-range"], group: "lint-and-types", enabled: true }],
    });
  });
});

describe("[dependency_steward] refusals name the key", () => {
  for (const [text, field, message] of [
    ["[dependency_steward]\nscan_every = 60\n", "dependency_steward.scan_every", '"scan_every"'],
    ["[dependency_steward.schedule]\ndays = [\"mon\"]\nweekends = true\n", "dependency_steward.schedule.weekends", '"weekends"'],
    ["[[dependency_steward.package_rules]]\npackage = [\"react\"]\n", "dependency_steward.package_rules.0.package", '"package"'],
    ["[dependency_steward]\nscan_every_seconds = 604801\n", "dependency_steward.scan_every_seconds", "604801"],
    ["[dependency_steward]\nscan_every_seconds = -1\n", "dependency_steward.scan_every_seconds", "-1"],
    ['[dependency_steward]\ncommit_prefix = "chore:\\nrm -rf"\n', "dependency_steward.commit_prefix", "one line"],
    [`[dependency_steward]\ncommit_prefix = "${"x".repeat(41)}"\n`, "dependency_steward.commit_prefix", "<=40 characters"],
    ['[dependency_steward.schedule]\ndays = []\n', "dependency_steward.schedule.days", "at least one day"],
    ['[dependency_steward.schedule]\ndays = ["mon", "mon"]\n', "dependency_steward.schedule.days", "twice"],
    ['[dependency_steward.schedule]\ndays = ["monday"]\n', "dependency_steward.schedule.days.0", '"monday"'],
    ["[dependency_steward.schedule]\nhours = [22, 6]\n", "dependency_steward.schedule.hours", "across midnight is not supported"],
    ["[dependency_steward.schedule]\nhours = [9, 9]\n", "dependency_steward.schedule.hours", "from < to"],
    ["[dependency_steward.schedule]\nhours = [0, 25]\n", "dependency_steward.schedule.hours.1", "25"],
    ["[dependency_steward.schedule]\nhours = [9]\n", "dependency_steward.schedule.hours", "[9]"],
    ['[[dependency_steward.package_rules]]\ngroup = "My Group"\n', "dependency_steward.package_rules.0.group", "lowercase slug"],
    ['[[dependency_steward.package_rules]]\npackages = ["../evil"]\n', "dependency_steward.package_rules.0.packages.0", "name glob"],
    ['[[dependency_steward.package_rules]]\ndep_types = ["devDependencies"]\n', "dependency_steward.package_rules.0.dep_types.0", '"devDependencies"'],
    ['[[dependency_steward.package_rules]]\nupdate_types = ["patch"]\n', "dependency_steward.package_rules.0.update_types.0", '"patch"'],
    ["[[dependency_steward.package_rules]]\npackages = []\n", "dependency_steward.package_rules.0.packages", "[]"],
  ] as const) {
    test(`${JSON.stringify(text)} is refused naming ${field}`, () => {
      const err = refusal(text);
      expect(err.field).toBe(field);
      expect(err.message).toContain(PATH);
      expect(err.message).toContain(message);
    });
  }

  test("a time zone Intl does not know is refused with what to write instead", () => {
    const err = refusal('[dependency_steward.schedule]\ntimezone = "Mars/Olympus"\n');
    expect(err.field).toBe("dependency_steward.schedule.timezone");
    expect(err.message).toBe(`${PATH}: dependency_steward.schedule.timezone: is not an IANA time zone this machine knows, such as "UTC", "Europe/Berlin" or "America/New_York" (got "Mars/Olympus")`);
  });

  test("more than 100 rules are refused", () => {
    const err = refusal("[[dependency_steward.package_rules]]\n".repeat(101));
    expect(err.field).toBe("dependency_steward.package_rules");
  });
});

describe("[dependency_steward] through the layers", () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
    mkdirSync(join(dir.path, ".pushpals"), { recursive: true });
    mkdirSync(join(dir.path, "runtime"), { recursive: true });
  });
  afterEach(() => dir.cleanup());

  test("each key comes from the highest layer that sets it; a list of rules or a schedule is replaced whole, never merged item by item", () => {
    writeFileSync(
      join(dir.path, CONFIG_RELATIVE_PATH),
      '[dependency_steward]\nlockfile_maintenance = true\n[dependency_steward.schedule]\ndays = ["sat"]\ntimezone = "Asia/Tokyo"\n[[dependency_steward.package_rules]]\npackages = ["react*"]\ngroup = "react"\n[[dependency_steward.package_rules]]\npackages = ["left-pad"]\nenabled = false\n',
    );
    writeFileSync(join(dir.path, "runtime", LOCAL_CONFIG_NAME), '[dependency_steward]\ncommit_prefix = "deps:"\n[[dependency_steward.package_rules]]\npackages = ["typescript"]\ngroup = "ts"\n');
    const { config, sources } = loadEffectiveConfig({ repoRoot: dir.path, runtimeDir: join(dir.path, "runtime"), env: { PUSHPALS_DEPENDENCY_STEWARD_SCAN_EVERY_SECONDS: "3600", PUSHPALS_DEPENDENCY_STEWARD_PEERS: "yes" } });
    expect(config.dependency_steward).toEqual({
      scan_every_seconds: 3600,
      peers: true,
      lockfile_maintenance: true,
      commit_prefix: "deps:",
      schedule: { days: ["sat"], hours: [0, 24], timezone: "Asia/Tokyo" },
      package_rules: [{ packages: ["typescript"], dep_types: ["prod", "dev", "optional", "peer"], update_types: ["in-range", "minor", "major"], group: "ts" }],
    });
    expect(sources["dependency_steward.lockfile_maintenance"]).toBe(CONFIG_RELATIVE_PATH);
    expect(sources["dependency_steward.schedule"]).toBe(CONFIG_RELATIVE_PATH);
    expect(sources["dependency_steward.package_rules"]).toBe(join(dir.path, "runtime", LOCAL_CONFIG_NAME));
    expect(sources["dependency_steward.scan_every_seconds"]).toBe("env PUSHPALS_DEPENDENCY_STEWARD_SCAN_EVERY_SECONDS");
    expect(sources["dependency_steward.peers"]).toBe("env PUSHPALS_DEPENDENCY_STEWARD_PEERS");
  });

  test("a flag layer's rules are validated and get their defaults", () => {
    const { config } = loadEffectiveConfig({ repoRoot: dir.path, env: {}, flags: [{ layer: { dependency_steward: { package_rules: [{ packages: ["*"], dep_types: ["dev"], update_types: ["major"], enabled: false }] } }, source: "flag --x" }] });
    expect(config.dependency_steward.package_rules).toEqual([{ packages: ["*"], dep_types: ["dev"], update_types: ["major"], enabled: false }]);
  });

  test("the rules and the schedule are not settable from the environment", () => {
    expect(() => loadEffectiveConfig({ repoRoot: dir.path, env: { PUSHPALS_DEPENDENCY_STEWARD_SCHEDULE: "weekends" } })).toThrow(/env PUSHPALS_DEPENDENCY_STEWARD_SCHEDULE: dependency_steward\.schedule/);
    expect(loadEffectiveConfig({ repoRoot: dir.path, env: { PUSHPALS_DEPENDENCY_STEWARD_PACKAGE_RULES: "x" } }).config.dependency_steward.package_rules).toEqual([]);
  });
});

describe("packageNameMatcher", () => {
  test("* spans the scope's slash, ? is one character, everything else is literal and case does not count", () => {
    const all = packageNameMatcher(["*"]);
    expect(["react", "@types/node", "a.b"].every(all)).toBe(true);
    const types = packageNameMatcher(["@types/*"]);
    expect(types("@types/node")).toBe(true);
    expect(types("@typesx/node")).toBe(false);
    expect(types("types-node")).toBe(false);
    const eslint = packageNameMatcher(["*eslint*"]);
    expect(eslint("@typescript-eslint/parser")).toBe(true);
    expect(eslint("prettier")).toBe(false);
    const dot = packageNameMatcher(["lodash.get"]);
    expect(dot("lodash.get")).toBe(true);
    expect(dot("lodashxget")).toBe(false);
    expect(packageNameMatcher(["react-?om"])("React-Dom")).toBe(true);
    expect(packageNameMatcher([])("react")).toBe(false);
  });
});
