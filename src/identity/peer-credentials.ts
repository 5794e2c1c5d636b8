import { loadLibc } from "./libc.ts";

/** Who is at the other end of a Unix socket connection, as the kernel recorded it at connect(2). */
export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
}

const SOL_SOCKET = 1;
const SO_PEERCRED = 17;

/**
 * `getsockopt(fd, SOL_SOCKET, SO_PEERCRED)`: the connecting process's pid, uid and gid (Linux). Null
 * when the kernel cannot say (not a Unix socket, closed), so no caller is ever taken for someone.
 */
export function peerCredentials(fd: number): PeerCredentials | null {
  if (process.platform !== "linux") return null;
  const ucred = new Int32Array(3);
  const length = new Uint32Array([ucred.byteLength]);
  if (loadLibc().getsockopt(fd, SOL_SOCKET, SO_PEERCRED, ucred, length) !== 0) return null;
  const [pid, uid, gid] = ucred as unknown as [number, number, number];
  // A socket that is not AF_UNIX answers with no process behind it.
  if (pid <= 0 || uid < 0) return null;
  return { pid, uid, gid };
}
