import type { RemoteConnection } from "../../providers/common/api.ts";
import { providerById } from "../../providers/registry.ts";
import type { JobContext } from "./job-context.ts";

/** The remote provider `id` connected with its own config section (`[<id>]`), or null for a local provider. */
export async function connectRemote(ctx: JobContext, id: string): Promise<RemoteConnection | null> {
  const provider = providerById(id);
  if (!provider.remote) return null;
  const sections = ctx.config as unknown as Record<string, unknown>;
  return provider.remote.connect(sections[id]);
}
