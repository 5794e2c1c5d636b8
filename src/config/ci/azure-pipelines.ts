import { existsSync } from "node:fs";
import { join } from "node:path";
import { NO_CI, type CiSource, type CiStep } from "./ci-source.ts";
import { asRecord, asString, otherOs, readYamlFile, secretVariable } from "./ci-yaml.ts";

const FILE = "azure-pipelines.yml";

type Json = Record<string, unknown>;

/** Azure Pipelines: the `script`/`bash` steps of `azure-pipelines.yml` (steps, jobs, or stages of jobs). */
export const azurePipelines: CiSource = {
  label: "Azure Pipelines",
  read(root) {
    if (!existsSync(join(root, FILE))) return NO_CI;
    const parsed = readYamlFile(root, FILE);
    if (!parsed.ok) return { files: [FILE], steps: [], notes: [parsed.note] };
    return { files: [FILE], steps: pipelineSteps(asRecord(parsed.value)), notes: [] };
  },
};

export function pipelineSteps(pipeline: Json): CiStep[] {
  const stages = Array.isArray(pipeline.stages) ? pipeline.stages.map(asRecord) : [pipeline];
  return stages.flatMap((stage) => {
    const jobs = Array.isArray(stage.jobs) ? stage.jobs.map(asRecord) : [stage];
    return jobs.flatMap((job) => jobSteps(`${FILE} ${asString(job.job) ?? asString(job.deployment) ?? "steps"}`, job, pipeline));
  });
}

function jobSteps(where: string, job: Json, pipeline: Json): CiStep[] {
  const services = Object.keys(asRecord(job.services));
  const needs = services.length > 0 ? `needs services (${services.join(", ")})` : null;
  const jobWide = needs ?? otherOs(asString(asRecord(job.pool ?? pipeline.pool).vmImage));
  const steps: CiStep[] = [];
  for (const raw of Array.isArray(job.steps) ? job.steps : []) {
    const step = asRecord(raw);
    const run = asString(step.script) ?? asString(step.bash);
    const shell = ["pwsh", "powershell"].find((k) => typeof step[k] === "string");
    if (shell) steps.push({ where, run: asString(step[shell])!, blocked: `runs in ${shell}, not sh` });
    if (run === undefined) continue;
    const dir = asString(step.workingDirectory);
    const blocked = jobWide ?? (dir ? `runs in ${dir}; checks run from the repository root` : null) ?? (/\$\([A-Z]\w*(\.\w+)*\)/.test(run) ? "uses a $(variable) only Azure Pipelines resolves" : secretVariable(run));
    steps.push(blocked ? { where, run, blocked } : { where, run });
  }
  return needs && steps.length === 0 ? [{ where, run: "", blocked: needs }] : steps;
}
