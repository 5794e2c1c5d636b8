import { expect, test } from "bun:test";
import { parse } from "yaml";
import type { CiStep } from "./ci-source.ts";
import { workflowSteps } from "./github-actions.ts";

const steps = (yaml: string) => workflowSteps("ci.yml", parse(yaml) as Record<string, unknown>);

test.each<[string, string, CiStep[]]>([
  [
    "plain steps in order; actions (uses:) are left out",
    `
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with: { node-version: 20 }
      - run: npm ci
      - run: npm run check:type
      - run: npm run lint
      - run: npm test
`,
    [
      { where: "ci.yml test", run: "npm ci" },
      { where: "ci.yml test", run: "npm run check:type" },
      { where: "ci.yml test", run: "npm run lint" },
      { where: "ci.yml test", run: "npm test" },
    ],
  ],
  [
    "a multi-line run block stays one step",
    `
on:
  pull_request:
jobs:
  check:
    steps:
      - name: everything
        run: |
          npm ci
          npm run lint && npm test
`,
    [{ where: "ci.yml check", run: "npm ci\nnpm run lint && npm test\n" }],
  ],
  [
    "jobs run after the jobs they need",
    `
on: push
jobs:
  test:
    needs: [lint]
    steps: [{ run: npm test }]
  lint:
    steps: [{ run: npm run lint }]
`,
    [
      { where: "ci.yml lint", run: "npm run lint" },
      { where: "ci.yml test", run: "npm test" },
    ],
  ],
  [
    "a matrix over plain values is one step per value; over several dimensions it cannot be resolved",
    `
on: push
jobs:
  suites:
    strategy:
      matrix:
        suite: [unit, integration]
        node: [20, 22]
    steps:
      - run: npm run test:\${{ matrix.suite }}
      - run: echo \${{ matrix.suite }} on \${{ matrix.node }}
      - run: npm run build
  computed:
    strategy:
      matrix: \${{ fromJSON(needs.plan.outputs.matrix) }}
    steps:
      - run: npm run \${{ matrix.task }}
`,
    [
      { where: "ci.yml suites [suite=unit]", run: "npm run test:unit" },
      { where: "ci.yml suites [suite=integration]", run: "npm run test:integration" },
      { where: "ci.yml suites", run: "echo ${{ matrix.suite }} on ${{ matrix.node }}", blocked: "depends on the matrix (matrix.suite, matrix.node), which cannot be resolved here" },
      { where: "ci.yml suites", run: "npm run build" },
      { where: "ci.yml computed", run: "npm run ${{ matrix.task }}", blocked: "depends on the matrix (matrix.task), which cannot be resolved here" },
    ],
  ],
  [
    "secrets (in the step, its env, or a job env taken from secrets) and services",
    `
on: push
env:
  CODECOV_TOKEN: \${{ secrets.CODECOV_TOKEN }}
jobs:
  integration:
    services:
      postgres: { image: postgres:16 }
      redis: { image: redis }
    steps:
      - run: npm run test:db
  publish:
    steps:
      - run: npm test
      - run: npm run release
        env:
          NPM_TOKEN: \${{ secrets.NPM_TOKEN }}
      - run: 'curl -H "Authorization: \${{ secrets.API }}" https://example.com'
      - run: npx codecov --token=$CODECOV_TOKEN
`,
    [
      { where: "ci.yml integration", run: "npm run test:db", blocked: "needs services (postgres, redis)" },
      { where: "ci.yml publish", run: "npm test" },
      { where: "ci.yml publish", run: "npm run release", blocked: "needs secrets (${{ secrets.* }})" },
      { where: "ci.yml publish", run: 'curl -H "Authorization: ${{ secrets.API }}" https://example.com', blocked: "needs secrets (${{ secrets.* }})" },
      { where: "ci.yml publish", run: "npx codecov --token=$CODECOV_TOKEN", blocked: "needs secrets ($CODECOV_TOKEN is set from ${{ secrets.* }})" },
    ],
  ],
  [
    "another OS, another shell, a subfolder, an ignored failure, a reusable workflow",
    `
on: push
jobs:
  windows:
    runs-on: windows-latest
    steps: [{ run: npm test }]
  steps:
    defaults: { run: { working-directory: site } }
    steps:
      - run: npm run build
      - run: Get-ChildItem
        shell: pwsh
        working-directory: .
      - run: npm run flaky
        working-directory: .
        continue-on-error: true
  shared:
    uses: ./.github/workflows/shared.yml
`,
    [
      { where: "ci.yml windows", run: "npm test", blocked: "runs on windows-latest" },
      { where: "ci.yml steps", run: "npm run build", blocked: "runs in site; checks run from the repository root" },
      { where: "ci.yml steps", run: "Get-ChildItem", blocked: "runs in pwsh, not sh" },
      { where: "ci.yml steps", run: "npm run flaky", blocked: "CI ignores its failure (continue-on-error)" },
      { where: "ci.yml shared", run: "", blocked: "calls the reusable workflow ./.github/workflows/shared.yml, which is not read" },
    ],
  ],
  [
    "a workflow that does not run on pushes or pull requests is not CI for changes",
    `
on:
  release:
  workflow_dispatch:
jobs:
  publish:
    steps: [{ run: npm publish }]
`,
    [{ where: "ci.yml", run: "", blocked: "runs on release, workflow_dispatch, not on pushes or pull requests" }],
  ],
])("%s", (_, yaml, expected) => {
  expect(steps(yaml)).toEqual(expected);
});
