/** Colour only on a terminal, never with NO_COLOR set (https://no-color.org). */
const enabled = process.stdout.isTTY === true && !("NO_COLOR" in process.env) && process.env.TERM !== "dumb";

const wrap = (code: number) => (text: string) => (enabled ? `\x1b[${code}m${text}\x1b[0m` : text);

export const style = {
  green: wrap(32),
  yellow: wrap(33),
  red: wrap(31),
  dim: wrap(2),
  bold: wrap(1),
};
