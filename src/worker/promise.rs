//! Promise reactions without a Rust future: the hot path's reads (`fast.rs`, the session
//! object's `readSession`) answer from one `then` on the runtime's promise instead of a task
//! on wasm-bindgen's queue (docs/worker.md, "Calls out of the Worker").

use js_sys::Promise;
#[cfg(feature = "worker-entry")]
use std::{cell::Cell, rc::Rc};
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

/// A reaction to a promise's outcome, boxed: every [`settle`] shares one pair of closure
/// types (and so one copy of wasm-bindgen's closure glue), whatever the reaction.
#[cfg(feature = "worker-entry")]
type Reaction = Box<dyn FnOnce(Result<JsValue, JsValue>) -> JsValue>;

/// `promise.then(…, …)` with one Rust closure called once with the outcome: `Ok` with the
/// value, `Err` with the reason of a rejection.
#[cfg(feature = "worker-entry")]
pub(crate) fn settle(
    promise: &Promise,
    on_outcome: impl FnOnce(Result<JsValue, JsValue>) -> JsValue + 'static,
) -> Promise {
    settle_boxed(promise, Box::new(on_outcome))
}

#[cfg(feature = "worker-entry")]
fn settle_boxed(promise: &Promise, on_outcome: Reaction) -> Promise {
    let on_value = Rc::new(Cell::new(Some(on_outcome)));
    let on_error = Rc::clone(&on_value);
    then(
        promise,
        move |value| match on_value.take() {
            Some(f) => f(Ok(value)),
            None => JsValue::UNDEFINED,
        },
        move |reason| match on_error.take() {
            Some(f) => f(Err(reason)),
            None => JsValue::UNDEFINED,
        },
    )
}
