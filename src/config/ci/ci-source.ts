/** One step of a CI job as PushPals reads it: the shell text it runs, and where it is. */
export interface CiStep {
  /** The file and job, e.g. `ci.yml test`. */
  where: string;
  /** The shell text as written (several lines allowed); empty for a whole job or workflow that is skipped. */
  run: string;
  /**
   * Why the step cannot run as a check here whatever it runs: it needs secrets or services, depends
   * on a matrix value that cannot be resolved, runs on another OS or shell, in a subfolder...
   */
  blocked?: string;
}

export interface CiReading {
  /** The CI files read, relative to the repository root. */
  files: string[];
  /** Every step that runs a shell command, in the order CI runs them. */
  steps: CiStep[];
  /** What could not be read (a YAML error, an include that is not followed). */
  notes: string[];
}

/** A CI system as a plug-in: it finds its own files and reads their steps. Reads files only. */
export interface CiSource {
  /** A name for people: "GitHub Actions". */
  label: string;
  read(root: string): CiReading;
}

export const NO_CI: CiReading = { files: [], steps: [], notes: [] };
