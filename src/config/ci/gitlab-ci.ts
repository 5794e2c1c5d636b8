import { existsSync } from "node:fs";
import { join } from "node:path";
import { NO_CI, type CiSource, type CiStep } from "./ci-source.ts";
import { asRecord, asString, isRecord, readYamlFile, secretVariable, stringList } from "./ci-yaml.ts";

const FILE = ".gitlab-ci.yml";
/** Top-level keys that are settings, not jobs (a key starting with "." is a hidden template). */
const KEYWORDS = new Set(["default", "include", "stages", "variables", "workflow", "image", "services", "cache", "before_script", "after_script"]);
const DEFAULT_STAGES = [".pre", "build", "test", "deploy", ".post"];

type Json = Record<string, unknown>;

/** GitLab CI: the jobs of `.gitlab-ci.yml`, stage by stage (files it `include`s are not read). */
export const gitlabCi: CiSource = {
  label: "GitLab CI",
  read(root) {
    if (!existsSync(join(root, FILE))) return NO_CI;
    const parsed = readYamlFile(root, FILE);
    if (!parsed.ok) return { files: [FILE], steps: [], notes: [parsed.note] };
    const doc = asRecord(parsed.value);
    const notes = doc.include !== undefined ? [`${FILE} includes other files (include:); only the jobs written in it were read`] : [];
    return { files: [FILE], steps: pipelineSteps(doc), notes };
  },
};

export function pipelineSteps(doc: Json): CiStep[] {
  const stages = stringList(doc.stages).length > 0 ? stringList(doc.stages) : DEFAULT_STAGES;
  const jobs = Object.entries(doc)
    .filter(([name, job]) => !KEYWORDS.has(name) && !name.startsWith(".") && isRecord(job))
    .map(([name, job]) => [name, resolveExtends(doc, job as Json, 0)] as const);
  const stageOf = (job: Json) => {
    const at = stages.indexOf(asString(job.stage) ?? "test");
    return at < 0 ? stages.length : at;
  };
  const ordered = jobs.map((entry, i) => ({ entry, i })).sort((a, b) => stageOf(a.entry[1]) - stageOf(b.entry[1]) || a.i - b.i);
  return ordered.flatMap(({ entry: [name, job] }) => jobSteps(`${FILE} ${name}`, job, doc));
}

/** `extends:` merges the named templates under the job's own keys (a few levels deep). */
function resolveExtends(doc: Json, job: Json, depth: number): Json {
  const bases = stringList(job.extends);
  if (bases.length === 0 || depth > 4) return job;
  const merged: Json = {};
  for (const base of bases) Object.assign(merged, resolveExtends(doc, asRecord(doc[base]), depth + 1));
  return { ...merged, ...job };
}

function jobSteps(where: string, job: Json, doc: Json): CiStep[] {
  const blocked = jobBlocked(job, doc);
  const defaults = asRecord(doc.default);
  const before = stringList(job.before_script ?? defaults.before_script ?? doc.before_script);
  const lines = [...before, ...stringList(job.script)];
  if (blocked) return lines.length > 0 ? lines.map((run) => ({ where, run, blocked })) : [{ where, run: "", blocked }];
  const matrixVars = parallelMatrixVariables(job.parallel);
  return lines.map((run) => ({ where, run, ...lineBlocked(run, matrixVars) }));
}

function jobBlocked(job: Json, doc: Json): string | null {
  if (job.trigger !== undefined) return "triggers another pipeline, which is not read";
  if (job.when === "manual") return "a manual job";
  if (job.allow_failure === true) return "CI ignores its failure (allow_failure)";
  const services = serviceNames(job.services ?? asRecord(doc.default).services ?? doc.services);
  return services.length > 0 ? `needs services (${services.join(", ")})` : null;
}

function serviceNames(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((s) => (typeof s === "string" ? s : (asString(asRecord(s).name) ?? "a service")));
}

function parallelMatrixVariables(parallel: unknown): string[] {
  const matrix = asRecord(parallel).matrix;
  return Array.isArray(matrix) ? matrix.flatMap((entry) => Object.keys(asRecord(entry))).filter((name) => /^\w+$/.test(name)) : [];
}

function lineBlocked(run: string, matrixVars: string[]): { blocked?: string } {
  const matrixVar = matrixVars.find((name) => new RegExp(`\\$\\{?${name}\\b`).test(run));
  if (matrixVar) return { blocked: `depends on the parallel matrix variable $${matrixVar}, which cannot be resolved here` };
  const secret = secretVariable(run);
  return secret ? { blocked: secret } : {};
}
