//! Coordination between the tabs of an origin that share tokens through `localStorage`.
//!
//! A Web Lock (`navigator.locks`) named after the client id serialises refreshes across tabs;
//! inside it the winner reads the freshest TokenSet from IndexedDB (Chromium caches
//! `localStorage` per renderer, and another tab's write may not be visible yet, while an
//! IndexedDB read after a committed transaction is), so a rotated refresh token is never sent
//! twice. Where Web Locks are missing the IndexedDB check alone remains; where IndexedDB is
//! missing too, `localStorage` is read.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
export function dow_with_lock(name, f) {
  const locks = globalThis.navigator && globalThis.navigator.locks;
  return locks ? locks.request(name, () => f()) : f();
}
let dbp = null;
function db() {
  if (!dbp) {
    dbp = new Promise((res, rej) => {
      const r = indexedDB.open("discord-oauth-wasm", 1);
      r.onupgradeneeded = () => r.result.createObjectStore("tokens");
      r.onsuccess = () => res(r.result);
      r.onerror = () => { dbp = null; rej(r.error); };
    });
  }
  return dbp;
}
function run(mode, op) {
  if (!globalThis.indexedDB) return Promise.resolve(undefined);
  return db().then((d) => new Promise((res, rej) => {
    const tx = d.transaction("tokens", mode);
    const r = op(tx.objectStore("tokens"));
    tx.oncomplete = () => res(r.result);
    tx.onerror = tx.onabort = () => rej(tx.error);
  }));
}
export function dow_idb_get(key) { return run("readonly", (s) => s.get(key)); }
export function dow_idb_put(key, value) {
  return run("readwrite", (s) => value == null ? s.delete(key) : s.put(value, key));
}
"#)]
extern "C" {
    /// Runs `f` (which returns a Promise) under the Web Lock `name`, or directly without one.
    pub fn dow_with_lock(name: &str, f: &js_sys::Function) -> js_sys::Promise;
    /// Resolves to the string stored under `key`, or `undefined`.
    pub fn dow_idb_get(key: &str) -> js_sys::Promise;
    /// Stores `value` under `key`, or deletes it when `value` is `null`.
    pub fn dow_idb_put(key: &str, value: Option<String>) -> js_sys::Promise;
}
