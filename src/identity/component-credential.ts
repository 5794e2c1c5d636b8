import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { z } from "zod";
import { COMPONENT_NAME_PATTERN } from "../components/component-types.ts";

/**
 * What a credential lets a process be: one of the supervised components' roles (a WorkerPal, an
 * agent) or the supervisor itself (its reports on the processes it runs).
 */
export const CredentialRole = z.enum(["worker", "scm", "review-agent", "remote-agent", "supervisor"]);
export type CredentialRole = z.infer<typeof CredentialRole>;

/** Whom a valid credential names: the role it was issued for and the component's name. */
export interface CredentialHolder {
  role: CredentialRole;
  name: string;
}

const VERSION = "pp1";
const KEY_BYTES = 32;

/**
 * A component's credential: `pp1.<role>.<name>.<nonce>.<mac>`, the MAC an HMAC-SHA256 under the
 * server's key (`<runtime>/credential.key`, 0600). Stateless to check, so it survives a server restart
 * (the supervisor restarts a crashed server while its workers keep running); a new key (`pushpals
 * start`) voids every credential issued before.
 */
export class CredentialKey {
  private readonly verified = new Map<string, CredentialHolder>();

  constructor(private readonly key: Uint8Array) {
    if (key.byteLength < KEY_BYTES) throw new Error(`a credential key needs ${KEY_BYTES} bytes`);
  }

  static random(): CredentialKey {
    return new CredentialKey(randomBytes(KEY_BYTES));
  }

  /** The key in `path`, created (0600, exclusively) if there is none yet. */
  static loadOrCreate(path: string): CredentialKey {
    try {
      const fd = openSync(path, "wx", 0o600);
      try {
        writeSync(fd, randomBytes(KEY_BYTES));
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    return new CredentialKey(readFileSync(path));
  }

  issue(holder: CredentialHolder): string {
    if (!COMPONENT_NAME_PATTERN.test(holder.name)) throw new Error(`"${holder.name}" is not a component name`);
    const claims = `${VERSION}.${holder.role}.${holder.name}.${randomBytes(16).toString("hex")}`;
    return `${claims}.${this.mac(claims)}`;
  }

  /** The holder a credential names, or null if it is not one this key issued. */
  verify(credential: string): CredentialHolder | null {
    const cached = this.verified.get(credential);
    if (cached) return cached;
    const parts = credential.split(".");
    if (parts.length !== 5 || parts[0] !== VERSION) return null;
    const [, role, name, nonce, mac] = parts as [string, string, string, string, string];
    const parsedRole = CredentialRole.safeParse(role);
    if (!parsedRole.success || !COMPONENT_NAME_PATTERN.test(name) || !/^[0-9a-f]{32}$/.test(nonce) || !/^[0-9a-f]{64}$/.test(mac)) return null;
    const expected = Buffer.from(this.mac(parts.slice(0, 4).join(".")), "hex");
    if (!timingSafeEqual(expected, Buffer.from(mac, "hex"))) return null;
    const holder = { role: parsedRole.data, name };
    // Components send theirs on every call: remember the few valid ones instead of hashing each time.
    if (this.verified.size > 10_000) this.verified.clear();
    this.verified.set(credential, holder);
    return holder;
  }

  private mac(claims: string): string {
    return createHmac("sha256", this.key).update(claims).digest("hex");
  }
}
