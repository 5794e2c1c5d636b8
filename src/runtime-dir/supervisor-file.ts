import { z } from "zod";
import { readJsonFile, removeOwnJsonFile, writeJsonFile } from "./json-file.ts";

export const SupervisorInfo = z.object({
  pid: z.number().int(),
  state: z.enum(["starting", "online", "degraded", "stopping"]),
  url: z.string().nullable(),
  startedAt: z.number().int(),
  onlineAt: z.number().int().nullable(),
  workers: z.number().int(),
});
export type SupervisorInfo = z.infer<typeof SupervisorInfo>;

export function readSupervisorInfo(path: string): SupervisorInfo | null {
  return readJsonFile(path, SupervisorInfo);
}

export function writeSupervisorInfo(path: string, info: SupervisorInfo): void {
  writeJsonFile(path, info);
}

export function removeSupervisorInfo(path: string, pid: number): void {
  removeOwnJsonFile(path, pid, readSupervisorInfo);
}
