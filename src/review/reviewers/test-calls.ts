import type * as TS from "typescript";
import { constantOf, textOf, truthiness, type Ts } from "./test-ts.ts";

/** Ways a test or suite stops checking what it did. */
export type Flag = "skipped" | "focused" | "todo" | "conditional" | "failing" | "early_exit";
/** Each flag with how the source spells it (".skip", "xit", "{ skip: true }"...). */
export type Flags = Map<Flag, string>;

export type Strength = "strong" | "weak" | "trivial";

export interface Declaration {
  kind: "test" | "suite";
  name: string;
  flags: Flags;
  /** The test's function, when it is written in place. */
  callback: TS.ArrowFunction | TS.FunctionExpression | null;
  /** The body is a function passed by reference: what it asserts is not known. */
  opaque: boolean;
}

const TEST_ROOTS = new Set(["test", "it", "specify", "bench", "xit", "xtest", "xspecify", "fit", "ftest"]);
const SUITE_ROOTS = new Set(["describe", "suite", "context", "xdescribe", "xcontext", "xsuite", "fdescribe"]);
const SKIPPED_ROOTS = new Set(["xit", "xtest", "xspecify", "xdescribe", "xcontext", "xsuite"]);
const FOCUSED_ROOTS = new Set(["fit", "ftest", "fdescribe"]);
// Chain links of bun:test, vitest, jest, mocha, node:test, ava and Playwright; any other link is not a test call.
const LINKS = new Set(["only", "skip", "todo", "each", "skipIf", "runIf", "if", "todoIf", "failing", "fails", "concurrent", "sequential", "serial", "describe", "parallel", "shuffle", "fixme", "extend"]);
// ava's and tap's `t.<assertion>` methods.
const CONTEXT_ASSERTIONS = new Set([
  "is", "not", "deepEqual", "notDeepEqual", "like", "true", "false", "truthy", "falsy", "throws", "throwsAsync", "notThrows", "notThrowsAsync",
  "regex", "notRegex", "snapshot", "assert", "pass", "fail", "equal", "notEqual", "ok", "notOk", "same", "notSame", "match", "notMatch",
  "strictEqual", "notStrictEqual", "deepStrictEqual", "error", "ifError", "rejects", "resolves", "resolveMatch",
]);
const WEAK = new Set(["toBeDefined", "toBeTruthy", "exist", "ok"]);
const WEAK_NEGATED = new Set(["toBeUndefined", "toBeNull", "toBeFalsy", "toBeNil"]);
const HELPER_NAME = /^(?:expect|assert)[A-Z_$]/;

interface Link {
  name: string;
  args: readonly TS.Expression[] | null;
}

interface Chain {
  root: string;
  links: Link[];
}

/** Names bound to a test function in the file: `const needsDb = test.skipIf(!db)`, `import { test as check }`. */
export type Aliases = ReadonlyMap<string, Chain>;

/** `test.only.each(table)` as root "test" and links only, each(table); null for anything else. */
function chainOf(ts: Ts, expr: TS.Expression): Chain | null {
  if (ts.isIdentifier(expr)) return { root: expr.text, links: [] };
  if (ts.isPropertyAccessExpression(expr)) {
    const inner = chainOf(ts, expr.expression);
    inner?.links.push({ name: expr.name.text, args: null });
    return inner;
  }
  const called = ts.isCallExpression(expr) ? expr : ts.isTaggedTemplateExpression(expr) ? expr : null;
  if (!called) return null;
  const inner = chainOf(ts, ts.isCallExpression(called) ? called.expression : called.tag);
  const last = inner?.links[inner.links.length - 1];
  if (!inner || !last || last.args) return null;
  last.args = ts.isCallExpression(called) ? called.arguments : [];
  return inner;
}

function testChain(ts: Ts, expr: TS.Expression, aliases: Aliases): (Chain & { kind: "test" | "suite" }) | null {
  const written = chainOf(ts, expr);
  const alias = written && aliases.get(written.root);
  const chain = alias && written ? { root: alias.root, links: [...alias.links, ...written.links] } : written;
  if (!chain || !chain.links.every((l) => LINKS.has(l.name))) return null;
  if (SUITE_ROOTS.has(chain.root) || (TEST_ROOTS.has(chain.root) && chain.links.some((l) => l.name === "describe"))) return { ...chain, kind: "suite" };
  return TEST_ROOTS.has(chain.root) ? { ...chain, kind: "test" } : null;
}

const isFunction = (ts: Ts, node: TS.Node): node is TS.ArrowFunction | TS.FunctionExpression => ts.isArrowFunction(node) || ts.isFunctionExpression(node);
const isLiteralTitle = (ts: Ts, node: TS.Node) => ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node);

/** A test or suite declaration (`it("name", fn)`, `describe.skip(...)`, `test.each(t)("n", fn)`...); null for any other call. */
export function declarationOf(ts: Ts, call: TS.CallExpression, aliases: Aliases): Declaration | null {
  const chain = testChain(ts, call.expression, aliases);
  const [title, ...rest] = call.arguments;
  if (!chain || !title) return null;
  const callback = [...rest].reverse().find((a) => isFunction(ts, a)) ?? null;
  // Without a body, only a literal title makes it a declaration: `test.skip(cond)` is Playwright's runtime skip.
  if (!callback && !isLiteralTitle(ts, title)) return null;
  const flags: Flags = new Map();
  if (SKIPPED_ROOTS.has(chain.root)) flags.set("skipped", `${chain.root}(...)`);
  if (FOCUSED_ROOTS.has(chain.root)) flags.set("focused", `${chain.root}(...)`);
  for (const link of chain.links) linkFlag(ts, link, flags);
  for (const arg of rest) if (ts.isObjectLiteralExpression(arg)) optionFlags(ts, arg, flags);
  const last = rest[rest.length - 1];
  const opaque = !callback && last !== undefined && !ts.isObjectLiteralExpression(last);
  if (chain.kind === "test" && !callback && !opaque && !flags.has("todo") && !flags.has("skipped")) flags.set("todo", "a test without a body (pending)");
  return { kind: chain.kind, name: titleOf(ts, title), flags, callback, opaque };
}

/** Top-level names for a test function: variables set to a test chain and renamed imports of one. */
export function aliasesOf(ts: Ts, source: TS.SourceFile): Aliases {
  const out = new Map<string, Chain>();
  for (const s of source.statements) {
    const bindings = ts.isImportDeclaration(s) ? s.importClause?.namedBindings : undefined;
    for (const spec of bindings && ts.isNamedImports(bindings) ? bindings.elements : []) {
      const imported = spec.propertyName?.text;
      if (imported && (TEST_ROOTS.has(imported) || SUITE_ROOTS.has(imported))) out.set(spec.name.text, { root: imported, links: [] });
    }
    if (!ts.isVariableStatement(s)) continue;
    for (const d of s.declarationList.declarations) {
      const chain = d.initializer && ts.isIdentifier(d.name) ? testChain(ts, d.initializer, out) : null;
      if (chain && ts.isIdentifier(d.name)) out.set(d.name.text, { root: chain.root, links: chain.links });
    }
  }
  return out;
}

function titleOf(ts: Ts, node: TS.Expression): string {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  return textOf(node);
}

function linkFlag(ts: Ts, link: Link, flags: Flags): void {
  const how = `.${link.name}${link.args ? `(${link.args.map(textOf).join(", ")})` : ""}`;
  const cond = truthiness(ts, link.args?.[0]);
  switch (link.name) {
    case "skip":
    case "fixme":
      flags.set("skipped", how);
      return;
    case "only":
      flags.set("focused", how);
      return;
    case "todo":
      flags.set("todo", how);
      return;
    case "failing":
    case "fails":
      flags.set("failing", how);
      return;
    case "skipIf":
      if (cond !== false) flags.set(cond ? "skipped" : "conditional", how);
      return;
    case "if":
    case "runIf":
      if (cond !== true) flags.set(cond === false ? "skipped" : "conditional", how);
      return;
    case "todoIf":
      if (cond !== false) flags.set(cond ? "todo" : "conditional", how);
  }
}

/** node:test's `test(name, { skip: true }, fn)`, `{ todo }` and `{ only }`. */
function optionFlags(ts: Ts, options: TS.ObjectLiteralExpression, flags: Flags): void {
  const FLAG_OF: Record<string, Flag> = { skip: "skipped", todo: "todo", only: "focused" };
  for (const p of options.properties) {
    const name = p.name && ts.isIdentifier(p.name) ? p.name.text : null;
    const flag = name ? FLAG_OF[name] : undefined;
    if (!name || !flag) continue;
    const value = ts.isPropertyAssignment(p) ? truthiness(ts, p.initializer) : null;
    if (value === false) continue;
    flags.set(value ? flag : "conditional", `{ ${textOf(p)} }`);
  }
}

/**
 * A skip made while the tests run: mocha's `this.skip()`, node:test's `t.skip()` and vitest's
 * `ctx.skip()` (on the test function's first parameter), Playwright's `test.skip(cond)` and
 * `test.fixme()`, jasmine's `pending()`.
 */
export function runtimeSkipOf(ts: Ts, call: TS.CallExpression, param: string | null): { flag: Flag; how: string } | null {
  const flag = runtimeSkipFlag(ts, call, param);
  return flag ? { flag, how: `${textOf(call.expression)}(${call.arguments.map(textOf).join(", ")})` } : null;
}

function runtimeSkipFlag(ts: Ts, call: TS.CallExpression, param: string | null): Flag | null {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return callee.text === "pending" ? "skipped" : null;
  if (!ts.isPropertyAccessExpression(callee)) return null;
  const method = callee.name.text;
  const target = callee.expression;
  if (target.kind === ts.SyntaxKind.ThisKeyword) return method === "skip" ? "skipped" : null;
  const onParam = param !== null && ts.isIdentifier(target) && target.text === param;
  if (onParam && method === "todo") return "todo";
  const onRunner = ts.isIdentifier(target) && TEST_ROOTS.has(target.text) && (method === "skip" || method === "fixme");
  if (!(onParam && method === "skip") && !onRunner) return null;
  const [first] = call.arguments;
  if (!first || ts.isStringLiteral(first)) return "skipped";
  const value = isFunction(ts, first) ? null : truthiness(ts, first);
  if (value === false) return null;
  return value ? "skipped" : "conditional";
}

/** How much a call checks, if it is an assertion: `expect(...)` chains, `assert*`, `t.is(...)`-style, or a local assertion helper. */
export function assertionOf(ts: Ts, call: TS.CallExpression, param: string | null, helpers: ReadonlySet<string>): Strength | null {
  const callee = call.expression;
  if (isExpectCallee(ts, callee)) return expectStrength(ts, call);
  if (ts.isIdentifier(callee)) {
    if (callee.text === "assert") return argsStrength(ts, call.arguments);
    return helpers.has(callee.text) || HELPER_NAME.test(callee.text) ? "strong" : null;
  }
  const chain = chainOf(ts, callee);
  const method = chain?.links[chain.links.length - 1]?.name;
  if (!chain || !method) return null;
  const onParam = chain.root === param && (CONTEXT_ASSERTIONS.has(chain.links[0]?.name ?? "") || chain.links[0]?.name === "assert");
  if (chain.root !== "assert" && !onParam) return null;
  if (method === "fail") return "strong";
  if (method === "pass") return "trivial";
  return argsStrength(ts, call.arguments);
}

function isExpectCallee(ts: Ts, callee: TS.Expression): boolean {
  if (ts.isIdentifier(callee)) return callee.text === "expect" || callee.text === "expectTypeOf";
  return ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === "expect" && (callee.name.text === "soft" || callee.name.text === "poll");
}

/** All-literal arguments (`assert(true)`, `assert.equal(1, 1)`) or the same expression on both sides check nothing. */
function argsStrength(ts: Ts, args: readonly TS.Expression[]): Strength {
  if (args.length > 0 && args.every((a) => constantOf(ts, a))) return "trivial";
  if (args.length >= 2 && textOf(args[0]!) === textOf(args[1]!)) return "trivial";
  return "strong";
}

/** `expect(subject)` followed by a matcher: `.toBe(x)`, `.not.toBeNull()`, `.resolves.toEqual(y)`, chai's `.to.be.true`. */
function expectStrength(ts: Ts, call: TS.CallExpression): Strength | null {
  let node: TS.Node = call;
  let negated = false;
  let matcher: string | null = null;
  let expected: readonly TS.Expression[] = [];
  while (ts.isPropertyAccessExpression(node.parent) && node.parent.expression === node) {
    const name = node.parent.name.text;
    node = node.parent;
    if (name === "not") negated = !negated;
    if (name === "not" || name === "resolves" || name === "rejects") continue;
    matcher = name;
    if (ts.isCallExpression(node.parent) && node.parent.expression === node) {
      expected = node.parent.arguments;
      break;
    }
  }
  if (matcher === null) return null;
  const subject = call.arguments[0];
  if (!subject || (constantOf(ts, subject) && expected.every((e) => constantOf(ts, e)))) return "trivial";
  if (expected[0] && textOf(subject) === textOf(expected[0])) return "trivial";
  return (negated ? WEAK_NEGATED : WEAK).has(matcher) ? "weak" : "strong";
}

/** The name of a function's first parameter, when it is a plain identifier (`t`, `ctx`). */
export function firstParam(ts: Ts, fn: TS.ArrowFunction | TS.FunctionExpression): string | null {
  const p = fn.parameters[0];
  return p && ts.isIdentifier(p.name) ? p.name.text : null;
}
