// Builds the package: src/ is already plain ESM, so dist/ is a clean copy of it.
import { cpSync, rmSync } from "node:fs";
import { listFiles } from "./files.js";

rmSync("dist", { recursive: true, force: true });
cpSync("src", "dist", { recursive: true });
process.stdout.write(`build: ${listFiles(["dist"]).length} files in dist/\n`);
