/** One simple command of a shell text: its words with quotes removed, and the command as written. */
export interface ShellCommand {
  words: string[];
  text: string;
}

/** Words that run the next word as the command: `env X=1 go test`, `time npm test`. */
const PREFIX_COMMANDS = new Set(["env", "time", "command", "exec", "nice", "nohup"]);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/**
 * Splits shell text into simple commands at newlines, `;`, `&&`, `||`, `|`, `&` and parentheses,
 * honouring quotes, backslashes, line continuations and comments. Not a shell: nothing is expanded,
 * and `$(...)` or backquotes stay inside their word.
 */
export function splitCommands(text: string): ShellCommand[] {
  const splitter = new Splitter(text);
  splitter.run();
  return splitter.commands;
}

/** The words that name the program and its arguments: leading `X=1` assignments and `env`/`time` prefixes dropped. */
export function commandWords(words: string[]): string[] {
  let i = 0;
  while (i < words.length) {
    const word = words[i]!;
    if (ASSIGNMENT.test(word)) i++;
    else if (PREFIX_COMMANDS.has(word)) i += 1 + countPrefixFlags(words, i + 1);
    else break;
  }
  return words.slice(i);
}

/** The program a command line starts with (`go` for `CGO_ENABLED=0 go test ./...`), or null for none. */
export function programOf(commandLine: string): string | null {
  const first = splitCommands(commandLine)[0];
  return first ? (commandWords(first.words)[0] ?? null) : null;
}

function countPrefixFlags(words: string[], from: number): number {
  let n = 0;
  while (words[from + n]?.startsWith("-")) n++;
  return n;
}

class Splitter {
  readonly commands: ShellCommand[] = [];
  private words: string[] = [];
  private word: string | null = null;
  private start = 0;
  private i = 0;

  constructor(private readonly text: string) {}

  run(): void {
    while (this.i < this.text.length) this.step();
    this.endCommand(this.text.length);
  }

  private step(): void {
    const c = this.text[this.i]!;
    const next = this.text[this.i + 1];
    if (c === "\\" && next === "\n") return void (this.i += 2);
    if (c === "\\") return this.append(next ?? "", 2);
    if (c === "'") return this.quoted("'");
    if (c === '"') return this.quoted('"');
    if (c === "`") return this.quoted("`", true);
    if (c === "$" && next === "(") return this.substitution();
    if (c === "#" && this.word === null) return this.comment();
    if (c === " " || c === "\t" || c === "\r") return this.endWord(1);
    if (this.isSeparator(c, next)) return this.separator(c === next && (c === "&" || c === "|") ? 2 : 1);
    this.append(c, 1);
  }

  /** `&` in a redirection (`2>&1`, `&>log`) is not a separator. */
  private isSeparator(c: string, next: string | undefined): boolean {
    if (c === "&") return !(this.word?.endsWith(">") || this.word?.endsWith("<") || next === ">");
    return c === "\n" || c === ";" || c === "|" || c === "(" || c === ")";
  }

  private append(chars: string, advance: number): void {
    this.word = (this.word ?? "") + chars;
    this.i += advance;
  }

  private quoted(quote: string, keep = false): void {
    let value = keep ? quote : "";
    let j = this.i + 1;
    for (; j < this.text.length && this.text[j] !== quote; j++) {
      const ch = this.text[j]!;
      if (ch === "\\" && quote !== "'" && j + 1 < this.text.length) value += this.text[++j]!;
      else value += ch;
    }
    this.append(keep ? `${value}${quote}` : value, j + 1 - this.i);
  }

  /** `$(...)`, nested parentheses included, stays one piece of the current word. */
  private substitution(): void {
    let depth = 0;
    let j = this.i + 1;
    for (; j < this.text.length; j++) {
      if (this.text[j] === "(") depth++;
      else if (this.text[j] === ")" && --depth === 0) break;
    }
    this.append(this.text.slice(this.i, j + 1), j + 1 - this.i);
  }

  private comment(): void {
    while (this.i < this.text.length && this.text[this.i] !== "\n") this.i++;
  }

  private endWord(advance: number): void {
    if (this.word !== null) this.words.push(this.word);
    this.word = null;
    this.i += advance;
  }

  private separator(width: number): void {
    this.endWord(0);
    this.endCommand(this.i);
    this.i += width;
    this.start = this.i;
  }

  private endCommand(end: number): void {
    if (this.word !== null) this.words.push(this.word);
    this.word = null;
    if (this.words.length > 0) this.commands.push({ words: this.words, text: tidy(this.text.slice(this.start, end)) });
    this.words = [];
  }
}

/** The command as written, on one line: continuations joined, comments and outer blanks dropped. */
function tidy(text: string): string {
  return text
    .replace(/[ \t]*\\\n\s*/g, " ")
    .replace(/(^|\s)#.*$/gm, "")
    .trim();
}
