//! The npm package for single-page apps: wasm-bindgen exports over the core.
//!
//! The core ([`crate::discord`]) makes every protocol decision; this layer only runs `fetch`,
//! keeps state in Web Storage, converts JS values and navigates. The model helpers
//! (`avatarUrl`, `hasPermission`, ...) are plain JavaScript in `src/browser/js/helpers.js`,
//! held to the core's fixtures (docs/browser.md, "Model helpers").

pub mod client;
mod core;
mod error;
mod id_token;
pub mod json;
mod names;
mod opts;
mod proto;
mod shell;
mod typings;

pub use client::DiscordOAuthClient;

/// The OAuth2 parameters a redirect may carry, in the query or the fragment.
const OAUTH_PARAMS: &[&str] = &[
    "code",
    "state",
    "error",
    "error_description",
    "error_uri",
    "access_token",
    "token_type",
    "expires_in",
    "scope",
    "refresh_token",
    "guild_id",
    "permissions",
    // RFC 9207: Discord adds `iss` to every authorization response of the code grant.
    "iss",
];

fn has(s: &str, needle: &[u8]) -> bool {
    s.as_bytes().windows(needle.len()).any(|w| w == needle)
}

/// `url` without its OAuth2 parameters (every other query parameter kept), and without the
/// fragment when it held the implicit grant: what goes into the address bar.
pub(crate) fn clean_url(url: &str) -> String {
    let (before, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let (base, query) = match before.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (before, None),
    };
    let mut out = String::from(base);
    if let Some(q) = query {
        let mut kept = form_urlencoded::Serializer::new(String::new());
        for (k, v) in form_urlencoded::parse(q.as_bytes()) {
            if !OAUTH_PARAMS.contains(&&*k) {
                kept.append_pair(&k, &v);
            }
        }
        let kept = kept.finish();
        if !kept.is_empty() {
            out.push('?');
            out.push_str(&kept);
        }
    }
    if let Some(f) = fragment
        && !(has(f, b"access_token=") || has(f, b"error="))
    {
        out.push('#');
        out.push_str(f);
    }
    out
}
