import { expect, test } from "bun:test";
import { ghHostOf } from "./github-connect.ts";

test("gh is asked for the login of the host the API is on, never github.com's for another host", () => {
  expect(ghHostOf("https://api.github.com")).toBe("github.com");
  expect(ghHostOf("https://ghe.example.com/api/v3")).toBe("ghe.example.com");
  expect(ghHostOf("http://127.0.0.1:8123")).toBe("127.0.0.1:8123");
});
