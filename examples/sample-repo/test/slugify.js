// Run by `node --test`, which runs every .js file under test/.
import assert from "node:assert/strict";
import { test } from "node:test";
import { slugify } from "../src/index.js";

test("lowercases and joins words with dashes", () => {
  assert.equal(slugify("Hello, World!"), "hello-world");
  assert.equal(slugify("  many   spaces\there "), "many-spaces-here");
});

test("drops accents", () => {
  assert.equal(slugify("Crème Brûlée, 2nd edition"), "creme-brulee-2nd-edition");
});

test("takes a custom separator", () => {
  assert.equal(slugify("Release Notes 1.4", { separator: "_" }), "release_notes_1_4");
});

test("cuts at a word boundary", () => {
  assert.equal(slugify("the quick brown fox", { maxLength: 12 }), "the-quick");
  assert.equal(slugify("supercalifragilistic", { maxLength: 5 }), "super");
  assert.equal(slugify("exactly ten", { maxLength: 11 }), "exactly-ten");
});

test("is empty when nothing is left", () => {
  assert.equal(slugify("!!! ???"), "");
});
