// Demo mode's stand-in for App Bridge (Shopify's script from its CDN, which only works inside the
// Shopify admin). What the embedded admin needs from it: every fetch to the app carries
// `Authorization: Bearer <session token>`, which is how Remix's navigations and the admin APIs
// authenticate, and `shopify.idToken()`. Tokens come from /demo/session-token (demo mode only) and
// are reused until shortly before they expire. Rendered inline before Remix's scripts run.
export const APP_BRIDGE_STAND_IN = `(() => {
  const plainFetch = window.fetch.bind(window);
  let token = null, until = 0, pending = null;
  const idToken = () => {
    if (token && Date.now() < until) return Promise.resolve(token);
    pending ??= plainFetch("/demo/session-token", { cache: "no-store" })
      .then((r) => r.json())
      .then((j) => { token = j.token; until = Date.now() + (j.expiresInSeconds - 30) * 1000; return token; })
      .finally(() => { pending = null; });
    return pending;
  };
  window.fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url, location.href);
    if (url.origin !== location.origin || !(url.pathname === "/app" || url.pathname.startsWith("/app/"))) return plainFetch(request);
    const headers = new Headers(request.headers);
    headers.set("Authorization", "Bearer " + (await idToken()));
    return plainFetch(new Request(request, { headers }));
  };
  window.shopify = { idToken, toast: { show: (message) => console.info(message), hide: () => {} } };
})();`;
