// Browser-side helpers the admin's paged, exportable lists share.
import { useState } from "react";
import { useSearchParams } from "@remix-run/react";

/** Downloads `url` through fetch, so App Bridge adds the session token as for any other request. */
async function download(url: string, fallbackName: string) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Export failed (${response.status})`);
  const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") ?? "")?.[1] ?? fallbackName;
  const href = URL.createObjectURL(await response.blob());
  const a = document.createElement("a");
  a.href = href;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

/** A CSV export button's state: `run(url, name)` downloads, `exporting` and `error` show how it went. */
export function useCsvExport() {
  const [exporting, setExporting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (url: string, fallbackName: string) => {
    setExporting(true);
    setError(null);
    try {
      await download(url, fallbackName);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setExporting(false);
    }
  };
  return { exporting, error, run };
}

/** Moves a cursor-paged list to the page after or before `cursor`, keeping the other query params. */
export function useCursorPaging<Key extends string>(afterKey: Key, beforeKey: Key) {
  const [searchParams, setSearchParams] = useSearchParams();
  return (key: Key, cursor: number) => {
    const next = new URLSearchParams(searchParams);
    next.delete(afterKey);
    next.delete(beforeKey);
    next.set(key, String(cursor));
    setSearchParams(next, { preventScrollReset: true });
  };
}
