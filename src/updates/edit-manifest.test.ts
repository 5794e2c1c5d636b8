import { expect, test } from "bun:test";
import { isPushpalsError } from "../core/errors.ts";
import { editManifest, type ManifestEdit } from "./edit-manifest.ts";

const manifest = {
  name: "app",
  version: "1.0.0",
  scripts: { test: "bun test" },
  dependencies: { zod: "^3.0.0", a: "^1.2.0", lodash: "4.17.21" },
  devDependencies: { a: "^1.0.0", typescript: "~5.4.0" },
};

const bump: ManifestEdit = { section: "dependencies", key: "a", spec: "^1.4.0" };

function refusal(text: string, edits: ManifestEdit[]): string {
  try {
    editManifest(text, edits, "packages/web/package.json");
  } catch (err) {
    if (isPushpalsError(err, "invalid_input")) return err.message;
    throw err;
  }
  throw new Error("the edit was not refused");
}

test.each([
  ["2 spaces", 2],
  ["4 spaces", 4],
  ["tabs", "\t"],
] as const)("only the value changes, indented with %s", (_label, indent) => {
  const text = `${JSON.stringify(manifest, null, indent)}\n`;
  expect(editManifest(text, [bump], "package.json")).toBe(text.replace('"a": "^1.2.0"', '"a": "^1.4.0"'));
});

test("CRLF line endings, no final newline and a BOM are kept", () => {
  const text = `\uFEFF${JSON.stringify(manifest, null, 2).replaceAll("\n", "\r\n")}`;
  const out = editManifest(text, [bump], "package.json");
  expect(out).toBe(text.replace('"a": "^1.2.0"', '"a": "^1.4.0"'));
  expect(out.startsWith("\uFEFF")).toBe(true);
  expect(out.endsWith("}")).toBe(true);
  expect(out.split("\r\n")).toHaveLength(text.split("\r\n").length);
});

test("key order, odd spacing and escapes elsewhere are kept", () => {
  const text = '{"z":1,  "dependencies" :{ "b":"1.0.0" , "a" :  "^1.2.0","c":"x\\u0041"},"a":"^1.2.0","nested":{"dependencies":{"a":"^1.2.0"}}}';
  expect(editManifest(text, [bump], "package.json")).toBe(text.replace('"a" :  "^1.2.0"', '"a" :  "^1.4.0"'));
});

test("the same key in two sections: only the named section's changes", () => {
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  const out = editManifest(text, [{ section: "devDependencies", key: "a", spec: "^1.4.0" }], "package.json");
  expect(JSON.parse(out)).toEqual({ ...manifest, devDependencies: { a: "^1.4.0", typescript: "~5.4.0" } });
  expect(out).toContain('"a": "^1.2.0"');
});

test("an alias's whole value is replaced", () => {
  const text = '{\n  "dependencies": {\n    "old": "npm:real@^1.0.0"\n  }\n}\n';
  expect(editManifest(text, [{ section: "dependencies", key: "old", spec: "npm:real@^2.0.0" }], "package.json")).toBe('{\n  "dependencies": {\n    "old": "npm:real@^2.0.0"\n  }\n}\n');
});

test("an escaped key is matched by what it decodes to, and left as written", () => {
  const text = '{\n  "dependencies": {\n    "\\u0040scope/x": "^1.0.0",\n    "@scope/y": "^1.0.0"\n  }\n}\n';
  expect(editManifest(text, [{ section: "dependencies", key: "@scope/x", spec: "^1.1.0" }], "package.json")).toBe(text.replace('"^1.0.0"', '"^1.1.0"'));
});

test("a spec that needs escaping is written as JSON", () => {
  const text = '{"dependencies":{"a":"^1.2.0"}}';
  const out = editManifest(text, [{ section: "dependencies", key: "a", spec: 'file:../a "b"\\c' }], "package.json");
  expect(out).toBe('{"dependencies":{"a":"file:../a \\"b\\"\\\\c"}}');
});

test("several edits in one call, across sections", () => {
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  const edits: ManifestEdit[] = [
    { section: "devDependencies", key: "typescript", spec: "~5.9.0" },
    { section: "dependencies", key: "zod", spec: "^4.0.0" },
    bump,
  ];
  const out = editManifest(text, edits, "package.json");
  expect(out).toBe(text.replace('"zod": "^3.0.0"', '"zod": "^4.0.0"').replace('"a": "^1.2.0"', '"a": "^1.4.0"').replace('"~5.4.0"', '"~5.9.0"'));
  expect(editManifest(text, [], "package.json")).toBe(text);
});

test("a duplicate key, a missing key or section, and a value that is not a string are refused, naming file, section and key", () => {
  const duplicate = '{\n  "dependencies": {\n    "a": "^1.0.0",\n    "a": "^1.2.0"\n  }\n}\n';
  expect(refusal(duplicate, [bump])).toBe('packages/web/package.json: cannot set "a" in "dependencies": "dependencies" declares it twice');
  expect(refusal('{"dependencies":{"b":"1"}}', [bump])).toBe('packages/web/package.json: cannot set "a" in "dependencies": "dependencies" does not declare it');
  expect(refusal('{"devDependencies":{"a":"1"}}', [bump])).toBe('packages/web/package.json: cannot set "a" in "dependencies": it has no "dependencies" section');
  expect(refusal('{"dependencies":{"a":{"version":"1"}}}', [bump])).toBe('packages/web/package.json: cannot set "a" in "dependencies": its value is not a string');
  expect(refusal('{"dependencies":{"a":1}}', [bump])).toContain("its value is not a string");
  expect(refusal('{"dependencies":["a"]}', [bump])).toContain('"dependencies" is not an object');
  expect(refusal('{"dependencies":{"a":"1"},"dependencies":{"a":"2"}}', [bump])).toContain('the "dependencies" section appears twice');
  expect(refusal('{"dependencies":{"a":"1"}}', [bump, { ...bump, spec: "^2.0.0" }])).toContain("two edits give it different specs");
});

test("text that is not a JSON object is refused", () => {
  expect(refusal('{"dependencies":{"a":"1"},}', [bump])).toStartWith("packages/web/package.json: not valid JSON");
  expect(refusal("[]", [bump])).toBe("packages/web/package.json: not a JSON object");
  expect(refusal("", [bump])).toStartWith("packages/web/package.json: not valid JSON");
});
