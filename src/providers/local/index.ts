import { defineProvider } from "../common/api.ts";

/** PRs that live in the PushPals database only: no account, no network. */
export const localProvider = defineProvider({ id: "local", remote: null });
