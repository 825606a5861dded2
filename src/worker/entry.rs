//! The deployable Worker's `fetch` entry point: [`DiscordAuth`] for `/auth` and `/api`, the
//! static assets (`ASSETS` binding, `www/` in development) for everything else.

use super::auth::{DiscordAuth, is_auth_path};
use super::log::Trace;
use super::respond;
use worker::{Context, Env, Request, Response};

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

#[worker::event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    Ok(route(req, env).await)
}
