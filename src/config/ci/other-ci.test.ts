import { afterAll, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { tempDir } from "../../../test/helpers/temp.ts";
import { pipelineSteps as azureSteps } from "./azure-pipelines.ts";
import { configSteps } from "./circleci.ts";
import { pipelineSteps as gitlabSteps } from "./gitlab-ci.ts";
import { readCi } from "./registry.ts";

const dirs: { cleanup: () => void }[] = [];
afterAll(() => dirs.forEach((d) => d.cleanup()));
const yaml = (text: string) => parse(text, { merge: true }) as Record<string, unknown>;

test("GitLab CI: jobs stage by stage, before_script and templates included; services, manual jobs, matrices and secret variables are not checks", () => {
  const steps = gitlabSteps(
    yaml(`
stages: [lint, test, deploy]
default:
  before_script: [npm ci]
.node: &node
  image: node:20
  script: [npm test]
deploy:
  stage: deploy
  when: manual
  script: [npm run deploy]
unit:
  extends: .node
integration:
  stage: test
  services: [postgres:16]
  script: [npm run test:db]
lint:
  stage: lint
  script:
    - npm run lint
    - npm run check:type
publish:
  stage: test
  script: ["npm publish --//registry.npmjs.org/:_authToken=$NPM_TOKEN"]
suites:
  parallel:
    matrix:
      - SUITE: [unit, e2e]
  script: ["npm run test:$SUITE"]
`),
  );
  expect(steps).toEqual([
    { where: ".gitlab-ci.yml lint", run: "npm ci" },
    { where: ".gitlab-ci.yml lint", run: "npm run lint" },
    { where: ".gitlab-ci.yml lint", run: "npm run check:type" },
    { where: ".gitlab-ci.yml unit", run: "npm ci" },
    { where: ".gitlab-ci.yml unit", run: "npm test" },
    { where: ".gitlab-ci.yml integration", run: "npm ci", blocked: "needs services (postgres:16)" },
    { where: ".gitlab-ci.yml integration", run: "npm run test:db", blocked: "needs services (postgres:16)" },
    { where: ".gitlab-ci.yml publish", run: "npm ci" },
    { where: ".gitlab-ci.yml publish", run: "npm publish --//registry.npmjs.org/:_authToken=$NPM_TOKEN", blocked: "needs the CI secret $NPM_TOKEN" },
    { where: ".gitlab-ci.yml suites", run: "npm ci" },
    { where: ".gitlab-ci.yml suites", run: "npm run test:$SUITE", blocked: "depends on the parallel matrix variable $SUITE, which cannot be resolved here" },
    { where: ".gitlab-ci.yml deploy", run: "npm ci", blocked: "a manual job" },
    { where: ".gitlab-ci.yml deploy", run: "npm run deploy", blocked: "a manual job" },
  ]);
});

test("CircleCI: run steps in workflow order; a second docker image is a service", () => {
  const steps = configSteps(
    yaml(`
jobs:
  db:
    docker: [{ image: cimg/node:20.0 }, { image: cimg/postgres:16.0 }]
    steps: [checkout, { run: npm run test:db }]
  build:
    docker: [{ image: cimg/node:20.0 }]
    steps:
      - checkout
      - node/install-packages
      - run: npm ci
      - run: { name: lint, command: npm run lint }
workflows:
  main:
    jobs: [build, { db: { requires: [build] } }]
`),
  );
  expect(steps).toEqual([
    { where: "config.yml build", run: "npm ci" },
    { where: "config.yml build", run: "npm run lint" },
    { where: "config.yml db", run: "npm run test:db", blocked: "needs services (cimg/postgres:16.0)" },
  ]);
});

test("Azure Pipelines: script and bash steps of stages and jobs; PowerShell and Windows pools are not sh", () => {
  const steps = azureSteps(
    yaml(`
stages:
  - stage: check
    jobs:
      - job: linux
        pool: { vmImage: ubuntu-latest }
        steps:
          - task: NodeTool@0
          - script: npm ci
          - bash: npm test
          - pwsh: Write-Host hi
      - job: windows
        pool: { vmImage: windows-latest }
        steps: [{ script: npm test }]
`),
  );
  expect(steps).toEqual([
    { where: "azure-pipelines.yml linux", run: "npm ci" },
    { where: "azure-pipelines.yml linux", run: "npm test" },
    { where: "azure-pipelines.yml linux", run: "Write-Host hi", blocked: "runs in pwsh, not sh" },
    { where: "azure-pipelines.yml windows", run: "npm test", blocked: "runs on windows-latest" },
  ]);
});

test("readCi: GitHub Actions first, then GitLab CI; a broken file is a note, not a crash", () => {
  const dir = tempDir("pushpals-ci-");
  dirs.push(dir);
  mkdirSync(join(dir.path, ".github/workflows"), { recursive: true });
  writeFileSync(join(dir.path, ".github/workflows/b.yml"), "on: push\njobs:\n  t:\n    steps: [{ run: npm test }]\n");
  writeFileSync(join(dir.path, ".github/workflows/a.yaml"), "on: [push\n");
  writeFileSync(join(dir.path, ".github/workflows/notes.txt"), "not a workflow");
  writeFileSync(join(dir.path, ".gitlab-ci.yml"), "lint:\n  script: [npm run lint]\n");
  const reading = readCi(dir.path);
  expect(reading.files).toEqual([".github/workflows/a.yaml", ".github/workflows/b.yml", ".gitlab-ci.yml"]);
  expect(reading.steps.map((s) => s.run)).toEqual(["npm test", "npm run lint"]);
  expect(reading.notes).toEqual([expect.stringMatching(/^\.github\/workflows\/a\.yaml is not valid YAML .*its checks were not read$/)]);
});
