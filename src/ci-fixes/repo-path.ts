/** How many files one fix may name: more than that is a fix of the whole repository, not of a failure. */
export const MAX_NAMED_FILES = 200;

/**
 * A path relative to the repository root, the way git lists a tracked file: no absolute path, no `.`
 * or `..` segment, no empty segment, no leading `-` (it would read as a flag when passed to a tool),
 * no backslash or control character, nothing under `.git`.
 */
export function isRepoRelativePath(path: string): boolean {
  if (path.length === 0 || path.length > 1024) return false;
  if (path.startsWith("/") || path.startsWith("-")) return false;
  if (/[\u0000-\u001f\u007f\\]/.test(path)) return false;
  const segments = path.split("/");
  return segments.every((s) => s !== "" && s !== "." && s !== ".." && s.toLowerCase() !== ".git");
}

