// Tests never reach the internet. The Dependency Steward scans the base branch at start (on by default)
// against the user's registry, so every PushPals process a test starts has it off, unless the test
// turns it on (its own env wins) with a local registry.
process.env.PUSHPALS_DEPENDENCY_STEWARD_SCAN_EVERY_SECONDS ??= "0";
