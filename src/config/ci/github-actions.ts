import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import type { CiReading, CiSource, CiStep } from "./ci-source.ts";
import { asRecord, asString, isRecord, otherOs, readYamlFile, stringList } from "./ci-yaml.ts";

const WORKFLOWS = ".github/workflows";
/** The events a workflow must run on to be CI for changes. */
const CHANGE_EVENTS = ["push", "pull_request", "pull_request_target", "merge_group"];
const SECRET_EXPRESSION = /\$\{\{[^}]*\b(secrets\.[A-Za-z0-9_-]+|secrets\[[^\]]*\]|github\.token)/;
const MATRIX_REF = /\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}/g;
/** More values than this in one matrix dimension is not a list of checks. */
const MAX_MATRIX_VALUES = 8;

type Json = Record<string, unknown>;

/** GitHub Actions: every workflow under `.github/workflows/` that runs on pushes or pull requests. */
export const githubActions: CiSource = {
  label: "GitHub Actions",
  read(root) {
    const reading: CiReading = { files: [], steps: [], notes: [] };
    for (const file of workflowFiles(root)) {
      const parsed = readYamlFile(root, file);
      reading.files.push(file);
      if (!parsed.ok) reading.notes.push(parsed.note);
      else reading.steps.push(...workflowSteps(basename(file), asRecord(parsed.value)));
    }
    return reading;
  },
};

function workflowFiles(root: string): string[] {
  try {
    return readdirSync(join(root, WORKFLOWS))
      .filter((name) => /\.ya?ml$/.test(name))
      .sort()
      .map((name) => `${WORKFLOWS}/${name}`);
  } catch {
    return [];
  }
}

export function workflowSteps(file: string, workflow: Json): CiStep[] {
  const events = triggers(workflow.on);
  if (!events.some((e) => CHANGE_EVENTS.includes(e))) {
    return [{ where: file, run: "", blocked: `runs on ${events.join(", ") || "no event"}, not on pushes or pull requests` }];
  }
  const secretEnv = secretNames(workflow.env);
  return orderedJobs(asRecord(workflow.jobs)).flatMap(([id, job]) => jobSteps(`${file} ${id}`, job, secretEnv));
}

function triggers(on: unknown): string[] {
  if (typeof on === "string") return [on];
  if (Array.isArray(on)) return on.filter((e): e is string => typeof e === "string");
  return Object.keys(asRecord(on));
}

/** Jobs in the order they can run: each after the jobs it `needs`, otherwise as written. */
function orderedJobs(jobs: Json): [string, Json][] {
  const out: [string, Json][] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (id: string) => {
    if (state.has(id) || !isRecord(jobs[id])) return;
    state.set(id, "visiting");
    for (const need of stringList(jobs[id].needs)) visit(need);
    state.set(id, "done");
    out.push([id, jobs[id]]);
  };
  Object.keys(jobs).forEach(visit);
  return out;
}

function jobSteps(where: string, job: Json, workflowSecrets: string[]): CiStep[] {
  const blocked = jobBlocked(job);
  const secretEnv = [...workflowSecrets, ...secretNames(job.env)];
  const defaults = asRecord(asRecord(job.defaults).run);
  const steps: CiStep[] = [];
  for (const raw of Array.isArray(job.steps) ? job.steps : []) {
    const step = asRecord(raw);
    const run = asString(step.run);
    // Actions (`uses:`) set the machine up; they are not commands to configure.
    if (run === undefined || step.uses !== undefined) continue;
    const why = blocked ?? stepBlocked(step, defaults, run, secretEnv);
    if (why) steps.push({ where, run, blocked: why });
    else steps.push(...expandMatrix(where, run, job.strategy));
  }
  return blocked && steps.length === 0 ? [{ where, run: "", blocked }] : steps;
}

function jobBlocked(job: Json): string | null {
  const reusable = asString(job.uses);
  if (reusable) return `calls the reusable workflow ${reusable}, which is not read`;
  const services = Object.keys(asRecord(job.services));
  if (services.length > 0) return `needs services (${services.join(", ")})`;
  return otherOs(asString(job["runs-on"]));
}

function stepBlocked(step: Json, defaults: Json, run: string, secretEnv: string[]): string | null {
  const shell = asString(step.shell) ?? asString(defaults.shell);
  if (shell && !/^(bash|sh)\b/.test(shell)) return `runs in ${shell}, not sh`;
  const dir = asString(step["working-directory"]) ?? asString(defaults["working-directory"]);
  if (dir && !/^\.\/?$/.test(dir)) return `runs in ${dir}; checks run from the repository root`;
  if (step["continue-on-error"] === true) return "CI ignores its failure (continue-on-error)";
  if (SECRET_EXPRESSION.test(run) || secretNames(step.env).length > 0) return "needs secrets (${{ secrets.* }})";
  const used = secretEnv.find((name) => new RegExp(`(\\$\\{?|env\\.)${escapeRegExp(name)}\\b`).test(run));
  return used ? `needs secrets ($${used} is set from \${{ secrets.* }})` : null;
}

/** Names of environment variables set from secrets. */
function secretNames(env: unknown): string[] {
  return Object.entries(asRecord(env))
    .filter(([, value]) => typeof value === "string" && SECRET_EXPRESSION.test(value))
    .map(([name]) => name);
}

/**
 * A step using `${{ matrix.x }}` runs once per value of x: one step each, when x is one plain list.
 * Several dimensions, values that are objects, or a matrix computed at run time cannot be resolved.
 */
function expandMatrix(where: string, run: string, strategy: unknown): CiStep[] {
  const keys = [...new Set([...run.matchAll(MATRIX_REF)].map((m) => m[1]!))];
  if (keys.length === 0) return [{ where, run }];
  const matrix = asRecord(strategy).matrix;
  const values = keys.length === 1 && isRecord(matrix) ? matrixValues(matrix, keys[0]!) : null;
  if (!values) return [{ where, run, blocked: `depends on the matrix (${keys.map((k) => `matrix.${k}`).join(", ")}), which cannot be resolved here` }];
  return values.map((value) => ({ where: `${where} [${keys[0]}=${value}]`, run: run.replace(MATRIX_REF, value) }));
}

function matrixValues(matrix: Json, key: string): string[] | null {
  const listed = Array.isArray(matrix[key]) ? (matrix[key] as unknown[]) : [];
  const included = (Array.isArray(matrix.include) ? matrix.include : []).map((entry) => asRecord(entry)[key]).filter((v) => v !== undefined);
  const all = [...listed, ...included];
  if (all.length === 0 || all.length > MAX_MATRIX_VALUES || !all.every((v) => ["string", "number", "boolean"].includes(typeof v))) return null;
  return [...new Set(all.map(String))];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
