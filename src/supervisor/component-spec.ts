import { resolve } from "node:path";
import type { ComponentRole } from "../api/records.ts";
import { newId } from "../core/ids.ts";

const ROLES_DIR = resolve(import.meta.dir, "../roles");

export interface ComponentSpec {
  name: string;
  role: ComponentRole;
  /** The role's entry point and its arguments (`src/roles/<role>.ts ...`): the process loads only that role's modules. */
  command: () => string[];
  /** Workers get a fresh id per process, so the server can return a dead one's jobs at once. */
  workerId: string | null;
}

/** The runtime's processes: the server, the agents and N WorkerPals (all started at once). */
export function runtimeComponents(workers: number): ComponentSpec[] {
  const entry = (file: string) => resolve(ROLES_DIR, file);
  const agents: ComponentSpec[] = (["remote-agent", "review-agent", "scm"] as const).map((role) => {
    const spec: ComponentSpec = {
      name: role,
      role,
      workerId: null,
      command: () => {
        // The SourceControlManager and the ReviewAgent claim jobs like a worker: a dead one's job is returned at once.
        if (role === "remote-agent") return [entry("agent.ts"), role, "--name", role];
        spec.workerId = newId("wrk");
        return [entry("agent.ts"), role, "--name", role, "--id", spec.workerId];
      },
    };
    return spec;
  });
  const pals: ComponentSpec[] = Array.from({ length: workers }, (_, i) => {
    const spec: ComponentSpec = {
      name: `worker-${i + 1}`,
      role: "worker",
      workerId: null,
      command: () => {
        spec.workerId = newId("wrk");
        return [entry("worker.ts"), "--name", spec.name, "--id", spec.workerId, "--component", spec.name, "--quiet"];
      },
    };
    return spec;
  });
  return [{ name: "server", role: "server", command: () => [entry("server.ts")], workerId: null }, ...agents, ...pals];
}
