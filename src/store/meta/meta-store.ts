/** Small named settings the runtime keeps between runs (e.g. the last port, the pause switch). */
export interface MetaStore {
  getMeta(key: string): string | null;
  setMeta(key: string, value: string): void;
}
