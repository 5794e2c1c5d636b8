import { programOf } from "./ci/shell-words.ts";

/** Words the shell itself runs: nothing to install for them. */
const SHELL_BUILTINS = new Set([
  "cd", "test", "[", "[[", "echo", "printf", "true", "false", "exit", "export", "set", "unset", "source", ".", ":", "eval",
  "if", "for", "while", "until", "case", "!", "{", "(", "read", "shift", "trap", "wait", "ulimit", "umask", "type", "hash",
]);

/**
 * The program a check command starts with (`go` for `CGO_ENABLED=0 go test ./...`, `./gradlew` for
 * `./gradlew test`), or null when it starts with a shell builtin or keyword.
 */
export function checkProgram(run: string): string | null {
  const program = programOf(run);
  if (!program || SHELL_BUILTINS.has(program) || program.includes("$") || program.includes("`")) return null;
  return program;
}

const HINTS: [RegExp, string][] = [
  [/^(go|gofmt)$/, "install Go (https://go.dev/doc/install, or apt-get install golang-go)"],
  [/^(python3?|pip3?)$/, "install Python 3 (apt-get install python3 python3-pip)"],
  [/^(pytest|tox|nox)$/, "install it for the Python on PATH (python3 -m pip install $0)"],
  [/^(uv|uvx)$/, "install uv (https://docs.astral.sh/uv/)"],
  [/^poetry$/, "install Poetry (https://python-poetry.org/docs/)"],
  [/^(cargo|rustc|rustup)$/, "install Rust with rustup (https://rustup.rs)"],
  [/^mvn$/, "install Maven and a JDK (apt-get install maven default-jdk), or commit the Maven wrapper (mvnw)"],
  [/^gradle$/, "install Gradle, or commit the Gradle wrapper (gradlew) and run ./gradlew"],
  [/^(java|javac)$/, "install a JDK (apt-get install default-jdk)"],
  [/^(node|npm|npx)$/, "install Node.js with npm (https://nodejs.org, or apt-get install nodejs npm)"],
  [/^(pnpm|pnpx|yarn)$/, "pin it in package.json (\"packageManager\": \"pnpm@<version>\"): PushPals then provisions exactly that release for every job; or install it on this machine"],
  [/^(bun|bunx)$/, "install Bun (https://bun.sh)"],
  [/^deno$/, "install Deno (https://deno.com)"],
  [/^make$/, "install make (apt-get install make)"],
  [/^(ruby|bundle|rake|gem)$/, "install Ruby and Bundler (apt-get install ruby-full, then gem install bundler)"],
  [/^dotnet$/, "install the .NET SDK (https://dot.net)"],
  [/^(php|composer)$/, "install PHP and Composer (apt-get install php-cli composer)"],
  [/^(chromium|chromium-browser|google-chrome|google-chrome-stable|firefox)$/, "install the browser (e.g. apt-get install chromium) outside your home directory"],
];

/** How to get `program` onto this machine, or null when PushPals has no specific advice. */
export function installHint(program: string): string | null {
  if (program.includes("/")) return `${program} is not in the checkout: commit it (a wrapper such as ./gradlew must be committed and executable), or change the check's command`;
  const hint = HINTS.find(([pattern]) => pattern.test(program));
  return hint ? hint[1].replace("$0", program) : null;
}

/** The fix for a check whose program is missing: how to install it, or drop the check. */
export function missingProgramFix(program: string, checkNames: string[]): string {
  const install = installHint(program) ?? `install ${program} and make sure it is on PATH`;
  const checks = checkNames.map((n) => `"${n}"`).join(", ");
  return `${install}; or remove the check${checkNames.length === 1 ? "" : "s"} ${checks} from .pushpals/config.toml`;
}
