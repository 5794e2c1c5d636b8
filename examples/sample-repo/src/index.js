// @ts-check
export { slugify } from "./slugify.js";
export { bump, compare, format, parse } from "./semver.js";
