/**
 * The layout of `.pushpals/quarantine.toml` as text, for edits that keep everything else byte for byte:
 * its lines (each with its own line ending) and where each `[[test]]` block begins and ends. Only a
 * reading of the layout: the edits check their result by parsing it again (edit-quarantine.ts).
 */

export interface Line {
  /** Offset of its first byte in the text. */
  at: number;
  /** The line with its ending ("\n", "\r\n" or none on a last line). */
  text: string;
}

export interface Block {
  /** Index of its `[[test]]` header line. */
  header: number;
  /** First line of the block: the comment lines right above its header, if any belong to it. */
  first: number;
  /** One past its last line: the next block's first line, or the end. */
  end: number;
}

export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let at = 0;
  while (at < text.length) {
    const nl = text.indexOf("\n", at);
    const next = nl < 0 ? text.length : nl + 1;
    lines.push({ at, text: text.slice(at, next) });
    at = next;
  }
  return lines;
}

const HEADER = /^[ \t]*\[/;
const TEST_HEADER = /^[ \t]*\[\[[ \t]*test[ \t]*\]\][ \t]*(#.*)?$/;

const bare = (line: Line) => line.text.replace(/\r?\n$/, "");
export const isBlank = (line: Line) => /^[ \t]*$/.test(bare(line));
export const isComment = (line: Line) => /^[ \t]*#/.test(bare(line));

/**
 * The `[[test]]` blocks of a file's lines, and the index of each table header that is not one (the
 * schema refuses those). A header inside a multi-line string is not one: a line that opens or closes
 * `"""` or `'''` an odd number of times toggles that state (a reading good enough for the edits,
 * which parse their result again).
 */
export function findBlocks(lines: readonly Line[]): { blocks: Block[]; otherHeaders: number[] } {
  const headers: number[] = [];
  const otherHeaders: number[] = [];
  let open: '"""' | "'''" | null = null;
  lines.forEach((line, i) => {
    const text = bare(line);
    if (open === null && HEADER.test(text)) (TEST_HEADER.test(text) ? headers : otherHeaders).push(i);
    if (open === null && isComment(line)) return;
    for (const quote of ['"""', "'''"] as const) {
      if (open !== null && open !== quote) continue;
      const count = text.split(quote).length - 1;
      if (count % 2 === 1) open = open === null ? quote : null;
    }
  });
  const blocks: Block[] = headers.map((header, k) => {
    // The comment lines right above a header are its block's (a note on the entry), unless they run up to
    // the file's start: that is the file's own header comment, or to the previous block's header.
    let first = header;
    while (first > 0 && isComment(lines[first - 1]!) && first - 1 > (headers[k - 1] ?? -1)) first--;
    if (first === 0 && k === 0) first = header;
    return { header, first, end: lines.length };
  });
  for (let k = 0; k + 1 < blocks.length; k++) blocks[k]!.end = blocks[k + 1]!.first;
  return { blocks, otherHeaders };
}
