/** Plain-data helpers over values JSON.parse returned. `undefined` stands for "no such key". */

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Own keys only: a parsed object still inherits `constructor`, `toString` and the rest. */
export function ownValue(object: JsonObject | undefined, key: string): unknown {
  return object !== undefined && Object.hasOwn(object, key) ? object[key] : undefined;
}

/** An object with no prototype, so a `__proto__` key is stored as data like any other. */
export function emptyObject(): JsonObject {
  return Object.create(null) as JsonObject;
}

/** Same data; with `ordered`, objects must also list their keys in the same order. */
export function jsonEqual(a: unknown, b: unknown, ordered = false): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i], ordered));
  }
  if (!isJsonObject(a) || !isJsonObject(b)) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  if (ordered && aKeys.some((key, i) => key !== bKeys[i])) return false;
  return aKeys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key], ordered));
}

/** Nesting depth, counted without recursion so a hostile file cannot exhaust the stack here. */
export function jsonDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== "object") continue;
    deepest = Math.max(deepest, depth);
    for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push([child, depth + 1]);
  }
  return deepest;
}
