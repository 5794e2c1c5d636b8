import { WEEKDAYS, type DependencySteward, type Weekday } from "../config/dependency-steward-settings.ts";
import { PushpalsError } from "../core/errors.ts";

/**
 * Whether `[dependency_steward.schedule]` lets the steward open or update a PR at `now`, and if not, when
 * it next may. Pure apart from the time-zone data Intl carries. The weekday and hour are read in the
 * schedule's zone for each instant, never computed from an offset, so daylight saving time cannot shift a
 * window: on the night the clocks skip 02:00, a window starting at 2 opens at 03:00; on the night they
 * repeat it, both 02:00 hours are inside.
 */
export type ScheduleVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Every zone in use today is offset from UTC by whole quarter hours and moves by them, so a local hour
 * starts on a UTC quarter hour and stepping by quarter hours finds a window's exact opening.
 */
const STEP_MS = 15 * 60_000;
/** Past the longest wait any valid schedule has (one day a week: under 7 days), with room for a DST change. */
const HORIZON_MS = 8 * 86_400_000;

interface LocalTime {
  weekday: Weekday;
  hour: number;
  /** "2026-12-03 22:00". */
  shown: string;
}

export function scheduleAllows(schedule: DependencySteward["schedule"], now: Date): ScheduleVerdict {
  const local = zoneClock(schedule.timezone);
  if (inWindow(schedule, local(now))) return { ok: true };
  const outside = `outside the schedule (${describeSchedule(schedule)})`;
  const end = now.getTime() + HORIZON_MS;
  for (let t = Math.floor(now.getTime() / STEP_MS) * STEP_MS + STEP_MS; t <= end; t += STEP_MS) {
    const at = local(new Date(t));
    if (inWindow(schedule, at)) return { ok: false, reason: `${outside}; next window opens ${at.shown} ${schedule.timezone}` };
  }
  return { ok: false, reason: `${outside}; no window opens within 8 days` };
}

/** "mon–fri, 22:00–24:00 Europe/Berlin". */
export function describeSchedule(schedule: DependencySteward["schedule"]): string {
  const [from, to] = schedule.hours;
  return `${describeDays(schedule.days)}, ${pad(from)}:00–${pad(to)}:00 ${schedule.timezone}`;
}

function inWindow(schedule: DependencySteward["schedule"], at: LocalTime): boolean {
  const [from, to] = schedule.hours;
  return schedule.days.includes(at.weekday) && at.hour >= from && at.hour < to;
}

/** Week order, three or more days in a row as a span: "mon, wed–fri, sun"; all seven: "every day". */
function describeDays(days: readonly Weekday[]): string {
  const present = WEEKDAYS.map((d) => days.includes(d));
  if (present.every(Boolean)) return "every day";
  const parts: string[] = [];
  for (let i = 0; i < WEEKDAYS.length; i++) {
    if (!present[i]) continue;
    let j = i;
    while (j + 1 < WEEKDAYS.length && present[j + 1]) j++;
    if (j - i >= 2) parts.push(`${WEEKDAYS[i]}–${WEEKDAYS[j]}`);
    else for (let k = i; k <= j; k++) parts.push(WEEKDAYS[k]!);
    i = j;
  }
  return parts.join(", ");
}

function zoneClock(timeZone: string): (at: Date) => LocalTime {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", weekday: "short", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
  } catch (err) {
    throw new PushpalsError("config_invalid", `dependency_steward.schedule.timezone: ${JSON.stringify(timeZone)} is not a time zone this machine knows`, {
      field: "dependency_steward.schedule.timezone",
      hint: 'set it to an IANA time zone such as "UTC" or "Europe/Berlin"',
      cause: err,
    });
  }
  return (at) => {
    const part: Record<string, string> = {};
    for (const p of format.formatToParts(at)) part[p.type] = p.value;
    // Some engines print midnight as "24" even in h23.
    const hour = Number(part.hour) % 24;
    return { weekday: part.weekday!.toLowerCase() as Weekday, hour, shown: `${part.year}-${part.month}-${part.day} ${pad(hour)}:${part.minute}` };
  };
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}
