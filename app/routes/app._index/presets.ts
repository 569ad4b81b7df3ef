// The periods the dashboard offers in one click, relative to today in the shop's time zone.
import type { Range } from "../../analytics/report.server";
import { addDays } from "../../analytics/time";

export type Preset = { key: string; label: string; range: (day: string) => Range };
export const PRESETS: Preset[] = [
  { key: "30d", label: "Last 30 days", range: (d) => ({ from: addDays(d, -29), to: addDays(d, 1) }) },
  { key: "90d", label: "Last 90 days", range: (d) => ({ from: addDays(d, -89), to: addDays(d, 1) }) },
  { key: "365d", label: "Last 365 days", range: (d) => ({ from: addDays(d, -364), to: addDays(d, 1) }) },
  { key: "month", label: "This month", range: (d) => ({ from: `${d.slice(0, 7)}-01`, to: addDays(d, 1) }) },
  { key: "year", label: "This year", range: (d) => ({ from: `${d.slice(0, 4)}-01-01`, to: addDays(d, 1) }) },
  {
    key: "last-year",
    label: "Last year",
    range: (d) => ({ from: `${Number(d.slice(0, 4)) - 1}-01-01`, to: `${d.slice(0, 4)}-01-01` }),
  },
];
