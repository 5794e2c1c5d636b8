// @ts-check

/**
 * @typedef {object} SlugifyOptions
 * @property {string} [separator] put between words (default "-")
 * @property {number} [maxLength] cut at a word boundary to at most this many characters
 */

/**
 * Turns a title into a URL slug: "Crème Brûlée, 2nd edition!" -> "creme-brulee-2nd-edition".
 * Accents are dropped, everything else that is not a letter or digit separates words.
 *
 * @param {string} text
 * @param {SlugifyOptions} [options]
 * @returns {string}
 */
export function slugify(text, options = {}) {
  const separator = options.separator ?? "-";
  const words = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  let slug = words.join(separator);
  const max = options.maxLength;
  if (max !== undefined && slug.length > max) {
    const cut = slug.slice(0, max + separator.length);
    const end = cut.lastIndexOf(separator);
    slug = end > 0 ? cut.slice(0, end) : slug.slice(0, max);
  }
  return slug;
}
