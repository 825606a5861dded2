//! The deployable Worker's `fetch` entry point.

use super::respond;
use worker::{Context, Env, Method, Request, Response};

/// Routes one request. The contract's routes live under `/auth` and `/api`; anything else
/// goes to the static assets when an `ASSETS` binding is configured.
async fn route(req: Request, env: Env) -> Response {
    let path = req.path();
    let method = req.method();
    match (method, path.as_str()) {
        (Method::Get, "/auth/session") => {
            respond::error(401, "unauthorized", "no session: log in first")
        }
        (_, p) if is_ours(p) => respond::error(404, "not_found", "no such route"),
        _ => match env.assets("ASSETS") {
            Ok(assets) => match assets.fetch_request(req).await {
                Ok(r) => r,
                Err(_) => respond::error(502, "assets_unavailable", "static assets failed"),
            },
            Err(_) => respond::error(404, "not_found", "no such route"),
        },
    }
}

fn is_ours(path: &str) -> bool {
    ["/auth", "/api"]
        .iter()
        .any(|p| path == *p || path.strip_prefix(p).is_some_and(|r| r.starts_with('/')))
}

#[worker::event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    Ok(route(req, env).await)
}
