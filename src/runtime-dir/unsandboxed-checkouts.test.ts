import { afterAll, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { checkoutPathsFor, unsandboxedCheckoutsDir, unsandboxedCheckoutsProblem } from "./unsandboxed-checkouts.ts";

// Under the home folder: /tmp itself is writable by every user, which the check rightly refuses.
const root = mkdtempSync(join(homedir(), ".pushpals-unsandboxed-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test("with the sandbox off, checkouts go to the user's cache, one folder per repository; with it on, to the runtime directory", () => {
  const paths = { gitCommonDir: "/work/app/.git", worktreesDir: "/work/app/.git/pushpals/worktrees" };
  expect(checkoutPathsFor(paths, "bwrap")).toBe(paths);
  expect(checkoutPathsFor(paths, "off", { XDG_CACHE_HOME: "/c" }).worktreesDir).toMatch(/^\/c\/pushpals\/checkouts\/[0-9a-f]{16}$/);
  expect(unsandboxedCheckoutsDir("/work/app/.git", { HOME: "/home/u" })).toMatch(/^\/home\/u\/\.cache\/pushpals\/checkouts\//);
  // A relative XDG_CACHE_HOME is ignored, as the XDG spec says.
  expect(unsandboxedCheckoutsDir("/x/.git", { XDG_CACHE_HOME: "rel", HOME: "/h" })).toStartWith("/h/.cache/");
  expect(unsandboxedCheckoutsDir("/a/.git", {})).not.toBe(unsandboxedCheckoutsDir("/b/.git", {}));
});

test("parents holding something tools look up, writable by others, or a link are each named", () => {
  const clean = join(root, "clean", "cache", "pushpals", "checkouts", "r");
  mkdirSync(join(root, "clean"), { recursive: true });
  expect(unsandboxedCheckoutsProblem(clean)).toBeNull();
  for (const name of ["package.json", "tsconfig.json", ".eslintrc.cjs", "pyproject.toml", "go.work", ".yarnrc.yml", ".nvmrc", ".tool-versions", "rust-toolchain.toml"]) {
    writeFileSync(join(root, "clean", name), "{}\n");
    expect(unsandboxedCheckoutsProblem(clean)).toBe(`${join(root, "clean", name)} is in a parent directory of the job checkouts (${clean}), where tools look it up`);
    rmSync(join(root, "clean", name));
  }
  mkdirSync(join(root, "open"), { recursive: true });
  chmodSync(join(root, "open"), 0o777);
  expect(unsandboxedCheckoutsProblem(join(root, "open", "cache", "x"))).toContain(`${join(root, "open")} can be written by other users`);
  symlinkSync(join(root, "clean"), join(root, "link"));
  // A link only root can change (a system's own, like Silverblue's /home) is followed; any other user's is refused.
  if (process.getuid?.() === 0) expect(unsandboxedCheckoutsProblem(join(root, "link", "x"))).toBeNull();
  else expect(unsandboxedCheckoutsProblem(join(root, "link", "x"))).toBe(`${join(root, "link")} is a symbolic link`);
  // The checkouts' folder itself is looked at too.
  mkdirSync(join(root, "self", "node_modules"), { recursive: true });
  expect(unsandboxedCheckoutsProblem(join(root, "self"))).toBe(`${join(root, "self", "node_modules")} is in a parent directory of the job checkouts (${join(root, "self")}), where tools look it up`);
  expect(unsandboxedCheckoutsProblem("/tmp/pushpals-x/cache")).toContain("/tmp can be written by every user (a sticky shared folder)");
});
