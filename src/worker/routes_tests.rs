//! The route table: every contract route and nothing else.
use super::*;

#[test]
fn every_contract_route_parses_and_nothing_else_does() {
    let cases = [
        ("/auth/login", "/auth/login"),
        ("/auth/callback", "/auth/callback"),
        ("/auth/session", "/auth/session"),
        ("/auth/logout", "/auth/logout"),
        ("/api/users/@me", "/api/users/@me"),
        ("/api/users/@me/guilds", "/api/users/@me/guilds"),
        ("/api/users/@me/connections", "/api/users/@me/connections"),
        (
            "/api/users/@me/guilds/1160000000000000001/member",
            "/api/users/@me/guilds/{id}/member",
        ),
        ("/api/oauth2/@me", "/api/oauth2/@me"),
        (
            "/api/guilds/1160000000000000001/join",
            "/api/guilds/{id}/join",
        ),
    ];
    for (path, name) in cases {
        assert_eq!(Route::parse(path).map(Route::name), Some(name), "{path}");
    }
    for path in [
        "/auth",
        "/auth/",
        "/auth/login/",
        "/auth/login/x",
        "/api",
        "/api/users",
        "/api/users/@me/",
        "/api/users/@me/guilds/1/member/x",
        "/api/guilds/1/join/x",
        "auth/login",
        "/apix/users/@me",
        "/api/users/@me/guilds/1/members",
    ] {
        assert_eq!(Route::parse(path), None, "{path}");
    }
}

#[test]
fn methods_and_member_ids() {
    assert_eq!(
        Route::parse("/auth/logout").unwrap().methods(),
        Methods::Post
    );
    assert_eq!(
        Route::parse("/api/guilds/1/join").unwrap().methods(),
        Methods::Post
    );
    assert_eq!(
        Route::parse("/auth/session").unwrap().methods(),
        Methods::Read
    );
    let member = Route::parse("/api/users/@me/guilds/1160000000000000001/member").unwrap();
    assert!(matches!(member.read(), Some(Ok(Read::Member(_)))));
    let bad = Route::parse("/api/users/@me/guilds/abc/member").unwrap();
    assert_eq!(bad.read(), Some(Err(NoSuchGuild)));
    assert_eq!(Route::parse("/auth/login").unwrap().read(), None);
}
