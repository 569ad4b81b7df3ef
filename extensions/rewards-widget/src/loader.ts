/**
 * Regulars storefront loader — the only widget script on the page before the
 * shopper interacts (deferred, a few hundred bytes gzipped).
 *
 * For every widget root (`[data-rg]`, rendered by snippets/regulars-widget.liquid):
 *  - floating launcher: on first click, import() the panel ES module (URL from `data-js`; it
 *    carries its CSS) and let the module toggle the dialog;
 *  - inline "Rewards page" block (`data-inline`): load the panel right away.
 * Idempotent: the embed and the page block may both include this script, and the
 * theme editor re-renders sections (`shopify:section:load`).
 *
 * Referral landing (`?ref=CODE`): the code is kept in localStorage (`rg_ref`) and written to the
 * cart as the attribute `regulars_referral` (Ajax Cart API, `POST {root}/cart/update.js`) on each
 * page until the cart holds items — then the attribute travels with that cart to its order. The
 * landing page's launcher says a friend sent a gift. One small request, after the page, only
 * for referred visitors.
 */

interface PanelModule {
  toggle(root: HTMLElement): void;
}

// (an IIFE once bundled: esbuild wraps this module)
const w = window as Window & { __rg?: 1 };
const d = document;
if (!w.__rg) {
  w.__rg = 1;
  let mod: Promise<PanelModule> | undefined;

  const load = (r: HTMLElement): Promise<PanelModule> => {
    if (!mod) {
      mod = import(/* @vite-ignore */ r.dataset.js!);
      // a failed download can be retried by the next click
      mod.catch(() => (mod = undefined));
    }
    return mod;
  };

  const scan = () =>
    d.querySelectorAll<HTMLElement>("[data-rg]:not([data-rg-on])").forEach((r) => {
      r.dataset.rgOn = "";
      const b = r.querySelector("button");
      const go = () => {
        b?.setAttribute("aria-busy", "true");
        load(r)
          .then((m) => m.toggle(r))
          .finally(() => b?.removeAttribute("aria-busy"));
      };
      if (r.hasAttribute("data-inline")) go();
      else if (b) {
        b.addEventListener("click", go);
        if (q) b.append(Object.assign(d.createElement("span"), { className: "rg-lp", textContent: r.dataset.hi }));
      }
    });

  // `data-root` on this script: routes.root_url with a trailing slash ("/" or "/fa/")
  const root = (d.currentScript as HTMLElement | null)?.dataset.root || "/";
  let q: string | null = null;
  try {
    const ls = localStorage; // throws where storage is blocked: then no referral is kept
    q = new URLSearchParams(location.search).get("ref");
    if (q) ls.rg_ref = q;
    const code = ls.rg_ref;
    if (code)
      fetch(root + "cart/update.js", { method: "POST", body: new URLSearchParams({ "attributes[regulars_referral]": code }) })
        .then((r) => r.json())
        .then((c) => c.item_count && ls.removeItem("rg_ref"))
        .catch(() => {});
  } catch {}

  scan();
  d.addEventListener("shopify:section:load", scan);
}
