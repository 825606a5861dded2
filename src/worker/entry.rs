//! The deployable Worker's `fetch` entry point: [`DiscordAuth`] for `/auth` and `/api`, the
//! static assets (`ASSETS` binding, `www/` in development) for everything else.
//!
//! `GET /auth/session` and the `/api` reads, the routes called on every page view, are
//! answered on the runtime's own request and response types ([`fast::serve`]): the same route
//! code, without `worker::Request` and `worker::Response` around it. Everything else goes
//! through [`DiscordAuth::handle`].

use super::auth::{DiscordAuth, is_auth_path};
use super::fast;
use super::log::Trace;
use super::respond;
use js_sys::Promise;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use worker::worker_sys::web_sys;
use worker::{Env, Request, Response};

async fn route(mut req: Request, env: Env) -> Response {
    match DiscordAuth::from_env(&env) {
        Ok(auth) => {
            if let Some(resp) = auth.handle(&mut req).await {
                return resp;
            }
        }
        Err(e) if is_auth_path(&req.path()) => {
            let trace = Trace::new(req.method().as_ref(), "config_error");
            trace.error("config_error");
            let resp = e.response();
            trace.finish(resp.status_code(), 0);
            return resp;
        }
        Err(_) => {}
    }
    match env.assets("ASSETS") {
        Ok(assets) => match assets.fetch_request(req).await {
            Ok(r) => r,
            Err(_) => respond::error(502, "assets_unavailable", "static assets failed"),
        },
        Err(_) => respond::error(404, "not_found", "no such route"),
    }
}

/// Shadows the request's `cf` getter with an own `undefined` property before workers-rs wraps
/// the request. `worker::Request::from` reads `request.cf` eagerly, and workerd builds that
/// object from JSON on first access: a measurable part of each request's CPU time (about a
/// tenth of a `/auth/session` under load), for properties this Worker never reads. The
/// underlying request is untouched: a request passed on (to the assets) keeps its `cf`.
fn skip_cf(req: &web_sys::Request) {
    thread_local! {
        /// `{ value: undefined }`, built once per isolate.
        static UNDEFINED_DESCRIPTOR: js_sys::Object = {
            let descriptor = js_sys::Object::new();
            let value = JsValue::from_str("value");
            let _ = js_sys::Reflect::set(&descriptor, &value, &JsValue::UNDEFINED);
            descriptor
        };
    }
    UNDEFINED_DESCRIPTOR.with(|descriptor| {
        // A request object that refuses the property (not extensible) keeps its getter.
        let _ = js_sys::Reflect::define_property(
            req.unchecked_ref::<js_sys::Object>(),
            &JsValue::from_str("cf"),
            descriptor,
        );
    });
}

/// The Worker's `fetch` handler: what `#[worker::event(fetch)]` generates (a promise of the
/// runtime's `Response`), with the hot routes answered by [`fast::serve`] before any
/// `worker::Request` exists.
#[wasm_bindgen]
pub fn fetch(req: web_sys::Request, env: Env, _ctx: worker::worker_sys::Context) -> Promise {
    if let Some(answer) = fast::serve(&req, &env) {
        return answer;
    }
    skip_cf(&req);
    wasm_bindgen_futures::future_to_promise(async move {
        let response = route(Request::from(req), env).await;
        Ok(JsValue::from(web_sys::Response::from(response)))
    })
}
