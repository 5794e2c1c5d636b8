import type { Component } from "./component-rows.ts";

/** The supervised processes of the runtime, as last reported. */
export interface ComponentStore {
  upsertComponent(component: Component): void;
  getComponent(name: string): Component | null;
  listComponents(): Component[];
  deleteComponents(): void;
}
