/** One preflight result: a stable code scripts can match, what is wrong, and what to type to fix it. */
export interface Finding {
  code: string;
  level: "error" | "warn" | "ok";
  message: string;
  fix?: string;
}

export const ok = (code: string, message: string): Finding => ({ code, level: "ok", message });
export const warn = (code: string, message: string, fix: string): Finding => ({ code, level: "warn", message, fix });
export const error = (code: string, message: string, fix: string): Finding => ({ code, level: "error", message, fix });
