import { caselessGlobMatcher } from "../../policy/policy-glob.ts";
import { runnerConfigKind } from "../../review/reviewers/test-runner-config.ts";

/** Source files of the languages a benchmark measures. */
const CODE = /\.(?:[cm]?[jt]sx?|vue|svelte|py|pyx|pxd|go|rs|c|h|cc|cpp|cxx|hh|hpp|hxx|cu|cuh|s|asm|java|kt|kts|scala|groovy|rb|php|pl|pm|cs|fs|swift|m|mm|zig|lua|ex|exs|erl|hrl|hs|ml|mli|clj|cljs|dart|jl|nim|cr|f90|r|v|sv|vhd|wat|sol)$/i;

/**
 * Code files that still decide how a program starts or is built rather than what it computes: the build's,
 * the bundler's and the test runner's configuration, Python's start-up hooks and packaging, Rust's build
 * script, and anything vendored in as an installed package.
 */
const NOT_MEASURED = caselessGlobMatcher([
  "**/*.config.*",
  "**/*.conf.*",
  "**/.*/**",
  "**/.*",
  "**/node_modules/**",
  "**/setup.py",
  "**/conftest.py",
  "**/noxfile.py",
  "**/sitecustomize.py",
  "**/usercustomize.py",
  "**/build.rs",
  "**/gulpfile.*",
  "**/gruntfile.*",
  "**/jakefile.*",
  "**/webpack.*",
  "**/rollup.*",
  "**/vite.*",
  "**/vitest.*",
  "**/jest.*",
  "**/babel.*",
  "**/karma.*",
]);

/**
 * Whether a Performance Tuner's change may edit this path: code of one of the languages above that is not
 * configuration. Everything else (manifests, lockfiles, `.npmrc`, `bunfig.toml`, `.env`, Makefiles, shell
 * scripts, tsconfig, data) can change how a benchmark runs, or what it runs, without the code being faster.
 */
export function isMeasuredCode(path: string): boolean {
  return CODE.test(path) && !NOT_MEASURED(path) && runnerConfigKind(path) === null;
}
