import { expect, test } from "bun:test";
import { ancestorToHide } from "./checkout-ancestors.ts";

test("the highest non-system ancestor of the repository is hidden; a repository right under a system directory hides nothing more", () => {
  expect(ancestorToHide("/work/main")).toBe("/work");
  expect(ancestorToHide("/work/team/app")).toBe("/work");
  expect(ancestorToHide("/var/tmp/parent/repo")).toBe("/var/tmp/parent");
  expect(ancestorToHide("/srv/git/app")).toBe("/srv/git");
  expect(ancestorToHide("/srv/app")).toBeNull();
  expect(ancestorToHide("/home/alice/code/app")).toBe("/home");
  expect(ancestorToHide("/app")).toBeNull();
});
