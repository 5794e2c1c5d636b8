/** Job and worker IDs: time-ordered, URL-safe, and checked by one pattern before they touch a path or query. */
export const ID_PATTERN = /^[a-z]{1,8}_[0-9a-z]{8,40}$/;

export function newId(prefix: "job" | "wrk" | "wi"): string {
  return `${prefix}_${Bun.randomUUIDv7().replaceAll("-", "")}`;
}

export function isValidId(value: string): boolean {
  return ID_PATTERN.test(value);
}
