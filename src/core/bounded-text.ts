/**
 * At most `max` UTF-16 code units of `text` (what a zod `.max()` counts), never ending in half of a
 * surrogate pair: an emoji cut in two would leave a lone surrogate that no encoder writes back.
 */
export function boundedText(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}
