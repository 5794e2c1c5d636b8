import { chmodSync, chownSync, lstatSync, mkdirSync, rmSync } from "node:fs";
import { PushpalsError } from "../core/errors.ts";
import { groupId } from "../identity/os-users.ts";
import type { RuntimePaths } from "./paths.ts";

/**
 * The people's socket's directory, `<git-common-dir>/pushpals-people`: opened (0750, group
 * `server.people_group`) only when that group is configured, so by default no other local user can
 * connect at all. Its socket answers reads, approve, reject and merge requests; the server still names each caller by
 * the kernel's uid. Returns where to listen, or null (and removes a socket an earlier run left).
 */
export function openPeopleDir(paths: RuntimePaths, group: string | null): { path: string; gid: number } | null {
  if (group === null) {
    const stale = lstatSync(paths.peopleSocket, { throwIfNoEntry: false });
    if (stale?.isSocket()) rmSync(paths.peopleSocket);
    return null;
  }
  const gid = groupId(group);
  if (gid === null) {
    throw new PushpalsError("config_invalid", `server.people_group: there is no group "${group}" on this machine`, {
      field: "server.people_group",
      hint: `create it and add the people who approve (sudo groupadd ${group}; sudo usermod -aG ${group} USER), or remove server.people_group`,
    });
  }
  mkdirSync(paths.peopleDir, { recursive: true, mode: 0o750 });
  const stat = lstatSync(paths.peopleDir);
  if (!stat.isDirectory() || stat.uid !== process.getuid?.()) {
    throw new PushpalsError("conflict", `${paths.peopleDir} is not a directory of this user's`, { hint: `move it out of the way: mv ${paths.peopleDir} ${paths.peopleDir}.bak` });
  }
  try {
    chownSync(paths.peopleDir, stat.uid, gid);
  } catch (err) {
    throw new PushpalsError("config_invalid", `server.people_group: cannot give ${paths.peopleDir} to group ${group}: ${(err as Error).message}`, {
      field: "server.people_group",
      hint: `the OS user running PushPals must be a member of ${group}`,
    });
  }
  chmodSync(paths.peopleDir, 0o750);
  return { path: paths.peopleSocket, gid };
}
