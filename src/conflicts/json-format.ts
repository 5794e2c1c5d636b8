/**
 * How a JSON file is laid out, read from one side's text so a merged value can be written back the same
 * way: byte order mark, whitespace around the value (so a final newline, or its absence, survives),
 * indentation and line ending.
 */
export type JsonLayout = { bom: string; leading: string; trailing: string; indent: string | number; eol: "\n" | "\r\n" };

const BOM = "\uFEFF";

/** The text without its byte order mark, which JSON.parse refuses. */
export function stripBom(text: string): string {
  return text.startsWith(BOM) ? text.slice(1) : text;
}

export function detectLayout(text: string): JsonLayout {
  const bom = text.startsWith(BOM) ? BOM : "";
  const body = stripBom(text);
  const leading = /^[ \t\r\n]*/.exec(body)![0];
  const trailing = /[ \t\r\n]*$/.exec(body)![0];
  const crlf = (body.match(/\r\n/g) ?? []).length;
  const lf = (body.match(/\n/g) ?? []).length;
  const eol = crlf * 2 > lf ? "\r\n" : "\n";
  const value = body.slice(leading.length, body.length - trailing.length);
  const firstIndented = /\n([ \t]+)\S/.exec(value);
  let indent: string | number;
  if (firstIndented) indent = firstIndented[1]!.startsWith("\t") ? "\t" : firstIndented[1]!.replace(/\t/g, "").length;
  else indent = value.includes("\n") ? 2 : "";
  return { bom, leading, trailing, indent, eol };
}

export function writeWithLayout(value: unknown, layout: JsonLayout): string {
  // JSON.stringify escapes newlines inside strings, so every raw "\n" here is one it placed between tokens.
  let body = JSON.stringify(value, null, layout.indent);
  if (layout.eol === "\r\n") body = body.replace(/\n/g, "\r\n");
  return `${layout.bom}${layout.leading}${body}${layout.trailing}`;
}
