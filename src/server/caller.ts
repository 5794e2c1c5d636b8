import type { CredentialHolder, CredentialKey } from "../identity/component-credential.ts";
import { personOf } from "../identity/os-users.ts";
import type { PeerCredentials } from "../identity/peer-credentials.ts";
import { PushpalsError } from "../core/errors.ts";

/**
 * Where a request came in: the read-only loopback TCP listener, the owner's socket (in the 0700
 * runtime dir) or the people's socket (reads, approve, reject, merge requests).
 */
export type Listener = "tcp" | "owner" | "people";

/** The header a component sends its credential in (never a query or a body, so it is not logged). */
export const CREDENTIAL_HEADER = "x-pushpals-credential";

/** Who is calling, as the server established it: from the kernel and the credential, never from the request's own words. */
export interface Caller {
  listener: Listener;
  /** The kernel's peer credentials of the connection; null on TCP. */
  peer: PeerCredentials | null;
  /** `os:<user>` of the peer's uid; null on TCP. */
  person: string | null;
  /** The peer runs as the server's own OS user. */
  owner: boolean;
  /** The component whose credential came with the request (owner's socket only). */
  component: CredentialHolder | null;
}

export const TCP_CALLER: Caller = Object.freeze({ listener: "tcp", peer: null, person: null, owner: false, component: null });

export function socketCaller(listener: "owner" | "people", peer: PeerCredentials | null, credential: string | null, key: CredentialKey): Caller {
  const person = peer ? personOf(peer.uid) : null;
  let component: CredentialHolder | null = null;
  if (credential !== null) {
    if (listener !== "owner") throw new PushpalsError("forbidden", "component credentials are accepted on the owner's socket only");
    component = key.verify(credential);
    if (!component) {
      throw new PushpalsError("forbidden", "the component credential is not valid (issued before the last `pushpals start`, or not by this server)", {
        hint: "restart the component; `pushpals start` gives each component a fresh one",
      });
    }
  }
  return { listener, peer, person, owner: peer !== null && peer.uid === process.getuid?.(), component };
}

/**
 * Whose share of the stream slots a call takes: the OS user on a socket, one shared key for the
 * loopback TCP listener (which does not say who connects), so no single user, and not TCP as a whole,
 * holds every slot.
 */
export function streamClientOf(caller: Caller): string {
  return caller.peer ? `uid:${caller.peer.uid}` : "tcp";
}

/**
 * The OS person behind a call, whatever credential came with it: what a person's actions (a change
 * they ask for, a decision) are recorded under, so separation of duties compares people, and a
 * credential issued by hand cannot make its holder's own change look like someone else's.
 */
export function personActorOf(caller: Caller): string {
  if (caller.person) return caller.person;
  throw new PushpalsError("forbidden", "the server could not tell who is calling", { hint: "call through the PushPals socket (the pushpals CLI does)" });
}

/** The name a caller's actions are recorded under: the component, else the OS user. */
export function actorOf(caller: Caller): string {
  const c = caller.component;
  if (c) return c.role === "supervisor" || c.role === c.name ? c.role : `${c.role}:${c.name}`;
  if (caller.person) return caller.person;
  throw new PushpalsError("forbidden", "the server could not tell who is calling", { hint: "call through the PushPals socket (the pushpals CLI does)" });
}
