import { COMPONENT_NAME_PATTERN } from "../components/component-types.ts";
import { isValidId } from "../core/ids.ts";

/** Every path parameter has a pattern, by its name: `:name` is a component name, `:number` a PR number, anything else an id. */
const PARAM_PATTERNS: Record<string, (value: string) => boolean> = {
  name: (value) => COMPONENT_NAME_PATTERN.test(value),
  number: (value) => /^[1-9][0-9]{0,8}$/.test(value),
};

export function paramPattern(name: string): (value: string) => boolean {
  return PARAM_PATTERNS[name] ?? isValidId;
}

/** What a refused parameter is called in the error: its own name for `name` and `number`, else "id". */
export function paramNoun(name: string): string {
  return name in PARAM_PATTERNS ? name : "id";
}

/** A matched segment as the handler gets it (see `PathParams`): `number` as a number. */
export function paramValue(name: string, segment: string): string | number {
  return name === "number" ? Number(segment) : segment;
}

type ParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

/** The parameters of a path like `/prs/:number/gate`, by name. */
export type PathParams<P extends string> = { [K in ParamNames<P>]: K extends "number" ? number : string };

/** Whether the path has any `:param` segment. */
export type HasParams<P extends string> = [ParamNames<P>] extends [never] ? false : true;
