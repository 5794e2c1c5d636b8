import { expect, test } from "bun:test";
import { visible, visibleLine, visibleLines, VisibleStream } from "./safe-text.ts";

/** Nothing a terminal acts on: no C0 but TAB and LF, no DEL, no C1, no bidi or separator control. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

test("escape sequences of every kind print as plain characters", () => {
  const cases: [string, string][] = [
    ["\x1b]52;c;cm0gLXJmIH4=\x07", "\\x1b]52;c;cm0gLXJmIH4=\\x07"], // OSC 52: write the clipboard
    ["\x1b]52;c;cm0gLXJmIH4=\x1b\\", "\\x1b]52;c;cm0gLXJmIH4=\\x1b\\"], // OSC 52 ended by ST
    ["\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"], // window title
    ["\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\", "\\x1b]8;;https://evil.example\\x1b\\link\\x1b]8;;\\x1b\\"], // hyperlink
    ["\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"], // clear screen, cursor home
    ["\x1b[1A\x1b[2K", "\\x1b[1A\\x1b[2K"], // up one line, erase it
    ["\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"], // SGR
    ["\x1bP+q544e\x1b\\", "\\x1bP+q544e\\x1b\\"], // DCS
    ["\x1bc", "\\x1bc"], // full reset
    ["\u009b2J", "\\x9b2J"], // 8-bit CSI
    ["\u009d0;t\u009c", "\\x9d0;t\\x9c"], // 8-bit OSC ... ST
    ["\u0085\u0080\u009f", "\\x85\\x80\\x9f"],
    ["a\x7fb", "a\\x7fb"], // DEL
    ["\x00\x01\x07\x08\x0b\x0c\x0e\x1f", "\\x00\\x01\\x07\\x08\\x0b\\x0c\\x0e\\x1f"],
  ];
  for (const [raw, shown] of cases) {
    expect(visible(raw)).toBe(shown);
    expect(RAW_CONTROL.test(visible(raw))).toBe(false);
  }
});

test("a CR that would rewrite the line and a newline that would forge one are visible", () => {
  expect(visible("fetching 10%\rall checks passed")).toBe("fetching 10%\\rall checks passed");
  expect(visible("title\n  state      merged")).toBe("title\\n  state      merged");
  expect(visible("a\r\nb")).toBe("a\\r\\nb");
});

test("bidi controls and separators are visible; tabs stay", () => {
  expect(visible("access\u202e\u2066 // admin\u2069\u202c")).toBe("access\\u{202e}\\u{2066} // admin\\u{2069}\\u{202c}");
  for (const c of ["\u202a", "\u202b", "\u202d", "\u2067", "\u2068", "\u200e", "\u200f", "\u061c", "\u2028", "\u2029"]) {
    expect(visible(`x${c}y`)).toBe(`x\\u{${c.codePointAt(0)!.toString(16)}}y`);
  }
  expect(visible("a\tb")).toBe("a\tb");
});

test("split and partial sequences are harmless on either side", () => {
  // Each half of a sequence cut over two values (or two chunks) is neutralized on its own.
  expect(visible("\x1b") + visible("[2J")).toBe("\\x1b[2J");
  expect(visible("\x1b]52;c;") + visible("AAAA\x07")).toBe("\\x1b]52;c;AAAA\\x07");
  expect(visible("unterminated \x1b]0;title")).toBe("unterminated \\x1b]0;title");
  expect(visible("\x1b[")).toBe("\\x1b[");
  // A lone surrogate or a stray byte decoded as U+FFFD is printable, not a control.
  expect(visible("\ufffd\ud800")).toBe("\ufffd\ud800");
  const stream = new VisibleStream();
  const bytes = new TextEncoder().encode("ok\r\nnext\x1b]0;t\x07\u009b2J\rover\n");
  let out = "";
  for (const b of bytes) out += stream.push(new Uint8Array([b]));
  out += stream.end();
  expect(out).toBe("ok\r\nnext\\x1b]0;t\\x07\\x9b2J\\rover\n");
});

test("good UTF-8 and printable ASCII are untouched", () => {
  const fine = [
    "Crème brûlée, naïve façade, Ærøskøbing, Łódź",
    "日本語のタイトル 修复登录测试 한국어",
    "emoji 🎉👍🏽 family 👨‍👩‍👧‍👦 flag 🇫🇷 heart ❤️",
    "Ελληνικά, русский, עברית, العربية",
    `printf '\\x1b[31m' and C:\\Users\\me and s/\\./x/`,
    "tabs\tstay\tas\tthey\tare",
    " !\"#$%&'()*+,-./0123456789:;<=>?@[\\]^_`{|}~",
  ];
  for (const text of fine) {
    expect(visible(text)).toBe(text);
    expect(visibleLine(text)).toBe(text);
  }
  // Neutralizing twice changes nothing more: safe to apply to a value already shown.
  const once = visible("\x1b]52;c;x\x07\r\n\u202e");
  expect(visible(once)).toBe(once);
});

test("lines of a multi-line value: LF and CRLF end a line, a CR inside one is visible", () => {
  expect(visibleLines("first\r\nsecond\nthird\r")).toEqual(["first", "second", "third"]);
  expect(visibleLines("progress 10%\rdone\n\x1b[2Jclear")).toEqual(["progress 10%\\rdone", "\\x1b[2Jclear"]);
  expect(visibleLine("a log line\r")).toBe("a log line");
  expect(visibleLine("two\nlines")).toBe("two\\nlines");
});
