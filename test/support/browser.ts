// Debian's Chromium driven by playwright-core: no downloaded browsers here. `npm test` installs
// the package when it is missing, so a missing browser fails the test rather than skipping it.
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // Without the background-networking flag Chromium keeps calling home, which this machine refuses.
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}
