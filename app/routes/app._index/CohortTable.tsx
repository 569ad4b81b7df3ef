// Cohorts by first-order month: the share of each cohort ordering again in month 1..N, and
// cumulative revenue per customer.
import type { AdminFormat as Format } from "../../admin/format";
import type { DashboardView } from "./view";

export function CohortTable({ cohorts, f }: { cohorts: DashboardView["cohorts"]; f: Format }) {
  const width = Math.max(0, ...cohorts.map((c) => c.retention.length));
  const cell: React.CSSProperties = {
    padding: "6px 8px",
    textAlign: "right",
    whiteSpace: "nowrap",
    fontVariantNumeric: "tabular-nums",
  };
  return (
    <div style={{ overflowX: "auto" }}>
      <table style={{ borderCollapse: "collapse", width: "100%", fontSize: 13 }} aria-label="Cohort retention">
        <thead>
          <tr>
            <th style={{ ...cell, textAlign: "left" }}>First order</th>
            <th style={cell}>Customers</th>
            {Array.from({ length: width }, (_, m) => (
              <th key={m} style={cell} scope="col">
                {m === 0 ? "Month 0" : `+${m}`}
              </th>
            ))}
            <th style={cell}>Revenue / customer</th>
          </tr>
        </thead>
        <tbody>
          {cohorts.map((c) => (
            <tr key={c.month}>
              <th scope="row" style={{ ...cell, textAlign: "left", fontWeight: 500 }}>
                {f.month(c.month)}
              </th>
              <td style={cell}>{f.number(c.customers)}</td>
              {Array.from({ length: width }, (_, m) => {
                const share = c.retention[m];
                if (share === undefined || m === 0) {
                  return (
                    <td key={m} style={{ ...cell, color: "var(--p-color-text-secondary)" }}>
                      {m === 0 && c.customers ? "100%" : ""}
                    </td>
                  );
                }
                if (share === null) {
                  // An empty cohort: a share of nobody is not defined.
                  return (
                    <td key={m} style={cell} title="No customers placed their first order in this month">
                      —
                    </td>
                  );
                }
                // Shade by share; 40% and more is full colour (repeat shares are rarely higher).
                const alpha = Math.min(1, share / 0.4);
                return (
                  <td
                    key={m}
                    style={{
                      ...cell,
                      background: `rgba(0, 128, 96, ${0.08 + alpha * 0.72})`,
                      color: alpha > 0.6 ? "white" : "inherit",
                    }}
                    title={`${f.percent(share)} of the ${f.month(c.month)} cohort ordered in month +${m}`}
                  >
                    {f.percent(share)}
                  </td>
                );
              })}
              <td style={cell} title={c.customers ? undefined : "No customers placed their first order in this month"}>
                {(() => {
                  const perCustomer = c.cumulativeRevenuePerCustomer.at(-1);
                  return perCustomer == null ? "—" : f.money(perCustomer);
                })()}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {cohorts.some((c) => c.customers === 0) && (
        <p style={{ margin: "8px 0 0", fontSize: 12, color: "var(--p-color-text-secondary)" }}>
          — No customers placed their first order in that month: there is no share to show.
        </p>
      )}
    </div>
  );
}
