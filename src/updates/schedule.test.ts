import { describe, expect, test } from "bun:test";
import { StewardSchedule } from "../config/dependency-steward-settings.ts";
import { isPushpalsError } from "../core/errors.ts";
import { describeSchedule, scheduleAllows } from "./schedule.ts";

const schedule = (s: Partial<StewardSchedule>): StewardSchedule => StewardSchedule.parse(s);
const at = (iso: string) => new Date(iso);

describe("scheduleAllows", () => {
  test("the default schedule always allows", () => {
    for (const iso of ["2026-01-01T00:00:00Z", "2026-06-14T23:59:59Z", "2026-03-29T01:30:00Z"]) expect(scheduleAllows(schedule({}), at(iso))).toEqual({ ok: true });
  });

  test("the weekday and hours are read in the zone; from is inside, to is not", () => {
    const office = schedule({ days: ["mon", "tue", "wed", "thu", "fri"], hours: [9, 17], timezone: "Europe/Berlin" });
    // Thursday 2026-12-03, CET (UTC+1).
    expect(scheduleAllows(office, at("2026-12-03T08:00:00Z"))).toEqual({ ok: true });
    expect(scheduleAllows(office, at("2026-12-03T15:59:59Z"))).toEqual({ ok: true });
    expect(scheduleAllows(office, at("2026-12-03T16:00:00Z"))).toEqual({ ok: false, reason: "outside the schedule (mon–fri, 09:00–17:00 Europe/Berlin); next window opens 2026-12-04 09:00 Europe/Berlin" });
    expect(scheduleAllows(office, at("2026-12-03T07:59:00Z"))).toEqual({ ok: false, reason: "outside the schedule (mon–fri, 09:00–17:00 Europe/Berlin); next window opens 2026-12-03 09:00 Europe/Berlin" });
  });

  test("over a weekend the next window is days away, and it is the local day that counts", () => {
    const office = schedule({ days: ["mon", "tue", "wed", "thu", "fri"], hours: [9, 17], timezone: "America/New_York" });
    // Saturday 01:00 UTC is still Friday 20:00 in New York: outside the hours, and the next window is Monday.
    const verdict = scheduleAllows(office, at("2026-12-05T01:00:00Z"));
    expect(verdict).toEqual({ ok: false, reason: "outside the schedule (mon–fri, 09:00–17:00 America/New_York); next window opens 2026-12-07 09:00 America/New_York" });
    // Friday 21:30 UTC is Friday 16:30 there: inside.
    expect(scheduleAllows(office, at("2026-12-04T21:30:00Z"))).toEqual({ ok: true });
  });

  test("a window up to midnight on the one day a week", () => {
    const nights = schedule({ days: ["sun"], hours: [22, 24], timezone: "UTC" });
    expect(scheduleAllows(nights, at("2026-12-06T23:59:00Z"))).toEqual({ ok: true });
    expect(scheduleAllows(nights, at("2026-12-07T00:00:00Z"))).toEqual({ ok: false, reason: "outside the schedule (sun, 22:00–24:00 UTC); next window opens 2026-12-13 22:00 UTC" });
  });

  test("a zone offset by half an hour opens on its own local hour", () => {
    const india = schedule({ hours: [9, 17], timezone: "Asia/Kolkata" });
    // 03:00 UTC is 08:30 IST: the window opens at 03:30 UTC.
    expect(scheduleAllows(india, at("2026-12-07T03:00:00Z"))).toEqual({ ok: false, reason: "outside the schedule (every day, 09:00–17:00 Asia/Kolkata); next window opens 2026-12-07 09:00 Asia/Kolkata" });
    expect(scheduleAllows(india, at("2026-12-07T03:30:00Z"))).toEqual({ ok: true });
  });

  test("daylight saving time: a skipped hour opens the window at the next local hour, a repeated one counts twice", () => {
    // Europe/Berlin skips 02:00-03:00 on 2026-03-29 and repeats 02:00-03:00 on 2026-10-25.
    const sundayTwoToFour = schedule({ days: ["sun"], hours: [2, 4], timezone: "Europe/Berlin" });
    expect(scheduleAllows(sundayTwoToFour, at("2026-03-29T00:30:00Z"))).toEqual({ ok: false, reason: "outside the schedule (sun, 02:00–04:00 Europe/Berlin); next window opens 2026-03-29 03:00 Europe/Berlin" });
    expect(scheduleAllows(sundayTwoToFour, at("2026-03-29T01:00:00Z"))).toEqual({ ok: true });
    const sundayTwo = schedule({ days: ["sun"], hours: [2, 3], timezone: "Europe/Berlin" });
    // That Sunday has no 02:00 at all: the next one does.
    expect(scheduleAllows(sundayTwo, at("2026-03-29T00:30:00Z"))).toEqual({ ok: false, reason: "outside the schedule (sun, 02:00–03:00 Europe/Berlin); next window opens 2026-04-05 02:00 Europe/Berlin" });
    expect(scheduleAllows(sundayTwo, at("2026-10-25T00:30:00Z"))).toEqual({ ok: true }); // 02:30 CEST
    expect(scheduleAllows(sundayTwo, at("2026-10-25T01:30:00Z"))).toEqual({ ok: true }); // 02:30 CET
    expect(scheduleAllows(sundayTwo, at("2026-10-25T02:00:00Z")).ok).toBe(false); // 03:00 CET
  });

  test("a time zone this machine does not know is a config_invalid error naming the key", () => {
    try {
      scheduleAllows({ days: ["mon"], hours: [0, 24], timezone: "Mars/Olympus" }, at("2026-12-03T00:00:00Z"));
      throw new Error("expected a refusal");
    } catch (err) {
      expect(isPushpalsError(err, "config_invalid")).toBe(true);
      expect((err as Error).message).toBe('dependency_steward.schedule.timezone: "Mars/Olympus" is not a time zone this machine knows');
    }
  });
});

describe("describeSchedule", () => {
  test("days in week order, three or more in a row as a span", () => {
    expect(describeSchedule(schedule({ days: ["sun", "mon", "wed", "thu", "fri"], hours: [0, 24] }))).toBe("mon, wed–fri, sun, 00:00–24:00 UTC");
    expect(describeSchedule(schedule({ days: ["sat", "sun"], hours: [6, 8], timezone: "Asia/Tokyo" }))).toBe("sat, sun, 06:00–08:00 Asia/Tokyo");
    expect(describeSchedule(schedule({}))).toBe("every day, 00:00–24:00 UTC");
  });
});
