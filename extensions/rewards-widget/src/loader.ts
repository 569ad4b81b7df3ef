/**
 * Regulars storefront loader — the only widget script on the page before the
 * shopper interacts (deferred, a few hundred bytes gzipped).
 *
 * For every widget root (`[data-rg]`, rendered by snippets/regulars-widget.liquid):
 *  - floating launcher: on first click, fetch the panel CSS + ES module
 *    (URLs from `data-css` / `data-js`) and let the module toggle the dialog;
 *  - inline "Rewards page" block (`data-inline`): load the panel right away.
 * Idempotent: the embed and the page block may both include this script, and the
 * theme editor re-renders sections (`shopify:section:load`).
 */

interface PanelModule {
  toggle(root: HTMLElement): void;
}

((w: Window & { __rg?: 1 }, d: Document) => {
  if (w.__rg) return;
  w.__rg = 1;
  let mod: Promise<PanelModule> | undefined;

  const load = (r: HTMLElement): Promise<PanelModule> => {
    if (!mod) {
      const l = d.createElement("link");
      l.rel = "stylesheet";
      l.href = r.dataset.css!;
      const css = new Promise((res) => (l.onload = l.onerror = res));
      d.head.append(l);
      mod = Promise.all([import(/* @vite-ignore */ r.dataset.js!), css]).then((a) => a[0] as PanelModule);
      // a failed download can be retried by the next click
      mod.catch(() => (mod = undefined));
    }
    return mod;
  };

  const scan = () =>
    d.querySelectorAll<HTMLElement>("[data-rg]:not([data-rg-on])").forEach((r) => {
      r.setAttribute("data-rg-on", "");
      const b = r.querySelector("button");
      const go = () => {
        b?.setAttribute("aria-busy", "true");
        load(r)
          .then((m) => m.toggle(r))
          .finally(() => b?.removeAttribute("aria-busy"));
      };
      if (r.hasAttribute("data-inline")) go();
      else b?.addEventListener("click", go);
    });

  scan();
  d.addEventListener("shopify:section:load", scan);
})(window, document);
