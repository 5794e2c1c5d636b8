import { existsSync } from "node:fs";
import { join } from "node:path";
import { NO_CI, type CiSource, type CiStep } from "./ci-source.ts";
import { asRecord, asString, isRecord, readYamlFile, secretVariable } from "./ci-yaml.ts";

const FILE = ".circleci/config.yml";

type Json = Record<string, unknown>;

/** CircleCI: the `run` steps of `.circleci/config.yml`'s jobs, in the order its workflows list them. */
export const circleCi: CiSource = {
  label: "CircleCI",
  read(root) {
    if (!existsSync(join(root, FILE))) return NO_CI;
    const parsed = readYamlFile(root, FILE);
    if (!parsed.ok) return { files: [FILE], steps: [], notes: [parsed.note] };
    return { files: [FILE], steps: configSteps(asRecord(parsed.value)), notes: [] };
  },
};

export function configSteps(config: Json): CiStep[] {
  const jobs = asRecord(config.jobs);
  return jobOrder(config, jobs).flatMap((name) => jobSteps(`config.yml ${name}`, asRecord(jobs[name])));
}

/** Jobs as the workflows list them (each once), then any other job. */
function jobOrder(config: Json, jobs: Json): string[] {
  const names: string[] = [];
  for (const workflow of Object.values(asRecord(config.workflows))) {
    for (const entry of Array.isArray(asRecord(workflow).jobs) ? (asRecord(workflow).jobs as unknown[]) : []) {
      const name = typeof entry === "string" ? entry : Object.keys(asRecord(entry))[0];
      if (name && name in jobs && !names.includes(name)) names.push(name);
    }
  }
  return [...names, ...Object.keys(jobs).filter((n) => !names.includes(n))];
}

function jobSteps(where: string, job: Json): CiStep[] {
  // The first docker image is the job's own; every further one is a service container.
  const docker = Array.isArray(job.docker) ? job.docker : [];
  const services = docker.slice(1).map((d) => asString(asRecord(d).image) ?? "an image");
  const needs = services.length > 0 ? `needs services (${services.join(", ")})` : null;
  const steps: CiStep[] = [];
  for (const step of Array.isArray(job.steps) ? job.steps : []) {
    const run = isRecord(step) ? step.run : undefined;
    const command = typeof run === "string" ? run : asString(asRecord(run).command);
    if (command === undefined) continue;
    const dir = asString(asRecord(run).working_directory);
    const blocked = needs ?? (dir && !/^\.\/?$/.test(dir) ? `runs in ${dir}; checks run from the repository root` : command.includes("<<") ? "uses << parameters >>, which only CircleCI resolves" : secretVariable(command));
    steps.push(blocked ? { where, run: command, blocked } : { where, run: command });
  }
  return needs && steps.length === 0 ? [{ where, run: "", blocked: needs }] : steps;
}
