import type { ComponentRole } from "../api/records.ts";
import { newId } from "../core/ids.ts";

export interface ComponentSpec {
  name: string;
  role: ComponentRole;
  /** CLI arguments after `pushpals` that run this component in the foreground. */
  args: () => string[];
  /** Workers get a fresh id per process, so the server can return a dead one's jobs at once. */
  workerId: string | null;
}

/** The runtime's processes: the server first, then the agents, then N WorkerPals. */
export function runtimeComponents(workers: number): ComponentSpec[] {
  const agents: ComponentSpec[] = (["remote-agent", "review-agent", "scm"] as const).map((role) => {
    const spec: ComponentSpec = {
      name: role,
      role,
      workerId: null,
      args: () => {
        // The SourceControlManager and the ReviewAgent claim jobs like a worker: a dead one's job is returned at once.
        if (role === "remote-agent") return ["agent", role, "--name", role];
        spec.workerId = newId("wrk");
        return ["agent", role, "--name", role, "--id", spec.workerId];
      },
    };
    return spec;
  });
  const pals: ComponentSpec[] = Array.from({ length: workers }, (_, i) => {
    const spec: ComponentSpec = {
      name: `worker-${i + 1}`,
      role: "worker",
      workerId: null,
      args: () => {
        spec.workerId = newId("wrk");
        return ["worker", "--name", spec.name, "--id", spec.workerId, "--component", spec.name, "--quiet"];
      },
    };
    return spec;
  });
  return [{ name: "server", role: "server", args: () => ["serve"], workerId: null }, ...agents, ...pals];
}
