import { z } from "zod";

/**
 * `[benchmarks]` in `.pushpals/config.toml`: what the Performance Tuner measures, read as committed at the
 * base commit (never a request's, nor a model's). A command's figure is its wall time, or the number its
 * output gives through `figure` (a regular expression with one capture group, matched line by line).
 */
export const BenchmarkCommand = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/),
  run: z.string().min(1).max(4096),
  figure: z
    .string()
    .min(1)
    .max(256)
    .refine((p) => {
      try {
        // An alternative that matches "" shows how many groups the expression has.
        return new RegExp(`${p}|`).exec("")!.length >= 2;
      } catch {
        return false;
      }
    }, "must be a regular expression with one capture group around the number")
    // A quantified group holding a quantifier backtracks without end on a crafted line (the output is the change's).
    .refine((p) => !/\([^()]*[*+}][^()]*\)[*+{?]/.test(p), "must not nest quantifiers (a repeated group that itself repeats): it could hang on a crafted line")
    .optional(),
  /** With `figure`: a bigger number is better (operations per second); wall time is always lower-better. */
  higher_is_better: z.boolean().default(false),
});
export type BenchmarkCommand = z.infer<typeof BenchmarkCommand>;

export const BenchmarkSettings = z.strictObject({
  commands: z.array(BenchmarkCommand).max(16),
  /** Runs of each side, alternated base/change so drift of the machine hits both alike. */
  runs: z.number().int().min(3).max(51),
  /** The smallest gain that counts (0.05: 5 %), on top of every run of the change beating every run of the base. */
  min_improvement: z.number().min(0.001).max(0.9),
  /** Each run, at most. */
  timeout_seconds: z.number().int().positive().max(3600),
});
export type BenchmarkSettings = z.infer<typeof BenchmarkSettings>;

export const DEFAULT_BENCHMARK_SETTINGS: BenchmarkSettings = { commands: [], runs: 5, min_improvement: 0.05, timeout_seconds: 600 };
