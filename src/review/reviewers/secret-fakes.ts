/**
 * For tests only: credentials in their real shapes, built at run time from pieces and a seeded
 * generator so that no file in this repository holds a literal token (its own secret scan stays clean).
 */
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const HEX = "0123456789abcdef";

/** Deterministic, random-looking characters from `alphabet`. */
export function fakeChars(length: number, seed: number, alphabet = ALNUM): string {
  let x = Math.imul(seed + 1, 2654435761) >>> 0 || 1;
  let out = "";
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out += alphabet[x % alphabet.length];
  }
  return out;
}

export function fakeBytes(length: number, seed: number): Buffer {
  return Buffer.from(fakeChars(length * 2, seed, HEX), "hex");
}

const p = (...parts: string[]) => parts.join("");

export const FAKE = {
  githubToken: p("gh", "p_", fakeChars(36, 1)),
  githubFineGrained: p("github", "_pat_", fakeChars(22, 2), "_", fakeChars(59, 3)),
  gitlabToken: p("glp", "at-", fakeChars(20, 4)),
  gitlabTrigger: p("glp", "tt-", fakeChars(40, 5, HEX)),
  gitlabRunner: p("glr", "t-", fakeChars(20, 6)),
  slackBot: p("xo", "xb-", fakeChars(12, 7, "0123456789"), "-", fakeChars(13, 8, "0123456789"), "-", fakeChars(24, 9)),
  slackWebhook: p("https://hooks.slack.com/", "services/T", fakeChars(8, 10, "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"), "/B", fakeChars(10, 11, "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"), "/", fakeChars(24, 12)),
  slackConfig: p("xo", "xe.xo", "xp-1-", fakeChars(150, 13)),
  slackWorkflow: p("https://hooks.slack.com/", "workflows/T", fakeChars(9, 14), "/A", fakeChars(9, 15), "/", fakeChars(18, 16, "0123456789"), "/", fakeChars(24, 17)),
  stripeSecret: p("sk", "_live_", fakeChars(24, 18)),
  stripeRestricted: p("rk", "_live_", fakeChars(99, 19)),
  npmToken: p("np", "m_", fakeChars(36, 20)),
  sendgrid: p("S", "G.", fakeChars(22, 21), ".", fakeChars(43, 22)),
  googleApiKey: p("AI", "za", fakeChars(35, 23)),
  twilioApiKey: p("S", "K", fakeChars(32, 24, HEX)),
  password: p("Zk3#9vLq", "!tR7wX2m"),
  azureConnection: p("DefaultEndpointsProtocol=https;AccountName=acme;Account", "Key=", fakeChars(86, 25), "==;EndpointSuffix=core.windows.net"),
  jwt: [
    Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url"),
    Buffer.from(JSON.stringify({ sub: "1234567890", name: "Ada", iat: 1_700_000_000 })).toString("base64url"),
    fakeBytes(32, 26).toString("base64url"),
  ].join("."),
  bearer: fakeChars(40, 27),
  dbPassword: fakeChars(16, 28),
};

/** A PEM block of `label` ("RSA PRIVATE KEY", ...) around DER bytes that start like a real key. */
export function fakePem(label: string, der: Buffer): string[] {
  const body = der.toString("base64").match(/.{1,64}/g) ?? [];
  return [`-----BEGIN ${label}-----`, ...body, `-----END ${label}-----`];
}

/** PKCS#1 RSA private key DER: SEQUENCE, version 0, then the modulus INTEGER. */
export function fakeRsaDer(seed = 30): Buffer {
  return Buffer.concat([Buffer.from("308204a30201000282010100", "hex"), fakeBytes(1180, seed)]);
}

/** An OpenSSH private key's binary form: its magic string, then key data. */
export function fakeOpenSshBinary(seed = 31): Buffer {
  return Buffer.concat([Buffer.from("openssh-key-v1\0none\0", "latin1"), fakeBytes(380, seed)]);
}

export function fakePgpBlock(seed = 32): string[] {
  const body = Buffer.concat([Buffer.from([0x95, 0x03, 0xc6]), fakeBytes(900, seed)]).toString("base64").match(/.{1,64}/g) ?? [];
  const label = p("PGP PRIVATE", " KEY BLOCK");
  return [`-----BEGIN ${label}-----`, "Version: GnuPG v2", "", ...body, `=${fakeChars(4, seed + 1)}`, `-----END ${label}-----`];
}
