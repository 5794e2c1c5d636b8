import type * as TS from "typescript";
import { aliasesOf, assertionOf, declarationOf, firstParam, runtimeSkipOf, type Aliases, type Flag, type Flags, type Strength } from "./test-calls.ts";
import { lineOf, parseSource, truthiness, type Ts } from "./test-ts.ts";

export type Assertions = Record<Strength, number>;

/** A test, a suite (describe) or the file itself (the root of the tree). */
export interface TestEntry {
  kind: "test" | "suite" | "file";
  /** The entry's own title. */
  name: string;
  /** The titles from the outermost describe down, joined with " > ". */
  fullName: string;
  line: number;
  /** Flags the entry's own declaration or body sets; a test also inherits its suites' (see `effectiveFlags`). */
  own: Flags;
  parent: TestEntry | null;
  /** Reachable assertions in a test's body; null for suites and for a body passed by reference. */
  assertions: Assertions | null;
}

export interface TestFileSummary {
  file: TestEntry;
  suites: TestEntry[];
  tests: TestEntry[];
  /** Some test or suite is focused (`.only`, `fit`, `{ only: true }`): the others stop running. */
  hasOnly: boolean;
}

export type SummaryResult = { ok: true; summary: TestFileSummary } | { ok: false; reason: string };

interface Ctx {
  parent: TestEntry;
  test: TestEntry | null;
  /** The test function's first parameter (`t`, `ctx`), where runtime skips and `t.is()`-style assertions hang. */
  param: string | null;
  /** Under a condition that is not constant, since the nearest declaration. */
  conditional: boolean;
  /** Directly in the test function's body (no nested function in between): a return there ends the test. */
  testBody: boolean;
}

/** Parses a test file and lists its tests with their flags and assertions; a syntax error is reported, not thrown. */
export function summarizeTests(ts: Ts, path: string, text: string): SummaryResult {
  const parsed = parseSource(ts, path, text);
  if (!parsed.ok) return parsed;
  const file: TestEntry = { kind: "file", name: "", fullName: "", line: 1, own: new Map(), parent: null, assertions: null };
  const summary: TestFileSummary = { file, suites: [], tests: [], hasOnly: false };
  new Walker(ts, summary, assertionHelpers(ts, parsed.source), aliasesOf(ts, parsed.source)).visit(parsed.source, { parent: file, test: null, param: null, conditional: false, testBody: false });
  summary.hasOnly = [...summary.suites, ...summary.tests].some((e) => e.own.has("focused"));
  return { ok: true, summary };
}

/** The entry's own flags and those of every suite around it (the file's included). */
export function effectiveFlags(entry: TestEntry): Flags {
  const out: Flags = new Map();
  for (let e: TestEntry | null = entry; e; e = e.parent) for (const [flag, how] of e.own) if (!out.has(flag)) out.set(flag, how);
  return out;
}

/** Functions of the file whose body asserts: a call to one counts as an assertion. */
function assertionHelpers(ts: Ts, source: TS.SourceFile): Set<string> {
  const names = new Set<string>();
  const asserts = (body: TS.Node | undefined) => body !== undefined && /\b(?:expect|assert)\s*[.(]/.test(body.getText());
  for (const s of source.statements) {
    if (ts.isFunctionDeclaration(s) && s.name && asserts(s.body)) names.add(s.name.text);
    if (!ts.isVariableStatement(s)) continue;
    for (const d of s.declarationList.declarations) {
      const init = d.initializer;
      if (ts.isIdentifier(d.name) && init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) && asserts(init.body)) names.add(d.name.text);
    }
  }
  return names;
}

class Walker {
  constructor(
    private readonly ts: Ts,
    private readonly summary: TestFileSummary,
    private readonly helpers: ReadonlySet<string>,
    private readonly aliases: Aliases,
  ) {}

  visit(node: TS.Node, ctx: Ctx): void {
    const ts = this.ts;
    if (ts.isCallExpression(node) && this.call(node, ctx)) return;
    if (ts.isIfStatement(node)) return this.ifStatement(node, ctx);
    if (ts.isConditionalExpression(node)) return this.branches(node.condition, node.whenTrue, node.whenFalse, ctx);
    if (ts.isBlock(node) || ts.isSourceFile(node) || ts.isCaseClause(node) || ts.isDefaultClause(node)) return this.statements(node.statements, ctx);
    const inner = ts.isFunctionLike(node) ? { ...ctx, testBody: false } : ctx;
    ts.forEachChild(node, (child) => this.visit(child, inner));
  }

  /** Handles a declaration (and its body) entirely; otherwise records a runtime skip or an assertion and lets the walk go on. */
  private call(call: TS.CallExpression, ctx: Ctx): boolean {
    const ts = this.ts;
    const isCallee = (ts.isCallExpression(call.parent) && call.parent.expression === call) || (ts.isTaggedTemplateExpression(call.parent) && call.parent.tag === call);
    const declaration = isCallee ? null : declarationOf(ts, call, this.aliases);
    if (declaration) {
      this.declare(call, declaration, ctx);
      return true;
    }
    const skip = runtimeSkipOf(ts, call, ctx.param);
    if (skip) mark(ctx.test ?? ctx.parent, ctx.conditional ? "conditional" : skip.flag, skip.how);
    const strength = ctx.test?.assertions ? assertionOf(ts, call, ctx.param, this.helpers) : null;
    if (strength && ctx.test?.assertions) ctx.test.assertions[strength]++;
    return false;
  }

  private declare(call: TS.CallExpression, d: NonNullable<ReturnType<typeof declarationOf>>, ctx: Ctx): void {
    const fullName = ctx.parent.fullName ? `${ctx.parent.fullName} > ${d.name}` : d.name;
    const entry: TestEntry = { kind: d.kind, name: d.name, fullName, line: lineOf(call), own: d.flags, parent: ctx.parent, assertions: d.kind === "test" && !d.opaque ? { strong: 0, weak: 0, trivial: 0 } : null };
    if (ctx.conditional && !entry.own.has("conditional")) entry.own.set("conditional", "declared under a condition");
    (d.kind === "test" ? this.summary.tests : this.summary.suites).push(entry);
    for (const arg of call.arguments) if (arg !== d.callback) this.visit(arg, ctx);
    if (!d.callback) return;
    const inner: Ctx = {
      parent: d.kind === "suite" ? entry : ctx.parent,
      test: d.kind === "test" ? entry : ctx.test,
      param: d.kind === "test" ? firstParam(this.ts, d.callback) : ctx.param,
      conditional: false,
      testBody: d.kind === "test",
    };
    this.visit(d.callback.body, inner);
  }

  /** A constant condition walks only the branch that runs; any other walks both, as conditional. */
  private ifStatement(node: TS.IfStatement, ctx: Ctx): void {
    this.branches(node.expression, node.thenStatement, node.elseStatement, ctx);
  }

  private branches(condition: TS.Expression, whenTrue: TS.Node, whenFalse: TS.Node | undefined, ctx: Ctx): void {
    const value = truthiness(this.ts, condition);
    if (value === true) return this.visit(whenTrue, ctx);
    if (value === false) return whenFalse ? this.visit(whenFalse, ctx) : undefined;
    this.visit(condition, ctx);
    this.visit(whenTrue, { ...ctx, conditional: true });
    if (whenFalse) this.visit(whenFalse, { ...ctx, conditional: true });
  }

  /** Statements after one that always returns never run: they are not walked, and in a test body that is an early exit. */
  private statements(list: readonly TS.Statement[], ctx: Ctx): void {
    for (const [i, s] of list.entries()) {
      this.visit(s, ctx);
      if (!this.exits(s)) continue;
      const skipped = list.slice(i + 1).filter((rest) => !this.ts.isFunctionDeclaration(rest) && !this.ts.isEmptyStatement(rest));
      if (ctx.testBody && ctx.test && skipped.length > 0) mark(ctx.test, "early_exit", `${s.getText().replace(/\s+/g, " ").slice(0, 60)} before the rest of the test`);
      return;
    }
  }

  private exits(s: TS.Statement): boolean {
    const ts = this.ts;
    if (ts.isReturnStatement(s)) return true;
    if (ts.isBlock(s)) return s.statements.some((inner) => this.exits(inner));
    if (ts.isTryStatement(s)) return this.exits(s.tryBlock);
    if (!ts.isIfStatement(s)) return false;
    const value = truthiness(ts, s.expression);
    if (value === true) return this.exits(s.thenStatement);
    return value === false && s.elseStatement !== undefined && this.exits(s.elseStatement);
  }
}

function mark(entry: TestEntry, flag: Flag, how: string): void {
  if (!entry.own.has(flag)) entry.own.set(flag, how);
}
