import { afterEach, expect, test } from "bun:test";
import { commandEnv, sandboxEnv } from "./command-env.ts";
import { SANDBOX_PM_BIN } from "./sandbox-spec.ts";

const path = process.env.PATH;
afterEach(() => void (process.env.PATH = path));

test("in the sandbox the package manager PushPals binds comes first on PATH, then the worker's own", () => {
  process.env.PATH = "/usr/local/bin:/usr/bin";
  expect(sandboxEnv().PATH).toBe(`${SANDBOX_PM_BIN}:/usr/local/bin:/usr/bin`);
  expect(sandboxEnv({ PATH: "/only/this" }).PATH).toBe("/only/this");
  delete process.env.PATH;
  expect(sandboxEnv().PATH).toBe(`${SANDBOX_PM_BIN}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`);
});

test("unconfined, PATH is the worker's (a provided package manager comes in the command's own environment)", () => {
  process.env.PATH = "/usr/bin";
  expect(commandEnv().PATH).toBe("/usr/bin");
});
