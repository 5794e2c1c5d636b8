import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { JobFailure } from "../core/job-failure.ts";
import { installTrust, SANDBOX_CA_DIR, trustSources } from "./install-trust.ts";
import { installNpmConfig } from "./npm-config.ts";

const root = tempDir("pushpals-install-trust-");
const CERT = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
let ca: string;
let certDir: string;
beforeAll(() => {
  ca = join(realpathSync(root.path), "corp-ca.pem");
  writeFileSync(ca, CERT);
  certDir = join(realpathSync(root.path), "certs");
  mkdirSync(certDir);
  writeFileSync(join(certDir, "a1b2c3d4.0"), CERT);
});
afterAll(() => root.cleanup());

function failure(fn: () => unknown): JobFailure {
  try {
    fn();
  } catch (err) {
    if (err instanceof JobFailure) return err;
    throw err;
  }
  throw new Error("expected a JobFailure");
}

describe("the CA settings of the worker", () => {
  test("from the environment and the user's npmrc `cafile` (with ${VAR}), as absolute paths", () => {
    const env = { NODE_EXTRA_CA_CERTS: ca, SSL_CERT_FILE: "  ", SSL_CERT_DIR: certDir, CA_HOME: root.path };
    expect(trustSources(env, "registry=https://npm.corp.example/\ncafile=${CA_HOME}/corp-ca.pem\n")).toEqual([
      { setting: "NODE_EXTRA_CA_CERTS", path: ca },
      { setting: "SSL_CERT_DIR", path: certDir },
      { setting: "cafile", path: join(root.path, "corp-ca.pem") },
    ]);
    expect(trustSources({}, null)).toEqual([]);
    expect(trustSources({}, "cafile=\n")).toEqual([]);
  });

  test("bound read-only at fixed sandbox paths, the variables and npm's cafile pointing there", () => {
    const trust = installTrust(trustSources({ NODE_EXTRA_CA_CERTS: ca, SSL_CERT_FILE: ca, SSL_CERT_DIR: certDir }, `cafile=${ca}\n`), "sandbox");
    expect(trust.files).toEqual([
      { source: ca, target: `${SANDBOX_CA_DIR}/node-extra-ca-certs.pem` },
      { source: ca, target: `${SANDBOX_CA_DIR}/ssl-cert-file.pem` },
      { source: certDir, target: `${SANDBOX_CA_DIR}/ssl-cert-dir` },
      { source: ca, target: `${SANDBOX_CA_DIR}/npm-cafile.pem` },
    ]);
    expect(trust.env).toEqual({ NODE_EXTRA_CA_CERTS: `${SANDBOX_CA_DIR}/node-extra-ca-certs.pem`, SSL_CERT_FILE: `${SANDBOX_CA_DIR}/ssl-cert-file.pem`, SSL_CERT_DIR: `${SANDBOX_CA_DIR}/ssl-cert-dir` });
    const config = installNpmConfig({ project: null, user: `cafile=${ca}\n`, env: {} }, { allowScripts: false, credentials: true, cafile: trust.cafile });
    expect(config.text).toContain(`cafile=${SANDBOX_CA_DIR}/npm-cafile.pem`);
    expect(config.text).not.toContain(ca);
  });

  test("with the sandbox off, the host paths themselves", () => {
    const trust = installTrust([{ setting: "NODE_EXTRA_CA_CERTS", path: ca }], "host");
    expect(trust).toEqual({ files: [], env: { NODE_EXTRA_CA_CERTS: ca } });
  });
});

describe("what is refused", () => {
  test("a missing file is an environment failure naming the variable and the path", () => {
    const missing = join(root.path, "gone.pem");
    const err = failure(() => installTrust([{ setting: "NODE_EXTRA_CA_CERTS", path: missing }], "sandbox"));
    expect(err.failureClass).toBe("environment");
    expect(err.message).toContain(`NODE_EXTRA_CA_CERTS names ${missing}, which does not exist`);
    expect(failure(() => installTrust([{ setting: "cafile", path: missing }], "sandbox")).message).toContain("the `cafile` of the worker's npm config");
  });

  test("a file or directory holding a private key is never bound", () => {
    const bundle = join(root.path, "bundle-with-key.pem");
    writeFileSync(bundle, `${CERT}-----BEGIN RSA PRIVATE KEY-----\nMIIfake\n-----END RSA PRIVATE KEY-----\n`);
    const err = failure(() => installTrust([{ setting: "SSL_CERT_FILE", path: bundle }], "sandbox"));
    expect(err.failureClass).toBe("environment");
    expect(err.message).toContain("contains a private key");

    const dir = join(root.path, "certs-with-key");
    mkdirSync(dir);
    writeFileSync(join(dir, "ok.pem"), CERT);
    writeFileSync(join(dir, "server.key"), "-----BEGIN PRIVATE KEY-----\nMIIfake\n-----END PRIVATE KEY-----\n");
    expect(failure(() => installTrust([{ setting: "SSL_CERT_DIR", path: dir }], "sandbox")).message).toContain("holds a private key (server.key)");
  });

  test("a file with no PEM certificate, or a directory named as a file, is refused", () => {
    const text = join(root.path, "notes.txt");
    writeFileSync(text, "not a certificate\n");
    expect(failure(() => installTrust([{ setting: "NODE_EXTRA_CA_CERTS", path: text }], "sandbox")).message).toContain("has no PEM certificate");
    expect(failure(() => installTrust([{ setting: "NODE_EXTRA_CA_CERTS", path: certDir }], "sandbox")).message).toContain("is not a file");
  });
});
