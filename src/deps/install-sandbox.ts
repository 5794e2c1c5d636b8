import { lstatSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { JobFailure } from "../core/job-failure.ts";
import { getEcosystem, type EcosystemId } from "../ecosystems/registry.ts";
import { FORWARDER_PORT } from "../egress/forwarder-port.ts";
import { startEgressProxy, type EgressDecision, type EgressProxy, type EgressRule } from "../egress/proxy.ts";
import { upstreamProxySettings, UpstreamProxyConfigError, type UpstreamProxySettings } from "../egress/upstream-proxy.ts";
import type { CommandSandbox } from "../sandbox/sandbox-for.ts";
import { SANDBOX_EGRESS_DIR } from "../sandbox/sandbox-spec.ts";
import { installTrust, trustSources, type InstallTrust } from "./install-trust.ts";
import { sweepDeadProcessDirs } from "./dead-process-dirs.ts";
import { installNpmConfig, type InstallNpmConfig } from "./npm-config.ts";

const FORWARDER = fileURLToPath(new URL("../egress/sandbox-forwarder.ts", import.meta.url));
const PROXY_URL = `http://127.0.0.1:${FORWARDER_PORT}/`;
/** The install's npmrc inside the sandbox. */
const SANDBOX_NPMRC = `${SANDBOX_EGRESS_DIR}/npmrc`;

export interface InstallSandbox {
  sandbox: CommandSandbox;
  /** The package manager's environment: its config file and proxy. */
  env: Record<string, string>;
  /** Hosts the egress proxy refused during the install. */
  denied(): EgressDecision[];
  /** Allowed hosts it could not resolve. */
  unreachable(): EgressDecision[];
  close(): Promise<void>;
}

/**
 * The sandbox of one dependency install. Its npm configuration is a file PushPals writes
 * (`installNpmConfig`), and the checkout's committed `.npmrc` is covered by an empty file. With the install
 * network granted, the install does not share the host's network: it gets its own namespace, and reaches the
 * configured registries only, through an egress proxy outside the sandbox (never the host's loopback, the
 * control plane or the local network, unless the user's own configuration names that registry).
 */
export async function installSandbox(
  base: CommandSandbox,
  dir: string,
  options: { packageManager: EcosystemId; allowScripts: boolean; log: (line: string) => void },
): Promise<InstallSandbox> {
  const projectNpmrc = readProjectNpmrc(dir);
  const egress = base !== "off" && base.network;
  const credentials = !getEcosystem(options.packageManager).runsCommittedCode;
  const userNpmrc = readUserNpmrc();
  // Without a network the install reaches no registry, and needs no certificate.
  const trust: InstallTrust = base === "off" || base.network ? installTrust(trustSources(process.env, userNpmrc), base === "off" ? "host" : "sandbox") : { files: [], env: {} };
  const upstream = egress ? workerUpstreamProxy() : undefined;
  const config = installNpmConfig(
    { project: projectNpmrc, user: userNpmrc, env: process.env },
    { allowScripts: options.allowScripts, credentials, proxyUrl: egress ? PROXY_URL : undefined, cafile: trust.cafile },
  );
  // Unconfined, the committed file cannot be covered: npm would read it above the one PushPals writes.
  if (base === "off" && config.ignoredProjectKeys.length > 0) {
    throw new JobFailure(
      "policy_denied",
      `the committed .npmrc sets ${config.ignoredProjectKeys.map((k) => `\`${k}\``).join(", ")}, and with sandbox.mode = "off" the install would read it as is: ` +
        "remove those keys from .npmrc (only layout and registry settings are used from a commit), or turn the sandbox on",
      { logExcerpt: config.ignoredProjectKeys.join("\n") },
    );
  }
  for (const note of config.notes) options.log(note);

  const scratch = realpathSync(mkdtempSync(join(tmpdir(), `${SCRATCH_PREFIX}${process.pid}-`)));
  const cleanup = () => rmSync(scratch, { recursive: true, force: true });
  try {
    const npmrc = join(scratch, "npmrc");
    const empty = join(scratch, "empty");
    writeFileSync(npmrc, config.text, { mode: 0o600 });
    writeFileSync(empty, "", { mode: 0o400 });
    if (base === "off") {
      return { sandbox: base, env: { ...trust.env, NPM_CONFIG_USERCONFIG: npmrc }, denied: () => [], unreachable: () => [], close: async () => cleanup() };
    }
    const files = [{ source: npmrc, target: SANDBOX_NPMRC }, ...trust.files, ...(projectNpmrc === null ? [] : [{ source: empty, target: join(base.writableDir, ".npmrc") }])];
    if (!egress) return { sandbox: { ...base, files: [...base.files, ...files] }, env: { ...trust.env, NPM_CONFIG_USERCONFIG: SANDBOX_NPMRC }, denied: () => [], unreachable: () => [], close: async () => cleanup() };

    const proxy: EgressProxy = await startEgressProxy({ socketPath: join(scratch, "egress.sock"), rules: egressRules(config), upstream });
    const sandbox = {
      ...base,
      network: false,
      egress: { socketPath: proxy.socketPath, runtime: realpathSync(process.execPath), forwarder: realpathSync(FORWARDER), port: FORWARDER_PORT },
      files: [...base.files, ...files],
    };
    const env = { ...trust.env, NPM_CONFIG_USERCONFIG: SANDBOX_NPMRC, YARN_HTTP_PROXY: PROXY_URL, YARN_HTTPS_PROXY: PROXY_URL };
    return {
      sandbox,
      env,
      denied: () => proxy.denied(),
      unreachable: () => proxy.decisions().filter((d) => d.status === 502),
      close: async () => {
        await proxy.close().catch(() => {});
        cleanup();
      },
    };
  } catch (err) {
    cleanup();
    throw err;
  }
}

const SCRATCH_PREFIX = "pushpals-install-";

/** The worker's HTTPS_PROXY / HTTP_PROXY, which the egress proxy goes through; a value it cannot use fails the install. */
function workerUpstreamProxy(): UpstreamProxySettings {
  try {
    return upstreamProxySettings(process.env);
  } catch (err) {
    if (!(err instanceof UpstreamProxyConfigError)) throw err;
    throw new JobFailure("environment", `${err.message}: installs reach the registry through the worker's proxy, so fix or unset ${err.variable}`, {});
  }
}

/**
 * Removes install scratch dirs (npmrc with credentials, proxy socket) of worker processes that are gone,
 * e.g. killed mid-install. Those of live processes, of this repository's workers or another's, stay.
 */
export function sweepInstallScratch(root = tmpdir()): number {
  return sweepDeadProcessDirs(root, /^pushpals-install-(\d+)-/, { ownedOnly: true });
}

/** Every configured registry's host and port; only the user's own configuration may name a local one. */
export function egressRules(config: InstallNpmConfig): EgressRule[] {
  const rules: EgressRule[] = [];
  for (const { url, trusted } of config.registries) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      continue;
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") continue;
    const port = Number(parsed.port) || (parsed.protocol === "https:" ? 443 : 80);
    rules.push({ host: parsed.hostname, port, trustedLocal: trusted });
  }
  return rules;
}

/** The committed `.npmrc`, read as data; a link could point anywhere on the host, so it refuses the install. */
function readProjectNpmrc(dir: string): string | null {
  const path = join(dir, ".npmrc");
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return null;
  }
  if (!stat.isFile()) {
    throw new JobFailure("policy_denied", `the commit's .npmrc is ${stat.isSymbolicLink() ? "a symbolic link" : "not a regular file"}, so the install was refused: commit the settings as a plain .npmrc file`, {});
  }
  return readFileSync(path, "utf8");
}

function readUserNpmrc(): string | null {
  const path = process.env.NPM_CONFIG_USERCONFIG ?? process.env.npm_config_userconfig ?? join(homedir(), ".npmrc");
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}
