/** Stable ids of the classifier's rules: gates, reviewers and tests match on them. */
export const RULES = {
  declared: "declared",
  policyFile: "policy_file",
  quarantineFile: "quarantine_file",
  protectedPath: "protected_path",
  lockfileOnly: "lockfile_only",
  lockfileRedirected: "lockfile.redirected",
  lockfileUnreadable: "lockfile.unreadable",
  roleScope: "role_scope",
  sizeFiles: "size.files",
  sizeLines: "size.lines",
  manifestUnread: "manifest.unread",
  dependencyDenied: "dependency.denied",
  dependencyReleaseAge: "dependency.release_age",
  publicApi: "public_api",
  script: "new_capability.script",
  binary: "new_capability.binary",
  executable: "new_capability.executable",
  network: "new_capability.network",
  testConfig: "test_config",
} as const;

/** Plus one `dependency.<update type>` per kind of version change: patch, minor, major, added, removed, other. */
export type RiskRule = (typeof RULES)[keyof typeof RULES] | `dependency.${string}`;
