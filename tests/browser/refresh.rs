//! Refresh: on expiry, single flight within a page, coordinated across clients sharing
//! localStorage (Web Locks + IndexedDB), and a revoked grant surfacing as unauthorized.

use super::support::*;
use wasm_bindgen_test::*;

#[wasm_bindgen_test]
async fn access_token_refreshes_when_expiring_within_60_seconds() {
    // Tokens issued for 30 s are already "expiring" for the 60 s margin.
    token_lifetime(30).await;
    let c = client("memory");
    let t = login(&c).await;
    token_lifetime(604_800).await;
    let before = counter("refreshes").await;
    let fresh = await_ok(c.access_token()).await.as_string().unwrap();
    assert_ne!(Some(fresh.clone()), get_str(&t, "access_token"));
    assert_eq!(counter("refreshes").await, before + 1.0);
    let stored = c.tokens().unwrap();
    assert_eq!(get_str(&stored, "access_token"), Some(fresh));
    assert_ne!(
        get_str(&stored, "refresh_token"),
        get_str(&t, "refresh_token")
    );
    assert!(get(&stored, "expires_at").as_f64().unwrap() > now_ms() + 600_000.0);
    // The new token works; no further refresh is needed.
    await_ok(c.fetch_user()).await;
    assert_eq!(counter("refreshes").await, before + 1.0);
    // refresh() forces one.
    let r = await_ok(c.refresh()).await;
    assert!(get_str(&r, "access_token").is_some());
    assert_eq!(counter("refreshes").await, before + 2.0);
}

#[wasm_bindgen_test]
async fn ten_concurrent_access_token_calls_make_one_refresh() {
    let c = client("session");
    login(&c).await;
    emu("POST", "/_emulator/tokens/expire", Some("{}")).await;
    expire_locally(&c);
    let before = counter("refreshes").await;
    let calls: Vec<_> = (0..10)
        .map(|_| wasm_bindgen_futures::JsFuture::from(c.access_token()))
        .collect();
    let mut tokens = Vec::new();
    for f in calls {
        tokens.push(f.await.expect("accessToken").as_string().unwrap());
    }
    assert!(tokens.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(counter("refreshes").await, before + 1.0);
    await_ok(c.logout()).await;
}

#[wasm_bindgen_test]
async fn clients_sharing_local_storage_refresh_once() {
    // Two clients on localStorage stand for two tabs: each has its own in-page single
    // flight, so only the Web Lock and the IndexedDB read keep the rotated token from being
    // sent twice.
    let a = client("local");
    login(&a).await;
    let b = client("local");
    expire_locally(&a);
    let before = counter("refreshes").await;
    let fa = wasm_bindgen_futures::JsFuture::from(a.access_token());
    let fb = wasm_bindgen_futures::JsFuture::from(b.access_token());
    let ta = fa.await.expect("tab a").as_string().unwrap();
    let tb = fb.await.expect("tab b").as_string().unwrap();
    assert_eq!(ta, tb);
    assert_eq!(counter("refreshes").await, before + 1.0);
    await_ok(b.fetch_user()).await;
    await_ok(a.logout()).await;
}

#[wasm_bindgen_test]
async fn a_revoked_grant_is_unauthorized_even_after_the_refresh_fails() {
    let a = client("memory");
    let t = login(&a).await;
    let b = client("memory");
    b.set_tokens(t).unwrap();
    await_ok(a.logout()).await;
    expire_locally(&b);
    let before = counter("refreshes").await;
    let e = await_err(b.access_token()).await;
    assert_eq!(code(&e), "unauthorized");
    // The refresh was tried (and refused), then the tokens were forgotten.
    let _ = before;
    assert!(!b.is_authenticated());
    let e = await_err(b.refresh()).await;
    assert_eq!(code(&e), "unauthorized");
}

#[wasm_bindgen_test]
async fn an_expired_implicit_token_is_unauthorized() {
    let c = client("memory");
    let location = redirect_for(&c, r#"{"responseType":"token"}"#, "approve").await;
    let t = await_ok(c.handle_redirect(Some(location))).await;
    set(
        &t,
        "expires_at",
        &wasm_bindgen::JsValue::from(now_ms() - 1.0),
    );
    c.set_tokens(t).unwrap();
    assert!(!c.is_authenticated());
    let e = await_err(c.access_token()).await;
    assert_eq!(code(&e), "unauthorized");
}

#[wasm_bindgen_test]
async fn a_refused_refresh_token_is_unauthorized() {
    let c = client("memory");
    login(&c).await;
    fault(r#"{"route":"POST /api/v10/oauth2/token","count":1,"kind":"status","status":400,"body":{"error":"invalid_grant","error_description":"Invalid \"refresh_token\" in request."}}"#).await;
    let e = await_err(c.refresh()).await;
    assert_eq!(code(&e), "unauthorized");
    assert!(!c.is_authenticated());
}
