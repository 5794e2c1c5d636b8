import { describe, expect, test } from "bun:test";
import { RestartPolicy } from "./restart-policy.ts";

/** The delays for crashes at the given times (null once the policy gives up). */
const delays = (policy: RestartPolicy, times: number[]) => times.map((t) => policy.onCrash(t));

describe("RestartPolicy", () => {
  test("the backoff doubles from the base delay with each crash in the window", () => {
    expect(delays(new RestartPolicy(10, 60_000, 200, 60_000), [0, 10, 20, 30, 40])).toEqual([200, 400, 800, 1_600, 3_200]);
    expect(delays(new RestartPolicy(10, 60_000, 50, 60_000), [0, 1, 2])).toEqual([50, 100, 200]);
  });

  test("the backoff is capped at maxMs", () => {
    expect(delays(new RestartPolicy(20, 60_000, 200, 5_000), [0, 1, 2, 3, 4, 5, 6, 7])).toEqual([200, 400, 800, 1_600, 3_200, 5_000, 5_000, 5_000]);
  });

  test("defaults: 200 ms doubling, gives up at the 5th crash within a minute", () => {
    const policy = new RestartPolicy();
    expect(delays(policy, [0, 1_000, 2_000, 3_000])).toEqual([200, 400, 800, 1_600]);
    expect(policy.onCrash(59_999)).toBeNull();
    expect(policy.recent).toBe(5);
  });

  test("gives up after maxCrashes within the window, and stays given up while they keep coming", () => {
    const policy = new RestartPolicy(3, 10_000, 100, 1_000);
    expect(delays(policy, [0, 100])).toEqual([100, 200]);
    expect(policy.onCrash(200)).toBeNull();
    expect(policy.onCrash(300)).toBeNull();
  });

  test("forgets crashes older than the window", () => {
    const policy = new RestartPolicy(3, 10_000, 100, 1_000);
    expect(delays(policy, [0, 5_000])).toEqual([100, 200]);
    // At 10 000 the crash at 0 is exactly one window old: forgotten; 5 000 and 10 000 remain.
    expect(policy.onCrash(10_000)).toBe(200);
    expect(policy.recent).toBe(2);
    // A long quiet spell resets the backoff to the base delay.
    expect(policy.onCrash(60_000)).toBe(100);
    expect(policy.recent).toBe(1);
  });

  test("a component that crashes now and then, slower than the window allows, is restarted forever", () => {
    const policy = new RestartPolicy(5, 60_000, 200, 5_000);
    const result = delays(policy, Array.from({ length: 100 }, (_, i) => i * 20_000));
    expect(result.every((d) => d !== null)).toBe(true);
    expect(Math.max(...(result as number[]))).toBe(800);
    expect(policy.recent).toBe(3);
  });
});
