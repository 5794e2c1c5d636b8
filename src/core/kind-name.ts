import { z } from "zod";

/** A job kind's id as other layers name it (config, policy): the registry in src/kinds/ knows which exist. */
export const KIND_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,63}$/;
export const KindName = z.string().regex(KIND_NAME_PATTERN, "must be a job kind name (a-z, 0-9, _ and -)");
export type KindName = z.infer<typeof KindName>;
