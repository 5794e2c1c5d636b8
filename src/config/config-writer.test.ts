import { describe, expect, test } from "bun:test";
import { parse } from "smol-toml";
import { renderAppendix, renderConfig, tomlValue } from "./config-writer.ts";
import { configFromProposal, missingItems, type ProposedConfig } from "./init-plan.ts";
import { parseConfigText, parseLayer } from "./load.ts";

const PATH = "/repo/.pushpals/config.toml";

function proposal(commands: ProposedConfig["checks"]["commands"]): ProposedConfig {
  return {
    repo: { base_branch: "main" },
    workers: { count: 2 },
    jobs: { lease_seconds: 30, max_attempts: 3 },
    checks: { timeout_seconds: 900, commands },
    install: { package_manager: "npm", allow_scripts: false },
  };
}

const NASTY = [
  { name: "quotes", run: `echo "hello" 'world' """triple"""` },
  { name: "backslashes", run: String.raw`grep -E '\d+\.\d+' C:\path\to\file \\server\share \"` },
  { name: "control", run: "printf 'a\tb\n'; echo \u0007 bell \u007f del" },
  { name: "unicode", run: "echo 'héllo wörld ✓ 𝄞'" },
  { name: "comment-like", run: "echo '# not a comment' # but this is shell" },
];

describe("tomlValue", () => {
  test("strings round-trip through TOML exactly, whatever they contain", () => {
    for (const { run } of NASTY) expect(parse(`v = ${tomlValue(run)}`).v).toBe(run);
  });

  test("a value is one line, so it cannot break out into new keys or tables", () => {
    expect(tomlValue('x"\n[server]\nhost = "0.0.0.0')).not.toContain("\n");
  });

  test("numbers and booleans are bare", () => {
    expect(tomlValue(30)).toBe("30");
    expect(tomlValue(false)).toBe("false");
  });
});

describe("renderConfig", () => {
  test("parses with parseConfigText into exactly the proposal, nasty commands included", () => {
    const proposed = proposal([{ name: "test", run: "npm test" }, ...NASTY]);
    expect(parseConfigText(renderConfig(proposed), PATH)).toEqual(configFromProposal(proposed));
  });

  test("starts with the header: committed, where local overrides go", () => {
    const text = renderConfig(proposal([]));
    const header = text.slice(0, text.indexOf("["));
    expect(header).toContain("committed and reviewed like code");
    expect(header).toContain("<git-common-dir>/pushpals/config.local.toml");
    expect(header).toContain("PUSHPALS_<SECTION>_<KEY>");
  });

  test("sections in order, every key with a one-line comment above it", () => {
    const lines = renderConfig(proposal([{ name: "test", run: "npm test" }])).split("\n");
    const headers = lines.filter((l) => /^\[[a-z]+\]$/.test(l));
    expect(headers).toEqual(["[repo]", "[workers]", "[jobs]", "[checks]", "[install]"]);
    for (const [i, line] of lines.entries()) {
      if (!/^[a-z_]+ = /.test(line) || /^(name|run) = /.test(line)) continue;
      expect(lines[i - 1]).toMatch(/^# \S/);
    }
  });

  test("no commands: a commented example, and commands parse as empty", () => {
    const proposed = proposal([]);
    const text = renderConfig(proposed);
    expect(text).toContain("# [[checks.commands]]");
    expect(text).not.toMatch(/^\[\[checks\.commands\]\]/m);
    expect(parseConfigText(text, PATH)).toEqual(configFromProposal(proposed));
  });

  test("a non-JS repository gets package_manager none", () => {
    const proposed = { ...proposal([{ name: "test", run: "cargo test" }]), install: { package_manager: "none" as const, allow_scripts: false } };
    expect(parseConfigText(renderConfig(proposed), PATH).install.package_manager).toBe("none");
  });
});

describe("renderAppendix", () => {
  const proposed = proposal([{ name: "lint", run: "npm run lint" }, ...NASTY]);

  test("nothing missing: nothing to append", () => {
    const full = renderConfig(proposed);
    expect(missingItems(parseLayer(full, PATH), proposed)).toEqual([]);
    expect(renderAppendix([], proposed, "2024-01-02")).toBe("");
  });

  test("appends missing commands after existing ones; the result parses and keeps the user's values", () => {
    const existing = '# mine\n[checks]\ntimeout_seconds = 60\n\n[[checks.commands]]\nname = "lint"\nrun = "eslint ."\n';
    const items = missingItems(parseLayer(existing, PATH), proposed);
    const appendix = renderAppendix(items, proposed, "2024-01-02");
    expect(appendix).toStartWith("\n# added by pushpals init on 2024-01-02\n");
    const config = parseConfigText(existing + appendix, PATH);
    expect(config.checks.timeout_seconds).toBe(60);
    expect(config.checks.commands).toEqual([{ name: "lint", run: "eslint ." }, ...NASTY]);
    expect(missingItems(parseLayer(existing + appendix, PATH), proposed).filter((i) => i.kind === "check")).toEqual([]);
  });

  test("appends whole missing sections, the checks section with its commands", () => {
    const existing = "[workers]\ncount = 5\n";
    const items = missingItems(parseLayer(existing, PATH), proposed);
    expect(items.filter((i) => i.kind === "section").map((i) => i.name)).toEqual(["repo", "jobs", "checks", "install"]);
    const combined = existing + renderAppendix(items, proposed, "2024-01-02");
    expect(parseConfigText(combined, PATH)).toEqual({ ...configFromProposal(proposed), workers: { count: 5 } });
    expect(missingItems(parseLayer(combined, PATH), proposed)).toEqual([]);
  });
});
