/**
 * Untrusted text made safe for a terminal: what a job printed, a PR's title and body, paths, branch
 * and component names, failure messages and evidence, review findings, event payloads, server errors.
 * Every human-readable value the CLI prints that did not come from the CLI itself goes through here,
 * before PushPals' own styling (style.ts) is applied; `--json` output never does (JSON.stringify
 * already escapes C0 controls and must stay exact).
 *
 * Made visible, each code point on its own (so a sequence split over two values or two chunks, or
 * cut short, is harmless too): the C0 controls but TAB, DEL, the C1 controls (U+0080-U+009F, where
 * U+009B is a CSI and U+009D an OSC on their own) and the Unicode controls that reorder or break
 * text (bidi embeddings, overrides, isolates and marks, line and paragraph separators). The visible
 * form is JavaScript's: `\n`, `\r`, `\xHH` below U+0100 (`\x1b` for ESC, `\x07` for BEL, `\x9b`),
 * `\u{HHHH}` above (`\u{202e}`). So `ESC ] 52 ; c ; ... BEL` (a clipboard write), `ESC [ 2 J` (clear
 * the screen), `ESC ] 0 ; title BEL` (the window title) and a CR that would overwrite a line all
 * print as plain characters. A backslash is printed as is (commands and regexes stay readable), so
 * a literal `\x1b` typed into a title looks like a neutralized ESC: both are harmless text, and
 * `--json` gives the exact string. Printable text, accents, CJK and emoji (with their joiners and
 * variation selectors) are untouched.
 */

// TAB (U+0009) is deliberately absent: it cannot move the cursor back or erase anything.
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

function show(char: string): string {
  if (char === "\n") return "\\n";
  if (char === "\r") return "\\r";
  const code = char.codePointAt(0)!;
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
}

/** A value printed inside a line (a table cell, `key value`): every control visible, line breaks as `\n`. */
export function visible(text: string): string {
  return text.replace(UNSAFE, show);
}

/** A value that is a whole line of its own (a log line): as `visible`, but its line ending (a final CR) is not shown. */
export function visibleLine(text: string): string {
  return visible(text.endsWith("\r") ? text.slice(0, -1) : text);
}

/**
 * A multi-line value printed on lines of its own (a PR body, a log excerpt, a diff, an error): split
 * at its line breaks (LF or CRLF), each line as `visibleLine`. The caller starts every line with a
 * prefix PushPals' own lines never begin with, so no line of the value can pass for PushPals' output.
 */
export function visibleLines(text: string): string[] {
  return text.split("\n").map(visibleLine);
}

/**
 * An error's text may quote what the server, a job or a repository said: made visible, and a line
 * after its first one starts with "  | ", so it cannot pass for a "fix:" or any other line of ours.
 */
export function quotedText(text: string): string {
  return visibleLines(text).join("\n  | ");
}

/**
 * For text arriving in chunks (a log file being echoed): line breaks and tabs pass, everything else
 * as `visible`. A CR directly before a LF is a line ending and passes too; one at a chunk's end waits
 * for the next chunk to tell.
 */
export class VisibleStream {
  private readonly decoder = new TextDecoder();
  private heldCr = false;

  push(chunk: Uint8Array): string {
    return this.take(this.decoder.decode(chunk, { stream: true }), false);
  }

  end(): string {
    return this.take(this.decoder.decode(), true);
  }

  private take(decoded: string, final: boolean): string {
    let text = (this.heldCr ? "\r" : "") + decoded;
    this.heldCr = !final && text.endsWith("\r");
    if (this.heldCr) text = text.slice(0, -1);
    return text.split("\r\n").map((part) => part.split("\n").map(visible).join("\n")).join("\r\n");
  }
}
