var __defProp = Object.defineProperty;
var __name = (target, value) => __defProp(target, "name", { value, configurable: true });

// index.js
var enc = new TextEncoder();
var dec = new TextDecoder();
var b64u = {
  encode(bytes) {
    let s = "";
    for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  },
  decode(str) {
    const s = atob(str.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(s, (c) => c.charCodeAt(0));
  }
};
var keys;
async function deriveKeys(secret) {
  if (keys) return keys;
  const base = await crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const derive = /* @__PURE__ */ __name(async (label) => new Uint8Array(await crypto.subtle.sign("HMAC", base, enc.encode(label))), "derive");
  const [seal, kvKey] = await Promise.all([derive("peer seal"), derive("peer kv key")]);
  keys = {
    seal: await crypto.subtle.importKey("raw", seal, "AES-GCM", false, ["encrypt", "decrypt"]),
    kv: await crypto.subtle.importKey("raw", kvKey, { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
  };
  return keys;
}
__name(deriveKeys, "deriveKeys");
var json = /* @__PURE__ */ __name((status, body, headers = {}) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", "cache-control": "no-store", ...headers } }), "json");
function cookie(request, name) {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return null;
}
__name(cookie, "cookie");
async function kvKeyFor(k, id) {
  return "s:" + b64u.encode(await crypto.subtle.sign("HMAC", k.kv, enc.encode(id)));
}
__name(kvKeyFor, "kvKeyFor");
async function loadSession(request, env, k) {
  const id = cookie(request, "__Host-peer_session");
  if (!id) return null;
  const stored = await env.SESSIONS.get(await kvKeyFor(k, id), "json");
  if (!stored) return null;
  const iv = b64u.decode(stored.iv);
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv }, k.seal, b64u.decode(stored.sealed));
  return { ...stored, tokens: JSON.parse(dec.decode(plain)) };
}
__name(loadSession, "loadSession");
var index_default = {
  async fetch(request, env) {
    const url = new URL(request.url);
    const k = await deriveKeys(env.SESSION_SECRET);
    const redirectUri = url.origin + "/auth/callback";
    if (url.pathname === "/auth/login") {
      const verifier = b64u.encode(crypto.getRandomValues(new Uint8Array(32)));
      const state = b64u.encode(crypto.getRandomValues(new Uint8Array(32)));
      const challenge = b64u.encode(await crypto.subtle.digest("SHA-256", enc.encode(verifier)));
      const target = new URL(env.DISCORD_AUTHORIZE_URL);
      for (const [n, v] of Object.entries({
        response_type: "code",
        client_id: env.DISCORD_CLIENT_ID,
        scope: "identify",
        state,
        redirect_uri: redirectUri,
        code_challenge: challenge,
        code_challenge_method: "S256"
      })) target.searchParams.set(n, v);
      return new Response(null, { status: 302, headers: {
        location: target.href,
        "set-cookie": `__Host-peer_state=${state}.${verifier}; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age=600`
      } });
    }
    if (url.pathname === "/auth/callback") {
      const [state, verifier] = (cookie(request, "__Host-peer_state") ?? ".").split(".");
      if (!state || state !== url.searchParams.get("state")) return json(400, { error: "invalid_state", message: "state" });
      const res = await fetch(env.DISCORD_API_BASE + "/oauth2/token", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: "Basic " + btoa(env.DISCORD_CLIENT_ID + ":" + env.DISCORD_CLIENT_SECRET) },
        body: new URLSearchParams({ grant_type: "authorization_code", code: url.searchParams.get("code") ?? "", redirect_uri: redirectUri, code_verifier: verifier })
      });
      if (!res.ok) return json(400, { error: "invalid_grant", message: "exchange failed" });
      const tokens = await res.json();
      const me = await fetch(env.DISCORD_API_BASE + "/users/@me", { headers: { authorization: "Bearer " + tokens.access_token } });
      const user = await me.json();
      const id = b64u.encode(crypto.getRandomValues(new Uint8Array(32)));
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, k.seal, enc.encode(JSON.stringify(tokens)));
      const expires = Date.now() + 30 * 864e5;
      await env.SESSIONS.put(await kvKeyFor(k, id), JSON.stringify({
        user,
        scopes: tokens.scope.split(" "),
        expires_at: new Date(expires).toISOString(),
        iv: b64u.encode(iv),
        sealed: b64u.encode(sealed)
      }), { expirationTtl: 30 * 86400 });
      return new Response(null, { status: 302, headers: {
        location: "/",
        "set-cookie": `__Host-peer_session=${id}; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age=${30 * 86400}`
      } });
    }
    if (url.pathname === "/auth/session") {
      const s = await loadSession(request, env, k);
      if (!s) return json(401, { error: "unauthorized", message: "no session" });
      return json(200, { user: s.user, scopes: s.scopes, expires_at: s.expires_at });
    }
    if (url.pathname === "/api/users/@me") {
      const s = await loadSession(request, env, k);
      if (!s) return json(401, { error: "unauthorized", message: "no session" });
      const res = await fetch(env.DISCORD_API_BASE + "/users/@me", { headers: { authorization: "Bearer " + s.tokens.access_token } });
      if (res.status === 429) return json(429, { error: "rate_limited", retry_after: Number(res.headers.get("retry-after")), global: false });
      if (res.status >= 500) return json(502, { error: "discord_unavailable", message: "Discord failed" });
      return new Response(res.body, { status: res.status, headers: { "content-type": "application/json" } });
    }
    return json(404, { error: "not_found", message: "no such route" });
  }
};

// ../../../node_modules/wrangler/templates/middleware/middleware-ensure-req-body-drained.ts
var drainBody = /* @__PURE__ */ __name(async (request, env, _ctx, middlewareCtx) => {
  try {
    return await middlewareCtx.next(request, env);
  } finally {
    try {
      if (request.body !== null && !request.bodyUsed) {
        const reader = request.body.getReader();
        while (!(await reader.read()).done) {
        }
      }
    } catch (e) {
      console.error("Failed to drain the unused request body.", e);
    }
  }
}, "drainBody");
var middleware_ensure_req_body_drained_default = drainBody;

// ../../../node_modules/wrangler/templates/middleware/middleware-miniflare3-json-error.ts
function reduceError(e) {
  return {
    name: e?.name,
    message: e?.message ?? String(e),
    stack: e?.stack,
    cause: e?.cause === void 0 ? void 0 : reduceError(e.cause)
  };
}
__name(reduceError, "reduceError");
var jsonError = /* @__PURE__ */ __name(async (request, env, _ctx, middlewareCtx) => {
  try {
    return await middlewareCtx.next(request, env);
  } catch (e) {
    const error = reduceError(e);
    return Response.json(error, {
      status: 500,
      headers: { "MF-Experimental-Error-Stack": "true" }
    });
  }
}, "jsonError");
var middleware_miniflare3_json_error_default = jsonError;

// .wrangler/tmp/bundle-H2EdK0/middleware-insertion-facade.js
var __INTERNAL_WRANGLER_MIDDLEWARE__ = [
  middleware_ensure_req_body_drained_default,
  middleware_miniflare3_json_error_default
];
var middleware_insertion_facade_default = index_default;

// ../../../node_modules/wrangler/templates/middleware/common.ts
var __facade_middleware__ = [];
function __facade_register__(...args) {
  __facade_middleware__.push(...args.flat());
}
__name(__facade_register__, "__facade_register__");
function __facade_invokeChain__(request, env, ctx, dispatch, middlewareChain) {
  const [head, ...tail] = middlewareChain;
  const middlewareCtx = {
    dispatch,
    next(newRequest, newEnv) {
      return __facade_invokeChain__(newRequest, newEnv, ctx, dispatch, tail);
    }
  };
  return head(request, env, ctx, middlewareCtx);
}
__name(__facade_invokeChain__, "__facade_invokeChain__");
function __facade_invoke__(request, env, ctx, dispatch, finalMiddleware) {
  return __facade_invokeChain__(request, env, ctx, dispatch, [
    ...__facade_middleware__,
    finalMiddleware
  ]);
}
__name(__facade_invoke__, "__facade_invoke__");

// .wrangler/tmp/bundle-H2EdK0/middleware-loader.entry.ts
var __Facade_ScheduledController__ = class ___Facade_ScheduledController__ {
  constructor(scheduledTime, cron, noRetry) {
    this.scheduledTime = scheduledTime;
    this.cron = cron;
    this.#noRetry = noRetry;
  }
  static {
    __name(this, "__Facade_ScheduledController__");
  }
  #noRetry;
  noRetry() {
    if (!(this instanceof ___Facade_ScheduledController__)) {
      throw new TypeError("Illegal invocation");
    }
    this.#noRetry();
  }
};
function wrapExportedHandler(worker) {
  if (__INTERNAL_WRANGLER_MIDDLEWARE__ === void 0 || __INTERNAL_WRANGLER_MIDDLEWARE__.length === 0) {
    return worker;
  }
  for (const middleware of __INTERNAL_WRANGLER_MIDDLEWARE__) {
    __facade_register__(middleware);
  }
  const fetchDispatcher = /* @__PURE__ */ __name(function(request, env, ctx) {
    if (worker.fetch === void 0) {
      throw new Error("Handler does not export a fetch() function.");
    }
    return worker.fetch(request, env, ctx);
  }, "fetchDispatcher");
  return {
    ...worker,
    fetch(request, env, ctx) {
      const dispatcher = /* @__PURE__ */ __name(function(type, init) {
        if (type === "scheduled" && worker.scheduled !== void 0) {
          const controller = new __Facade_ScheduledController__(
            Date.now(),
            init.cron ?? "",
            () => {
            }
          );
          return worker.scheduled(controller, env, ctx);
        }
      }, "dispatcher");
      return __facade_invoke__(request, env, ctx, dispatcher, fetchDispatcher);
    }
  };
}
__name(wrapExportedHandler, "wrapExportedHandler");
function wrapWorkerEntrypoint(klass) {
  if (__INTERNAL_WRANGLER_MIDDLEWARE__ === void 0 || __INTERNAL_WRANGLER_MIDDLEWARE__.length === 0) {
    return klass;
  }
  for (const middleware of __INTERNAL_WRANGLER_MIDDLEWARE__) {
    __facade_register__(middleware);
  }
  return class extends klass {
    #fetchDispatcher = /* @__PURE__ */ __name((request, env, ctx) => {
      this.env = env;
      this.ctx = ctx;
      if (super.fetch === void 0) {
        throw new Error("Entrypoint class does not define a fetch() function.");
      }
      return super.fetch(request);
    }, "#fetchDispatcher");
    #dispatcher = /* @__PURE__ */ __name((type, init) => {
      if (type === "scheduled" && super.scheduled !== void 0) {
        const controller = new __Facade_ScheduledController__(
          Date.now(),
          init.cron ?? "",
          () => {
          }
        );
        return super.scheduled(controller);
      }
    }, "#dispatcher");
    fetch(request) {
      return __facade_invoke__(
        request,
        this.env,
        this.ctx,
        this.#dispatcher,
        this.#fetchDispatcher
      );
    }
  };
}
__name(wrapWorkerEntrypoint, "wrapWorkerEntrypoint");
var WRAPPED_ENTRY;
if (typeof middleware_insertion_facade_default === "object") {
  WRAPPED_ENTRY = wrapExportedHandler(middleware_insertion_facade_default);
} else if (typeof middleware_insertion_facade_default === "function") {
  WRAPPED_ENTRY = wrapWorkerEntrypoint(middleware_insertion_facade_default);
}
var middleware_loader_entry_default = WRAPPED_ENTRY;
export {
  __INTERNAL_WRANGLER_MIDDLEWARE__,
  middleware_loader_entry_default as default
};
//# sourceMappingURL=index.js.map
