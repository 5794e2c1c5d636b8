/** The most of a file's conflict hunks shown to a person (the rest is said to be cut). */
const MAX_HUNKS_CHARS = 6_000;
const MAX_HUNKS = 10;

const MARKER = /^(?:<{7}|={7}|>{7}|\|{7})(?: |$)/m;

/** Whether text still holds a line of a conflict marker (`<<<<<<<`, `=======`, `>>>>>>>`, `|||||||`): no merge result may. */
export function holdsConflictMarkers(text: string): boolean {
  return MARKER.test(text);
}

/** The conflict blocks git left in `text` (`<<<<<<<` to `>>>>>>>`), with two lines of context, bounded. */
export function conflictHunks(text: string): string | null {
  const lines = text.split(/\r?\n/);
  const blocks: string[] = [];
  for (let i = 0; i < lines.length && blocks.length < MAX_HUNKS; i++) {
    if (!lines[i]!.startsWith("<<<<<<< ")) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith(">>>>>>> "));
    if (end === -1) break;
    blocks.push(lines.slice(Math.max(0, i - 2), Math.min(lines.length, end + 3)).join("\n"));
    i = end;
  }
  if (blocks.length === 0) return null;
  const joined = blocks.join("\n...\n");
  return joined.length > MAX_HUNKS_CHARS ? `${joined.slice(0, MAX_HUNKS_CHARS)}\n... (cut)` : joined;
}
