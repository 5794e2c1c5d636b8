import { CONFIG_RELATIVE_PATH } from "./load.ts";
import type { PushpalsConfig } from "./schema.ts";
import { tierRank } from "../core/risk-tier.ts";
import { POLICY_RELATIVE_PATH } from "../policy/load-policy.ts";
import { DEFAULT_POLICY, SPECIALIST_ROLES } from "../policy/policy-defaults.ts";
import { UPDATE_TYPES, type Policy } from "../policy/policy-schema.ts";
import type { SecurityFinding } from "../security/security-finding.ts";

/**
 * The settings committed at one commit that move a boundary PushPals keeps by default: pure, over the
 * parsed `.pushpals/config.toml` and `.pushpals/policy.toml` (the defaults where the commit has none).
 * Only knobs the schemas have; each finding names the setting, what it weakens and how to put it back.
 */
export function auditSettings(config: PushpalsConfig, policy: Policy): SecurityFinding[] {
  return [...configFindings(config), ...policyFindings(policy)];
}

type Draft = Omit<SecurityFinding, "check" | "file" | "line">;
const CONFIG = CONFIG_RELATIVE_PATH.split("\\").join("/");
const POLICY = POLICY_RELATIVE_PATH.split("\\").join("/");
const at = (file: string) => (d: Draft): SecurityFinding => ({ check: "settings", file, line: null, ...d });
const list = (items: readonly string[], max = 8) => `${items.slice(0, max).map((i) => JSON.stringify(i)).join(", ")}${items.length > max ? `, and ${items.length - max} more` : ""}`;

function configFindings(config: PushpalsConfig): SecurityFinding[] {
  const out: Draft[] = [];
  const { sandbox, install, models, server } = config;
  if (sandbox.mode === "off") {
    out.push({
      rule: "sandbox.mode",
      severity: "high",
      message: 'sandbox.mode = "off": every job command (checks, codemods, installs, a model\'s agent) runs unconfined, with the user\'s files, credentials and network',
      fixHint: 'set sandbox.mode = "bwrap" (install bubblewrap; pushpals doctor says whether it works here, PP011)',
    });
  }
  if (sandbox.network.length > 0) {
    out.push({
      rule: "sandbox.network",
      severity: "medium",
      message: `sandbox.network = [${list(sandbox.network)}]: those kinds' commands get the network, so a command can send out the code and whatever it reads`,
      fixHint: "remove the kinds from sandbox.network (dependency installs reach the registry without it: sandbox.install_network), or propose it as an RFC if a check truly needs it",
    });
  }
  if (install.allow_scripts) {
    out.push({
      rule: "install.allow_scripts",
      severity: "medium",
      message: "install.allow_scripts = true: every dependency's lifecycle scripts (postinstall...) run at install, code from the registry run on each checkout",
      fixHint: "set install.allow_scripts = false and build what a script built in a check instead",
    });
  }
  if (models.allow_insecure_http) {
    const plain = models.base_url !== null && models.base_url.startsWith("http:");
    out.push({
      rule: "models.allow_insecure_http",
      severity: plain ? "medium" : "low",
      message: `models.allow_insecure_http = true${plain ? `: the model key and the code go unencrypted to ${hostOf(models.base_url!)}` : ": plain http to a host other than loopback would be accepted for the model endpoint (the key and the code unencrypted)"}`,
      fixHint: "use an https base_url (or a model server on loopback) and set models.allow_insecure_http = false",
    });
  }
  if (server.people_group !== null) {
    out.push({
      rule: "server.people_group",
      severity: "info",
      message: `server.people_group = ${JSON.stringify(server.people_group)}: the group's members may approve, reject and ask for merges through the people's socket`,
      fixHint: "keep that group to the people who review PushPals' PRs (or set it to null)",
    });
  }
  return out.map(at(CONFIG));
}

function policyFindings(policy: Policy): SecurityFinding[] {
  const out: Draft[] = [];
  const defaults = DEFAULT_POLICY;
  if (!policy.high.require_rfc) {
    out.push({
      rule: "high.require_rfc",
      severity: "medium",
      message: "high.require_rfc = false: high-risk work (protected paths, new dependencies, auth, CI) starts without an approved RFC",
      fixHint: "set high.require_rfc = true; a change of this boundary is itself an RFC (pushpals ask --rfc)",
    });
  }
  if (policy.low.auto_merge) {
    const wider = policy.low.max_files > defaults.medium.max_files || policy.low.max_lines > defaults.medium.max_lines;
    out.push({
      rule: "low.auto_merge",
      severity: wider ? "medium" : "low",
      message: `low.auto_merge = true: Low PRs merge with no person involved${wider ? `, and Low reaches ${policy.low.max_files} files / ${policy.low.max_lines} lines, more than the defaults allow even a Medium change (${defaults.medium.max_files} / ${defaults.medium.max_lines})` : ""}`,
      fixHint: wider ? `lower low.max_files and low.max_lines (defaults ${defaults.low.max_files} / ${defaults.low.max_lines}) or set low.auto_merge = false` : "keep it only if every Low PR may merge unseen; low.auto_merge = false puts a person back",
    });
  }
  for (const type of UPDATE_TYPES) {
    const tier = policy.dependencies.tiers[type];
    const floor = defaults.dependencies.tiers[type];
    if (tierRank(tier) >= tierRank(floor)) continue;
    const unseen = tier === "low" && policy.low.auto_merge;
    out.push({
      rule: `dependencies.tiers.${type}`,
      severity: unseen ? "medium" : "low",
      message: `dependencies.tiers.${type} = "${tier}" (default "${floor}"): a ${type === "added" ? "new dependency" : `${type} dependency change`} needs less review${unseen ? ", and with low.auto_merge it merges with no person involved" : ""}`,
      fixHint: `set dependencies.tiers.${type} = "${floor}"`,
    });
  }
  if (policy.dependencies.min_release_age_days < defaults.dependencies.min_release_age_days) {
    out.push({
      rule: "dependencies.min_release_age_days",
      severity: "low",
      message: `dependencies.min_release_age_days = ${policy.dependencies.min_release_age_days} (default ${defaults.dependencies.min_release_age_days}): a version published minutes ago (a hijacked release) is taken like any other`,
      fixHint: `set dependencies.min_release_age_days = ${defaults.dependencies.min_release_age_days} or more`,
    });
  }
  const unprotected = defaults.paths.protected.filter((g) => !policy.paths.protected.includes(g));
  if (unprotected.length > 0) {
    out.push({
      rule: "paths.protected",
      severity: "medium",
      message: `paths.protected leaves out ${unprotected.length} of the default protected paths (${list(unprotected)}): a change to them (CI, hooks, auth, build and registry config) is no longer High`,
      fixHint: "keep the default protected paths and add your own to them",
    });
  }
  const unlocked = defaults.paths.lockfiles.filter((g) => !policy.paths.lockfiles.includes(g));
  if (unlocked.length > 0) {
    out.push({
      rule: "paths.lockfiles",
      severity: "low",
      message: `paths.lockfiles leaves out ${list(unlocked)}: a change to those lockfiles alone is not judged as one (a redirected source could pass as Low)`,
      fixHint: "keep the default lockfile globs",
    });
  }
  for (const role of SPECIALIST_ROLES) {
    const extra = (policy.roles[role] ?? []).filter((g) => !(defaults.roles[role] ?? []).includes(g));
    if (extra.length === 0) continue;
    out.push({
      rule: `roles.${role}`,
      severity: "medium",
      message: `roles.${role} adds ${list(extra)}: the rules trust this role with what it alone may change (lockfiles, the quarantine), and now it may write there too`,
      fixHint: `keep roles.${role} to its default scope; give other work its own role`,
    });
  }
  if (policy.network.kinds.length > 0) {
    out.push({
      rule: "network.kinds",
      severity: "medium",
      message: `network.kinds = [${list(policy.network.kinds)}]: a change that gives those kinds' commands the network is not High, so it needs no RFC`,
      fixHint: "set network.kinds = [] so that granting the network is always High",
    });
  }
  return out.map(at(POLICY));
}

/** A finding when the committed file does not parse: nothing at that commit can be judged by it, and every process refuses it. */
export function unreadableSettings(file: "config" | "policy", why: string): SecurityFinding {
  const path = file === "config" ? CONFIG : POLICY;
  return { check: "settings", rule: `${file}_invalid`, severity: "low", file: path, line: null, message: `${path} does not parse, so its settings cannot be audited: ${why}`.slice(0, 2000), fixHint: `fix ${path} (pushpals ${file === "config" ? "config" : "policy check"} says what is wrong)` };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "the model endpoint";
  }
}

