import { expect, test } from "bun:test";
import { DEFAULT_HOST, type FixturePackage, lockfileCases, registryTarball } from "../lockfile-fixture.ts";
import { parsePnpmLockfile } from "./pnpm-lockfile.ts";

type Version = 5 | 6 | 9;

const quote = (s: string) => (/^[@'"]|[:#]/.test(s) ? `'${s}'` : s);

/** The `packages` key, the importer's version (what the key refers to) and the entry's fields. */
function entry(p: FixturePackage, v: Version): { key: string; ref: string; fields: string[] } {
  const s = p.source;
  // v9 keys name every package; v5 and v6 keys of local and remote packages do not.
  const named = v === 9 ? [`version: ${p.version}`] : [`name: ${p.name}`, `version: ${p.version}`];
  if (s.kind === "registry") {
    const tarball = s.host === DEFAULT_HOST ? "" : `, tarball: ${registryTarball(p.name, p.version, s.host)}`;
    const key = v === 9 ? `${p.name}@${p.version}` : v === 6 ? `/${p.name}@${p.version}` : `/${p.name}/${p.version}`;
    return { key, ref: p.version, fields: [`resolution: {integrity: ${p.integrity}${tarball}}`] };
  }
  if (s.kind === "tarball") {
    const ref = v === 9 ? s.url : s.url.replace(/^https?:\/\//, "");
    return { key: v === 9 ? `${p.name}@${s.url}` : ref, ref, fields: [`resolution: {integrity: ${p.integrity}, tarball: ${s.url}}`, ...named] };
  }
  if (s.kind === "git") {
    const ref = v === 9 ? `git+${s.repo}#${s.commit}` : `${s.repo.replace(/^https?:\/\//, "").replace(/\.git$/, "")}/${s.commit}`;
    return { key: v === 9 ? `${p.name}@${ref}` : ref, ref, fields: [`resolution: {commit: ${s.commit}, repo: ${s.repo}, type: git}`, ...named] };
  }
  const ref = `file:${s.path}`;
  return { key: v === 9 ? `${p.name}@${ref}` : ref, ref, fields: [`resolution: {directory: ${s.path}, type: directory}`, ...named] };
}

function render(v: Version, packages: FixturePackage[], reorder: boolean): string {
  const list = (reorder ? [...packages].reverse() : packages).map((p) => ({ p, ...entry(p, v) }));
  const gap = reorder ? "\n\n" : "\n";
  const head = v === 5 ? "lockfileVersion: 5.4\n" : `lockfileVersion: '${v}.0'\n\nsettings:\n  autoInstallPeers: true\n  excludeLinksFromLockfile: false\n`;
  const deps = (indent: string) => list.map(({ p, ref }) => `${indent}${quote(p.name)}:\n${indent}  specifier: ^${p.version}\n${indent}  version: ${quote(ref)}\n`).join("");
  const importers =
    v === 5
      ? `specifiers:\n${list.map(({ p }) => `  ${quote(p.name)}: ^${p.version}\n`).join("")}\ndependencies:\n${list.map(({ p, ref }) => `  ${quote(p.name)}: ${quote(ref)}\n`).join("")}`
      : v === 6
        ? `dependencies:\n${deps("  ")}`
        : `importers:\n\n  .:\n    dependencies:\n${deps("      ")}`;
  const packagesText = list.map(({ key, fields }) => `  ${quote(key)}:\n${fields.map((f) => `    ${f}\n`).join("")}${v === 9 ? "" : "    dev: false\n"}`).join(gap);
  const snapshots = v === 9 ? `\nsnapshots:\n\n${list.map(({ key }) => `  ${quote(key)}: {}\n`).join(gap)}` : "";
  return `${head}\n${importers}\npackages:\n\n${packagesText}${snapshots}`;
}

const MALFORMED = ["lockfileVersion: '9.0'\npackages: [\n", "just text", "packages: {}\n", "lockfileVersion: '9.0'\npackages:\n  a@1.0.0: {}\n", "lockfileVersion: '9.0'\npackages:\n  a@1.0.0:\n    resolution: {integrity: x}\n  a@1.0.0:\n    resolution: {integrity: y}\n"];

for (const v of [5, 6, 9] as const) {
  lockfileCases({ label: `pnpm-lock.yaml v${v}`, fileName: "pnpm-lock.yaml", render: (p, o) => render(v, p, o.reorder), malformed: MALFORMED });
}

test("keys with peers, workspace links and the fields pnpm writes for local packages", () => {
  const text = [
    "lockfileVersion: '6.0'",
    "importers:",
    "  .:",
    "    dependencies:",
    "      b:",
    "        specifier: workspace:*",
    "        version: link:packages/b",
    "  packages/a:",
    "    devDependencies:",
    "      c:",
    "        specifier: link:../../../c",
    "        version: link:../../../c",
    "packages:",
    "  /@s/x@1.0.0(react@18.0.0):",
    "    resolution: {integrity: sha512-x}",
    "  file:vendor/y:",
    "    resolution: {directory: vendor/y, type: directory}",
    "    name: y",
    "    version: 2.0.0",
    "",
  ].join("\n");
  expect(parsePnpmLockfile(text, "pnpm-lock.yaml")).toEqual([
    { key: "/@s/x@1.0.0(react@18.0.0)", name: "@s/x", version: "1.0.0", resolved: null, integrity: "sha512-x" },
    { key: "file:vendor/y", name: "y", version: "2.0.0", resolved: "file:vendor/y", integrity: null },
    { key: "importers/./dependencies/b", name: "b", version: null, resolved: "link:packages/b", integrity: null },
    { key: "importers/packages/a/devDependencies/c", name: "c", version: null, resolved: "link:../c", integrity: null },
  ]);
  expect(parsePnpmLockfile("lockfileVersion: 5.3\npackages:\n  /@s/x/1.0.0_react@18.0.0:\n    resolution: {integrity: sha512-x}\n", "pnpm-lock.yaml")).toEqual([
    { key: "/@s/x/1.0.0_react@18.0.0", name: "@s/x", version: "1.0.0", resolved: null, integrity: "sha512-x" },
  ]);
});

test("each entry's dependencies: from the entry (v5, v6) or all its snapshots (v9), an alias by its target", () => {
  const edges = (text: string) => parsePnpmLockfile(text, "pnpm-lock.yaml").map((p) => [p.key, p.dependencies]);
  const v5 = [
    "lockfileVersion: 5.4",
    "packages:",
    "  /a/2.0.0_react@18.0.0:",
    "    resolution: {integrity: sha512-a}",
    "    dependencies:",
    "      b: 1.0.0_react@18.0.0",
    "      old: /@s/real/1.0.0",
    "    peerDependencies:",
    "      react: ^18.0.0",
    "    dev: false",
    "  /b/1.0.0_react@18.0.0:",
    "    resolution: {integrity: sha512-b}",
    "    dev: false",
    "",
  ].join("\n");
  expect(edges(v5)).toEqual([
    ["/a/2.0.0_react@18.0.0", ["@s/real", "b", "react"]],
    ["/b/1.0.0_react@18.0.0", undefined],
  ]);
  const v6 = [
    "lockfileVersion: '6.0'",
    "importers:",
    "  .:",
    "    dependencies:",
    "      ws:",
    "        specifier: workspace:*",
    "        version: link:packages/ws",
    "packages:",
    "  /a@2.0.0(react@18.0.0):",
    "    resolution: {integrity: sha512-a}",
    "    peerDependencies:",
    "      react: ^18.0.0",
    "    dependencies:",
    "      b: 1.0.0(react@18.0.0)",
    "      old: /real@1.0.0",
    "      gitdep: github.com/u/gitdep/0123abc",
    "      local: link:../local",
    "    optionalDependencies:",
    "      fsevents: 2.3.3",
    "    dev: false",
    "",
  ].join("\n");
  expect(edges(v6)).toEqual([
    ["/a@2.0.0(react@18.0.0)", ["b", "fsevents", "gitdep", "local", "react", "real"]],
    ["importers/./dependencies/ws", undefined],
  ]);
  const v9 = [
    "lockfileVersion: '9.0'",
    "packages:",
    "  a@2.0.0:",
    "    resolution: {integrity: sha512-a}",
    "    peerDependencies:",
    "      react: ^17.0.0 || ^18.0.0",
    "  b@1.0.0:",
    "    resolution: {integrity: sha512-b}",
    "snapshots:",
    "  a@2.0.0(react@18.0.0):",
    "    dependencies:",
    "      b: 1.0.0",
    "      old: '@s/real@1.0.0(react@18.0.0)'",
    "      react: 18.0.0",
    "  a@2.0.0(react@17.0.0):",
    "    dependencies:",
    "      c: https://host.example/c-1.0.0.tgz",
    "    optionalDependencies:",
    "      fsevents: 2.3.3",
    "  b@1.0.0: {}",
    "",
  ].join("\n");
  expect(edges(v9)).toEqual([
    ["a@2.0.0", ["@s/real", "b", "c", "fsevents", "react"]],
    ["b@1.0.0", undefined],
  ]);
});
