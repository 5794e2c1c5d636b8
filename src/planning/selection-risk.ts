import type { RiskTier } from "../core/risk-tier.ts";
import { globMatcher } from "../policy/policy-glob.ts";
import type { Policy } from "../policy/policy-schema.ts";
import { overlapping } from "../policy/glob-overlap.ts";
import { classifyScopeTargets, expandBraces, MAX_ALTERNATIVES, representatives } from "../policy/scope-targets.ts";
import { QUARANTINE_FILE } from "../test-quarantine/quarantine-path.ts";
import { CI_MEDIC_ROLE } from "../policy/policy-defaults.ts";

const OWN_FOLDER_NAME = ".pushpals";
const OWN_FOLDER = [`${OWN_FOLDER_NAME}/**`];
import type { Specialist, SpecialistPlugin } from "./specialist.ts";
import { rfcHint } from "./answer-item.ts";
import type { Escalation, WorkItem } from "./work-item.ts";

/** What classification at selection says of an item: its tier, why, and whether it must stop and ask. */
export interface SelectionVerdict {
  tier: RiskTier;
  /** Why the tier is what it is, one line per rule that fired. */
  reasons: string[];
  /** When the item must stop and ask instead of being dispatched. */
  escalate: { escalation: Escalation; question: string } | null;
}

/**
 * Classification at selection, through the policy at the base: the task's declared write scope and
 * risk, before anything runs. A scope that targets PushPals' own folder (its policy and config), or leaves the
 * specialist's role scope, conflicts with the principles (it never widens its own boundaries); a
 * high-risk one waits for the approved RFC it carries out. The diff is classified again on review (raise only).
 */
export function classifyAtSelection(item: WorkItem, scope: readonly string[], role: string, policy: Policy): SelectionVerdict {
  const classification = classifyScopeTargets(scope, item.risk ?? "low", policy);
  const reasons = classification.reasons.map((r) => r.message + (r.paths?.length ? `: ${r.paths.join(", ")}` : ""));
  const verdict = (escalate: SelectionVerdict["escalate"]): SelectionVerdict => ({ tier: classification.tier, reasons, escalate });
  const unjudged = scope.filter((glob) => expandBraces(glob) === null);
  if (unjudged.length > 0) {
    return verdict({
      escalation: "conflicts_principles",
      question: `Its write scope ${list(unjudged)} has more than ${MAX_ALTERNATIVES} brace alternatives, too many to judge what it targets: write it as fewer, plainer globs (pushpals answer ${item.id} "..." --scope "<glob>") or drop it?`,
    });
  }
  // The test quarantine, named exactly, is not a boundary the agent moves alone: it is Medium and a person approves its PR.
  // Only for the CI Medic's own role (its quarantine job): any other task's scope on it stops like the rest of `.pushpals/`.
  const ownFiles = scope.filter((glob) => expandBraces(glob)!.some((alternative) => (alternative !== QUARANTINE_FILE || role !== CI_MEDIC_ROLE) && namesOwnFolder(alternative)));
  if (ownFiles.length > 0) {
    return verdict({
      escalation: "conflicts_principles",
      question: `Its write scope ${list(ownFiles)} reaches PushPals' own policy or config, and the RemoteAgent never changes its own safety boundaries: narrow the scope (pushpals answer ${item.id} "..." --scope "<glob>") or drop it?`,
    });
  }
  const roleScope = Object.hasOwn(policy.roles, role) ? policy.roles[role]! : [];
  const inRole = globMatcher(roleScope);
  const outside = scope.filter((glob) => !representatives(glob)!.every(inRole));
  if (outside.length > 0) {
    return verdict({
      escalation: "conflicts_principles",
      question: `Its write scope ${list(outside)} is outside the ${role} role's scope (roles.${role} = ${list(roleScope)}): narrow the scope (pushpals answer ${item.id} "..." --scope "<glob>") or drop it?`,
    });
  }
  if (classification.tier === "high" && typeof item.detail.rfc !== "number") {
    return verdict({ escalation: "high_risk", question: `It is high risk (${reasons.join("; ")}), and high-risk code runs only after its approved RFC: ${rfcHint(item)}?` });
  }
  return verdict(null);
}

/**
 * A glob (one alternative of its braces) that names PushPals' own folder: one of its segments,
 * other than a bare `*` or `**`, matches `.pushpals`, and the glob can match under `.pushpals/`.
 * A broad scope (all files, or all TOML files anywhere) only could reach it, as any broad scope
 * could: the diff's review classifies what it did change.
 */
function namesOwnFolder(glob: string): boolean {
  const named = glob.split("/").some((segment) => segment !== "**" && segment !== "*" && globMatcher([segment])(OWN_FOLDER_NAME));
  return named && overlapping([glob], OWN_FOLDER).length > 0;
}

function list(globs: readonly string[]): string {
  return globs.map((g) => JSON.stringify(g)).join(", ") || "(none)";
}

/** Classification at selection as `pushpals plan` previews it: the item's task (if its recipe can make one) under `policy`. */
export function previewSelection(policy: Policy, plugins: readonly SpecialistPlugin[]): (item: WorkItem, specialist: Specialist) => SelectionVerdict | null {
  return (item, specialist) => {
    const plugin = plugins.find((p) => p.spec.id === specialist.id);
    if (!plugin) return null;
    try {
      return classifyAtSelection(item, plugin.task(item).constraints.scope, specialist.role, policy);
    } catch {
      return null;
    }
  };
}
