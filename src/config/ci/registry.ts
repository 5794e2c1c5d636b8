import { azurePipelines } from "./azure-pipelines.ts";
import type { CiReading, CiSource } from "./ci-source.ts";
import { circleCi } from "./circleci.ts";
import { githubActions } from "./github-actions.ts";
import { gitlabCi } from "./gitlab-ci.ts";

/** Every CI system init reads, in the order their steps are listed. Adding one is a file and a line here. */
export const CI_SOURCES: readonly CiSource[] = [githubActions, gitlabCi, circleCi, azurePipelines];

/** What every known CI definition of the repository runs. Reads files only. */
export function readCi(root: string): CiReading {
  const all: CiReading = { files: [], steps: [], notes: [] };
  for (const source of CI_SOURCES) {
    const reading = source.read(root);
    all.files.push(...reading.files);
    all.steps.push(...reading.steps);
    all.notes.push(...reading.notes);
  }
  return all;
}
