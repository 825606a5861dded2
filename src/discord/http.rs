//! Transport-free descriptions of an HTTP exchange with Discord.
//!
//! The core builds an [`HttpRequest`] for every Discord call and parses an [`HttpResponse`];
//! the browser and Worker layers only execute `fetch` between the two.

use std::fmt;

/// HTTP methods used by Discord's OAuth2 and user-facing API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method as sent on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// A request body, already encoded.
#[derive(Clone, PartialEq, Eq)]
pub enum Body {
    /// `application/x-www-form-urlencoded` (the only type Discord's token endpoints accept).
    Form(String),
    /// `application/json`.
    Json(String),
}

impl Body {
    /// The `Content-Type` this body is sent with.
    pub const fn content_type(&self) -> &'static str {
        match self {
            Body::Form(_) => "application/x-www-form-urlencoded",
            Body::Json(_) => "application/json",
        }
    }

    /// The encoded body.
    pub fn as_str(&self) -> &str {
        match self {
            Body::Form(s) | Body::Json(s) => s,
        }
    }
}

// Bodies carry client secrets, codes, verifiers and tokens: never print them.
impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Body({}, {} bytes, [redacted])",
            self.content_type(),
            self.as_str().len()
        )
    }
}

/// A description of one request to Discord: what to send, never how.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The absolute URL, query included.
    pub url: String,
    /// Header names and values; `Content-Type` is included when there is a body.
    pub headers: Vec<(&'static str, String)>,
    /// The encoded body, if any.
    pub body: Option<Body>,
    /// The rate-limit route key of this request (method and path with major parameters
    /// kept and other ids replaced), used to look up its bucket before sending.
    pub route: String,
}

impl HttpRequest {
    /// The value of a header of this request (names compared without case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

// `Authorization` holds a secret or a token; the body may too.
impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| {
                if n.eq_ignore_ascii_case("authorization") {
                    (*n, "[redacted]")
                } else {
                    (*n, v.as_str())
                }
            })
            .collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body", &self.body)
            .field("route", &self.route)
            .finish()
    }
}

/// What came back from Discord: status, headers (names lower-cased) and the body text.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The HTTP status.
    pub status: u16,
    /// Header names (lower case) and values.
    pub headers: Vec<(String, String)>,
    /// The body as text (empty for 204).
    pub body: String,
}

impl HttpResponse {
    /// Builds a response; header names are lower-cased here once.
    pub fn new(status: u16, headers: Vec<(String, String)>, body: String) -> Self {
        let headers = headers
            .into_iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v))
            .collect();
        HttpResponse {
            status,
            headers,
            body,
        }
    }

    /// The value of a header (name compared without case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

// A token response body holds tokens: print its size only.
impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &format_args!("[{} bytes]", self.body.len()))
            .finish()
    }
}
