import { expect, test } from "bun:test";
import { observation, parseAgentReply } from "./agent-action.ts";

test.each([
  ["Let me look.\n```bash\nls -la\n```", { kind: "command", command: "ls -la" }],
  ["```sh\ncat <<'EOF' > a.txt\nx\nEOF\n```", { kind: "command", command: "cat <<'EOF' > a.txt\nx\nEOF" }],
  ["```\nnpm test\n```", { kind: "command", command: "npm test" }],
  ["Done.\n```bash\nSUBMIT\n```", { kind: "submit" }],
  ["All done.\nSUBMIT", { kind: "submit" }],
])("%j", (reply, action) => {
  expect(parseAgentReply(reply)).toEqual(action as never);
});

test("no block, several blocks or an empty one is refused with why, so the model can answer again", () => {
  expect(parseAgentReply("I think the bug is in a.js")).toMatchObject({ kind: "refused", why: expect.stringContaining("no ```bash block") });
  expect(parseAgentReply("```bash\nls\n```\n```bash\npwd\n```")).toMatchObject({ kind: "refused", why: expect.stringContaining("2 command blocks") });
  expect(parseAgentReply("```bash\n\n```")).toMatchObject({ kind: "refused", why: "the command block is empty" });
});

test("an observation keeps the head and tail of long output", () => {
  expect(observation(0, "ok\n")).toBe("<returncode>0</returncode>\n<output>\nok\n\n</output>");
  const long = observation(1, `${"a".repeat(8000)}${"b".repeat(8000)}`, 10_000);
  expect(long).toContain("[... 6000 characters left out ...]");
  expect(long.startsWith("<returncode>1</returncode>")).toBe(true);
  expect(observation(null, "")).toContain("<returncode>killed</returncode>");
});

test("attack: prose between two other fences is never run; only a shell fence closed by its own fence is a command", () => {
  const reply = "Here is code:\n```python\nprint(1)\n```\nNow I will run it with rm -rf node_modules\n```bash\nls\n```";
  expect(parseAgentReply(reply)).toEqual({ kind: "command", command: "ls" });
  expect(parseAgentReply("```python\nimport os\n```")).toMatchObject({ kind: "refused" });
  // A longer fence holds a shorter one inside (a heredoc with a markdown file).
  expect(parseAgentReply("````bash\ncat > a.md <<'EOF'\n```\nx\n```\nEOF\n````")).toEqual({ kind: "command", command: "cat > a.md <<'EOF'\n```\nx\n```\nEOF" });
});

test("a command longer than what is recorded whole is refused: the model splits it", () => {
  expect(parseAgentReply(`\`\`\`bash\necho ${"x".repeat(5000)}\n\`\`\``)).toMatchObject({ kind: "refused", why: expect.stringContaining("split it into steps") });
});
