//! The raw-call route table: the defaults, `API_ROUTES`, and what is refused.
use super::*;

const APP: &str = "1100000000000000001";

#[test]
fn the_defaults_are_the_user_token_reads() {
    let t = ApiRoutes::new(APP, None).unwrap();
    for path in [
        "/users/@me",
        "/users/@me/guilds",
        "/users/@me/guilds/1160000000000000001/member",
        "/users/@me/connections",
        "/oauth2/@me",
        "/users/@me/applications/1100000000000000001/role-connection",
    ] {
        assert_eq!(t.lookup(Method::Get, path), Lookup::Allowed, "{path}");
    }
    // The role connection is read-only from the page by default.
    assert_eq!(
        t.lookup(
            Method::Put,
            "/users/@me/applications/1100000000000000001/role-connection"
        ),
        Lookup::WrongMethod(vec![Method::Get])
    );
    // Another application's role connection, a non-snowflake guild, anything else: not listed.
    for path in [
        "/users/@me/applications/1100000000000000009/role-connection",
        "/users/@me/guilds/abc/member",
        "/guilds/1160000000000000001",
        "/users/1150000000000000001",
        "/users/@me/",
        "users/@me",
    ] {
        assert_eq!(t.lookup(Method::Get, path), Lookup::NotListed, "{path}");
    }
}

#[test]
fn api_routes_add_entries_with_snowflake_placeholders() {
    let t = ApiRoutes::new(
        APP,
        Some("GET /guilds/{guild_id}/roles, put /users/@me/applications/1100000000000000001/role-connection , PATCH /users/@me"),
    )
    .unwrap();
    assert_eq!(
        t.lookup(Method::Get, "/guilds/1160000000000000001/roles"),
        Lookup::Allowed
    );
    assert_eq!(t.lookup(Method::Get, "/guilds/x/roles"), Lookup::NotListed);
    assert_eq!(
        t.lookup(
            Method::Put,
            "/users/@me/applications/1100000000000000001/role-connection"
        ),
        Lookup::Allowed
    );
    assert_eq!(t.lookup(Method::Patch, "/users/@me"), Lookup::Allowed);
    assert_eq!(
        t.lookup(Method::Delete, "/users/@me"),
        Lookup::WrongMethod(vec![Method::Get, Method::Patch])
    );
}

#[test]
fn malformed_entries_are_refused_by_name() {
    for entry in [
        "GET",
        "FETCH /users/@me",
        "GET users/@me",
        "GET /users/../guilds",
        "GET /users/@me?x=1",
        "GET /users//me",
        "GET /users/{}",
    ] {
        let e = ApiRoutes::new(APP, Some(entry)).unwrap_err();
        assert!(e.to_string().starts_with("API_ROUTES:"), "{e}");
    }
}
