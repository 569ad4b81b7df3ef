/**
 * Regulars rewards panel — loaded on first open by the loader (ES module).
 * About 400 lines in one file on purpose: it ships to every storefront as one gzipped module of a
 * few kilobytes; splitting it would add requests or a bundler step for no reader gain.
 *
 * Renders the member's balance, tier and progress, points about to expire, the codes they hold
 * (until used or expired), rewards (redeemable or not), the referral link, the birthday form,
 * ways to earn with their numbers and recent activity from `GET {proxy}/api/member`; redeems
 * with `POST {proxy}/api/redeem` ({ rewardId } + Idempotency-Key), saves the birthday with
 * `POST {proxy}/api/birthday`. All text comes from
 * the root's `<script type="application/json" data-rg-i18n>` (Liquid `t` filters),
 * numbers and dates from Intl in the storefront locale. No framework.
 */

type Dict = Record<string, string>;
/** src/panel.css, minified by scripts/build-widget.ts */
declare const PANEL_CSS: string;

interface Reward {
  id: string;
  name?: string;
  kind?: string;
  pointsCost: number;
  value?: number;
  minimumSubtotal?: number | null;
}
/** A code the shopper holds (member `codes`). */
interface Code {
  code: string;
  rewardName?: string;
  kind?: string;
  value?: number;
  pointsSpent?: number;
  expiresAt?: string | null;
}
interface Member {
  customerId: string | null;
  points: number;
  tier?: { name: string; multiplier?: number } | null;
  nextTier?: { name: string; pointsNeeded?: number | null; spendNeeded?: number | null; progress?: number } | null;
  tierProgress?: { spend: number; windowDays: number } | null;
  birthday?: string | null;
  expiring?: { points: number; on: string } | null;
  codes?: Code[];
  referral?: { code: string; url: string } | null;
  rewards?: Reward[];
  history?: { id: string; delta: number; kind?: string; reason?: string | null; createdAt?: string; date?: string }[];
  waysToEarn?: { kind: string; label?: string; rate?: number; points?: number; every?: number }[];
}
/** A redeem answer: a code, or store credit added to the customer's account. */
interface Redeemed extends Code {
  points?: number;
  storeCredit?: { amount: number | string; currency: string };
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
  res?: Redeemed; // the last store-credit answer (codes join member.codes)
  err?: string;
  busy?: string;
  bm?: string; // birthday message
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
    else el.setAttribute(k, v === true ? "" : (v as string));
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
// whole amounts without cents: "$5 off", "1 point for every $1 spent"
const money = (w: W, n: number, c?: string) =>
  num(w, n, { style: "currency", currency: c || w.r.dataset.currency || "USD", minimumFractionDigits: n % 1 ? 2 : 0 });
const pts = (w: W, n: number) => fill(w.t[new Intl.PluralRules(w.loc).select(n) == "one" ? "pt1" : "pts"], { n: num(w, n) });
/** A timestamp, or with `o` a calendar day "YYYY-MM-DD" (read in UTC, so it stays that day). */
function date(w: W, s?: string | null, o?: Intl.DateTimeFormatOptions): string {
  const dt = s ? new Date(s) : null;
  return dt && !isNaN(+dt) ? dt.toLocaleDateString(w.loc, { timeZone: o && "UTC", ...(o || { dateStyle: "medium" }) }) : "";
}
const day = (w: W, s?: string) => date(w, s, { dateStyle: "medium" });
/** A birthday's month (and day): Gregorian, as the shopper gives it, in their language. */
const month = (w: W, i: number) => date(w, `2000-${pad(i)}-01`, { month: "long", calendar: "gregory" });
const pad = (n: number) => String(n).padStart(2, "0");
d.head.append(h("style", null, PANEL_CSS));
let ref = "";
try {
  ref = localStorage.rg_ref || ""; // set by the loader on a ?ref= landing
} catch {}

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
  return (loading ||= fetch(base(w) + "/api/member", {})
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
function what(w: W, r: { kind?: string; value?: number }): string {
  const v = r.value ?? 0;
  return r.kind == "amount_off"
    ? fill(w.t.amt, { amount: money(w, v) })
    : r.kind == "percent_off"
      ? fill(w.t.pct, { p: num(w, v / 100, { style: "percent", maximumFractionDigits: 2 }) })
      : r.kind == "free_shipping"
        ? w.t.ship
        : r.kind == "store_credit"
          ? fill(w.t.sc, { amount: money(w, v) })
          : "";
}

/** A copyable code (or link) with its Copy button. */
const copyRow = (w: W, text: string, f: string, label: string, link?: boolean) =>
  h(
    "p",
    { class: "rg-code" },
    h("code", { dir: "ltr", class: link && "rg-u" }, text),
    h("button", { class: "rg-btn2", "data-f": f, onclick: (e: Event) => copy(w, text, e.currentTarget as HTMLElement) }, label),
  );

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
      !w.b ? null : h("button", { class: "rg-x", "aria-label": t.close, "data-f": "x", onclick: () => close(w) }, "×"),
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
            h("button", { class: "rg-btn2", "data-f": "y", onclick: () => refresh(w) }, t.retry),
          )
        : h("p", { class: "rg-m", role: "status" }, t.loading),
    );
  } else {
    const me = !!m.customerId;
    const bal = m.points || 0;
    const ways = m.waysToEarn || [];
    const hist = (me && m.history) || [];
    if (ref && !hist.length) out.push(h("p", { class: "rg-n" }, t.hi2));
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
              "aria-valuenow": pct,
              "aria-label": txt,
            },
            bar,
          ),
          h("p", { class: "rg-m" }, txt),
        );
      }
      const tp = m.tierProgress;
      if (tp?.spend)
        out.push(h("p", { class: "rg-m" }, fill(t.tspend, { amount: money(w, tp.spend), days: num(w, tp.windowDays) })));
      const x = m.expiring;
      if (x) out.push(h("p", { class: "rg-n" }, fill(t.expN, { n: pts(w, x.points), date: day(w, x.on) })));
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
    const sc = w.res?.storeCredit;
    if (sc)
      out.push(
        h(
          "p",
          { class: "rg-ok", tabindex: -1, "data-f": "ok" },
          fill(t.scOk, { amount: money(w, +sc.amount, sc.currency) }),
          h("span", { class: "rg-m" }, " · " + fill(t.spent, { n: num(w, w.res!.pointsSpent || 0) })),
        ),
      );
    if (w.err) out.push(h("p", { class: "rg-e", role: "alert" }, t[w.err]));
    const cs = (me && m.codes) || [];
    if (cs.length)
      out.push(
        h("h3", null, t.yours),
        h(
          "ul",
          null,
          ...cs.map((c) => {
            const exp = date(w, c.expiresAt);
            return h(
              "li",
              { class: "rg-ok" },
              h("strong", null, h("bdi", null, c.rewardName || what(w, c))),
              copyRow(w, c.code, "c" + c.code, t.copy),
              h(
                "p",
                { class: "rg-m" },
                [c.pointsSpent ? fill(t.spent, { n: num(w, c.pointsSpent) }) : "", exp && fill(t.exp, { date: exp })]
                  .filter(Boolean)
                  .join(" · "),
              ),
              h(
                "a",
                {
                  class: "rg-btn",
                  href: `${root(w)}/discount/${encodeURIComponent(c.code)}?redirect=${root(w)}/cart`,
                  "data-f": "a" + c.code,
                },
                t.apply,
              ),
            );
          }),
        ),
      );
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
    const rf = me && m.referral;
    if (rf)
      out.push(
        h("h3", null, t.ref),
        h("p", { class: "rg-m" }, fill(t.refT, { n: pts(w, ways.find((e) => e.kind == "referral")?.points || 0) })),
        copyRow(w, rf.url, "rl", t.refC, true),
      );
    if (me && (m.birthday || ways.some((e) => e.kind == "birthday"))) {
      // month and day, Gregorian; a blank first choice until the shopper gives it
      const [mm, dd] = (m.birthday || "-").split("-");
      const sel = (name: string, label: string, v: string, n: number, txt: (i: number) => string) =>
        h(
          "label",
          null,
          label,
          h(
            "select",
            { name, "data-f": name, required: true },
            h("option", { value: "" }),
            ...Array.from({ length: n }, (_, i) => h("option", { value: pad(i + 1), selected: pad(i + 1) == v }, txt(i + 1))),
          ),
        );
      out.push(
        h("h3", null, t.bday),
        h(
          "form",
          { class: "rg-row", onsubmit: (e: Event) => saveBirthday(w, e) },
          sel("bm", t.month, mm, 12, (i) => month(w, i)),
          sel("bd", t.day, dd, 31, (i) => num(w, i)),
          h("button", { class: "rg-btn", "data-f": "bs" }, t.save),
        ),
      );
      if (w.bm) out.push(h("p", { class: "rg-e", role: "alert" }, w.bm));
    }
    if (ways.length)
      out.push(
        h("h3", null, t.earn),
        h(
          "ul",
          { class: "rg-ul" },
          ...ways.map((e) => {
            // the order rate as "N points for every 1 unit", or "1 point for every N units" below 1
            const r = e.rate || 1;
            return h(
              "li",
              null,
              fill(t["w_" + e.kind], {
                n: pts(w, e.kind == "order" ? Math.max(r, 1) : e.points || 0),
                amount: money(w, r < 1 ? 1 / r : 1),
                every: num(w, e.every || 0),
              }) ||
                e.label ||
                e.kind,
            );
          }),
        ),
      );
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
                h(
                  "span",
                  null,
                  t["h_" + e.kind] || e.reason || e.kind,
                  h("span", { class: "rg-m" }, " ", date(w, e.date || e.createdAt)),
                ),
                h("b", { dir: "ltr" }, num(w, e.delta, { signDisplay: "exceptZero" })),
              ),
            ),
        ),
      );
  }
  w.c.replaceChildren(...(out.filter(Boolean) as Node[]));
  if (focusKey) (w.c.querySelector<HTMLElement>(`[data-f="${CSS.escape(focusKey)}"]`) || w.p).focus();
}

/** What redeem and birthday answer. */
type Answer = Redeemed & { birthday?: string; changeableOn?: string };

/** POSTs JSON to the app proxy: [status (0 = no answer), body (null unless JSON)]. */
async function post(w: W, path: string, body: unknown, key?: string): Promise<[number, Answer | null]> {
  try {
    const res = await fetch(base(w) + path, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(key && { "Idempotency-Key": key }) },
      body: JSON.stringify(body),
    });
    return [res.status, await res.json().catch(() => null)];
  } catch {
    return [0, null];
  }
}

async function redeem(w: W, r: Reward) {
  if (w.busy) return;
  const key = (keys[r.id] ||= crypto.randomUUID?.() || Math.random().toString(36).slice(2) + Date.now());
  w.busy = r.id;
  w.err = "";
  render(w);
  const [status, out] = await post(w, "/api/redeem", { rewardId: r.id }, key);
  const o = status == 200 ? out : null;
  // A definitive answer ends this attempt; 429, 5xx and network errors keep the key so that
  // the shopper's retry is deduplicated by the server.
  if (o || (status >= 400 && status < 500 && status != 429)) delete keys[r.id];
  w.busy = "";
  w.res = undefined;
  if (o) {
    if (member) {
      member.points = o.points ?? member.points - (o.pointsSpent || 0);
      // a code stays listed under "Your rewards" (the next load lists it from the server)
      if (o.code) (member.codes ||= []).unshift({ rewardName: r.name, kind: r.kind, value: r.value, ...o });
    }
    if (!o.code) w.res = o;
  } else w.err = errKey(status);
  renderAll();
  const f = w.c.querySelector<HTMLElement>(
    o ? `[data-f="${o.code ? "c" + CSS.escape(o.code) : "ok"}"]` : `[data-f="r${CSS.escape(r.id)}"]:not(:disabled)`,
  );
  (f || w.p).focus();
  w.l.textContent = o ? (o.code ? w.t.code + ": " + o.code : w.c.querySelector(".rg-ok")!.textContent!) : w.t[w.err!];
}

/** Saves the birthday from the form; a change within a year is refused (409) with the day it may change. */
async function saveBirthday(w: W, e: Event) {
  e.preventDefault();
  const f = e.currentTarget as HTMLFormElement;
  const [status, out] = await post(w, "/api/birthday", { birthday: f.bm.value + "-" + f.bd.value });
  w.bm =
    status == 409
      ? fill(w.t.b409, { date: day(w, out?.changeableOn) })
      : status == 400
        ? w.t.b400
        : status != 200
          ? w.t[errKey(status)]
          : "";
  if (!w.bm) member!.birthday = out?.birthday;
  render(w);
  if (!w.bm) w.l.textContent = w.t.saved;
}

function copy(w: W, code: string, btn: HTMLElement) {
  const done = () => {
    btn.textContent = w.t.copied;
    w.l.textContent = w.t.copied;
  };
  // fallback: select the code so the shopper can copy it by hand (and try execCommand)
  const old = () => {
    getSelection()?.selectAllChildren(btn.previousSibling!);
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
  [...w.p.querySelectorAll<HTMLElement>("a[href],button:not(:disabled),select,[tabindex='0']")].filter(
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
