import { z } from "zod";
import { defineKind } from "../common/define-kind.ts";
import { DirectiveInput } from "./directive-input.ts";

/** A CTO directive (`pushpals ask`): the RemoteAgent plans it; until planning arrives it waits `blocked`. */
export const directiveKind = defineKind({
  id: "directive",
  summary: "a CTO directive for the RemoteAgent to plan (waits blocked until planning arrives)",
  input: DirectiveInput,
  result: z.unknown(),
  createdBy: "client",
  role: "remote-agent",
  network: false,
});
