// The dashboard data as its components receive it.
import type { SerializeFrom } from "@remix-run/node";
import type { dashboardData } from "../../analytics/report.server";

/** The dashboard's data as the page receives it (JSON: dates as strings). */
export type DashboardView = SerializeFrom<Awaited<ReturnType<typeof dashboardData>>>;
export type Kpis = DashboardView["kpis"];
