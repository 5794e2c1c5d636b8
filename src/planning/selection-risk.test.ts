import { expect, test } from "bun:test";
import { DEFAULT_POLICY } from "../policy/policy-defaults.ts";
import { fixtureItem } from "./item-fixture.ts";
import { classifyAtSelection } from "./selection-risk.ts";

const policy = { ...DEFAULT_POLICY, roles: { ...DEFAULT_POLICY.roles, docs_writer: ["docs/**"] } };

test("an ordinary scope goes ahead at its classified tier", () => {
  const verdict = classifyAtSelection(fixtureItem({ scope: ["src/**"] }), ["src/**"], "codemod", policy);
  expect(verdict).toEqual({ tier: "low", reasons: [], escalate: null });
  expect(classifyAtSelection(fixtureItem({ risk: "medium" }), ["src/**"], "codemod", policy)).toMatchObject({ tier: "medium", escalate: null });
});

test("a scope targeting a protected path, or declared high, waits for its approved RFC; named, it goes ahead at high", () => {
  const item = fixtureItem({ scope: ["src/auth/**"] });
  const verdict = classifyAtSelection(item, item.scope, "codemod", policy);
  expect(verdict.tier).toBe("high");
  expect(verdict.escalate?.escalation).toBe("high_risk");
  expect(verdict.escalate?.question).toContain("record it as a High directive (pushpals ask --risk high");
  const directive = fixtureItem({ source: "directive", scope: ["src/auth/**"], detail: { job: "job_00000001" } });
  expect(classifyAtSelection(directive, directive.scope, "codemod", policy).escalate?.question).toContain(`pushpals answer ${directive.id} "..." --rfc <that PR>`);
  expect(verdict.escalate?.question).toContain("src/auth/**");
  expect(classifyAtSelection(fixtureItem({ risk: "high" }), ["src/**"], "codemod", policy).escalate?.escalation).toBe("high_risk");
  const approved = fixtureItem({ scope: ["src/auth/**"], detail: { rfc: 7 } });
  expect(classifyAtSelection(approved, approved.scope, "codemod", policy)).toMatchObject({ tier: "high", escalate: null });
});

test("a scope reaching PushPals' own policy or config, or leaving the role's scope, conflicts with the principles, approved or not", () => {
  const own = fixtureItem({ detail: { rfc: 7 } });
  expect(classifyAtSelection(own, [".pushpals/**"], "codemod", policy).escalate).toMatchObject({ escalation: "conflicts_principles" });
  expect(classifyAtSelection(own, [".pushpals/policy.toml"], "codemod", policy).escalate?.question).toContain("never changes its own safety boundaries");
  const outside = classifyAtSelection(own, ["docs/**", "src/**"], "docs_writer", policy);
  expect(outside.escalate).toMatchObject({ escalation: "conflicts_principles" });
  expect(outside.escalate?.question).toContain('"src/**" is outside the docs_writer role\'s scope');
  expect(classifyAtSelection(own, ["src/**"], "no_such_role", policy).escalate?.escalation).toBe("conflicts_principles");
  // However the glob spells it: braces in any order, an escape, a character class, a wildcard in the name.
  for (const sneaky of ["{src,.pushpals}/**", "{.pushpals,src}/**", "\\.pushpals/**", ".pushpal[s]/**", ".*/**", "?pushpals/*", "**/.pushpals/**", "**/.pushpals/policy.toml"]) {
    expect({ sneaky, escalation: classifyAtSelection(own, [sneaky], "codemod", policy).escalate?.escalation }).toEqual({ sneaky, escalation: "conflicts_principles" });
  }
  // A broad scope only could reach it: the review of the diff judges what it did.
  for (const broad of ["**", "*/**", "**/*.toml"]) expect(classifyAtSelection(own, [broad], "codemod", policy).escalate).toBeNull();
  // Too many alternatives to judge is refused, and costs no more than judging 64.
  const many = `{${Array.from({ length: 64 }, (_, i) => `d${i}`).join(",")},.pushpals}/**`;
  expect(classifyAtSelection(own, [many], "codemod", policy).escalate?.question).toContain("more than 64 brace alternatives");
  const t0 = performance.now();
  expect(classifyAtSelection(own, [`src/${"{a,b}".repeat(20)}`], "codemod", policy).escalate?.escalation).toBe("conflicts_principles");
  expect(performance.now() - t0).toBeLessThan(500);
  // Every alternative of a brace must be in the role's scope.
  expect(classifyAtSelection(own, ["{docs,src}/**"], "docs_writer", policy).escalate?.escalation).toBe("conflicts_principles");
  expect(classifyAtSelection(own, ["docs/{a,b}.md"], "docs_writer", policy).escalate).toBeNull();
});

test("the test quarantine, named exactly, is dispatched at Medium in the CI Medic's role; anything more of .pushpals/ still stops", () => {
  const item = fixtureItem({});
  expect(classifyAtSelection(item, [".pushpals/quarantine.toml"], "ci_medic", DEFAULT_POLICY)).toMatchObject({ tier: "medium", escalate: null });
  expect(classifyAtSelection(item, [".pushpals/quarantine.toml"], "docs_writer", policy).escalate?.escalation).toBe("conflicts_principles");
  // Any other role's task naming it stops as any scope on .pushpals/ does (a codemod's scope is everything).
  expect(classifyAtSelection(item, [".pushpals/quarantine.toml", "docs/**"], "codemod", DEFAULT_POLICY).escalate?.question).toContain("reaches PushPals' own policy or config");
  for (const wider of [".pushpals/*.toml", "{.pushpals/quarantine.toml,.pushpals/config.toml}", ".pushpals/quarantine.tom?"]) {
    expect({ wider, escalation: classifyAtSelection(item, [wider], "ci_medic", DEFAULT_POLICY).escalate?.escalation }).toEqual({ wider, escalation: "conflicts_principles" });
  }
  expect(classifyAtSelection(item, ["src/**"], "ci_medic", DEFAULT_POLICY).escalate?.question).toContain("outside the ci_medic role's scope");
});
