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
        "auth/login",
        "/apix/users/@me",
    ] {
        assert_eq!(Route::parse(path), None, "{path}");
    }
    // Anything else under /api is a raw call, for the route table to allow or refuse.
    for (path, discord) in [
        ("/api/users", "/users"),
        ("/api/users/@me/", "/users/@me/"),
        (
            "/api/users/@me/guilds/1/member/x",
            "/users/@me/guilds/1/member/x",
        ),
        ("/api/guilds/1/join/x", "/guilds/1/join/x"),
        (
            "/api/users/@me/guilds/1/members",
            "/users/@me/guilds/1/members",
        ),
        (
            "/api/guilds/1160000000000000001/roles",
            "/guilds/1160000000000000001/roles",
        ),
    ] {
        assert_eq!(Route::parse(path), Some(Route::Raw(discord)), "{path}");
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

#[test]
fn linked_roles_routes() {
    use super::LinkedRolesRoute as L;
    for (path, route, methods) in [
        ("/auth/linked-roles", L::Verify, Methods::Read),
        ("/auth/linked-roles/push", L::Push, Methods::Post),
        ("/auth/linked-roles/metadata", L::Metadata, Methods::Post),
    ] {
        let parsed = Route::parse(path).unwrap();
        assert_eq!(parsed, Route::LinkedRoles(route), "{path}");
        assert_eq!(parsed.methods(), methods, "{path}");
        assert_eq!(parsed.name(), path);
    }
    for path in [
        "/auth/linked-roles/",
        "/auth/linked-roles/other",
        "/auth/linked-roles/push/x",
    ] {
        assert_eq!(Route::parse(path), None, "{path}");
    }
}

#[test]
fn a_request_url_splits_into_its_origin_and_path() {
    let cases = [
        (
            "https://auth.example/oidc/token",
            Some(("https://auth.example", "/oidc/token")),
        ),
        (
            "http://localhost:8787/api/users/@me?x=1#f",
            Some(("http://localhost:8787", "/api/users/@me")),
        ),
        ("http://localhost", Some(("http://localhost", ""))),
        ("http://localhost?q", Some(("http://localhost", ""))),
        // Credentials are not part of the origin: the full path works it out.
        ("https://user:pass@auth.example/oidc/token", None),
        ("https:///oidc/token", None),
        ("ftp://auth.example/oidc/token", None),
        ("/oidc/token", None),
    ];
    for (url, expected) in cases {
        assert_eq!(split_url(url), expected, "{url}");
    }
}
