// Debian's Chromium driven by playwright-core: no downloaded browsers here. `npm test` installs
// the package when it is missing, so a missing browser fails the test rather than skipping it.
// Every browser test gets its Chromium from `useChromium()`; nothing else launches one.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { launchChromium } from "./chromium";

export { CHROMIUM, launchChromium } from "./chromium";

/**
 * One Chromium for the test file that calls this at its top level: launched before the file's
 * tests and closed after them. `const browser = useChromium();` then `browser().newContext()`.
 */
export function useChromium(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error("Chromium is not running: call useChromium() at the top level of the test file");
    return browser;
  };
}

/**
 * Counts React's commits in every page of `context`, through the hook React offers its developer
 * tools (production React calls it too). The first commit is hydration done: by then React has
 * also reported any hydration mismatch (#418, #423), so a test can look for errors without guessing
 * how long hydration takes. Call before the first page is opened.
 */
export async function countReactCommits(context: BrowserContext) {
  await context.addInitScript(() => {
    let commits = 0;
    Object.assign(window, {
      __REACT_DEVTOOLS_GLOBAL_HOOK__: {
        supportsFiber: true,
        renderers: new Map(),
        inject: () => 1,
        checkDCE: () => {},
        onCommitFiberRoot: () => void commits++,
        onCommitFiberUnmount: () => {},
        onPostCommitFiberRoot: () => {},
      },
    });
    Object.defineProperty(window, "__reactCommits", { get: () => commits });
  });
}

/** Waits for React's first commit in `page` (the context must count them: `countReactCommits`). */
export async function hydrated(page: Page) {
  await page.waitForFunction(() => (window as { __reactCommits?: number }).__reactCommits! > 0);
}
