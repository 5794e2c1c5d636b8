import { PushpalsError } from "../core/errors.ts";
import type { PrProviderDefinition } from "./common/api.ts";
import { githubProvider } from "./github/index.ts";
import { localProvider } from "./local/index.ts";

/** Every PR provider; the first is the default. Adding one is its folder plus one line here. */
export const PROVIDERS = [localProvider, githubProvider] as const satisfies readonly PrProviderDefinition[];

export type ProviderId = (typeof PROVIDERS)[number]["id"];
export const PROVIDER_IDS = PROVIDERS.map((p) => p.id) as [ProviderId, ...ProviderId[]];

/** The providers whose PRs live on a host too (a merge or publish job may name one of these, never a local one). */
export const REMOTE_PROVIDER_IDS = PROVIDERS.filter((p) => p.remote !== null).map((p) => p.id) as [ProviderId, ...ProviderId[]];

export function providerById(id: string): PrProviderDefinition {
  const found = PROVIDERS.find((p) => p.id === id);
  if (found) return found;
  throw new PushpalsError("config_invalid", `unknown PR provider "${id}"`, { field: "pr.provider", hint: `use one of: ${PROVIDER_IDS.join(", ")}` });
}
