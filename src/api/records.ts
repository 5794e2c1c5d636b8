/**
 * The records the API returns, as clients (CLI, workers, agents, and soon a web monitor and an editor
 * extension) see them. They are the store's rows: one schema, named here so no client imports the store.
 */
export { Component, ComponentRole, ComponentState } from "../store/components/component-rows.ts";
export { MemoryTotal, ProcessMemory } from "../components/process-memory.ts";
export { Job, LogLine, Transition, WorkerRecord } from "../store/jobs/job-rows.ts";
