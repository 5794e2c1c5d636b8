import { CString, read } from "bun:ffi";
import { readFileSync } from "node:fs";
import { loadLibc } from "./libc.ts";

const names = new Map<number, string>();

/** The account name of a uid (getpwuid, so NSS users count; /etc/passwd if the C library is not there), or null. */
export function userName(uid: number): string | null {
  if (names.has(uid)) return names.get(uid)!;
  let name: string | null = null;
  try {
    const entry = loadLibc().getpwuid(uid);
    // struct passwd starts with `char *pw_name`.
    if (entry) name = new CString(read.ptr(entry, 0) as never).toString();
  } catch {
    name = fromFile("/etc/passwd", 2, String(uid));
  }
  if (name) names.set(uid, name);
  return name;
}

/**
 * The person behind a uid, as the audit trail and the PR record name them: `os:alice`. An account
 * name that is not a plain word (or a uid with no account) becomes `os:uid-1001`.
 */
export function personOf(uid: number): string {
  const name = userName(uid);
  if (name && /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,89}$/.test(name)) return `os:${name}`;
  return `os:uid-${uid}`;
}

/** The gid of a group name (getgrnam; /etc/group as the fallback), or null when there is no such group. */
export function groupId(name: string): number | null {
  try {
    const entry = loadLibc().getgrnam(new TextEncoder().encode(`${name}\0`));
    // struct group: char *gr_name, char *gr_passwd, gid_t gr_gid.
    return entry ? read.u32(entry as never, 16) : null;
  } catch {
    const gid = fromFile("/etc/group", 0, name, 2);
    return gid === null ? null : Number(gid);
  }
}

/** A field of the first line of a colon-separated account file whose `keyField` is `key`. */
function fromFile(path: string, keyField: number, key: string, valueField = 0): string | null {
  try {
    for (const line of readFileSync(path, "utf8").split("\n")) {
      const fields = line.split(":");
      if (fields[keyField] === key) return fields[valueField] ?? null;
    }
  } catch {}
  return null;
}
