/** Row <-> domain mapping helpers for the SQLite backend (snake_case columns, JSON text for free-form values). */
export type Row = Record<string, unknown>;

export const json = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));
export const parse = (text: unknown): unknown => (typeof text === "string" ? JSON.parse(text) : null);
