//! `ANY /api/{route}`: a raw Discord call from the page with the session's token, when the
//! route table allows it (docs/contract.md §12, [`super::api_routes`]). Everything else is
//! 404 (or 405 for a listed path with another method) and nothing reaches Discord; writes
//! follow the trusted-origin rule of the state-changing routes.

use super::api_routes::Lookup;
use super::auth::{Ctx, read_body, session_cookie};
use super::lifecycle;
use super::respond::ApiError;
use super::routes_api::{current, passthrough};
use super::routes_auth::refuse_cross_site;
use crate::discord::api::{self, Authorization};
use crate::discord::http::{Body, Method};
use worker::{Request, Response};

/// The largest body a raw write may carry.
pub const MAX_RAW_BODY: usize = 64 * 1024;

fn method_of(m: &worker::Method) -> Option<Method> {
    Some(match m {
        // HEAD is answered as the GET it stands for (Discord has no HEAD).
        worker::Method::Get | worker::Method::Head => Method::Get,
        worker::Method::Post => Method::Post,
        worker::Method::Put => Method::Put,
        worker::Method::Patch => Method::Patch,
        worker::Method::Delete => Method::Delete,
        _ => return None,
    })
}

fn method_not_allowed(allow: &str) -> ApiError {
    ApiError::new(
        405,
        "method_not_allowed",
        "this route does not take that method",
    )
    .allowing(allow)
}

/// Passes the call through when the table allows it.
pub async fn raw(ctx: &Ctx<'_>, req: &mut Request, path: &str) -> Result<Response, ApiError> {
    // Read the body before anything else: workerd resets connections on unread bodies.
    let body = read_body(req, MAX_RAW_BODY).await?;
    let Some(method) = method_of(&req.method()) else {
        return Err(method_not_allowed("GET, HEAD, POST, PUT, PATCH, DELETE"));
    };
    match ctx.auth.settings.api_routes.lookup(method, path) {
        Lookup::Allowed => {}
        Lookup::NotListed => return Err(ApiError::new(404, "not_found", "no such route")),
        Lookup::WrongMethod(methods) => {
            let allow: Vec<&str> = methods
                .iter()
                .flat_map(|m| match m {
                    Method::Get => vec!["GET", "HEAD"],
                    other => vec![other.as_str()],
                })
                .collect();
            return Err(method_not_allowed(&allow.join(", ")));
        }
    }
    if method != Method::Get {
        refuse_cross_site(ctx, req)?;
    }
    let body = body.ok_or_else(|| {
        ApiError::new(
            413,
            "payload_too_large",
            format!("the body is larger than {MAX_RAW_BODY} bytes"),
        )
    })?;
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice::<serde_json::Value>(&body)
            .map_err(|_| ApiError::new(400, "invalid_request", "the body is not JSON"))?;
        Some(Body::Json(String::from_utf8_lossy(&body).into_owned()))
    };
    let mut session = current(ctx, session_cookie(req).as_deref()).await?;
    let route = match req.url().ok().and_then(|u| u.query().map(str::to_owned)) {
        Some(q) => [path, "?", &q].concat(),
        None => path.to_owned(),
    };
    let discord = api::raw_request(
        &ctx.auth.settings.api,
        Authorization::Bearer(&session.tokens.access_token),
        method,
        &route,
        body,
    )
    .map_err(|e| ApiError::new(400, "invalid_request", e.to_string()))?;
    let resp = lifecycle::request(ctx, &mut session, discord).await?;
    Ok(passthrough(resp))
}
