//! What crosses from JS into the wasm in bulk (docs/browser.md, "Crossing rules"): an answer's
//! body as bytes, long strings as UTF-8 bytes. Each must give the text the slow way would.

use discord_oauth_wasm::browser::json::{JsJson, response_from_js};
use discord_oauth_wasm::discord::json::{JsonCodec, JsonValue};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

/// The shell's `{status, headers, body}` with `body` as given.
fn answer(body: &JsValue) -> JsValue {
    let o: JsValue = js_sys::Object::new().into();
    let headers = js_sys::Array::of2(&"content-type".into(), &"application/json".into());
    js_sys::Reflect::set(&o, &"status".into(), &200.into()).unwrap();
    js_sys::Reflect::set(&o, &"headers".into(), &headers).unwrap();
    js_sys::Reflect::set(&o, &"body".into(), body).unwrap();
    o
}

fn bytes(b: &[u8]) -> JsValue {
    js_sys::Uint8Array::from(b).into()
}

/// A body of bytes is decoded as `Response.text()` decodes it: UTF-8, a leading byte order
/// mark dropped, a malformed sequence as U+FFFD; a string body (from a test) is kept.
#[wasm_bindgen_test]
fn an_answer_body_of_bytes_reads_as_fetch_text_would() {
    let plain = response_from_js(&answer(&bytes("{\"name\":\"Nelly ✨\"}".as_bytes())));
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("content-type"), Some("application/json"));
    assert_eq!(plain.body, "{\"name\":\"Nelly ✨\"}");
    let marked = response_from_js(&answer(&bytes(b"\xEF\xBB\xBF{}")));
    assert_eq!(marked.body, "{}");
    let broken = response_from_js(&answer(&bytes(b"a\xFFb\xE2\x9C")));
    assert_eq!(broken.body, "a\u{FFFD}b\u{FFFD}");
    let text = response_from_js(&answer(&JsValue::from_str("\u{FEFF}kept")));
    assert_eq!(text.body, "\u{FEFF}kept");
    assert_eq!(response_from_js(&answer(&JsValue::NULL)).body, "");
}

/// Strings past the length at which they cross as UTF-8 bytes read the same as short ones:
/// ASCII, non-ASCII, and a lone surrogate (U+FFFD either way).
#[wasm_bindgen_test]
fn long_strings_read_the_same_as_short_ones() {
    for s in [
        "n".repeat(342),
        "ü✨".repeat(100),
        "x".repeat(70) + "\u{1F600}",
    ] {
        let doc = js_sys::JSON::stringify(&JsValue::from_str(&s)).unwrap();
        let doc = format!("{{\"v\":{}}}", String::from(doc));
        let got = JsJson::decode_members(&doc, &["v"]).unwrap();
        assert_eq!(got, vec![Some(JsonValue::String(s))]);
    }
    // A lone surrogate cannot be written in Rust; JSON can carry it.
    let lone = format!("{{\"v\":\"{}\\ud800\"}}", "y".repeat(80));
    let got = JsJson::decode_members(&lone, &["v"]).unwrap();
    assert_eq!(
        got,
        vec![Some(JsonValue::String("y".repeat(80) + "\u{FFFD}"))]
    );
    let short = JsJson::decode_members("{\"v\":\"z\\ud800\"}", &["v"]).unwrap();
    assert_eq!(short, vec![Some(JsonValue::String("z\u{FFFD}".into()))]);
}
