// The period picker: presets (last 30 days, this year…) or any two days, kept in the URL with the
// admin's own parameters so a reload or a shared link shows the same period.
import { useEffect, useState } from "react";
import { useLocation, useNavigate } from "@remix-run/react";
import { BlockStack, Box, Button, DatePicker, InlineStack, OptionList, Popover } from "@shopify/polaris";
import type { AdminFormat as Format } from "../../admin/format";
import type { Range } from "../../analytics/report.server";
import { addDays } from "../../analytics/time";
import { PRESETS } from "./presets";

/** The range as people read it: `to` is exclusive, so the last day shown is to − 1. */
export const rangeLabel = (f: Format, range: Range) => `${f.calendarDay(range.from)} – ${f.calendarDay(addDays(range.to, -1))}`;

function useRangeNavigation() {
  const navigate = useNavigate();
  const location = useLocation();
  return (range: Range) => {
    // Keep the admin's own parameters (shop, host, embedded, locale…), replace the range.
    const params = new URLSearchParams(location.search);
    params.set("from", range.from);
    params.set("to", range.to);
    navigate(`${location.pathname}?${params}`);
  };
}

const toDate = (day: string) => new Date(`${day}T12:00:00`);
const toDay = (date: Date) =>
  `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;

export function RangePicker({ range, todayDay, f }: { range: Range; todayDay: string; f: Format }) {
  const go = useRangeNavigation();
  const [open, setOpen] = useState(false);
  const [selected, setSelected] = useState({ start: toDate(range.from), end: toDate(addDays(range.to, -1)) });
  const [month, setMonth] = useState({ month: toDate(range.from).getMonth(), year: toDate(range.from).getFullYear() });
  const active = PRESETS.find((p) => {
    const r = p.range(todayDay);
    return r.from === range.from && r.to === range.to;
  });
  useEffect(() => {
    setSelected({ start: toDate(range.from), end: toDate(addDays(range.to, -1)) });
  }, [range.from, range.to]);
  const apply = (next: Range) => {
    setOpen(false);
    go(next);
  };
  return (
    <Popover
      active={open}
      onClose={() => setOpen(false)}
      preferredAlignment="left"
      fluidContent
      activator={
        <Button onClick={() => setOpen((o) => !o)} disclosure>
          {active ? `${active.label} · ${rangeLabel(f, range)}` : rangeLabel(f, range)}
        </Button>
      }
    >
      <InlineStack wrap={false} align="start" blockAlign="start">
        <Box minWidth="180px" borderInlineEndWidth="025" borderColor="border">
          <OptionList
            options={PRESETS.map((p) => ({ value: p.key, label: p.label }))}
            selected={active ? [active.key] : []}
            onChange={([key]) => {
              const preset = PRESETS.find((p) => p.key === key);
              if (preset) apply(preset.range(todayDay));
            }}
          />
        </Box>
        <Box padding="400" minWidth="300px">
          <BlockStack gap="300">
            <DatePicker
              month={month.month}
              year={month.year}
              onMonthChange={(m, y) => setMonth({ month: m, year: y })}
              selected={selected}
              onChange={setSelected}
              allowRange
              disableDatesAfter={toDate(todayDay)}
            />
            <InlineStack align="end" gap="200">
              <Button onClick={() => setOpen(false)}>Cancel</Button>
              <Button
                variant="primary"
                onClick={() => apply({ from: toDay(selected.start), to: addDays(toDay(selected.end), 1) })}
              >
                Apply
              </Button>
            </InlineStack>
          </BlockStack>
        </Box>
      </InlineStack>
    </Popover>
  );
}
