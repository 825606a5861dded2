//! Promise reactions without a Rust future: the hot path's reads (`fast.rs`, the session
//! object's `readSession`) answer from one `then` on the runtime's promise instead of a task
//! on wasm-bindgen's queue (docs/worker.md, "Calls out of the Worker").

use js_sys::Promise;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

#[wasm_bindgen]
extern "C" {
    /// A promise, for a `then` taking plain functions.
    type Thenable;

    /// `promise.then(onFulfilled, onRejected)`.
    #[wasm_bindgen(method, js_name = then)]
    fn then_both(this: &Thenable, on_fulfilled: &JsValue, on_rejected: &JsValue) -> Promise;
}

/// `promise.then(on_value, on_error)` with Rust closures called once: what each returns (a
/// value or a promise) settles the promise this answers.
pub(crate) fn then(
    promise: &Promise,
    on_value: impl FnOnce(JsValue) -> JsValue + 'static,
    on_error: impl FnOnce(JsValue) -> JsValue + 'static,
) -> Promise {
    let on_value = Closure::once_into_js(on_value);
    let on_error = Closure::once_into_js(on_error);
    promise
        .unchecked_ref::<Thenable>()
        .then_both(&on_value, &on_error)
}
