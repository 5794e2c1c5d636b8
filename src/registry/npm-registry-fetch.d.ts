/**
 * The part of npm-registry-fetch (npm's own registry client; it ships no types, and @types/npm-registry-fetch
 * describes version 8) that src/registry/fetch-packuments.ts uses. Options other than these are npm's
 * "flat options": `registry`, `@scope:registry` and the per-registry credentials keyed by "nerf dart"
 * (`//host/path/:_authToken`), exactly as an npmrc spells them.
 */
declare module "npm-registry-fetch" {
  interface RetryOptions {
    retries?: number;
    factor?: number;
    minTimeout?: number;
    maxTimeout?: number;
  }

  interface RegistryFetchOptions {
    registry?: string;
    /** `name` (or `name@range`): its scope picks `@scope:registry`. */
    spec?: string;
    headers?: Record<string, string>;
    /** Milliseconds for the whole response (minipass-fetch's timeout); 0 for none. */
    timeout?: number;
    retry?: RetryOptions;
    signal?: AbortSignal;
    ca?: string | string[] | null;
    strictSSL?: boolean;
    proxy?: string | null;
    noProxy?: string | null;
    userAgent?: string;
    /** make-fetch-happen's HTTP cache directory; absent: no cache. */
    cache?: string;
    [key: string]: unknown;
  }

  interface RegistryResponseHeaders {
    get(name: string): string | null;
  }

  interface RegistryResponse {
    status: number;
    url: string;
    headers: RegistryResponseHeaders;
    /** A Minipass stream of the (decompressed) body. */
    body: AsyncIterable<Buffer | Uint8Array | string> & { resume(): void; destroy?(error?: Error): void };
    text(): Promise<string>;
  }

  /** An HTTP status of 400 or more (`code` "E404"...), or a network error (`code` "ECONNREFUSED", "FETCH_ERROR"...). */
  interface RegistryError extends Error {
    code?: string;
    statusCode?: number;
    type?: string;
    headers?: Record<string, string[] | string | undefined>;
  }

  function npmFetch(uri: string, options?: RegistryFetchOptions): Promise<RegistryResponse>;
  export default npmFetch;
  export type { RegistryError, RegistryFetchOptions, RegistryResponse };
}
