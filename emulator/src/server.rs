//! The accept loop (ours rather than `axum::serve`, so a "drop" fault can close a connection
//! without answering), path canonicalisation, CORS and the request log.

use std::convert::Infallible;
use std::future::Future;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, Response, Uri, header};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tower_service::Service;

use crate::faults::DropConnection;
use crate::state::{Emulator, Shared};
use crate::{Config, app, cors};

/// Maps `/api/x` and `/api/v{N}/x` to `/api/v10/x`; other paths are unchanged.
/// (Discord serves the same routes under every supported version and unversioned `/api`.)
pub fn canonical_path(path: &str) -> String {
    let Some(rest) = path.strip_prefix("/api") else {
        return path.to_owned();
    };
    if !(rest.is_empty() || rest.starts_with('/')) {
        return path.to_owned();
    }
    if let Some(after) = rest.strip_prefix("/v") {
        let (ver, tail) = after
            .split_once('/')
            .map_or((after, None), |(v, t)| (v, Some(t)));
        if !ver.is_empty() && ver.bytes().all(|b| b.is_ascii_digit()) {
            return match tail {
                Some(t) => format!("/api/v10/{t}"),
                None => "/api/v10".to_owned(),
            };
        }
    }
    format!("/api/v10{rest}")
}

/// Error returned to hyper to close a connection without a response.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by a scripted fault")
    }
}

impl std::error::Error for Dropped {}

async fn handle(
    emu: Shared,
    mut router: Router,
    mut req: Request<Incoming>,
) -> Result<Response<Body>, Dropped> {
    let start = Instant::now();
    let method = req.method().clone();
    let raw_path = req.uri().path().to_owned();
    let origin = req.headers().get(header::ORIGIN).cloned();
    let canonical = canonical_path(&raw_path);
    if canonical != raw_path {
        let pq = match req.uri().query() {
            Some(q) => format!("{canonical}?{q}"),
            None => canonical,
        };
        if let Ok(uri) = pq.parse::<Uri>() {
            *req.uri_mut() = uri;
        }
    }
    let mut resp = if method == Method::OPTIONS {
        cors::preflight(req.headers())
    } else {
        let call: Result<Response<Body>, Infallible> = router.call(req.map(Body::new)).await;
        match call {
            Ok(r) => r,
            Err(never) => match never {},
        }
    };
    if resp.extensions().get::<DropConnection>().is_some() {
        emu.log.line(&format!(
            "{method} {raw_path} dropped {:.1}ms",
            start.elapsed().as_secs_f64() * 1000.0
        ));
        return Err(Dropped);
    }
    cors::decorate(&mut resp, origin.as_ref());
    if resp.status().as_u16() == 429 {
        emu.lock().counters.rate_limited += 1;
    }
    emu.log.line(&format!(
        "{method} {raw_path} {} {:.1}ms",
        resp.status().as_u16(),
        start.elapsed().as_secs_f64() * 1000.0
    ));
    Ok(resp)
}

/// Serves until `shutdown` completes. Connections in flight are dropped with the runtime.
pub async fn serve_with_shutdown<F>(
    listener: TcpListener,
    config: Config,
    shutdown: F,
) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send,
{
    config
        .validate()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let emu = Emulator::new(config);
    let router = app::router(emu.clone());
    tokio::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            _ = &mut shutdown => return Ok(()),
            accepted = listener.accept() => match accepted {
                Ok(x) => x,
                Err(_) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let emu = emu.clone();
        let router = router.clone();
        tokio::spawn(async move {
            let service =
                hyper::service::service_fn(move |req| handle(emu.clone(), router.clone(), req));
            // Errors here are client disconnects, malformed HTTP or dropped connections.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::canonical_path;

    #[test]
    fn canonicalises_versions() {
        assert_eq!(canonical_path("/api/oauth2/token"), "/api/v10/oauth2/token");
        assert_eq!(canonical_path("/api/v9/users/@me"), "/api/v10/users/@me");
        assert_eq!(canonical_path("/api/v10/users/@me"), "/api/v10/users/@me");
        assert_eq!(canonical_path("/api"), "/api/v10");
        assert_eq!(canonical_path("/apix"), "/apix");
        assert_eq!(canonical_path("/oauth2/authorize"), "/oauth2/authorize");
    }
}
