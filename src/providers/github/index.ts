import { defineProvider } from "../common/api.ts";

/** GitHub (and GitHub Enterprise Server); its settings are github-settings.ts, read by the config schema. */
export const githubProvider = defineProvider({
  id: "github",
  // Octokit and the push code load only when a job first connects.
  remote: { load: async () => (await import("./github-connect.ts")).githubRemote },
});
