const ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, "\\": 92 };

/**
 * Reads one C-style quoted name as git writes it (`"tab\there"`, octal bytes `\303\251`) starting at
 * `text[start] === '"'`. Returns the name and the index just past the closing quote, or null.
 */
export function readQuoted(text: string, start: number): { value: string; end: number } | null {
  if (text[start] !== '"') return null;
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  let i = start + 1;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '"') return { value: new TextDecoder().decode(new Uint8Array(bytes)), end: i + 1 };
    if (c !== "\\") {
      const cp = text.codePointAt(i) as number;
      const ch = String.fromCodePoint(cp);
      bytes.push(...encoder.encode(ch));
      i += ch.length;
      continue;
    }
    const next = text[i + 1] ?? "";
    const octal = /^[0-7]{3}/.exec(text.slice(i + 1, i + 4));
    if (octal) {
      bytes.push(parseInt(octal[0], 8));
      i += 4;
    } else if (next in ESCAPES) {
      bytes.push(ESCAPES[next] as number);
      i += 2;
    } else {
      return null;
    }
  }
  return null;
}

/** A header path: quoted or plain, with a trailing tab (git adds one after names with spaces) dropped. */
export function unquotePath(raw: string): string | null {
  if (raw.startsWith('"')) return readQuoted(raw, 0)?.value ?? null;
  const tab = raw.indexOf("\t");
  return tab === -1 ? raw : raw.slice(0, tab);
}
