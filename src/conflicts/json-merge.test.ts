import { expect, test } from "bun:test";
import { mergeJson, type JsonMerge } from "./json-merge.ts";

/** A manifest the way npm writes one: two spaces, final newline. */
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

function merged(result: JsonMerge): { text: string; notes: string[] } {
  if (!result.ok) throw new Error(`expected a merge, got ${JSON.stringify(result.conflicts)}`);
  return { text: result.text, notes: result.notes };
}

function conflicts(result: JsonMerge): { path: string[]; why: string }[] {
  if (result.ok) throw new Error(`expected conflicts, got ${result.text}`);
  return result.conflicts.map(({ path, why }) => ({ path, why }));
}

const basePkg = { name: "app", version: "1.0.0", scripts: { build: "tsc", test: "bun test" }, dependencies: { a: "^1.2.0", b: "^2.0.0", x: "^1.2.0" } };
const withDeps = (deps: Record<string, string>) => ({ ...basePkg, dependencies: { ...basePkg.dependencies, ...deps } });

test("merges that succeed: the merged manifest and its notes", () => {
  const cases: { name: string; base: unknown; ours: unknown; theirs: unknown; expected: unknown; notes?: RegExp[] }[] = [
    {
      name: "two different dependency bumps",
      base: basePkg,
      ours: withDeps({ a: "^1.3.0" }),
      theirs: withDeps({ b: "^2.1.0" }),
      expected: withDeps({ a: "^1.3.0", b: "^2.1.0" }),
    },
    {
      name: "one dependency bumped on both sides within a major takes the higher",
      base: basePkg,
      ours: withDeps({ x: "^1.3.0" }),
      theirs: withDeps({ x: "^1.4.1" }),
      expected: withDeps({ x: "^1.4.1" }),
      notes: [/^dependencies\.x: ours \^1\.3\.0, theirs \^1\.4\.1; took \^1\.4\.1 \(theirs, the higher\)$/],
    },
    {
      name: "exact pins and tilde ranges too, and the same dependency added on both sides",
      base: { devDependencies: { p: "1.2.0", q: "~3.1.0" } },
      ours: { devDependencies: { p: "1.4.1", q: "~3.1.2", n: "^5.0.0" } },
      theirs: { devDependencies: { p: "1.3.0", q: "~3.1.5", n: "^5.2.0" } },
      expected: { devDependencies: { p: "1.4.1", q: "~3.1.5", n: "^5.2.0" } },
      notes: [/^devDependencies\.p: .*took 1\.4\.1 \(ours/, /^devDependencies\.q: .*took ~3\.1\.5 \(theirs/, /^devDependencies\.n: .*took \^5\.2\.0/],
    },
    {
      name: "keys added on both sides at different places keep their neighbours",
      base: { name: "app", version: "1.0.0", scripts: {} },
      ours: { name: "app", description: "d", version: "1.0.0", scripts: {} },
      theirs: { private: true, name: "app", version: "1.0.0", license: "MIT", scripts: {}, files: ["dist"] },
      expected: { private: true, name: "app", description: "d", version: "1.0.0", license: "MIT", scripts: {}, files: ["dist"] },
    },
    {
      name: "theirs' added keys keep their relative order; one after a key ours deleted follows an earlier survivor",
      base: { a: 1, b: 2, c: 3 },
      ours: { a: 1, c: 3, z: 0 },
      theirs: { a: 1, b: 2, t1: 1, t2: 2, c: 3 },
      expected: { a: 1, t1: 1, t2: 2, c: 3, z: 0 },
    },
    {
      name: "an added key none of whose predecessors survives goes at the end",
      base: { a: 1, b: 2 },
      ours: { b: 2, o: 1 },
      theirs: { a: 1, t: 1, b: 2 },
      expected: { b: 2, o: 1, t: 1 },
    },
    {
      name: "deleted on one side, unchanged on the other: deleted",
      base: { a: 1, b: 2, c: 3 },
      ours: { a: 1, c: 4 },
      theirs: { a: 1, b: 2, c: 3, d: 5 },
      expected: { a: 1, c: 4, d: 5 },
    },
    {
      name: "nested objects: pnpm.overrides",
      base: { pnpm: { overrides: { lodash: "^4.17.0" }, neverBuiltDependencies: [] } },
      ours: { pnpm: { overrides: { lodash: "^4.17.20", semver: "^7.5.2" }, neverBuiltDependencies: [] } },
      theirs: { pnpm: { overrides: { lodash: "^4.17.21", tar: "^6.2.1" }, neverBuiltDependencies: ["fsevents"] } },
      expected: { pnpm: { overrides: { lodash: "^4.17.21", semver: "^7.5.2", tar: "^6.2.1" }, neverBuiltDependencies: ["fsevents"] } },
      notes: [/^pnpm\.overrides\.lodash: /],
    },
    {
      name: "a dependency map sorted on both sides stays sorted",
      base: { dependencies: { b: "^1.0.0", m: "^1.0.0" } },
      ours: { dependencies: { b: "^1.0.0", d: "^1.0.0", m: "^1.0.0", z: "^1.0.0" } },
      theirs: { dependencies: { a: "^1.0.0", b: "^1.0.0", c: "^1.0.0", m: "^1.0.0", n: "^1.0.0" } },
      expected: { dependencies: { a: "^1.0.0", b: "^1.0.0", c: "^1.0.0", d: "^1.0.0", m: "^1.0.0", n: "^1.0.0", z: "^1.0.0" } },
    },
    {
      name: "an unsorted one keeps the neighbour rule",
      base: { dependencies: { m: "^1.0.0", b: "^1.0.0" } },
      ours: { dependencies: { m: "^1.0.0", b: "^1.0.0", a: "^1.0.0" } },
      theirs: { dependencies: { m: "^1.0.0", z: "^1.0.0", b: "^1.0.0" } },
      expected: { dependencies: { m: "^1.0.0", z: "^1.0.0", b: "^1.0.0", a: "^1.0.0" } },
    },
    {
      name: "npm overrides nest; scoped names are quoted in notes",
      base: { overrides: { foo: { ".": "1.0.0", "@s/bar": "2.0.0" } } },
      ours: { overrides: { foo: { ".": "1.0.1", "@s/bar": "2.1.0" } } },
      theirs: { overrides: { foo: { ".": "1.0.2", "@s/bar": "2.0.1" } } },
      expected: { overrides: { foo: { ".": "1.0.2", "@s/bar": "2.1.0" } } },
      notes: [/^overrides\.foo\."\.": /, /^overrides\.foo\."@s\/bar": /],
    },
    {
      name: "identical changes on both sides",
      base: basePkg,
      ours: { ...withDeps({ a: "^1.5.0" }), license: "MIT" },
      theirs: { ...withDeps({ a: "^1.5.0" }), license: "MIT" },
      expected: { ...withDeps({ a: "^1.5.0" }), license: "MIT" },
    },
    {
      name: "both sides add the same nested object with different keys",
      base: { name: "app" },
      ours: { name: "app", engines: { node: ">=18" } },
      theirs: { name: "app", engines: { bun: ">=1.1" } },
      expected: { name: "app", engines: { node: ">=18", bun: ">=1.1" } },
    },
    {
      // A computed "__proto__" key is an own property, as JSON.parse makes it.
      name: "keys named like Object.prototype members are data",
      base: { dependencies: {} },
      ours: { dependencies: { constructor: "^1.0.0" } },
      theirs: { dependencies: { toString: "^2.0.0", ["__proto__"]: "^3.0.0" } },
      expected: { dependencies: { constructor: "^1.0.0", toString: "^2.0.0", ["__proto__"]: "^3.0.0" } },
    },
  ];
  for (const c of cases) {
    const result = merged(mergeJson(json(c.base), json(c.ours), json(c.theirs)));
    expect({ name: c.name, text: result.text }).toEqual({ name: c.name, text: json(c.expected) });
    expect({ name: c.name, notes: result.notes.length }).toEqual({ name: c.name, notes: (c.notes ?? []).length });
    (c.notes ?? []).forEach((pattern, i) => expect(result.notes[i]).toMatch(pattern));
  }
});

test("merges that conflict: where and why", () => {
  const cases: { name: string; base: unknown; ours: unknown; theirs: unknown; expected: { path: string[]; why: RegExp }[] }[] = [
    {
      name: "different majors",
      base: basePkg,
      ours: withDeps({ x: "^1.3.0" }),
      theirs: withDeps({ x: "^2.0.0" }),
      expected: [{ path: ["dependencies", "x"], why: /incompatible versions/ }],
    },
    {
      name: "a script changed on both sides",
      base: basePkg,
      ours: { ...basePkg, scripts: { ...basePkg.scripts, build: "tsc -b" } },
      theirs: { ...basePkg, scripts: { ...basePkg.scripts, build: "tsc -p ." } },
      expected: [{ path: ["scripts", "build"], why: /changed on both sides/ }],
    },
    {
      name: "deleted vs changed, both ways, all reported",
      base: { a: 1, b: 2, c: 3 },
      ours: { b: 3, c: 3 },
      theirs: { a: 2, c: 3 },
      expected: [
        { path: ["b"], why: /changed in ours, deleted in theirs/ },
        { path: ["a"], why: /deleted in ours, changed in theirs/ },
      ],
    },
    {
      name: "arrays are atoms",
      base: { files: ["a"] },
      ours: { files: ["a", "b"] },
      theirs: { files: ["a", "c"] },
      expected: [{ path: ["files"], why: /changed on both sides/ }],
    },
    {
      name: "a key added on both sides with different values",
      base: {},
      ours: { license: "MIT" },
      theirs: { license: "ISC" },
      expected: [{ path: ["license"], why: /added on both sides/ }],
    },
    {
      name: "non-semver dependency specs",
      base: { dependencies: { g: "github:o/r#v1", w: "workspace:^1.0.0", n: "npm:a@^1.0.0", t: "^1.0.0" } },
      ours: { dependencies: { g: "github:o/r#v2", w: "workspace:^1.1.0", n: "npm:a@^1.1.0", t: "~1.1.0" } },
      theirs: { dependencies: { g: "github:o/r#v3", w: "workspace:^1.2.0", n: "npm:b@^1.2.0", t: "^1.2.0" } },
      expected: [
        { path: ["dependencies", "g"], why: /neither side's spec is a plain version range/ },
        { path: ["dependencies", "w"], why: /neither/ },
        { path: ["dependencies", "n"], why: /different packages/ },
        { path: ["dependencies", "t"], why: /different range operators/ },
      ],
    },
    {
      name: "a version outside a dependency map is an atom",
      base: { version: "1.0.0" },
      ours: { version: "1.0.1" },
      theirs: { version: "1.0.2" },
      expected: [{ path: ["version"], why: /changed on both sides/ }],
    },
  ];
  for (const c of cases) {
    const found = conflicts(mergeJson(json(c.base), json(c.ours), json(c.theirs)));
    expect({ name: c.name, paths: found.map((f) => f.path) }).toEqual({ name: c.name, paths: c.expected.map((e) => e.path) });
    c.expected.forEach((e, i) => expect(found[i]!.why).toMatch(e.why));
  }
});

test("a conflict carries the three values, absent as undefined", () => {
  const result = mergeJson(json({ a: { k: 1 } }), json({}), json({ a: { k: 2 } }));
  expect(result).toEqual({ ok: false, conflicts: [{ path: ["a"], base: { k: 1 }, ours: undefined, theirs: { k: 2 }, why: "deleted in ours, changed in theirs" }] });
});

test("ours' layout is the template: indentation, line ending, final newline, key order", () => {
  const base = '{\n  "name": "app",\n  "b": 1,\n  "a": 1\n}\n';
  const theirs = '{\n  "name": "app",\n  "b": 2,\n  "a": 1\n}\n';
  const cases: [name: string, ours: string, expected: string][] = [
    ["tab", '{\n\t"name": "app",\n\t"b": 1,\n\t"a": 3\n}\n', '{\n\t"name": "app",\n\t"b": 2,\n\t"a": 3\n}\n'],
    ["4 spaces", '{\n    "name": "app",\n    "b": 1,\n    "a": 3\n}\n', '{\n    "name": "app",\n    "b": 2,\n    "a": 3\n}\n'],
    ["CRLF", '{\r\n  "name": "app",\r\n  "b": 1,\r\n  "a": 3\r\n}\r\n', '{\r\n  "name": "app",\r\n  "b": 2,\r\n  "a": 3\r\n}\r\n'],
    ["no final newline", '{\n  "name": "app",\n  "b": 1,\n  "a": 3\n}', '{\n  "name": "app",\n  "b": 2,\n  "a": 3\n}'],
    ["ours' key order", '{\n  "a": 3,\n  "b": 1,\n  "name": "app"\n}\n', '{\n  "a": 3,\n  "b": 2,\n  "name": "app"\n}\n'],
    ["one line", '{"name":"app","b":1,"a":3}', '{"name":"app","b":2,"a":3}'],
    ["byte order mark", '\uFEFF{\n  "name": "app",\n  "b": 1,\n  "a": 3\n}\n', '\uFEFF{\n  "name": "app",\n  "b": 2,\n  "a": 3\n}\n'],
    ["a string with an escaped newline in CRLF", '{\r\n  "name": "a\\npp",\r\n  "b": 1,\r\n  "a": 1\r\n}\r\n', '{\r\n  "name": "a\\npp",\r\n  "b": 2,\r\n  "a": 1\r\n}\r\n'],
  ];
  for (const [name, ours, expected] of cases) {
    expect({ name, text: merged(mergeJson(base, ours, theirs)).text }).toEqual({ name, text: expected });
  }
});

test("when only one side changed, the result is that side's text byte for byte", () => {
  const base = '{ "name": "app", "files": ["a"] }\n';
  const changed = '{\n   "name": "app",\n   "files": [ "a", "b" ],\n   "n": 1.0\n}';
  expect(mergeJson(base, base, changed)).toEqual({ ok: true, text: changed, notes: [] });
  expect(mergeJson(base, changed, base)).toEqual({ ok: true, text: changed, notes: [] });
  expect(mergeJson(base, changed, changed)).toEqual({ ok: true, text: changed, notes: [] });
  // Theirs reformatted only: the value is ours', so ours' text comes back untouched.
  const reformatted = '{"name":"app","files":["a"]}';
  expect(mergeJson(base, changed, reformatted)).toEqual({ ok: true, text: changed, notes: [] });
});

test("a side that is not JSON, or nests absurdly deep, is one conflict at the root saying which", () => {
  const good = json({ a: 1 });
  const cases: [base: string, ours: string, theirs: string, why: RegExp][] = [
    ["{", good, good, /^base is not JSON/],
    [good, "<<<<<<< HEAD\n", good, /^ours is not JSON/],
    [good, good, '{"a": 1,}', /^theirs is not JSON/],
    [good, good, `${"[".repeat(500)}${"]".repeat(500)}`, /^theirs nests deeper than 200 levels/],
  ];
  for (const [base, ours, theirs, why] of cases) {
    const result = mergeJson(base, ours, theirs);
    expect(result.ok).toBe(false);
    if (result.ok) continue;
    expect(result.conflicts).toHaveLength(1);
    expect(result.conflicts[0]!.path).toEqual([]);
    expect(result.conflicts[0]!.why).toMatch(why);
  }
});

test("fileName prefixes notes; a conflict's why is the bare reason", () => {
  const bump = mergeJson(json(basePkg), json(withDeps({ x: "^1.3.0" })), json(withDeps({ x: "^1.4.1" })), { fileName: "packages/web/package.json" });
  expect(merged(bump).notes[0]).toStartWith("packages/web/package.json: dependencies.x: ");
  const clash = mergeJson(json(basePkg), json(withDeps({ x: "^1.3.0" })), json(withDeps({ x: "^2.0.0" })), { fileName: "package.json" });
  expect(conflicts(clash)[0]!.why).toStartWith("both sides changed this dependency: the sides moved to incompatible versions");
  expect(conflicts(mergeJson("x", "{}", "{}", { fileName: "package.json" }))[0]!.why).toStartWith("base is not JSON");
});

test("deterministic: the same inputs give the same output", () => {
  const args = [json(basePkg), json({ ...withDeps({ x: "^1.3.0" }), z: 1 }), json({ y: 0, ...withDeps({ x: "^1.4.1" }) })] as const;
  expect(mergeJson(...args)).toEqual(mergeJson(...args));
});
