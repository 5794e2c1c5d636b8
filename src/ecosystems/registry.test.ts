import { afterAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { DETECTION_ORDER, detectEcosystem, ecosystemNamedBy, FALLBACK_ECOSYSTEM } from "./detect.ts";
import { ECOSYSTEM_IDS, ECOSYSTEMS, getEcosystem, LOCKFILE_NAMES, MANIFEST_NAMES } from "./registry.ts";

const root = tempDir("pushpals-ecosystems-");
afterAll(() => root.cleanup());

let n = 0;
function repo(files: Record<string, string>): string {
  const dir = join(root.path, `r${++n}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe("the registry", () => {
  test("ids, lockfiles and packageManager names are unique; every ecosystem has a lockfile and a manifest", () => {
    expect(ECOSYSTEM_IDS).toEqual(["npm", "pnpm", "yarn", "bun"]);
    expect(new Set(LOCKFILE_NAMES).size).toBe(LOCKFILE_NAMES.length);
    expect(new Set(ECOSYSTEMS.map((e) => e.detect.packageManagerField)).size).toBe(ECOSYSTEMS.length);
    for (const e of ECOSYSTEMS) {
      expect(e.lockfiles.length).toBeGreaterThan(0);
      expect(e.manifests.length).toBeGreaterThan(0);
      expect(getEcosystem(e.id)).toBe(e);
    }
    expect(MANIFEST_NAMES).toEqual(["package.json"]);
  });

  test("exactly one fallback, and its lockfiles are looked at last", () => {
    expect(ECOSYSTEMS.filter((e) => e.detect.fallback)).toEqual([FALLBACK_ECOSYSTEM]);
    expect(DETECTION_ORDER.map((e) => e.id)).toEqual(["pnpm", "yarn", "bun", "npm"]);
  });

  test("every command runs the ecosystem's own binary; scripts are off unless allowed", () => {
    for (const e of ECOSYSTEMS) {
      for (const version of ["1.22.22", "4.5.0"]) {
        const frozen = e.frozenInstall({ version, allowScripts: false });
        expect(frozen.command.startsWith(`${e.id} install`) || frozen.command.startsWith(`${e.id} ci`)).toBe(true);
        expect(frozen.command.includes("--ignore-scripts") || frozen.env.YARN_ENABLE_SCRIPTS === "false" || frozen.command.includes("skip-build")).toBe(true);
        expect(e.frozenInstall({ version, allowScripts: true }).command).not.toContain("--ignore-scripts");
        expect(e.lockfileUpdate(version).command.startsWith(`${e.id} install`)).toBe(true);
      }
      expect(e.versionCommand).toBe(`${e.id} --version`);
      expect(e.runScript("lint")).toBe(`${e.id} run lint`);
    }
    expect(getEcosystem("npm").lockfileUpdate("11.0.0").command).toBe("npm install --package-lock-only --ignore-scripts --no-audit --no-fund");
    expect(getEcosystem("yarn").lockfileUpdate("4.5.0").command).toBe("yarn install --mode=update-lockfile");
    expect(getEcosystem("bun").runScript("test")).toBe("bun run test");
    expect(getEcosystem("pnpm").runScript("test")).toBe("pnpm test");
  });
});

describe("detection", () => {
  test.each(ECOSYSTEMS.flatMap((e) => e.lockfiles.map((file) => [file, e.id] as const)))("%s alone means %s", (file, id) => {
    expect(detectEcosystem(repo({ "package.json": "{}", [file]: "" }), "")).toMatchObject({ ecosystem: { id }, named: undefined, lockfile: file });
  });

  test("a specific lockfile beats a lingering package-lock.json; none at all means the fallback", () => {
    const both = detectEcosystem(repo({ "pnpm-lock.yaml": "", "package-lock.json": "{}" }), "");
    expect(both.ecosystem.id).toBe("pnpm");
    expect(both.present.map((l) => l.file)).toEqual(["pnpm-lock.yaml", "package-lock.json"]);
    expect(detectEcosystem(repo({}), "")).toMatchObject({ ecosystem: { id: "npm" }, lockfile: undefined, present: [] });
  });

  test("the packageManager field names the ecosystem, whatever the lockfiles say", () => {
    const d = detectEcosystem(repo({ "yarn.lock": "", "package-lock.json": "{}" }), "npm@10.0.0");
    expect(d).toMatchObject({ ecosystem: { id: "npm" }, named: { id: "npm" }, lockfile: "package-lock.json" });
    expect(detectEcosystem(repo({ "package-lock.json": "{}" }), "bun@1.2.0")).toMatchObject({ ecosystem: { id: "bun" }, lockfile: undefined });
  });

  test("packageManager field values", () => {
    expect(ecosystemNamedBy("pnpm@9.1.0")?.id).toBe("pnpm");
    expect(ecosystemNamedBy("yarn")?.id).toBe("yarn");
    expect(ecosystemNamedBy("npm@10.0.0+sha512.abc")?.id).toBe("npm");
    expect(ecosystemNamedBy("npmx@1.0.0")).toBeUndefined();
    expect(ecosystemNamedBy("deno@2.0.0")).toBeUndefined();
    expect(ecosystemNamedBy("")).toBeUndefined();
  });
});

test("src/ecosystems imports only itself, src/core and libraries (it is a plug-in layer the domain reads)", () => {
  const here = import.meta.dir;
  const core = resolve(here, "../core");
  const files = readdirSync(here, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
  const outside: string[] = [];
  for (const file of files) {
    const text = readFileSync(join(here, file), "utf8");
    for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) {
      if (!spec!.startsWith(".")) continue;
      const target = resolve(dirname(join(here, file)), spec!);
      const inside = [here, core].some((dir) => !relative(dir, target).startsWith(".."));
      if (!inside) outside.push(`${file} -> ${spec}`);
    }
  }
  expect(files.length).toBeGreaterThan(5);
  expect(outside).toEqual([]);
});
