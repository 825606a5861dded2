//! Browser tests: compiled to wasm32 and run in headless Chromium by `wasm-pack test`, against
//! the discord-emulator that scripts/test.sh starts (EMULATOR_URL at compile time). They use
//! the real `sessionStorage`, `localStorage`, IndexedDB, Web Locks, `crypto` and `fetch`.
#![cfg(all(target_arch = "wasm32", feature = "browser"))]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "browser/support.rs"]
mod support;

#[path = "browser/client.rs"]
mod client;

#[path = "browser/errors.rs"]
mod errors;

#[path = "browser/refresh.rs"]
mod refresh;

#[path = "browser/options.rs"]
mod options;

#[path = "browser/oidc.rs"]
mod oidc;

#[path = "browser/crossing.rs"]
mod crossing;

#[wasm_bindgen_test]
fn random_values_come_from_the_browser_and_survive_in_session_storage() {
    // Two draws from crypto.getRandomValues (through getrandom) differ.
    let mut a = [0u8; 32];
    let mut b = [0u8; 32];
    getrandom::fill(&mut a).expect("crypto.getRandomValues");
    getrandom::fill(&mut b).expect("crypto.getRandomValues");
    assert_ne!(a, b);

    // A PKCE verifier from the core (CSPRNG) survives in the real sessionStorage.
    let verifier = discord_oauth_wasm::discord::pkce::PkceCodeVerifier::generate().expect("random");
    let value = verifier.secret().to_owned();
    assert_eq!(value.len(), 43);
    let storage = web_sys::window()
        .and_then(|w| w.session_storage().ok().flatten())
        .expect("sessionStorage");
    let key = "discord-oauth-wasm:test:pkce";
    storage.set_item(key, &value).expect("write sessionStorage");
    assert_eq!(storage.get_item(key).unwrap(), Some(value));
    storage.remove_item(key).expect("remove");
    assert_eq!(storage.get_item(key).unwrap(), None);
}
