import { afterAll, expect, test } from "bun:test";
import { tempRepo } from "../../review/review-fixture.ts";
import { whyNotWaivable } from "./check-waivable.ts";

const repo = tempRepo();
afterAll(() => repo.cleanup());
const commit = repo.commit({
  "package.json": JSON.stringify({ scripts: { test: "node --test", both: "bun test && tsc", pretest2: "echo", test2: "node --test", wrap: "npm run test", unit: "vitest run" } }),
});

test.each([
  ["node --test", null],
  ["NODE_OPTIONS='--x' npm test", null],
  ["npm run unit -- --reporter=junit", null],
  ["pnpm unit", null],
  ["yarn run unit", null],
  ["bun test --reporter=junit", null],
  ["bun test && tsc --noEmit", "more than one command"],
  ["npm test; echo done", "more than one command"],
  ["npm run both", 'the package script "both" runs more than one command'],
  ["npm run test2", 'the package script "test2" has a pre- or post-script'],
  ["npm run wrap", 'the package script "wrap" runs another package script'],
  ["npm run missing", 'the package script "missing", which the commit\'s package.json does not define'],
])("%s: %s", async (run, why) => {
  const said = await whyNotWaivable(repo.root, commit, run);
  if (why === null) expect(said).toBeNull();
  else expect(said).toContain(why);
});
