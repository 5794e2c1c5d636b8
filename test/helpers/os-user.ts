import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PUSHPALS_BIN } from "./cluster.ts";

/** A real second (or third) OS user for tests of who the kernel says is calling. */
export interface OsUser {
  name: string;
  uid: number;
  home: string;
  /** `pushpals ARGS` run as this user in `cwd`, with `env` on top of a minimal environment. */
  cli(cwd: string, args: string[], env?: Record<string, string>): { exitCode: number; stdout: string; stderr: string };
  /** `cli`, awaited without blocking this process's event loop (so the tests of a file can run concurrently). */
  cliAsync(cwd: string, args: string[], env?: Record<string, string>): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  /** Any command as this user. */
  run(cwd: string, argv: string[], env?: Record<string, string>): { exitCode: number; stdout: string; stderr: string };
}

/** Why OS users cannot be made here (not root, no useradd or runuser), or null when they can. */
export function osUsersUnavailable(): string | null {
  if (process.platform !== "linux") return "not Linux";
  if (process.getuid?.() !== 0) return "the tests do not run as root, so they cannot add OS users";
  for (const tool of ["useradd", "userdel", "groupadd", "groupdel", "runuser"]) {
    if (Bun.spawnSync(["sh", "-c", `command -v ${tool}`]).exitCode !== 0) return `${tool} is not installed`;
  }
  return null;
}

/** Users and groups made by a test file; `cleanup` removes them all. */
export class OsUsers {
  private readonly users: OsUser[] = [];
  private readonly groups: string[] = [];
  private readonly tag = Math.random().toString(36).slice(2, 7);

  group(prefix: string): string {
    const name = `pp${prefix}${this.tag}`;
    must(["groupadd", name]);
    this.groups.push(name);
    return name;
  }

  user(prefix: string, groups: string[] = []): OsUser {
    const name = `pp${prefix}${this.tag}`;
    const home = mkdtempSync(join(tmpdir(), `${name}-`));
    must(["useradd", "-M", "-d", home, "-s", "/bin/sh", ...(groups.length ? ["-G", groups.join(",")] : []), name]);
    const uid = Number(must(["id", "-u", name]).trim());
    // A repository owned by someone else is "dubious" to git until its user says it trusts it.
    writeFileSync(join(home, ".gitconfig"), "[safe]\n\tdirectory = *\n");
    chownSync(home, uid, uid);
    chownSync(join(home, ".gitconfig"), uid, uid);
    const command = (argv: string[], env: Record<string, string>) => {
      const vars = { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: home, TMPDIR: home, ...env };
      return ["runuser", "-u", name, "--", "env", "-i", ...Object.entries(vars).map(([k, v]) => `${k}=${v}`), ...argv];
    };
    const run = (cwd: string, argv: string[], env: Record<string, string> = {}) => {
      const r = Bun.spawnSync(command(argv, env), { cwd, stdout: "pipe", stderr: "pipe" });
      return { exitCode: r.exitCode ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
    };
    const cliAsync = async (cwd: string, args: string[], env: Record<string, string> = {}) => {
      const proc = Bun.spawn(command([PUSHPALS_BIN, ...args], env), { cwd, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
      const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
      return { exitCode, stdout, stderr };
    };
    const user: OsUser = { name, uid, home, run, cli: (cwd, args, env) => run(cwd, [PUSHPALS_BIN, ...args], env), cliAsync };
    this.users.push(user);
    return user;
  }

  cleanup(): void {
    for (const u of this.users) {
      Bun.spawnSync(["userdel", u.name]);
      rmSync(u.home, { recursive: true, force: true });
    }
    for (const g of this.groups) Bun.spawnSync(["groupdel", g]);
  }
}

/** Lets other users into a test repository (temp dirs are 0700): its runtime dir stays the owner's. */
export function openForOthers(dir: string): void {
  chmodSync(dir, 0o755);
}

function must(argv: string[]): string {
  const r = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}
