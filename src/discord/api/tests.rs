//! Endpoint tests: request shapes, and responses (the docs' examples and every failure).

use super::guilds::*;
use super::members::*;
use super::oauth2::*;
use super::role_connections::*;
use super::users::*;
use super::*;
use crate::discord::error::ErrorCode;
use crate::discord::json::SerdeJson;
use crate::discord::models::tests::{
    AUTHORIZATION_EXAMPLE, CONNECTION_EXAMPLE, GUILD_EXAMPLE, MEMBER_EXAMPLE, METADATA_EXAMPLE,
    USER_EXAMPLE,
};
use crate::discord::models::{ApplicationRoleConnection, ApplicationRoleConnectionMetadata};
use crate::discord::snowflake::Snowflake;

const TOKEN: &str = "user-access-token-6qrZcUqja7812RVdnEKjpzOL4CvHBFG";
const BOT: &str = "bot-token-MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs";
const GUILD: Snowflake = Snowflake(81_384_788_765_712_384);
const USER: Snowflake = Snowflake(80_351_110_224_678_912);
const APP: Snowflake = Snowflake(159_799_960_412_356_608);

fn config() -> ApiConfig {
    ApiConfig::default()
}

fn token() -> AccessToken {
    AccessToken::new(TOKEN)
}

fn bot() -> BotToken {
    BotToken::new(BOT)
}

fn ok(status: u16, body: &str) -> HttpResponse {
    HttpResponse::new(
        status,
        vec![("Content-Type".into(), "application/json".into())],
        body.into(),
    )
}

fn assert_bearer_get(req: &HttpRequest, url: &str, route: &str) {
    assert_eq!(req.method, Method::Get);
    assert_eq!(req.url, url);
    assert_eq!(req.route, route);
    assert_eq!(
        req.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(
        req.header("User-Agent"),
        Some(crate::discord::config::USER_AGENT)
    );
    assert_eq!(req.header("Accept"), Some("application/json"));
    assert_eq!(req.header("Content-Type"), None);
    assert!(req.body.is_none());
    let debug = format!("{req:?}");
    assert!(!debug.contains(TOKEN), "{debug}");
}

#[test]
fn route_keys() {
    assert_eq!(route_key(Method::Get, "/users/@me"), "GET /users/@me");
    assert_eq!(
        route_key(Method::Get, "/users/@me/guilds?limit=5&after=1"),
        "GET /users/@me/guilds"
    );
    assert_eq!(
        route_key(
            Method::Put,
            "/guilds/81384788765712384/members/80351110224678912"
        ),
        "PUT /guilds/81384788765712384/members/{user_id}"
    );
    assert_eq!(
        route_key(Method::Get, "/users/@me/guilds/81384788765712384/member"),
        "GET /users/@me/guilds/81384788765712384/member"
    );
    assert_eq!(
        route_key(
            Method::Put,
            "/applications/159799960412356608/role-connections/metadata"
        ),
        "PUT /applications/{application_id}/role-connections/metadata"
    );
    assert_eq!(
        route_key(Method::Get, "/users/@me/applications/1/role-connection"),
        "GET /users/@me/applications/{application_id}/role-connection"
    );
    assert_eq!(route_key(Method::Get, "/users/123"), "GET /users/{user_id}");
    assert_eq!(
        route_key(
            Method::Post,
            "/webhooks/347114750880120863/kKDdjXa1g9tKNs0?wait=true"
        ),
        "POST /webhooks/347114750880120863/{token}"
    );
    assert_eq!(
        route_key(Method::Patch, "/channels/1/messages/2"),
        "PATCH /channels/1/messages/{message_id}"
    );
    assert_eq!(route_key(Method::Get, ""), "GET ");
}

#[test]
fn current_user() {
    let req = get_current_user(&config(), &token());
    assert_bearer_get(
        &req,
        "https://discord.com/api/v10/users/@me",
        "GET /users/@me",
    );
    let user = process_current_user::<SerdeJson>(&ok(200, USER_EXAMPLE)).unwrap();
    assert_eq!(user.username, "Nelly");
    let emulator = ApiConfig::with_base("http://127.0.0.1:8790/api/v10/");
    assert_eq!(
        get_current_user(&emulator, &token()).url,
        "http://127.0.0.1:8790/api/v10/users/@me"
    );
}

#[test]
fn connections() {
    let req = get_current_user_connections(&config(), &token());
    assert_bearer_get(
        &req,
        "https://discord.com/api/v10/users/@me/connections",
        "GET /users/@me/connections",
    );
    let body = format!("[{CONNECTION_EXAMPLE}]");
    let list = process_current_user_connections::<SerdeJson>(&ok(200, &body)).unwrap();
    assert_eq!(list[0].name.as_deref(), Some("octocat"));
    assert!(
        process_current_user_connections::<SerdeJson>(&ok(200, "[]"))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn guilds() {
    let req = get_current_user_guilds(&config(), &token(), &GuildsQuery::default()).unwrap();
    assert_bearer_get(
        &req,
        "https://discord.com/api/v10/users/@me/guilds",
        "GET /users/@me/guilds",
    );
    let query = GuildsQuery {
        before: Some(Snowflake(5)),
        after: Some(Snowflake(1)),
        limit: Some(200),
        with_counts: true,
    };
    let req = get_current_user_guilds(&config(), &token(), &query).unwrap();
    assert_eq!(
        req.url,
        "https://discord.com/api/v10/users/@me/guilds?before=5&after=1&limit=200&with_counts=true"
    );
    assert_eq!(req.route, "GET /users/@me/guilds");
    for bad in [0u16, 201, u16::MAX] {
        let q = GuildsQuery {
            limit: Some(bad),
            ..GuildsQuery::default()
        };
        assert!(matches!(
            get_current_user_guilds(&config(), &token(), &q),
            Err(InputError::Invalid { field: "limit", .. })
        ));
    }
    let body = format!("[{GUILD_EXAMPLE}]");
    let guilds = process_current_user_guilds::<SerdeJson>(&ok(200, &body)).unwrap();
    assert_eq!(guilds[0].permissions.bits(), 36_953_089);
}

#[test]
fn guild_member() {
    let req = get_current_user_guild_member(&config(), &token(), GUILD);
    assert_bearer_get(
        &req,
        "https://discord.com/api/v10/users/@me/guilds/81384788765712384/member",
        "GET /users/@me/guilds/81384788765712384/member",
    );
    let member = process_current_user_guild_member::<SerdeJson>(&ok(200, MEMBER_EXAMPLE)).unwrap();
    assert_eq!(member.nick.as_deref(), Some("NOT API SUPPORT"));
    let err = process_current_user_guild_member::<SerdeJson>(&ok(
        404,
        r#"{"message":"Unknown Guild","code":10004}"#,
    ))
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
    assert_eq!(err.discord_code(), Some(10004));
}

#[test]
fn add_guild_member_request() {
    let mut params = AddGuildMember::new(token());
    params.nick = Some("Nelly".into());
    params.roles = Some(vec![Snowflake(41_771_983_423_143_936)]);
    params.mute = Some(false);
    let req = add_guild_member::<SerdeJson>(&config(), &bot(), GUILD, USER, &params).unwrap();
    assert_eq!(req.method, Method::Put);
    assert_eq!(
        req.url,
        "https://discord.com/api/v10/guilds/81384788765712384/members/80351110224678912"
    );
    assert_eq!(req.route, "PUT /guilds/81384788765712384/members/{user_id}");
    assert_eq!(
        req.header("Authorization"),
        Some(format!("Bot {BOT}").as_str())
    );
    assert_eq!(req.header("Content-Type"), Some("application/json"));
    let body: serde_json::Value =
        serde_json::from_str(req.body.as_ref().unwrap().as_str()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"access_token": TOKEN, "nick": "Nelly", "roles": ["41771983423143936"], "mute": false})
    );
    // Neither the bot token nor the user's token shows in Debug output.
    for debug in [format!("{req:?}"), format!("{params:?}")] {
        assert!(!debug.contains(TOKEN) && !debug.contains(BOT), "{debug}");
    }
    let minimal = add_guild_member::<SerdeJson>(
        &config(),
        &bot(),
        GUILD,
        USER,
        &AddGuildMember::new(token()),
    )
    .unwrap();
    assert_eq!(
        minimal.body.unwrap().as_str(),
        format!(r#"{{"access_token":"{TOKEN}"}}"#)
    );
}

#[test]
fn add_guild_member_validation() {
    let check = |f: &dyn Fn(&mut AddGuildMember)| {
        let mut p = AddGuildMember::new(token());
        f(&mut p);
        match add_guild_member::<SerdeJson>(&config(), &bot(), GUILD, USER, &p) {
            Err(Error::Input(InputError::Invalid { field, .. })) => field,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(check(&|p| p.nick = Some(String::new())), "nick");
    assert_eq!(check(&|p| p.nick = Some("n".repeat(33))), "nick");
    assert_eq!(
        check(&|p| p.access_token = AccessToken::new(" ")),
        "access_token"
    );
    assert_eq!(
        check(&|p| p.roles = Some(vec![Snowflake(1), Snowflake(1)])),
        "roles"
    );
    let mut p = AddGuildMember::new(token());
    p.nick = Some("ñ".repeat(32));
    assert!(p.validate().is_ok());
}

#[test]
fn add_guild_member_outcomes() {
    let joined = process_add_guild_member::<SerdeJson>(&ok(201, MEMBER_EXAMPLE)).unwrap();
    assert!(joined.joined());
    let AddGuildMemberOutcome::Joined(member) = joined else {
        panic!()
    };
    assert_eq!(member.user.unwrap().username, "nelly");
    let already = process_add_guild_member::<SerdeJson>(&ok(204, "")).unwrap();
    assert_eq!(already, AddGuildMemberOutcome::AlreadyMember);
    assert!(!already.joined());
    let err = process_add_guild_member::<SerdeJson>(&ok(202, "")).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ServerError);
    let err = process_add_guild_member::<SerdeJson>(&ok(201, "")).unwrap_err();
    assert!(matches!(err, Error::Parse { status: 201, .. }));
    let err = process_add_guild_member::<SerdeJson>(&ok(
        403,
        r#"{"message":"Missing Permissions","code":50013}"#,
    ))
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Forbidden);
    assert_eq!(err.discord_code(), Some(50013));
}

#[test]
fn oauth2_endpoints() {
    let req = get_current_authorization(&config(), &token());
    assert_bearer_get(
        &req,
        "https://discord.com/api/v10/oauth2/@me",
        "GET /oauth2/@me",
    );
    let info = process_current_authorization::<SerdeJson>(&ok(200, AUTHORIZATION_EXAMPLE)).unwrap();
    assert_eq!(info.scopes, ["guilds.join", "identify"]);
    let req = get_current_application(&config(), &bot());
    assert_eq!(
        req.url,
        "https://discord.com/api/v10/oauth2/applications/@me"
    );
    assert_eq!(req.route, "GET /oauth2/applications/@me");
    assert_eq!(
        req.header("Authorization"),
        Some(format!("Bot {BOT}").as_str())
    );
    let app_json = r#"{"id":"159799960412356608","name":"AIRHORN SOLUTIONS","icon":null,"description":"",
        "bot_public":true,"bot_require_code_grant":false,"flags":8388608,"verify_key":"c8cd",
        "owner":{"id":"1","username":"o","discriminator":"0","avatar":null},"team":null,
        "redirect_uris":["https://example.com/cb"],"install_params":{"scopes":["bot"],"permissions":"0"}}"#;
    let app = process_current_application::<SerdeJson>(&ok(200, app_json)).unwrap();
    assert_eq!(app.id, APP);
    assert_eq!(app.flags, Some(8_388_608));
    assert_eq!(app.owner.unwrap().username, "o");
}

#[test]
fn user_role_connection() {
    let req = get_user_role_connection(&config(), &token(), APP);
    assert_bearer_get(
        &req,
        "https://discord.com/api/v10/users/@me/applications/159799960412356608/role-connection",
        "GET /users/@me/applications/{application_id}/role-connection",
    );
    let mut conn = ApplicationRoleConnection {
        platform_name: Some("Cookie Clicker".into()),
        ..Default::default()
    };
    conn.metadata.insert("cookieseaten".into(), "42".into());
    let req = update_user_role_connection::<SerdeJson>(&config(), &token(), APP, &conn).unwrap();
    assert_eq!(req.method, Method::Put);
    assert_eq!(
        req.route,
        "PUT /users/@me/applications/{application_id}/role-connection"
    );
    assert_eq!(req.header("Content-Type"), Some("application/json"));
    assert_eq!(
        req.body.as_ref().unwrap().as_str(),
        r#"{"platform_name":"Cookie Clicker","metadata":{"cookieseaten":"42"}}"#
    );
    let back = process_user_role_connection::<SerdeJson>(&ok(
        200,
        r#"{"platform_name":"Cookie Clicker","platform_username":null,"metadata":{"cookieseaten":"42"}}"#,
    ))
    .unwrap();
    assert_eq!(back, conn);
    conn.platform_name = Some("x".repeat(51));
    assert!(matches!(
        update_user_role_connection::<SerdeJson>(&config(), &token(), APP, &conn),
        Err(Error::Input(InputError::Invalid {
            field: "platform_name",
            ..
        }))
    ));
}

#[test]
fn role_connection_metadata() {
    let req = get_role_connection_metadata(&config(), &bot(), APP);
    assert_eq!(
        req.url,
        "https://discord.com/api/v10/applications/159799960412356608/role-connections/metadata"
    );
    assert_eq!(
        req.route,
        "GET /applications/{application_id}/role-connections/metadata"
    );
    assert_eq!(
        req.header("Authorization"),
        Some(format!("Bot {BOT}").as_str())
    );
    let records: Vec<ApplicationRoleConnectionMetadata> =
        serde_json::from_str(METADATA_EXAMPLE).unwrap();
    let req =
        update_role_connection_metadata::<SerdeJson>(&config(), &bot(), APP, &records).unwrap();
    assert_eq!(req.method, Method::Put);
    let sent: Vec<ApplicationRoleConnectionMetadata> =
        serde_json::from_str(req.body.as_ref().unwrap().as_str()).unwrap();
    assert_eq!(sent, records);
    let parsed = process_role_connection_metadata::<SerdeJson>(&ok(200, METADATA_EXAMPLE)).unwrap();
    assert_eq!(parsed, records);
    let empty = update_role_connection_metadata::<SerdeJson>(&config(), &bot(), APP, &[]).unwrap();
    assert_eq!(empty.body.unwrap().as_str(), "[]");
    let six: Vec<_> = (0..6)
        .map(|i| {
            let mut r = records[0].clone();
            r.key = format!("k{i}");
            r
        })
        .collect();
    assert!(matches!(
        update_role_connection_metadata::<SerdeJson>(&config(), &bot(), APP, &six),
        Err(Error::Input(InputError::Invalid {
            field: "records",
            ..
        }))
    ));
}

#[test]
fn raw_requests() {
    let req = raw_request(
        &config(),
        Authorization::Bearer(&token()),
        Method::Get,
        "/users/@me/guilds?limit=1",
        None,
    )
    .unwrap();
    assert_eq!(
        req.url,
        "https://discord.com/api/v10/users/@me/guilds?limit=1"
    );
    assert_eq!(req.route, "GET /users/@me/guilds");
    let body = Some(Body::Json("{}".into()));
    let req = raw_request(
        &config(),
        Authorization::Bot(&bot()),
        Method::Post,
        "/channels/1/messages",
        body,
    )
    .unwrap();
    assert_eq!(req.header("Content-Type"), Some("application/json"));
    for bad in [
        "",
        "users/@me",
        "//evil.example/x",
        "https://evil.example/",
        "/a/../b",
        "/a/./b",
        "/a b",
        "/a\\b",
        "/a\nb",
        "/x#y",
        "/..",
        "/a/%2e%2e/b",
    ] {
        assert!(
            matches!(
                raw_request(
                    &config(),
                    Authorization::Bearer(&token()),
                    Method::Get,
                    bad,
                    None
                ),
                Err(InputError::Invalid { field: "path", .. })
            ),
            "{bad:?}"
        );
    }
    assert_eq!(
        process_raw::<SerdeJson>(&ok(200, "{\"a\":1}")).unwrap(),
        "{\"a\":1}"
    );
    assert_eq!(
        process_raw::<SerdeJson>(&ok(401, "")).unwrap_err().code(),
        ErrorCode::Unauthorized
    );
}

#[test]
fn error_responses() {
    let e =
        process_current_user::<SerdeJson>(&ok(401, r#"{"message":"401: Unauthorized","code":0}"#))
            .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Unauthorized);
    assert_eq!(e.status(), Some(401));
    assert_eq!(e.description(), Some("401: Unauthorized"));
    let e =
        process_current_user::<SerdeJson>(&ok(403, r#"{"message":"Missing Access","code":50001}"#))
            .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Forbidden);
    let invalid_form = r#"{"code":50035,"message":"Invalid Form Body","errors":{"limit":{"_errors":[{"code":"NUMBER_TYPE_MAX","message":"int value should be less than or equal to 200."}]}}}"#;
    let e = process_current_user_guilds::<SerdeJson>(&ok(400, invalid_form)).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidRequest);
    let Error::Api {
        code: 50035,
        errors: Some(raw),
        ..
    } = &e
    else {
        panic!("{e:?}")
    };
    assert!(raw.expose().contains("NUMBER_TYPE_MAX"));
    let limited = HttpResponse::new(
        429,
        vec![
            ("Retry-After".into(), "2".into()),
            ("X-RateLimit-Scope".into(), "user".into()),
        ],
        r#"{"message":"You are being rate limited.","retry_after":1.5,"global":false}"#.into(),
    );
    let e = process_current_user::<SerdeJson>(&limited).unwrap_err();
    assert_eq!(e.code(), ErrorCode::RateLimited);
    assert_eq!(e.retry_after(), Some(1.5));
    assert_eq!(e.global(), Some(false));
    let e = process_current_user::<SerdeJson>(&ok(502, "<html>Bad Gateway</html>")).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ServerError);
    let e = process_current_authorization::<SerdeJson>(&ok(
        401,
        r#"{"error":"invalid_token","error_description":"expired"}"#,
    ))
    .unwrap_err();
    assert!(matches!(e, Error::OAuth { status: 401, .. }));
}

#[test]
fn malformed_success_bodies_are_parse_errors() {
    let huge = format!(
        r#"{{"id":"{}","username":"x","discriminator":"0"}}"#,
        "9".repeat(400)
    );
    for body in [
        "",
        "{",
        "null",
        "[]",
        "\"x\"",
        r#"{"id":"1"}"#,
        r#"{"id":true,"username":"x","discriminator":"0"}"#,
        &huge,
    ] {
        let e = process_current_user::<SerdeJson>(&ok(200, body)).unwrap_err();
        assert!(
            matches!(e, Error::Parse { status: 200, .. }),
            "{body}: {e:?}"
        );
        assert_eq!(e.code(), ErrorCode::ServerError);
    }
    let e = process_current_user_guilds::<SerdeJson>(&ok(
        200,
        r#"[{"id":"1","name":"x","permissions":"18446744073709551616"}]"#,
    ))
    .unwrap_err();
    assert!(matches!(e, Error::Parse { .. }));
    let ok_guild = process_current_user_guilds::<SerdeJson>(&ok(
        200,
        r#"[{"id":"1","name":"x","permissions":"18014398509481983"}]"#,
    ))
    .unwrap();
    assert_eq!(ok_guild[0].permissions.bits(), 18_014_398_509_481_983);
}

proptest::proptest! {
    #[test]
    fn any_response_gives_a_value_or_the_typed_error_its_status_means(
        status in 100u16..600,
        body in "\\PC{0,120}",
    ) {
        let resp = ok(status, &body);
        let codes = [
            process_current_user::<SerdeJson>(&resp).err().map(|e| e.code()),
            process_current_user_guilds::<SerdeJson>(&resp).err().map(|e| e.code()),
            process_current_authorization::<SerdeJson>(&resp).err().map(|e| e.code()),
            process_role_connection_metadata::<SerdeJson>(&resp).err().map(|e| e.code()),
        ];
        // Whatever the body says, the status decides the class of the error.
        let expected = match status {
            200..=299 => None,
            401 => Some(ErrorCode::Unauthorized),
            403 => Some(ErrorCode::Forbidden),
            404 => Some(ErrorCode::NotFound),
            429 => Some(ErrorCode::RateLimited),
            500..=599 => Some(ErrorCode::ServerError),
            _ => Some(ErrorCode::InvalidRequest),
        };
        for code in codes {
            match expected {
                // A 2xx gives the value, or (a body that is not the model) a server_error.
                None => proptest::prop_assert!(code.is_none() || code == Some(ErrorCode::ServerError)),
                // Other statuses are never a value; unparsable bodies keep the status's class
                // (a 1xx/3xx/4xx body that is not Discord's error shape reads as the status's).
                Some(want) => {
                    let code = code.expect("a non-2xx answer is never a value");
                    proptest::prop_assert!(
                        code == want || (want == ErrorCode::InvalidRequest && code == ErrorCode::ServerError)
                            || (want == ErrorCode::RateLimited && code == ErrorCode::RateLimited),
                        "HTTP {status}: {code:?}, expected {want:?}"
                    );
                }
            }
        }
        // The join answers 201 (joined) or 204 (already a member); anything else is an error.
        let join = process_add_guild_member::<SerdeJson>(&resp);
        if !(200..300).contains(&status) {
            proptest::prop_assert!(join.is_err());
        }
    }

    #[test]
    fn route_key_never_holds_a_webhook_token(id: u64, token in "[A-Za-z0-9_-]{1,68}") {
        let key = route_key(Method::Post, &format!("/webhooks/{id}/{token}"));
        proptest::prop_assert_eq!(key, format!("POST /webhooks/{id}/{{token}}"));
    }
}
