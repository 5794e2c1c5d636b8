/**
 * Whether two globs (Bun.Glob syntax) can match a common path: each glob becomes a small automaton and
 * the pair is explored as a product. Where the automaton is simplified (`**` segments) it matches a
 * superset of what Bun.Glob matches, so an answer can be a false "yes", never a false "no": the safe
 * side for deciding whether a write scope can reach a protected path.
 */

type CharTest = { kind: "lit"; c: string } | { kind: "notSlash" } | { kind: "any" } | { kind: "class"; ranges: [number, number][]; negated: boolean };

interface NfaState {
  eps: number[];
  edges: { test: CharTest; to: number }[];
}

interface Nfa {
  states: NfaState[];
  accept: number;
}

const MAX_EXPANSIONS = 256;
// A path character that no literal or class in a policy is likely to name: stands for "some other character".
const OTHER = "\uE000";

export function globsOverlap(a: string, b: string): boolean {
  const left = expandBraces(a);
  const right = expandBraces(b);
  if (!left || !right) return true;
  const nfasB = right.map(compile);
  return left.map(compile).some((x) => nfasB.some((y) => intersects(x, y)));
}

/** The globs of `candidates` that some glob of `scope` can overlap. */
export function overlapping(scope: readonly string[], candidates: readonly string[]): string[] {
  return candidates.filter((c) => scope.some((s) => globsOverlap(s, c)));
}

/** `{a,b}` alternatives spelt out; null when there would be too many to check. */
export function expandBraces(glob: string): string[] | null {
  const open = findOpenBrace(glob);
  if (open < 0) return [glob];
  const { close, parts } = splitBrace(glob, open);
  if (close < 0) return [glob];
  const out: string[] = [];
  for (const part of parts) {
    const expanded = expandBraces(glob.slice(0, open) + part + glob.slice(close + 1));
    if (!expanded) return null;
    out.push(...expanded);
    if (out.length > MAX_EXPANSIONS) return null;
  }
  return out;
}

function findOpenBrace(glob: string): number {
  let inClass = false;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "\\") i++;
    else if (inClass) inClass = c !== "]";
    else if (c === "[") inClass = true;
    else if (c === "{") return i;
  }
  return -1;
}

function splitBrace(glob: string, open: number): { close: number; parts: string[] } {
  const parts: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open + 1; i < glob.length; i++) {
    const c = glob[i];
    if (c === "\\") i++;
    else if (c === "{") depth++;
    else if (c === "}" && depth > 0) depth--;
    else if (c === "," && depth === 0) {
      parts.push(glob.slice(start, i));
      start = i + 1;
    } else if (c === "}") {
      parts.push(glob.slice(start, i));
      return { close: i, parts };
    }
  }
  return { close: -1, parts };
}

function compile(glob: string): Nfa {
  const states: NfaState[] = [{ eps: [], edges: [] }];
  let cur = 0;
  const next = (): number => {
    states.push({ eps: [], edges: [] });
    return states.length - 1;
  };
  const step = (test: CharTest) => {
    const to = next();
    states[cur]!.edges.push({ test, to });
    cur = to;
  };
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    const segmentStart = i === 0 || glob[i - 1] === "/";
    if (c === "\\" && i + 1 < glob.length) {
      step({ kind: "lit", c: glob[++i]! });
    } else if (c === "*") {
      const globstar = glob[i + 1] === "*" && segmentStart && (i + 2 === glob.length || glob[i + 2] === "/");
      while (glob[i + 1] === "*") i++;
      const after = next();
      states[cur]!.eps.push(after);
      if (globstar && glob[i + 1] === "/") {
        // "**/": nothing, or anything ending in "/".
        const inner = next();
        states[cur]!.edges.push({ test: { kind: "any" }, to: inner });
        states[inner]!.edges.push({ test: { kind: "any" }, to: inner }, { test: { kind: "lit", c: "/" }, to: after });
        i++;
      } else {
        states[cur]!.edges.push({ test: { kind: globstar ? "any" : "notSlash" }, to: cur });
      }
      cur = after;
    } else if (c === "?") {
      step({ kind: "notSlash" });
    } else if (c === "[") {
      const parsed = parseClass(glob, i);
      if (!parsed) step({ kind: "lit", c });
      else {
        step(parsed.test);
        i = parsed.end;
      }
    } else {
      step({ kind: "lit", c });
    }
  }
  return { states, accept: cur };
}

function parseClass(glob: string, open: number): { test: CharTest; end: number } | null {
  let i = open + 1;
  const negated = glob[i] === "!" || glob[i] === "^";
  if (negated) i++;
  const ranges: [number, number][] = [];
  let first = true;
  for (; i < glob.length; i++) {
    let c = glob[i]!;
    if (c === "]" && !first) return { test: { kind: "class", ranges, negated }, end: i };
    first = false;
    if (c === "\\" && i + 1 < glob.length) c = glob[++i]!;
    const lo = c.codePointAt(0)!;
    if (glob[i + 1] === "-" && i + 2 < glob.length && glob[i + 2] !== "]") {
      let hi = glob[i + 2]!;
      i += 2;
      if (hi === "\\" && i + 1 < glob.length) hi = glob[++i]!;
      ranges.push([lo, hi.codePointAt(0)!]);
    } else {
      ranges.push([lo, lo]);
    }
  }
  return null;
}

function accepts(test: CharTest, c: string): boolean {
  switch (test.kind) {
    case "lit":
      return test.c === c;
    case "notSlash":
      return c !== "/";
    case "any":
      return true;
    case "class": {
      const code = c.codePointAt(0)!;
      const inside = test.ranges.some(([lo, hi]) => code >= lo && code <= hi);
      return inside !== test.negated;
    }
  }
}

function candidateChars(test: CharTest, into: Set<string>): void {
  if (test.kind === "lit") into.add(test.c);
  if (test.kind !== "class") return;
  for (const [lo, hi] of test.ranges) {
    for (const code of [lo - 1, lo, hi, hi + 1]) if (code >= 0) into.add(String.fromCodePoint(code));
  }
}

/** Some character both tests accept: a nonempty intersection always contains one of the candidates. */
function compatible(a: CharTest, b: CharTest): boolean {
  const chars = new Set(["/", OTHER]);
  candidateChars(a, chars);
  candidateChars(b, chars);
  for (const c of chars) if (accepts(a, c) && accepts(b, c)) return true;
  return false;
}

function closure(nfa: Nfa, start: number): number[] {
  const seen = new Set([start]);
  const stack = [start];
  while (stack.length > 0) {
    for (const to of nfa.states[stack.pop()!]!.eps) {
      if (seen.has(to)) continue;
      seen.add(to);
      stack.push(to);
    }
  }
  return [...seen];
}

function intersects(a: Nfa, b: Nfa): boolean {
  const seen = new Set<string>();
  const queue: [number, number][] = [];
  const visit = (x: number, y: number) => {
    for (const cx of closure(a, x)) {
      for (const cy of closure(b, y)) {
        const key = `${cx},${cy}`;
        if (seen.has(key)) continue;
        seen.add(key);
        queue.push([cx, cy]);
      }
    }
  };
  visit(0, 0);
  while (queue.length > 0) {
    const [x, y] = queue.shift()!;
    if (x === a.accept && y === b.accept) return true;
    for (const ea of a.states[x]!.edges) {
      for (const eb of b.states[y]!.edges) if (compatible(ea.test, eb.test)) visit(ea.to, eb.to);
    }
  }
  return false;
}
