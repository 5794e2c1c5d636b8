import { describe, expect, test } from "bun:test";
import { classifyCheckFailure, type FailedCheck } from "./check-failure-class.ts";

const failed = (run: string, exitCode: number | null, output: string[], networkGranted = false): FailedCheck => ({ name: "test", run, exitCode, output, networkGranted });

describe("environment: this machine or its sandbox is the cause", () => {
  test.each<[string, FailedCheck, RegExp]>([
    ["exit 127 from dash", failed("go test ./...", 127, ["sh: 1: go: not found"]), /^test could not run here: `go` is not installed on this machine \(exit 127, command not found\); fix: install Go .*; or remove the check "test" from \.pushpals\/config\.toml$/],
    ["exit 127 from bash", failed("cargo test", 127, ["bash: line 1: cargo: command not found"]), /`cargo` is not installed.*fix: install Rust with rustup/],
    ["exit 127 with no message names the check's own program", failed("CGO_ENABLED=0 go vet ./...", 127, []), /`go` is not installed on this machine/],
    ["exit 127 for a program the check runs", failed("npm test", 127, ["> x@1.0.0 test", "> jest", "sh: 1: jest: not found"]), /`jest`, which `npm test` runs, was not found \(exit 127, command not found\); fix: install jest on this machine, or make it a dependency/],
    ["the shell's message for the check's own program, whatever the exit", failed("definitely-not-installed-xyz --version", 2, ["sh: 1: definitely-not-installed-xyz: not found"]), /`definitely-not-installed-xyz` is not installed on this machine \(command not found\); fix: install definitely-not-installed-xyz and make sure it is on PATH/],
    ["exit 127 and a check that starts with a builtin", failed("cd sub && ./run-tests", 127, []), /^test could not run here: a program `cd sub && \.\/run-tests` runs was not found \(exit 127, command not found\)/],
    ["a committed wrapper that is not executable", failed("./gradlew test", 126, ["sh: 1: ./gradlew: Permission denied"]), /`\.\/gradlew` is not executable \(exit 126, permission denied\); fix: make it executable and commit that \(chmod \+x \.\/gradlew/],
    ["env's message", failed("env python3 -m pytest", 127, ["env: 'python3': No such file or directory"]), /`python3` is not installed.*install Python 3/],
    ["name resolution (node)", failed("npm test", 1, ["FetchError: request to https://api.example.com/x failed, reason: getaddrinfo EAI_AGAIN api.example.com"]), /tried to reach the network \("getaddrinfo EAI_AGAIN api\.example\.com"\), and checks run without one; fix: give checks the network with sandbox\.network = \["checks"\]/],
    ["ENOTFOUND", failed("npm test", 1, ["Error: getaddrinfo ENOTFOUND registry.npmjs.org"]), /getaddrinfo ENOTFOUND registry\.npmjs\.org/],
    ["curl and git", failed("make test", 2, ["curl: (6) Could not resolve host: example.com"]), /Could not resolve host: example\.com/],
    ["an unreachable network", failed("python3 -m pytest", 1, ["OSError: [Errno 101] Network is unreachable"]), /Network is unreachable/],
    ["Go's module download", failed("go test ./...", 1, ["go: downloading golang.org/x/mod v0.17.0", "dial tcp: lookup proxy.golang.org on [::1]:53: read udp: connection refused"]), /dial tcp: lookup proxy\.golang\.org/],
    ["a refused connection to another host", failed("npm test", 1, ["Error: connect ECONNREFUSED 10.1.2.3:443"]), /connect ECONNREFUSED 10\.1\.2\.3:443/],
    ["fetch failed", failed("node --test", 1, ["TypeError: fetch failed", "    at node:internal/deps/undici"]), /TypeError: fetch failed/],
    ["playwright without its browser", failed("npx playwright test", 1, ["browserType.launch: Executable doesn't exist at /tmp/home/.cache/ms-playwright/chromium-1105/chrome-linux/chrome"]), /needs a browser that is not installed where the sandbox can see it \("Executable doesn't exist at \/tmp\/home.*"\); fix: install the browser outside your home directory .*PLAYWRIGHT_BROWSERS_PATH/],
    ["puppeteer without Chrome", failed("npm test", 1, ["Error: Could not find Chrome (ver. 121.0.6167.85). This can occur if either"]), /Could not find Chrome \(ver\. 121/],
    ["Chrome's own sandbox", failed("npm run test:browser", 1, ["[0101/000000.000:FATAL:zygote_host_impl_linux.cc(127)] No usable sandbox! Update your kernel"]), /the browser's own sandbox cannot start inside PushPals' sandbox .*fix: launch the browser with --no-sandbox/],
  ])("%s", (_, check, message) => {
    const verdict = classifyCheckFailure(check);
    expect(verdict.failureClass).toBe("environment");
    expect(verdict.failureClass === "environment" ? verdict.message : "").toMatch(message);
  });
});

describe("checks_failed: the code under test is the cause", () => {
  test.each<[string, FailedCheck]>([
    ["an ordinary test failure", failed("npm test", 1, ["FAIL src/math.test.ts", "  expected 3 to be 4"])],
    ["a failure that prints a URL", failed("npm test", 1, ["AssertionError: expected 'https://example.com/a' to equal 'https://example.com/b'", "    at https://example.com/app.js:3:1"])],
    ["a test named after a network error", failed("npm test", 1, ["✕ retries when the lookup fails with ENOTFOUND (3 ms)", "Tests: 1 failed"])],
    ["a refused connection to this machine's own server", failed("npm test", 1, ["Error: connect ECONNREFUSED 127.0.0.1:5432"])],
    ["network errors while the network is granted", failed("npm test", 1, ["Error: getaddrinfo ENOTFOUND db.internal"], true)],
    ["a 'not found' message about some other program, without exit 127", failed("npm test", 1, ["sh: 1: lsof: not found", "1 test failed"])],
    ["'not found' in a test's own output", failed("pytest", 1, ["E   FileNotFoundError: config.yml not found"])],
    ["exit 126 without the shell saying so", failed("npm test", 126, ["1 test failed"])],
    ["a lint error", failed("npm run lint", 1, ["src/a.ts:1:1 error 'x' is not defined no-undef"])],
    ["a type error mentioning fetch", failed("tsc --noEmit", 2, ["src/api.ts(3,1): error TS2345: fetch failed to type-check"])],
  ])("%s", (_, check) => {
    expect(classifyCheckFailure(check)).toEqual({ failureClass: "checks_failed" });
  });
});
