/**
 * A line-level diff (Myers' O(ND) greedy algorithm) as hunks against the old side: `[start, end)` old
 * lines become `lines`. `start === end` is a pure insertion before old line `start`. Hunks are sorted and
 * never touch: between two of them there is at least one unchanged line.
 *
 * The common head and tail are trimmed first, so an insertion near the top of a long file costs almost
 * nothing. Memory grows with the square of the edit distance, so it is capped: past `maxEdits` inserted
 * plus deleted lines the answer is null.
 */
export type Hunk = { start: number; end: number; lines: string[] };

export const DEFAULT_MAX_EDITS = 2000;

export function diffLines(before: readonly string[], after: readonly string[], maxEdits = DEFAULT_MAX_EDITS): Hunk[] | null {
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head++;
  let tail = 0;
  while (tail < before.length - head && tail < after.length - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;

  const ids = new Map<string, number>();
  const intern = (line: string) => {
    let id = ids.get(line);
    if (id === undefined) ids.set(line, (id = ids.size));
    return id;
  };
  const a = Int32Array.from(before.slice(head, before.length - tail), intern);
  const b = Int32Array.from(after.slice(head, after.length - tail), intern);

  const ops = myers(a, b, maxEdits);
  if (ops === null) return null;

  const hunks: Hunk[] = [];
  let i = 0;
  let j = 0;
  let open: Hunk | null = null;
  for (const op of ops) {
    if (op === KEEP) {
      if (open) hunks.push(open);
      open = null;
      i++;
      j++;
      continue;
    }
    open ??= { start: head + i, end: head + i, lines: [] };
    if (op === DELETE) open.end = head + ++i;
    else open.lines.push(after[head + j++]!);
  }
  if (open) hunks.push(open);
  return hunks;
}

const KEEP = 0;
const DELETE = 1;
const INSERT = 2;
type Op = typeof KEEP | typeof DELETE | typeof INSERT;

/** The edit script from a to b, in order, or null when it is longer than maxEdits. */
function myers(a: Int32Array, b: Int32Array, maxEdits: number): Op[] | null {
  const n = a.length;
  const m = b.length;
  const limit = Math.min(maxEdits, n + m);
  if (Math.abs(n - m) > limit) return null;
  const offset = limit + 1;
  // v[offset + k]: the furthest x reached on diagonal k (k = x - y).
  const v = new Int32Array(2 * limit + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= limit && found === -1; d++) {
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!);
      let x = down ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) found = d;
    }
    trace.push(v.slice(offset - d, offset + d + 1));
  }
  if (found === -1) return null;

  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const prev = trace[d - 1]!;
    const at = (k: number) => prev[k + d - 1]!;
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    const startX = down ? prevX : prevX + 1;
    while (x > startX) {
      ops.push(KEEP);
      x--;
      y--;
    }
    ops.push(down ? INSERT : DELETE);
    x = prevX;
    y = prevY;
  }
  while (x > 0) {
    ops.push(KEEP);
    x--;
  }
  return ops.reverse();
}
