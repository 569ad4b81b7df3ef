// Launching Debian's Chromium through playwright-core, apart from the test hooks in browser.ts so
// that the benches (plain scripts, outside vitest) launch it the same way.
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // Without the background-networking flag Chromium keeps calling home, which this machine refuses.
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}
