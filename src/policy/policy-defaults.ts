import { ECOSYSTEMS, MANIFEST_NAMES, type EcosystemId } from "../ecosystems/registry.ts";
import type { Policy } from "./policy-schema.ts";
import { QUARANTINE_FILE } from "../test-quarantine/quarantine-path.ts";

/** Paths whose change is hard-coded High and never merged by PushPals on its own, whatever the policy says. */
export const POLICY_FILES = [".pushpals/policy.toml", ".pushpals/config.toml"] as const;

/** The role that may change lockfiles on their own (a lockfile-only edit by any other role is High). */
export const DEPENDENCY_ROLE = "dependency_steward";

/** The CI Medic's role: its changes so far are quarantine edits (the `quarantine` kind), so its scope is that file alone. */
export const CI_MEDIC_ROLE = "ci_medic";

/**
 * Roles only a specialist the server creates works in: their rules trust the role (the dependency
 * role maintains lockfiles alone), so a client's run may not choose one (`admitRun` refuses it).
 */
export const SPECIALIST_ROLES: readonly string[] = [DEPENDENCY_ROLE, CI_MEDIC_ROLE];

// The policy hash covers the order of the lockfile list, so the registry's ecosystems keep the order
// the defaults had; one added later comes after them.
const LOCKFILE_ORDER: readonly EcosystemId[] = ["npm", "yarn", "pnpm", "bun"];
const rank = (id: EcosystemId) => (LOCKFILE_ORDER.includes(id) ? LOCKFILE_ORDER.indexOf(id) : LOCKFILE_ORDER.length);
const ECOSYSTEM_LOCKFILES = [...ECOSYSTEMS].sort((a, b) => rank(a.id) - rank(b.id)).flatMap((e) => e.lockfiles.map((name) => `**/${name}`));

export const DEFAULT_POLICY: Policy = {
  roles: {
    ci_medic: [QUARANTINE_FILE],
    codemod: ["**"],
    dependency_steward: [...MANIFEST_NAMES.flatMap((name) => [name, `**/${name}`]), "*lock*", "**/*lock*"],
    docs_writer: ["**/*.md", "docs/**"],
    test_writer: ["**/*.test.*", "**/*.spec.*", "test/**", "tests/**", "**/__tests__/**"],
  },
  paths: {
    protected: [
      // auth and permissions
      "**/auth/**",
      "**/*permission*",
      "**/*permission*/**",
      // database migrations
      "**/migrations/**",
      // CI
      ".github/workflows/**",
      ".github/actions/**",
      ".gitlab-ci.yml",
      ".ci/**",
      ".circleci/**",
      ".buildkite/**",
      "Jenkinsfile",
      "azure-pipelines.yml",
      ".travis.yml",
      "bitbucket-pipelines.yml",
      ".drone.yml",
      ".woodpecker.y*ml",
      ".woodpecker/**",
      ".gitea/workflows/**",
      ".forgejo/workflows/**",
      "**/CODEOWNERS",
      // code that runs at commit, checkout or editor open
      ".husky/**",
      "**/lefthook.y*ml",
      "**/.lefthook.y*ml",
      "**/lefthook-local.y*ml",
      "**/.simple-git-hooks*",
      "**/.pre-commit-config.yaml",
      ".gitattributes",
      "**/.gitattributes",
      ".gitmodules",
      "**/.envrc",
      ".vscode/tasks.json",
      ".vscode/launch.json",
      ".vscode/settings.json",
      ".devcontainer/**",
      // test-runner and bundler configs: code that runs whenever the tests do
      "**/jest.config.*",
      "**/vitest.config.*",
      "**/vitest.workspace.*",
      "**/vite.config.*",
      "**/playwright.config.*",
      "**/karma.conf.*",
      "**/.mocharc*",
      "**/babel.config.*",
      "**/.babelrc*",
      "**/webpack.config.*",
      "**/rollup.config.*",
      "**/esbuild.config.*",
      "**/bunfig.toml",
      // PushPals itself
      ".pushpals/**",
      // build, release and registry config
      "**/Dockerfile",
      "**/Dockerfile.*",
      "**/*.dockerfile",
      "**/Containerfile",
      "**/Containerfile.*",
      "**/docker-compose*.y*ml",
      "**/compose.y*ml",
      "**/*.tf",
      "**/*.tfvars",
      "**/.npmrc",
      "**/.yarnrc",
      "**/.yarnrc.yml",
      "**/.pnpmfile.cjs",
      ".releaserc*",
      "**/release.config.*",
      ".goreleaser.y*ml",
      "scripts/release*",
      "scripts/publish*",
    ],
    lockfiles: [
      ...ECOSYSTEM_LOCKFILES,
      "**/Cargo.lock",
      "**/go.sum",
      "**/poetry.lock",
      "**/uv.lock",
      "**/Pipfile.lock",
      "**/Gemfile.lock",
      "**/composer.lock",
    ],
  },
  low: { max_files: 10, max_lines: 200, auto_merge: false },
  medium: { max_files: 40, max_lines: 1000, required_approvals: 1 },
  high: { require_rfc: true, required_approvals: 1 },
  dependencies: {
    tiers: { patch: "low", minor: "medium", major: "high", added: "high", removed: "medium", other: "high" },
    min_release_age_days: 3,
    denied_packages: [],
  },
  network: { kinds: [] },
};
