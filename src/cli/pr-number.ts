import { PushpalsError } from "../errors/pushpals-error.ts";

export function prNumber(value: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(value)) throw new PushpalsError("invalid_input", `"${value}" is not a PR number`, { field: "number", hint: "list them with `pushpals prs`" });
  return Number(value);
}
