// Phase timings of the analytics cold path, for the bench (`bench/kpis.ts` prints them). Off unless
// a recorder is installed; then every `timed` phase appends its label and wall time (phases that run
// concurrently overlap, so their sum can exceed the total).
export type Recorder = (label: string, ms: number) => void;

let recorder: Recorder | null = null;

export function recordPhases(next: Recorder | null) {
  recorder = next;
}

export async function timed<T>(label: string, work: () => Promise<T> | T): Promise<T> {
  if (!recorder) return work();
  const started = performance.now();
  try {
    return await work();
  } finally {
    recorder?.(label, performance.now() - started);
  }
}

/** Records a phase that ran synchronously since `since` (a `performance.now()` reading). */
export function mark(label: string, since: number) {
  recorder?.(label, performance.now() - since);
}
