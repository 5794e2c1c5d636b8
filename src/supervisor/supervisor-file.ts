import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { z } from "zod";

export const SupervisorInfo = z.object({
  pid: z.number().int(),
  state: z.enum(["starting", "online", "degraded", "stopping"]),
  url: z.string().nullable(),
  startedAt: z.number().int(),
  onlineAt: z.number().int().nullable(),
  workers: z.number().int(),
  /** Set when start failed before going online: what went wrong, for `start --detach` to print. */
  error: z.string().nullable(),
});
export type SupervisorInfo = z.infer<typeof SupervisorInfo>;

export function readSupervisorInfo(path: string): SupervisorInfo | null {
  if (!existsSync(path)) return null;
  try {
    const parsed = SupervisorInfo.safeParse(JSON.parse(readFileSync(path, "utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function writeSupervisorInfo(path: string, info: SupervisorInfo): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

export function removeSupervisorInfo(path: string, pid: number): void {
  const info = readSupervisorInfo(path);
  if (info && info.pid !== pid) return;
  rmSync(path, { force: true });
}
