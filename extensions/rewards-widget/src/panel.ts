/**
 * Regulars rewards panel — loaded on first open by the loader (ES module).
 * About 400 lines in one file on purpose: it ships to every storefront as one gzipped module of a
 * few kilobytes; splitting it would add requests or a bundler step for no reader gain.
 *
 * Renders the member's balance, tier, progress, rewards (redeemable or not),
 * ways to earn and recent activity from `GET {proxy}/api/member`; redeems with
 * `POST {proxy}/api/redeem` ({ rewardId } + Idempotency-Key). All text comes from
 * the root's `<script type="application/json" data-rg-i18n>` (Liquid `t` filters),
 * numbers and dates from Intl in the storefront locale. No framework.
 */

type Dict = Record<string, string>;

interface Reward {
  id: string;
  name?: string;
  kind?: string;
  pointsCost: number;
  value?: number;
  minimumSubtotal?: number | null;
}
interface Member {
  customerId: string | null;
  points: number;
  tier?: { name: string; multiplier?: number } | null;
  nextTier?: { name: string; pointsNeeded?: number | null; spendNeeded?: number | null; progress?: number } | null;
  rewards?: Reward[];
  history?: { id: string; delta: number; kind?: string; reason?: string | null; createdAt?: string }[];
  waysToEarn?: { kind: string; label?: string }[];
}
interface Redeemed {
  code: string;
  pointsSpent?: number;
  points?: number;
  expiresAt?: string | null;
}

/** One widget instance (floating dialog or inline page block). */
interface W {
  r: HTMLElement; // root [data-rg]
  p: HTMLElement; // panel container (.rg-p)
  c: HTMLElement; // content, re-rendered
  l: HTMLElement; // polite live region, persistent
  b: HTMLElement | null; // launcher (dialog mode)
  t: Dict;
  loc: string;
  res?: Redeemed;
  err?: string;
  busy?: string;
}

const d = document;
const ws = new Map<HTMLElement, W>();
let member: Member | undefined;
let loading: Promise<void> | undefined;
let loadErr = "";
let cur: W | undefined; // the open dialog
/** Idempotency key per reward: kept until a definitive answer, so a retry reuses it. */
const keys: Dict = {};

type Kid = Node | string | null | undefined | false;
function h(tag: string, a?: Record<string, unknown> | null, ...kids: Kid[]): HTMLElement {
  const el = d.createElement(tag);
  for (const k in a) {
    const v = a[k];
    if (v == null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v as EventListener);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  el.append(...(kids.filter((k) => k != null && k !== false) as (Node | string)[]));
  return el;
}

const fill = (s: string | undefined, v: Record<string, string>) => (s || "").replace(/\{(\w+)\}/g, (_, k) => v[k] ?? "");

const base = (w: W) => (w.r.dataset.proxy || "/apps/rewards").replace(/\/$/, "");
const root = (w: W) => (w.r.dataset.root || "/").replace(/\/$/, "");

function num(w: W, n: number, o?: Intl.NumberFormatOptions): string {
  try {
    return new Intl.NumberFormat(w.loc, o).format(n);
  } catch {
    return String(n);
  }
}
const money = (w: W, n: number) => num(w, n, { style: "currency", currency: w.r.dataset.currency || "USD" });
const pts = (w: W, n: number) => fill(w.t[new Intl.PluralRules(w.loc).select(n) == "one" ? "pt1" : "pts"], { n: num(w, n) });
function date(w: W, s?: string | null): string {
  const dt = s ? new Date(s) : null;
  return dt && !isNaN(+dt) ? dt.toLocaleDateString(w.loc, { dateStyle: "medium" }) : "";
}

function errKey(s: unknown): string {
  return s == 409 ? "e409" : s == 429 ? "e429" : s == 503 ? "e503" : s == 401 || s == 403 ? "e401" : s ? "eGen" : "eNet";
}

function setup(r: HTMLElement): W {
  let w = ws.get(r);
  if (w) return w;
  const p = r.querySelector<HTMLElement>(".rg-p")!;
  let t: Dict = {};
  try {
    t = JSON.parse(r.querySelector("[data-rg-i18n]")!.textContent!);
  } catch {}
  const c = h("div", { class: "rg-c" });
  const l = h("p", { class: "rg-sr", "aria-live": "polite" });
  p.replaceChildren(c, l);
  w = { r, p, c, l, t, b: r.querySelector(".rg-l"), loc: r.dataset.locale || d.documentElement.lang || "en" };
  ws.set(r, w);
  return w;
}

function refresh(w: W): Promise<void> {
  return (loading ||= fetch(base(w) + "/api/member", {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  })
    .then((res) => {
      if (!res.ok) throw res.status;
      return res.json();
    })
    .then((m: Member) => {
      member = m;
      loadErr = "";
    })
    .catch((e) => {
      loadErr = errKey(typeof e == "number" ? e : 0);
    })
    .then(() => {
      loading = undefined;
      renderAll();
    }));
}

function renderAll() {
  ws.forEach(render);
  const w = ws.values().next().value;
  // the launcher's balance (first painted by Liquid) follows the live balance
  if (w && member?.customerId) d.querySelectorAll("[data-rg-pts]").forEach((e) => (e.textContent = pts(w, member!.points || 0)));
}

/** Describes a reward from its kind and value in the shopper's language. */
function what(w: W, r: Reward): string {
  const v = r.value ?? 0;
  return r.kind == "amount_off"
    ? fill(w.t.amt, { amount: money(w, v) })
    : r.kind == "percent_off"
      ? fill(w.t.pct, { p: num(w, v / 100, { style: "percent", maximumFractionDigits: 2 }) })
      : r.kind == "free_shipping"
        ? w.t.ship
        : "";
}

function render(w: W) {
  const { t } = w;
  const m = member;
  const a = d.activeElement as HTMLElement | null;
  const focusKey = a && w.c.contains(a) ? a.dataset.f : undefined;
  const out: Kid[] = [
    h(
      "div",
      { class: "rg-h" },
      h("h2", null, t.title),
      !w.b
        ? null
        : h("button", { type: "button", class: "rg-x", "aria-label": t.close, "data-f": "x", onclick: () => close(w) }, "×"),
    ),
  ];
  if (!m) {
    out.push(
      loadErr
        ? h(
            "div",
            { class: "rg-e", role: "alert" },
            t[loadErr],
            " ",
            h("button", { type: "button", class: "rg-btn2", "data-f": "y", onclick: () => refresh(w) }, t.retry),
          )
        : h("p", { class: "rg-m", role: "status" }, t.loading),
    );
  } else {
    const me = !!m.customerId;
    const bal = m.points || 0;
    if (me) {
      out.push(h("p", { class: "rg-b" }, h("span", { class: "rg-m" }, t.bal), h("strong", null, pts(w, bal))));
      if (m.tier)
        out.push(
          h(
            "p",
            { class: "rg-t" },
            fill(t.tier, { tier: m.tier.name }),
            (m.tier.multiplier ?? 1) != 1 ? " · " + fill(t.mult, { x: num(w, m.tier.multiplier!) }) : "",
          ),
        );
      const n = m.nextTier;
      if (n) {
        const txt = fill(n.pointsNeeded != null ? t.nextP : t.nextS, {
          n: num(w, n.pointsNeeded ?? 0),
          amount: money(w, n.spendNeeded ?? 0),
          tier: n.name,
        });
        const pct = Math.round(Math.min(1, Math.max(0, n.progress ?? 0)) * 100);
        const bar = h("i");
        bar.style.inlineSize = pct + "%";
        out.push(
          h(
            "div",
            {
              class: "rg-bar",
              role: "progressbar",
              "aria-valuemin": 0,
              "aria-valuemax": 100,
              "aria-valuenow": pct,
              "aria-label": txt,
            },
            bar,
          ),
          h("p", { class: "rg-m" }, txt),
        );
      }
    } else {
      out.push(
        h("p", null, t.guest),
        h(
          "p",
          { class: "rg-row" },
          h("a", { class: "rg-btn", href: w.r.dataset.register || "/account/register" }, t.signup),
          h("a", { class: "rg-btn2", href: w.r.dataset.login || "/account/login" }, t.signin),
        ),
      );
    }
    if (w.res) {
      const r = w.res;
      const href = `${root(w)}/discount/${encodeURIComponent(r.code)}?redirect=${root(w)}/cart`;
      const exp = date(w, r.expiresAt);
      out.push(
        h(
          "div",
          { class: "rg-ok" },
          h("p", null, h("strong", null, t.code)),
          h(
            "p",
            { class: "rg-code" },
            h("code", { dir: "ltr" }, r.code),
            h(
              "button",
              {
                type: "button",
                class: "rg-btn2",
                "data-f": "c",
                onclick: (e: Event) => copy(w, r.code, e.currentTarget as HTMLElement),
              },
              t.copy,
            ),
          ),
          h(
            "p",
            { class: "rg-m" },
            r.pointsSpent != null ? fill(t.spent, { n: num(w, r.pointsSpent) }) : "",
            exp ? " · " + fill(t.exp, { date: exp }) : "",
          ),
          h("a", { class: "rg-btn", href, "data-f": "a" }, t.apply),
        ),
      );
    }
    if (w.err) out.push(h("p", { class: "rg-e", role: "alert" }, t[w.err]));
    const rs = (m.rewards || []).slice().sort((x, y) => x.pointsCost - y.pointsCost);
    if (rs.length)
      out.push(
        h("h3", null, t.rew),
        h(
          "ul",
          null,
          ...rs.map((r) => {
            const short = r.pointsCost - bal;
            const busy = w.busy == r.id;
            return h(
              "li",
              { class: "rg-r" },
              h(
                "div",
                null,
                h("strong", null, h("bdi", null, r.name || what(w, r))),
                h(
                  "span",
                  { class: "rg-m" },
                  [pts(w, r.pointsCost), r.minimumSubtotal ? fill(t.min, { amount: money(w, r.minimumSubtotal) }) : ""]
                    .filter(Boolean)
                    .join(" · "),
                ),
                me && short > 0 ? h("span", { class: "rg-m" }, fill(t.need, { n: num(w, short) })) : null,
              ),
              me &&
                h(
                  "button",
                  {
                    type: "button",
                    class: "rg-btn",
                    "data-f": "r" + r.id,
                    disabled: short > 0 || !!w.busy,
                    "aria-busy": busy ? "true" : null,
                    onclick: () => redeem(w, r),
                  },
                  busy ? t.busy : t.redeem,
                ),
            );
          }),
        ),
      );
    const earn = m.waysToEarn || [];
    if (earn.length)
      out.push(
        h("h3", null, t.earn),
        h("ul", { class: "rg-ul" }, ...earn.map((e) => h("li", null, t["w_" + e.kind] || e.label || e.kind))),
      );
    const hist = (me && m.history) || [];
    if (hist.length)
      out.push(
        h("h3", null, t.hist),
        h(
          "ul",
          { class: "rg-ul" },
          ...hist
            .slice(0, 5)
            .map((e) =>
              h(
                "li",
                { class: "rg-hi" },
                h("span", null, t["h_" + e.kind] || e.reason || e.kind, h("span", { class: "rg-m" }, " ", date(w, e.createdAt))),
                h("b", { dir: "ltr" }, num(w, e.delta, { signDisplay: "exceptZero" })),
              ),
            ),
        ),
      );
  }
  w.c.replaceChildren(...(out.filter(Boolean) as Node[]));
  if (focusKey) (w.c.querySelector<HTMLElement>(`[data-f="${CSS.escape(focusKey)}"]`) || w.p).focus();
}

async function redeem(w: W, r: Reward) {
  if (w.busy) return;
  const key = (keys[r.id] ||= crypto.randomUUID
    ? crypto.randomUUID()
    : Date.now().toString(36) + Math.random().toString(36).slice(2));
  w.busy = r.id;
  w.err = "";
  render(w);
  let ok = false;
  let status = 0; // 0 = network error
  try {
    const res = await fetch(base(w) + "/api/redeem", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "Idempotency-Key": key },
      body: JSON.stringify({ rewardId: r.id }),
    });
    status = res.status;
    if (res.ok) {
      const out: Redeemed = await res.json();
      w.res = out;
      if (member) member.points = out.points ?? member.points - (out.pointsSpent || 0);
      ok = true;
    }
  } catch {}
  // A definitive answer ends this attempt; 429, 5xx and network errors keep the key so that
  // the shopper's retry is deduplicated by the server.
  if (ok || (status >= 400 && status < 500 && status != 429)) delete keys[r.id];
  w.busy = "";
  if (!ok) w.err = errKey(status);
  renderAll();
  const f = w.c.querySelector<HTMLElement>(ok ? '[data-f="c"]' : `[data-f="r${CSS.escape(r.id)}"]:not(:disabled)`);
  (f || w.p).focus();
  w.l.textContent = ok ? w.t.code + ": " + w.res!.code : w.t[w.err!];
}

function copy(w: W, code: string, btn: HTMLElement) {
  const done = () => {
    btn.textContent = w.t.copied;
    w.l.textContent = w.t.copied;
  };
  // fallback: select the code so the shopper can copy it by hand (and try execCommand)
  const old = () => {
    const range = d.createRange();
    range.selectNodeContents(btn.previousSibling!);
    getSelection()?.removeAllRanges();
    getSelection()?.addRange(range);
    if (d.execCommand("copy")) done();
  };
  navigator.clipboard ? navigator.clipboard.writeText(code).then(done, old) : old();
}

function close(w: W) {
  if (cur != w) return;
  cur = undefined;
  w.p.hidden = true;
  w.b!.setAttribute("aria-expanded", "false");
  w.b!.focus();
}

/** Focusable elements inside the open dialog, in order. */
const tabbables = (w: W) =>
  [...w.p.querySelectorAll<HTMLElement>("a[href],button:not(:disabled),input,[tabindex='0']")].filter(
    (e) => e.getClientRects().length,
  );

function onKey(e: KeyboardEvent) {
  if (!cur) return;
  if (e.key == "Escape") {
    e.preventDefault();
    close(cur);
  } else if (e.key == "Tab") {
    const f = tabbables(cur);
    const a = d.activeElement as HTMLElement;
    const i = f.indexOf(a);
    if (!f.length || (e.shiftKey ? i < 1 : i == f.length - 1 || !cur.p.contains(a))) {
      e.preventDefault();
      (e.shiftKey ? f[f.length - 1] : f[0])?.focus();
    }
  }
}

let listening = false;
/** Called by the loader: opens/closes the floating dialog, or renders the inline page. */
export function toggle(r: HTMLElement) {
  const w = setup(r);
  if (!listening) {
    listening = true;
    d.addEventListener("keydown", onKey);
    d.addEventListener("mousedown", (e) => cur && !cur.r.contains(e.target as Node) && close(cur));
    // keep focus inside the open dialog (e.g. if something outside grabs it)
    d.addEventListener("focusin", (e) => cur && !cur.r.contains(e.target as Node) && tabbables(cur)[0]?.focus());
  }
  if (!w.b) {
    render(w);
    if (!member) refresh(w);
    return;
  }
  if (cur == w) return close(w);
  if (cur) close(cur);
  cur = w;
  w.p.hidden = false;
  w.b.setAttribute("aria-expanded", "true");
  render(w);
  w.p.querySelector<HTMLElement>(".rg-x")!.focus();
  // refresh on every open: the balance may have changed since the last look
  refresh(w);
}
