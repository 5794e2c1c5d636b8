import { checksHandler } from "./checks/checks-handler.ts";
import type { JobHandler } from "./handler.ts";
import { noopHandler } from "./noop-handler.ts";
import { runHandler } from "./run/run-handler.ts";

/** Built-in job kinds a WorkerPal can run. */
export const BUILTIN_HANDLERS: JobHandler[] = [checksHandler, noopHandler, runHandler];
