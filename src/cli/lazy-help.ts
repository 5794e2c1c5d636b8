import { Option } from "commander";

/**
 * An option whose description is worked out only when help is shown: it may quote a module (the job
 * states, the policy's roles) that registering a command must not load. Commander's help is sync, so
 * `describe` loads such a module with `require`.
 */
export function lazyOption(flags: string, describe: () => string): Option {
  const option = new Option(flags);
  Object.defineProperty(option, "description", { get: describe, configurable: true, enumerable: true });
  return option;
}
