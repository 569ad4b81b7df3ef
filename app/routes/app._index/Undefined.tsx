// A figure that is not defined — a rate or average whose denominator is zero, null in the API —
// reads "—" with the reason on hover; the card or table says the reason beside it in one line.
export function Undefined({ kpi, reason }: { kpi?: string; reason: string }) {
  return (
    <span data-kpi={kpi} data-undefined="" title={reason}>
      —
    </span>
  );
}
