import { randomBytes } from "node:crypto";
import { closeSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";

/**
 * A read descriptor holding one component's credential, for its child to inherit as fd 3. The
 * credential goes through a 0600 file in the runtime directory (the owner's alone, hidden from every
 * sandboxed command), which is deleted before the child even starts: the descriptor is its only copy.
 */
export function credentialHandover(runtimeDir: string, name: string, credential: string): number {
  const path = join(runtimeDir, `.credential-${name}-${randomBytes(6).toString("hex")}`);
  const writer = openSync(path, "wx", 0o600);
  try {
    writeSync(writer, credential);
  } finally {
    closeSync(writer);
  }
  try {
    return openSync(path, "r");
  } finally {
    rmSync(path, { force: true });
  }
}
