/**
 * The model client's fetch: a redirect is an error, never followed. Followed, it would carry the key's header
 * (Anthropic's x-api-key survives a cross-origin redirect) and the code to a host the config never named,
 * around the https-or-loopback rule for base_url.
 */
export const noRedirects: typeof fetch = Object.assign((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => fetch(input, { ...init, redirect: "error" }), {
  preconnect: fetch.preconnect,
});
