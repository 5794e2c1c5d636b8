import { PushpalsError } from "../../core/errors.ts";
import { anthropicProvider } from "./anthropic/index.ts";
import type { ModelProviderDefinition } from "./model-provider.ts";
import { openaiCompatibleProvider } from "./openai-compatible/index.ts";

/** Every model provider (`models.provider`). Adding one is its folder plus one line here. */
export const MODEL_PROVIDERS = [
  openaiCompatibleProvider,
  anthropicProvider,
] as const satisfies readonly ModelProviderDefinition[];

export type ModelProviderId = (typeof MODEL_PROVIDERS)[number]["id"];
export const MODEL_PROVIDER_IDS = MODEL_PROVIDERS.map((p) => p.id) as [ModelProviderId, ...ModelProviderId[]];

export function modelProviderById(id: string): ModelProviderDefinition {
  const found = MODEL_PROVIDERS.find((p) => p.id === id);
  if (found) return found;
  throw new PushpalsError("config_invalid", `unknown model provider "${id}"`, { field: "models.provider", hint: `use one of: ${MODEL_PROVIDER_IDS.join(", ")}` });
}
