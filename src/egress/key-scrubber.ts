/**
 * Removes one secret's bytes from a stream cut into arbitrary chunks (the model proxy's answers going back
 * into the sandbox): the last `secret.length - 1` bytes of each chunk are held back until the next one shows
 * whether they start the secret. What it emits never holds the secret, across any chunk boundary.
 */
export class KeyScrubber {
  private held: Buffer = Buffer.alloc(0);
  private readonly secret: Buffer | null;
  private readonly replacement: Buffer;

  constructor(secret: string | null, replacement: string) {
    this.secret = secret === null || secret === "" ? null : Buffer.from(secret, "utf8");
    this.replacement = Buffer.from(replacement, "utf8");
  }

  /** The bytes that can be passed on now. */
  push(chunk: Uint8Array): Buffer {
    const data = Buffer.concat([this.held, chunk]);
    if (this.secret === null) {
      this.held = Buffer.alloc(0);
      return data;
    }
    const clean = this.replaceAll(data);
    const keep = Math.min(clean.length, this.secret.length - 1);
    this.held = clean.subarray(clean.length - keep);
    return clean.subarray(0, clean.length - keep);
  }

  /** What is still held back, at the end of the stream. */
  flush(): Buffer {
    const rest = this.secret === null ? this.held : this.replaceAll(this.held);
    this.held = Buffer.alloc(0);
    return rest;
  }

  /** `text` with every occurrence of the secret replaced (a header value, an error message). */
  scrubText(text: string): string {
    if (this.secret === null) return text;
    return text.split(this.secret.toString("utf8")).join(this.replacement.toString("utf8"));
  }

  private replaceAll(data: Buffer): Buffer {
    const secret = this.secret!;
    let at = data.indexOf(secret);
    if (at < 0) return data;
    const parts: Buffer[] = [];
    let from = 0;
    while (at >= 0) {
      parts.push(data.subarray(from, at), this.replacement);
      from = at + secret.length;
      at = data.indexOf(secret, from);
    }
    parts.push(data.subarray(from));
    return Buffer.concat(parts);
  }
}
