import { z } from "zod";

/**
 * Where a check writes its test report: a path inside the checkout, relative, plain (no `..`, no `.`
 * parts, no backslashes, no leading `-`), so reading it can never name a file outside the checkout.
 */
export const ReportPath = z
  .string()
  .min(1)
  .max(512)
  .refine((p) => isPlainRelativePath(p), "must be a plain relative path inside the checkout (no `..`, `.`, empty parts, backslashes or a leading `/` or `-`)");

export function isPlainRelativePath(path: string): boolean {
  if (path.startsWith("/") || path.startsWith("-") || path.includes("\\") || path.includes("\0")) return false;
  const parts = path.split("/");
  // The report is removed before the check runs: never the checkout's git directory itself.
  if (parts.at(-1)!.toLowerCase() === ".git") return false;
  return parts.every((part) => part !== "" && part !== "." && part !== ".." && !/[\x00-\x1f]/.test(part));
}
