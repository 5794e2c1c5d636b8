import { z } from "zod";
import { DirectivePlan, type DirectivePlan as Plan } from "./plan-directive-input.ts";

/**
 * The plan in a model's reply: the JSON object alone, or inside one ```json fence, checked against the
 * schema. Anything else is why it is not a plan, in one line the model is told on its one retry.
 */
export function parsePlan(reply: string): { plan: Plan } | { why: string } {
  const fenced = reply.match(/```(?:json)?\s*\n([\s\S]*?)```/);
  const text = (fenced ? fenced[1]! : reply).trim();
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  if (start < 0 || end < start) return { why: "the reply holds no JSON object" };
  let value: unknown;
  try {
    value = JSON.parse(text.slice(start, end + 1));
  } catch (err) {
    return { why: `the JSON does not parse: ${(err as Error).message.slice(0, 200)}` };
  }
  const parsed = DirectivePlan.safeParse(value);
  if (!parsed.success) return { why: `it is not the plan's shape: ${z.prettifyError(parsed.error).replace(/\s+/g, " ").slice(0, 300)}` };
  return { plan: parsed.data };
}
