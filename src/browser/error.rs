//! Every failure reaches JavaScript as an `Error` named `"DiscordOAuthError"` carrying the
//! stable `code` of the core's [`Error`] and, where known, `status`, `retryAfter`, `global`,
//! `discordCode` and `description`.
//!
//! The message is assembled here from static text and integers, not through `Display`: the
//! browser wasm carries no formatting machinery (and no float formatting at all).

use crate::discord::Error;
use crate::discord::callback::CallbackError;
use crate::discord::error::InputError;
use wasm_bindgen::JsValue;

pub(crate) use crate::discord::snowflake::push_decimal as push_u64;

fn http(out: &mut String, status: u16) {
    out.push_str(" (HTTP ");
    push_u64(out, u64::from(status));
}

fn desc(out: &mut String, d: &Option<String>) {
    if let Some(d) = d {
        out.push_str(": ");
        out.push_str(d);
    }
}

fn callback_message(out: &mut String, e: &CallbackError) {
    let (a, field, b): (&str, &str, &str) = match e {
        CallbackError::Repeated(f) => ("the redirect repeats the `", f, "` parameter"),
        CallbackError::Empty(f) => ("the redirect's `", f, "` parameter is empty"),
        CallbackError::TooLong(f) => (
            "the redirect's `",
            f,
            "` parameter is longer than 2048 bytes",
        ),
        CallbackError::Missing(f) => ("the redirect lacks the `", f, "` parameter"),
        CallbackError::Malformed { field, expected } => {
            out.push_str("the redirect's `");
            out.push_str(field);
            out.push_str("` parameter is not ");
            out.push_str(expected);
            return;
        }
        CallbackError::Ambiguous => (
            "the redirect carries OAuth2 parameters in both the query and the fragment",
            "",
            "",
        ),
        CallbackError::Conflicting(x, y) => {
            out.push_str("the redirect carries conflicting `");
            out.push_str(x);
            out.push_str("` and `");
            out.push_str(y);
            out.push_str("` parameters");
            return;
        }
        CallbackError::UrlTooLong => ("the redirect URL is longer than 65536 bytes", "", ""),
    };
    out.push_str(a);
    out.push_str(field);
    out.push_str(b);
}

/// The human message of a core error (the same text as its `Display`).
pub fn message(e: &Error) -> String {
    let mut m = String::new();
    match e {
        Error::AccessDenied { description } => {
            m.push_str("authorization was denied");
            desc(&mut m, description);
        }
        Error::InvalidState => m.push_str("the OAuth2 state is missing, expired or does not match"),
        Error::OAuth {
            status,
            error,
            description,
        } => {
            m.push_str("OAuth2 error `");
            m.push_str(error);
            m.push('`');
            http(&mut m, *status);
            m.push(')');
            desc(&mut m, description);
        }
        Error::Api {
            status,
            code,
            message,
            ..
        } => {
            m.push_str("Discord API error");
            http(&mut m, *status);
            m.push_str(", code ");
            push_u64(&mut m, *code);
            m.push_str("): ");
            m.push_str(message);
        }
        Error::RateLimited(r) => {
            // Three decimals, without float formatting.
            let ms = (r.retry_after * 1000.0).round() as u64;
            m.push_str("rate limited: retry after ");
            push_u64(&mut m, ms / 1000);
            m.push('.');
            let frac = ms % 1000;
            for d in [100, 10, 1] {
                m.push((b'0' + (frac / d % 10) as u8) as char);
            }
            m.push_str(" s");
            if r.global {
                m.push_str(" (global)");
            }
        }
        Error::Parse { status, reason, .. } => {
            m.push_str("unexpected response from Discord");
            http(&mut m, *status);
            m.push_str("): ");
            m.push_str(reason);
        }
        Error::Network(s) => {
            m.push_str("network error: ");
            m.push_str(s);
        }
        Error::Timeout => m.push_str("Discord did not answer in time"),
        Error::Config(s) => {
            m.push_str("configuration error: ");
            m.push_str(s);
        }
        Error::Storage(s) => {
            m.push_str("storage error: ");
            m.push_str(s);
        }
        Error::Input(InputError::UnknownScopes(v)) => {
            m.push_str("unknown scopes: ");
            for (i, name) in v.iter().enumerate() {
                if i > 0 {
                    m.push_str(", ");
                }
                m.push_str(name);
            }
        }
        Error::Input(InputError::Invalid { field, reason }) => {
            m.push_str("invalid ");
            m.push_str(field);
            m.push_str(": ");
            m.push_str(reason);
        }
        Error::Input(InputError::Callback(c)) => callback_message(&mut m, c),
        Error::IdToken(e) => {
            m.push_str("the id_token is refused: ");
            m.push_str(e.reason());
        }
    }
    m
}

/// The JS `Error` for a core error.
pub fn to_js(e: &Error) -> JsValue {
    let error = super::shell::dow_err(
        e.code().as_str(),
        &message(e),
        e.status().map(f64::from),
        e.retry_after(),
        e.global(),
        e.discord_code().map(|c| c as f64),
        e.description(),
    );
    // A rate limit also carries its bucket, its scope and Discord's body (docs/contract.md §12).
    if let Error::RateLimited(r) = e {
        super::shell::dow_err_limits(
            &error,
            r.bucket.as_deref(),
            r.scope.as_deref(),
            r.body.as_ref().map(|b| b.expose()),
        );
    }
    error
}

/// A `config_error`.
pub fn config(msg: impl Into<String>) -> Error {
    Error::Config(msg.into())
}

/// Result type of the browser layer's internals.
pub type Result<T> = std::result::Result<T, Error>;

/// Converts an internal result into what an exported function returns.
pub fn throw<T>(r: Result<T>) -> std::result::Result<T, JsValue> {
    r.map_err(|e| to_js(&e))
}
