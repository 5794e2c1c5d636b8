/** One word for `sh -c`: as is when it holds only plain characters, else single-quoted. */
export function shellQuote(word: string): string {
  return /^[\w./@%+=:,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A command line from its words, each quoted for `sh -c`. */
export function shellLine(words: readonly string[]): string {
  return words.map(shellQuote).join(" ");
}
