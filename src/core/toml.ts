import { parse as parseToml, TomlError } from "smol-toml";
import { PushpalsError } from "./errors.ts";

/** Parses a committed TOML file (config or policy); a syntax error names the file, line and column. */
export function parseTomlText(text: string, path: string): unknown {
  try {
    return parseToml(text);
  } catch (err) {
    const where = err instanceof TomlError ? ` at line ${err.line}, column ${err.column}` : "";
    throw new PushpalsError("config_invalid", `${path}${where}: not valid TOML: ${(err as Error).message.split("\n")[0]}`, {
      hint: "fix the syntax; see https://toml.io for the format",
      details: { file: path },
    });
  }
}
