import { readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "ini";
import { z } from "zod";
import { JobFailure } from "../core/job-failure.ts";
import { SANDBOX_EGRESS_DIR, type BoundFile } from "../sandbox/sandbox-spec.ts";
import { expandEnvRefs } from "./npm-config.ts";

/**
 * The certificate authorities the worker trusts, passed to a dependency install. The sandbox's environment
 * is an allowlist and its npm config is written by PushPals, so without this a machine behind a
 * TLS-inspecting proxy (its own CA in NODE_EXTRA_CA_CERTS, SSL_CERT_FILE...) could not install at all.
 * Each file is bound read-only at a fixed path under the sandbox's /tmp/.pushpals/ca/, never copied.
 */
export type TrustSetting = "NODE_EXTRA_CA_CERTS" | "SSL_CERT_FILE" | "SSL_CERT_DIR" | "cafile";

export interface TrustSource {
  setting: TrustSetting;
  /** Absolute host path. */
  path: string;
}

export interface InstallTrust {
  /** Read-only binds into the sandbox (SSL_CERT_DIR's is a directory). */
  files: BoundFile[];
  /** NODE_EXTRA_CA_CERTS, SSL_CERT_FILE, SSL_CERT_DIR for the install. */
  env: Record<string, string>;
  /** npm's `cafile` for the written npmrc. */
  cafile?: string;
}

export const SANDBOX_CA_DIR = `${SANDBOX_EGRESS_DIR}/ca`;

const SANDBOX_PATHS: Record<TrustSetting, string> = {
  NODE_EXTRA_CA_CERTS: `${SANDBOX_CA_DIR}/node-extra-ca-certs.pem`,
  SSL_CERT_FILE: `${SANDBOX_CA_DIR}/ssl-cert-file.pem`,
  SSL_CERT_DIR: `${SANDBOX_CA_DIR}/ssl-cert-dir`,
  cafile: `${SANDBOX_CA_DIR}/npm-cafile.pem`,
};

const ENV_SETTINGS = ["NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR"] as const;
/** A CA bundle is a few hundred KB; anything far larger is not one. */
const MAX_BUNDLE_BYTES = 8 * 1024 * 1024;
const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
const CERTIFICATE = /-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----/;
const PathValue = z.string().trim().min(1);

/** The CA settings of the worker's environment and of the user's own npmrc (`cafile`). */
export function trustSources(env: Record<string, string | undefined>, userNpmrc: string | null): TrustSource[] {
  const sources: TrustSource[] = [];
  for (const setting of ENV_SETTINGS) {
    const value = PathValue.safeParse(env[setting]);
    if (value.success) sources.push({ setting, path: absolute(value.data) });
  }
  const cafile = userCafile(userNpmrc, env);
  if (cafile !== null) sources.push({ setting: "cafile", path: absolute(cafile) });
  return sources;
}

function userCafile(text: string | null, env: Record<string, string | undefined>): string | null {
  if (text === null) return null;
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch {
    return null;
  }
  const value = PathValue.safeParse((parsed as Record<string, unknown>).cafile);
  if (!value.success) return null;
  const expanded = expandEnvRefs(value.data, env);
  return typeof expanded === "string" && expanded !== "" ? expanded : null;
}

function absolute(path: string): string {
  return resolve(path === "~" || path.startsWith("~/") ? join(homedir(), path.slice(1)) : path);
}

/**
 * Checks every source (a certificate file, or a directory of them, and no private key anywhere) and
 * gives the binds and settings of the install: at the sandbox paths, or (`where: "host"`, the sandbox
 * off) the host paths themselves. A file that cannot be used fails the install as `environment`.
 */
export function installTrust(sources: TrustSource[], where: "sandbox" | "host"): InstallTrust {
  const trust: InstallTrust = { files: [], env: {} };
  for (const { setting, path } of sources) {
    const real = setting === "SSL_CERT_DIR" ? checkCertificateDir(setting, path) : checkCertificateFile(setting, path);
    const target = where === "sandbox" ? SANDBOX_PATHS[setting] : real;
    if (where === "sandbox") trust.files.push({ source: real, target });
    if (setting === "cafile") trust.cafile = target;
    else trust.env[setting] = target;
  }
  return trust;
}

function checkCertificateFile(setting: TrustSetting, path: string): string {
  const real = existing(setting, path, "file");
  const text = readBundle(setting, path, real);
  if (PRIVATE_KEY.test(text)) throw refusal(setting, path, "contains a private key, so it is not passed to installs: point it at a file with the CA certificates only");
  if (!CERTIFICATE.test(text)) throw refusal(setting, path, "has no PEM certificate (-----BEGIN CERTIFICATE-----): point it at the CA certificates in PEM form");
  return real;
}

function checkCertificateDir(setting: TrustSetting, path: string): string {
  const real = existing(setting, path, "directory");
  let names: string[];
  try {
    names = readdirSync(real);
  } catch (err) {
    throw refusal(setting, path, `cannot be read by the worker (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  for (const name of names) {
    const entry = join(real, name);
    const stat = statSync(entry, { throwIfNoEntry: false });
    if (!stat?.isFile() || stat.size > MAX_BUNDLE_BYTES) continue;
    let text: string;
    try {
      text = readFileSync(entry, "latin1");
    } catch {
      continue; // unreadable by the worker: unreadable inside the sandbox too
    }
    if (PRIVATE_KEY.test(text)) throw refusal(setting, path, `holds a private key (${name}), so it is not passed to installs: keep only CA certificates there`);
  }
  return real;
}

function existing(setting: TrustSetting, path: string, kind: "file" | "directory"): string {
  let real: string;
  try {
    real = realpathSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw refusal(setting, path, code === "ENOENT" ? "does not exist" : `cannot be used (${code ?? String(err)})`);
  }
  const stat = statSync(real);
  if (kind === "file" ? !stat.isFile() : !stat.isDirectory()) throw refusal(setting, path, `is not a ${kind}`);
  return real;
}

function readBundle(setting: TrustSetting, path: string, real: string): string {
  if (statSync(real).size > MAX_BUNDLE_BYTES) throw refusal(setting, path, `is larger than ${MAX_BUNDLE_BYTES / 1024 / 1024} MB, so it is not a CA bundle`);
  try {
    return readFileSync(real, "latin1");
  } catch (err) {
    throw refusal(setting, path, `cannot be read by the worker (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

function refusal(setting: TrustSetting, path: string, why: string): JobFailure {
  const named = setting === "cafile" ? "the `cafile` of the worker's npm config" : setting;
  return new JobFailure("environment", `${named} names ${path}, which ${why}; installs get the CA certificates the worker trusts, so fix or unset ${setting === "cafile" ? "cafile" : setting}`, {});
}
