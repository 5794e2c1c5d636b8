/**
 * The intended import direction of src/ (issue #9): clients (cli) -> client -> (HTTP) -> server ->
 * domain folders -> store -> core. Kinds, providers and ecosystems plug into the domain; WorkerPals
 * and agents reach state only through the HTTP API. Checked on every `npm test` by
 * test/import-rules.test.ts; `npm run imports` prints the folder graph, its cycles and what breaks a rule.
 *
 * Paths are relative to the repository root. Test files (*.test.ts) are not cruised: they never ship,
 * and a test may reach across layers to set its subject up. Type-only imports count like any other.
 */

/**
 * Folders below the processes: domain logic, its plug-ins, the HTTP contract (api) and the runtime
 * directory's files and locks (runtime-dir). They never reach up into a process (server, CLI, runner...).
 */
const DOMAIN = ["jobs", "events", "audit", "components", "control", "prs", "policy", "review", "scm", "sandbox", "secrets", "config", "ecosystems", "providers", "kinds", "deps", "api", "runtime-dir", "faults", "preflight", "identity", "planning", "specialists", "metrics", "sources", "test-results", "test-history", "registry", "updates", "conflicts", "ci-fixes", "test-quarantine", "models", "security"];
/** The processes and their entry points, above the domain. */
const PROCESSES = ["server", "client", "cli", "supervisor", "agents", "runtime", "roles"];

const under = (folders) => `^src/(${folders.join("|")})/`;

/**
 * While no server runs, two commands open the database themselves: `start --clean` (today through
 * src/supervisor/clean.ts) and `audit verify|export`. Only these files, and only to open the SQLite
 * store: every other CLI command goes through the server.
 */
const CLI_OPENS_DATABASE = "^src/cli/commands/(audit|start)\\.ts$";
const OPEN_DATABASE = "^src/store/sqlite-store\\.ts$";

/** @type {import("dependency-cruiser").IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "core-is-the-ground-floor",
      comment: "src/core (ids, SHA, risk tier, failures, errors) imports nothing else from src/.",
      severity: "error",
      from: { path: "^src/core/" },
      to: { path: "^src/", pathNot: "^src/core/" },
    },
    {
      name: "store-only-on-core",
      comment: "The store sits on core alone (type-only imports too): the domain talks to it, not the other way round.",
      severity: "error",
      from: { path: "^src/store/" },
      to: { path: "^src/", pathNot: "^src/(store|core)/" },
    },
    {
      name: "no-module-cycles",
      comment: "No module imports itself back, directly or through others.",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "no-folder-cycles",
      comment: "No folder depends on itself through other folders (test/import-rules.test.ts also checks the top-level folders of src/).",
      severity: "error",
      scope: "folder",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "domain-not-to-processes",
      comment: "Domain folders never import the server, the client, the CLI, the supervisor, agents or the process runtime.",
      severity: "error",
      from: { path: under(DOMAIN) },
      to: { path: under(PROCESSES) },
    },
    {
      name: "server-not-to-clients",
      comment: "The server never imports the client or the CLI.",
      severity: "error",
      from: { path: "^src/server/" },
      to: { path: "^src/(client|cli)/" },
    },
    {
      name: "client-only-through-http",
      comment: "The client reaches the server over HTTP: it never imports the server, the store or the domain (the wire types live in src/api; it finds the server through src/runtime-dir).",
      severity: "error",
      from: { path: "^src/client/" },
      to: { path: [under(["server", "store"]), under(DOMAIN.filter((f) => f !== "api" && f !== "runtime-dir"))] },
    },
    {
      name: "cli-not-to-server-internals",
      comment: "The CLI starts the server through its entry point (`serve`) and talks to it through the client; nothing else of src/server.",
      severity: "error",
      from: { path: "^src/cli/" },
      to: { path: "^src/server/", pathNot: "^src/server/main\\.ts$" },
    },
    {
      name: "roles-not-to-cli",
      comment: "A role's entry point (src/roles/<role>.ts, what the supervisor starts) never loads the CLI: a component carries only its own role's modules.",
      severity: "error",
      from: { path: "^src/roles/" },
      to: { path: "^src/cli/" },
    },
    {
      name: "roles-not-to-server-internals",
      comment: "The server's role starts it through its entry point; nothing else of src/server.",
      severity: "error",
      from: { path: "^src/roles/" },
      to: { path: "^src/server/", pathNot: "^src/server/main\\.ts$" },
    },
    {
      name: "cli-not-to-store",
      comment: "The CLI never opens the database, except the two commands in CLI_OPENS_DATABASE (see there).",
      severity: "error",
      from: { path: "^src/cli/", pathNot: CLI_OPENS_DATABASE },
      to: { path: "^src/store/" },
    },
    {
      name: "cli-database-exception-is-narrow",
      comment: "The commands allowed to open the database with no server running only open it (the SQLite store), nothing else of src/store.",
      severity: "error",
      from: { path: CLI_OPENS_DATABASE },
      to: { path: "^src/store/", pathNot: OPEN_DATABASE },
    },
    {
      name: "workers-agents-through-api",
      comment: "WorkerPals, agents and the process runtime reach state only through the HTTP API: never the store, the job service or the server.",
      severity: "error",
      from: { path: under(["agents", "runtime"]) },
      to: { path: [under(["store", "server"]), "^src/jobs/job-service\\.ts$"] },
    },
    {
      name: "fixtures-never-ship",
      comment: "Nothing in src/ imports from test/.",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^test/" },
    },
    {
      name: "resolvable",
      comment: "Every relative import resolves: otherwise the rules above would not see what it imports.",
      severity: "error",
      from: { path: "^src/" },
      to: { couldNotResolve: true, path: "^\\." },
    },
  ],
  options: {
    // Type-only imports are dependencies too (they are the layering, even if erased at run time).
    tsPreCompilationDeps: true,
    exclude: { path: "\\.test\\.ts$" },
    doNotFollow: { path: ["node_modules", "^test/"] },
    enhancedResolveOptions: { extensions: [".ts", ".js", ".json"] },
    skipAnalysisNotInRules: true,
  },
};
