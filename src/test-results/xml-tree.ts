import { XMLParser, XMLValidator, type EntityDecoderOptions, type X2jOptions } from "fast-xml-parser";
import { reportError } from "./report-error.ts";

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
}
export type XmlNode = { element: XmlElement } | { text: string } | { comment: string };

const BUILTIN: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/**
 * The only entities decoded: XML's five and character references. Whatever a DTD declares is ignored
 * (never expanded), and HTML's names stay as written.
 */
const xmlBuiltinsOnly: EntityDecoderOptions = {
  setExternalEntities: () => {},
  addInputEntities: () => {},
  reset: () => {},
  setXmlVersion: () => {},
  decode: (text) =>
    text.includes("&")
      ? text.replace(/&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|(lt|gt|amp|quot|apos));/g, (whole, dec?: string, hex?: string, name?: string) => {
          if (name !== undefined) return BUILTIN[name]!;
          const code = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
          const valid = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff));
          return valid ? String.fromCodePoint(code) : whole;
        })
      : text,
};

const OPTIONS: X2jOptions = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  commentPropName: "#comment",
  // The limits bound what the parser reads of a DTD; nothing it reads is expanded (the decoder above).
  processEntities: { enabled: true, maxEntityCount: 1, maxEntitySize: 1 },
  entityDecoder: xmlBuiltinsOnly,
  ignorePiTags: true,
  maxNestedTags: 100,
};

/** Where a JUnit document starts: its XML declaration or its root. */
export const XML_START = /<\?xml\b|<testsuites?[\s/>]/;

/**
 * The root element of a JUnit document, read safely: text before the XML (a runner's banner, npm's
 * header) and after its root's end is ignored; a DOCTYPE is refused; a document that is not
 * well-formed is an error saying where, and whether it looks cut short.
 */
export function readXml(text: string): XmlElement {
  const start = text.search(XML_START);
  if (start === -1) throw reportError("junit", "not_a_report", "the JUnit report has no <testsuites> or <testsuite> element");
  const lineOffset = countLines(text, 0, start);
  let doc = text.slice(start);
  const firstElement = doc.search(/<[A-Za-z_]/);
  if (/<!DOCTYPE/i.test(firstElement === -1 ? doc : doc.slice(0, firstElement))) {
    throw reportError("junit", "doctype", "the JUnit report declares a DOCTYPE: refused, its entities are not expanded");
  }
  const rootName = firstElement === -1 ? null : /^<([^\s/>]+)/.exec(doc.slice(firstElement))?.[1];
  if (rootName) {
    const end = doc.lastIndexOf(`</${rootName}>`);
    if (end !== -1 && !doc.slice(end + rootName.length + 3).trimStart().startsWith("<")) doc = doc.slice(0, end + rootName.length + 3);
  }
  const valid = XMLValidator.validate(doc);
  if (valid !== true) throw notWellFormed(doc, valid.err, lineOffset);
  let parsed: unknown[];
  try {
    parsed = new XMLParser(OPTIONS).parse(doc) as unknown[];
  } catch (err) {
    throw reportError("junit", "malformed", `the JUnit report could not be read: ${(err as Error).message}`);
  }
  const root = toNodes(parsed).find((n): n is { element: XmlElement } => "element" in n);
  if (root === undefined) throw reportError("junit", "not_a_report", "the JUnit report has no root element");
  return root.element;
}

function toNodes(items: unknown[]): XmlNode[] {
  const nodes: XmlNode[] = [];
  for (const item of items as Record<string, unknown>[]) {
    for (const [key, value] of Object.entries(item)) {
      if (key === ":@") continue;
      if (key === "#text") nodes.push({ text: String(value) });
      else if (key === "#comment") nodes.push({ comment: toNodes(value as unknown[]).map((n) => ("text" in n ? n.text : "")).join("") });
      else if (!key.startsWith("?")) {
        const attrs = (item[":@"] ?? {}) as Record<string, string>;
        nodes.push({ element: { name: key, attrs, children: toNodes(value as unknown[]) } });
      }
    }
  }
  return nodes;
}

function countLines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf("\n", from); i !== -1 && i < to; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/** Tags, comments, CDATA, processing instructions and the DOCTYPE, with `>` allowed inside quoted attribute values. */
const TOKEN = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<!DOCTYPE(?:[^>[]|\[[\s\S]*?\])*>|<\/([^\s<>/!?"'=]+)\s*>|<([^\s<>/!?"'=]+)(?:[^<>"']|"[^"]*"|'[^']*')*>/g;

/**
 * The validator's own message names the first problem it met; a document cut short is better told as
 * such: the innermost element still open where the text ends, and the line it opened on.
 */
function notWellFormed(doc: string, err: { msg: string; line: number; col: number }, lineOffset: number): Error {
  const lineAt = (at: number) => lineOffset + countLines(doc, 0, at) + 1;
  const open: { name: string; at: number }[] = [];
  let last = 0;
  for (const m of doc.matchAll(TOKEN)) {
    // A "<" that starts no token, or a closing tag that closes something else: malformed, not cut short.
    if (doc.slice(last, m.index).includes("<")) return malformed(err, lineOffset);
    last = m.index + m[0].length;
    if (m[1] !== undefined) {
      if (open.pop()?.name !== m[1]) return malformed(err, lineOffset);
    } else if (m[2] !== undefined && !m[0].endsWith("/>")) open.push({ name: m[2], at: m.index });
  }
  const rest = doc.slice(last);
  const lt = rest.indexOf("<");
  if (lt !== -1) {
    const line = lineAt(last + lt);
    const tag = /^<\/?([A-Za-z_][^\s/>]*)/.exec(rest.slice(lt))?.[1];
    const what = tag === undefined ? "a comment, CDATA section or declaration" : `the <${tag}> tag`;
    return reportError("junit", "truncated", `the JUnit report ends inside ${what} at line ${line}: truncated?`, line);
  }
  const inner = open.at(-1);
  if (inner === undefined) return malformed(err, lineOffset);
  const line = lineAt(inner.at);
  return reportError("junit", "truncated", `the JUnit report ends inside <${inner.name}> (opened at line ${line}): truncated?`, line);
}

function malformed(err: { msg: string; line: number; col: number }, lineOffset: number): Error {
  const line = err.line + lineOffset;
  return reportError("junit", "malformed", `the JUnit report is not well-formed XML at line ${line}, column ${err.col}: ${err.msg}`, line);
}
