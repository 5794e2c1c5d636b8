import type { LanguageModel } from "ai";

/** What a provider plug-in needs to build its model: plain values out of `[models]`, never the whole section. */
export interface ModelConnection {
  /** `models.base_url`, or null for the provider's own default (`defaultBaseUrl`). */
  baseUrl: string | null;
  /** `models.model`. */
  model: string;
}

/**
 * One model provider (`models.provider`): a folder under src/models/providers/ and one line in
 * registry.ts. Its index.ts stays light (the config schema reads the ids): the AI SDK loads inside
 * `create`, the first time a worker calls a model.
 */
export interface ModelProviderDefinition {
  readonly id: string;
  /** One line for docs and `doctor`. */
  readonly summary: string;
  /** Where requests go when `models.base_url` is unset; null: this provider needs `base_url`. */
  readonly defaultBaseUrl: string | null;
  /**
   * The headers that carry the key, for preflight's `GET {base_url}/models` (PP015): nothing else is
   * sent there. An empty record when there is no key.
   */
  authHeaders(key: string | null): Record<string, string>;
  /**
   * Whether `GET {base_url}/models` lists every model under the name a request uses, so PP015 may warn
   * when `models.model` is not among them (not so for Anthropic: paged, and aliases are not listed).
   */
  readonly listsEveryModel: boolean;
  /**
   * The API an agent CLI may call through the model proxy (src/egress/model-proxy.ts): each route relative to
   * the base URL (the sandbox asks for `/v1/<path>`, the proxy sends `<base_url>/<path>`). Every other path is refused.
   */
  readonly proxyRoutes: readonly ModelProxyRoute[];
  /** The AI SDK model (the key, read host-side, goes only here). */
  create(connection: ModelConnection, key: string | null): Promise<LanguageModel>;
}

/** One API route the model proxy forwards. */
export interface ModelProxyRoute {
  method: "GET" | "POST";
  /** Under the base URL, without a leading slash (`chat/completions`); ending in `/:id`, one more path segment (`models/:id`). */
  path: string;
  /** A streamed answer carries its usage only when the request asks for it (OpenAI's `stream_options.include_usage`): the proxy asks. */
  asksStreamUsage?: boolean;
}

export function defineModelProvider<const T extends ModelProviderDefinition>(definition: T): T {
  return definition;
}
