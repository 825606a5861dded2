//! Base64 (RFC 4648 §4 and §5) for the three places the core needs it: generated states and
//! PKCE verifiers, the S256 challenge (base64url without padding) and HTTP Basic credentials
//! (standard alphabet, padded). One entry point over the `base64` crate's engines.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

/// `input` in base64: the URL-safe alphabet without padding (`url_safe`), or the standard
/// alphabet with `=` padding.
pub(crate) fn encode(input: &[u8], url_safe: bool) -> String {
    let engine = if url_safe {
        &URL_SAFE_NO_PAD
    } else {
        &STANDARD
    };
    // `Engine::encode` unwraps `String::from_utf8` with `expect`, which links the `Debug`
    // formatting of `FromUtf8Error` (about 2 KB of the browser wasm). Encoding into a buffer
    // sized by `encoded_len` cannot fail, and base64 output is ASCII.
    let len = base64::encoded_len(input.len(), !url_safe).unwrap_or_default();
    let mut buf = vec![0u8; len];
    let written = engine.encode_slice(input, &mut buf).unwrap_or_default();
    buf.truncate(written);
    String::from_utf8(buf).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::encode;

    #[test]
    fn rfc4648_vectors() {
        for (input, std, url) in [
            ("", "", ""),
            ("f", "Zg==", "Zg"),
            ("fo", "Zm8=", "Zm8"),
            ("foo", "Zm9v", "Zm9v"),
            ("foob", "Zm9vYg==", "Zm9vYg"),
            ("fooba", "Zm9vYmE=", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(input.as_bytes(), false), std);
            assert_eq!(encode(input.as_bytes(), true), url);
        }
        assert_eq!(encode(&[0xfb, 0xff, 0xbf], false), "+/+/");
        assert_eq!(encode(&[0xfb, 0xff, 0xbf], true), "-_-_");
    }
}
