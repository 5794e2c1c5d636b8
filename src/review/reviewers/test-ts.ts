import type * as TS from "typescript";

export type Ts = typeof TS;

const JS_LIKE = /\.(?:[cm]?[jt]s|[jt]sx)$/i;

let loading: Promise<Ts> | null = null;

/** The TypeScript compiler API, imported on first use (about 0.4 s) and cached; a failed import is retried next time. */
export function loadTypeScript(): Promise<Ts> {
  loading ??= import("typescript").then(
    (mod) => ((mod as { default?: Ts }).default ?? mod) as Ts,
    (err: unknown) => {
      loading = null;
      throw err;
    },
  );
  return loading;
}

/** Files the TS parser reads: .ts .tsx .js .jsx .mjs .cjs .mts .cts. */
export function isJsLike(path: string): boolean {
  return JS_LIKE.test(path);
}

export type Parsed = { ok: true; source: TS.SourceFile } | { ok: false; reason: string };

/** Parses one file with parent pointers set; a syntax error is reported, not thrown. */
export function parseSource(ts: Ts, path: string, text: string): Parsed {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, scriptKind(ts, path));
  // parseDiagnostics is not in the public typings, but it is how createSourceFile reports syntax errors.
  const diagnostics = (source as unknown as { parseDiagnostics?: readonly TS.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  const first = diagnostics[0];
  if (!first) return { ok: true, source };
  const line = source.getLineAndCharacterOfPosition(first.start).line + 1;
  return { ok: false, reason: `line ${line}: ${ts.flattenDiagnosticMessageText(first.messageText, " ")}` };
}

function scriptKind(ts: Ts, path: string): TS.ScriptKind {
  const ext = path.toLowerCase().replace(/^.*\./, "");
  if (ext === "tsx") return ts.ScriptKind.TSX;
  if (ext === "jsx") return ts.ScriptKind.JSX;
  if (ext === "ts" || ext === "mts" || ext === "cts") return ts.ScriptKind.TS;
  return ts.ScriptKind.JS;
}

export function lineOf(node: TS.Node): number {
  const source = node.getSourceFile();
  return source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
}

/** Source text with whitespace collapsed, to compare expressions written alike. */
export function textOf(node: TS.Node): string {
  return node.getText().replace(/\s+/g, " ");
}

export type Constant = { value: unknown } | null;

/** The value of an expression made only of literals (`true`, `1`, `!0`, `[1, "a"]`, `1 === 1`...); null otherwise. */
export function constantOf(ts: Ts, node: TS.Node): Constant {
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isNonNullExpression(node) || ts.isTypeAssertionExpression(node)) {
    return constantOf(ts, node.expression);
  }
  if (node.kind === ts.SyntaxKind.TrueKeyword) return { value: true };
  if (node.kind === ts.SyntaxKind.FalseKeyword) return { value: false };
  if (node.kind === ts.SyntaxKind.NullKeyword) return { value: null };
  if (ts.isNumericLiteral(node)) return { value: Number(node.text) };
  if (ts.isBigIntLiteral(node)) return { value: node.text };
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return { value: node.text };
  if (ts.isRegularExpressionLiteral(node)) return { value: node.text };
  if (ts.isIdentifier(node)) return identifierConstant(node.text);
  if (ts.isVoidExpression(node)) return { value: undefined };
  if (ts.isPrefixUnaryExpression(node)) return prefixConstant(ts, node);
  if (ts.isBinaryExpression(node)) return binaryConstant(ts, node);
  if (ts.isArrayLiteralExpression(node)) return listConstant(ts, node.elements);
  if (ts.isObjectLiteralExpression(node)) return objectConstant(ts, node);
  return null;
}

/** Whether the expression is a constant that is truthy (true), falsy (false), or not a constant (null). */
export function truthiness(ts: Ts, node: TS.Node | undefined): boolean | null {
  if (!node) return null;
  const c = constantOf(ts, node);
  return c ? Boolean(c.value) : null;
}

function identifierConstant(name: string): Constant {
  if (name === "undefined") return { value: undefined };
  if (name === "NaN") return { value: Number.NaN };
  if (name === "Infinity") return { value: Number.POSITIVE_INFINITY };
  return null;
}

function prefixConstant(ts: Ts, node: TS.PrefixUnaryExpression): Constant {
  const inner = constantOf(ts, node.operand);
  if (!inner) return null;
  const v = inner.value as number;
  switch (node.operator) {
    case ts.SyntaxKind.ExclamationToken:
      return { value: !inner.value };
    case ts.SyntaxKind.MinusToken:
      return { value: -v };
    case ts.SyntaxKind.PlusToken:
      return { value: +v };
    case ts.SyntaxKind.TildeToken:
      return { value: ~v };
    default:
      return null;
  }
}

function binaryConstant(ts: Ts, node: TS.BinaryExpression): Constant {
  const left = constantOf(ts, node.left);
  const right = constantOf(ts, node.right);
  const k = ts.SyntaxKind;
  const op = node.operatorToken.kind;
  // `true || anything` and `false && anything` are constant whatever the right side is.
  if (left && op === k.BarBarToken && left.value) return left;
  if (left && op === k.AmpersandAmpersandToken && !left.value) return left;
  if (!left || !right) return null;
  const [a, b] = [left.value as number, right.value as number];
  const ops: Partial<Record<TS.SyntaxKind, () => unknown>> = {
    [k.BarBarToken]: () => a || b,
    [k.AmpersandAmpersandToken]: () => a && b,
    [k.QuestionQuestionToken]: () => a ?? b,
    [k.EqualsEqualsEqualsToken]: () => a === b,
    [k.ExclamationEqualsEqualsToken]: () => a !== b,
    [k.EqualsEqualsToken]: () => a == b,
    [k.ExclamationEqualsToken]: () => a != b,
    [k.LessThanToken]: () => a < b,
    [k.GreaterThanToken]: () => a > b,
    [k.LessThanEqualsToken]: () => a <= b,
    [k.GreaterThanEqualsToken]: () => a >= b,
    [k.PlusToken]: () => a + b,
    [k.MinusToken]: () => a - b,
  };
  const apply = ops[op];
  return apply ? { value: apply() } : null;
}

function listConstant(ts: Ts, elements: readonly TS.Node[]): Constant {
  const values: unknown[] = [];
  for (const e of elements) {
    const c = constantOf(ts, e);
    if (!c) return null;
    values.push(c.value);
  }
  return { value: values };
}

function objectConstant(ts: Ts, node: TS.ObjectLiteralExpression): Constant {
  const out: Record<string, unknown> = {};
  for (const p of node.properties) {
    if (!ts.isPropertyAssignment(p)) return null;
    const key = propertyName(ts, p.name);
    const c = constantOf(ts, p.initializer);
    if (key === null || !c) return null;
    out[key] = c.value;
  }
  return { value: out };
}

/** The name of a property written as an identifier, a string or a number; null when computed. */
export function propertyName(ts: Ts, name: TS.PropertyName): string | null {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  return null;
}
