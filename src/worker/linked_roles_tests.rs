use super::*;
use crate::discord::error::RawBody;

#[test]
fn the_secret_must_be_set_and_long() {
    assert_eq!(
        LinkedRolesSecret::parse(None).unwrap_err().to_string(),
        "LINKED_ROLES_SECRET is not set"
    );
    assert!(LinkedRolesSecret::parse(Some("")).is_err());
    let short = LinkedRolesSecret::parse(Some("too-short")).unwrap_err();
    assert!(short.to_string().contains("at least 32 bytes"), "{short}");
    let secret = LinkedRolesSecret::parse(Some(&"s".repeat(32))).unwrap();
    assert_eq!(format!("{secret:?}"), "LinkedRolesSecret([redacted])");
}

#[test]
fn the_secret_is_accepted_only_as_a_bearer_credential() {
    let value = "0123456789abcdef0123456789abcdef";
    let secret = LinkedRolesSecret::parse(Some(value)).unwrap();
    assert!(secret.accepts(Some(&format!("Bearer {value}"))));
    assert!(secret.accepts(Some(&format!("bearer {value}"))));
    let bot = format!("Bot {value}");
    let longer = format!("Bearer {value}x");
    let shorter = format!("Bearer {}", &value[1..]);
    for refused in [
        None,
        Some(""),
        Some("Bearer"),
        Some("Bearer "),
        Some(value),
        Some(bot.as_str()),
        Some(longer.as_str()),
        Some(shorter.as_str()),
    ] {
        assert!(!secret.accepts(refused), "{refused:?}");
    }
}

#[test]
fn form_errors_flatten_discords_documented_tree() {
    // The nested example of https://discord.com/developers/docs/reference#error-messages
    let raw = r#"{
        "activities": {
            "0": {
                "platform": {"_errors": [{"code": "BASE_TYPE_CHOICES", "message": "Value must be one of ('desktop', 'android', 'ios')."}]},
                "type": {"_errors": [{"code": "BASE_TYPE_CHOICES", "message": "Value must be one of (0, 1, 2, 3, 4, 5)."}]}
            }
        }
    }"#;
    assert_eq!(
        form_errors(raw),
        vec![
            "activities.0.platform: Value must be one of ('desktop', 'android', 'ios'). (BASE_TYPE_CHOICES)",
            "activities.0.type: Value must be one of (0, 1, 2, 3, 4, 5). (BASE_TYPE_CHOICES)",
        ]
    );
    // A top-level error, and input that is not a tree.
    assert_eq!(
        form_errors(r#"{"_errors": [{"code": "LIST_TYPE_CONVERT", "message": "Only iterables"}]}"#),
        vec!["(body): Only iterables (LIST_TYPE_CONVERT)"]
    );
    assert!(form_errors("not json").is_empty());
    assert!(form_errors("[1, 2]").is_empty());
}

#[test]
fn a_50035_is_role_connection_refused_naming_the_fields() {
    let e = crate::discord::Error::Api {
        status: 400,
        code: 50035,
        message: "Invalid Form Body".into(),
        errors: Some(RawBody::new(
            r#"{"metadata": {"level": {"_errors": [{"code": "BASE_TYPE_INVALID", "message": "Value does not match the metadata type."}]}}}"#,
        )),
    };
    let a = refused(&e);
    assert_eq!((a.status, a.code), (502, "role_connection_refused"));
    assert!(
        a.message
            .contains("metadata.level: Value does not match the metadata type."),
        "{}",
        a.message
    );
    // Without a tree, Discord's message.
    let bare = crate::discord::Error::Api {
        status: 400,
        code: 50035,
        message: "Invalid Form Body".into(),
        errors: None,
    };
    assert!(refused(&bare).message.ends_with("Invalid Form Body"));
    // Anything else maps as on /api.
    let missing = crate::discord::Error::Api {
        status: 403,
        code: 50001,
        message: "Missing Access".into(),
        errors: None,
    };
    assert_eq!(refused(&missing).code, "forbidden");
}

#[test]
fn the_set_up_asks_for_identify_and_role_connections_write() {
    let config = LinkedRoles::new(Vec::new(), |_user: LinkedRolesUser| async {
        Ok(ApplicationRoleConnection::default())
    });
    let names: Vec<_> = config.scopes().iter().map(|s| s.as_str()).collect();
    assert_eq!(names, ["identify", "role_connections.write"]);
    let more: Scopes = "guilds".parse().unwrap();
    let config = config.with_scopes(&more);
    assert!(config.scopes().contains(Scope::Guilds));
    assert!(format!("{config:?}").starts_with("LinkedRoles { records: [], scopes:"));
}

#[test]
fn push_bodies_need_a_user_id_and_may_carry_a_connection() {
    let bare = push_request(br#"{"user_id": "80351110224678912"}"#).unwrap();
    assert_eq!(bare.user_id, "80351110224678912");
    assert_eq!(bare.role_connection, None);
    let given = push_request(
        br#"{"user_id": "80351110224678912", "role_connection": {"platform_name": "P", "metadata": {"level": "3"}}}"#,
    )
    .unwrap();
    let connection = given.role_connection.unwrap();
    assert_eq!(connection.platform_name.as_deref(), Some("P"));
    assert_eq!(connection.metadata["level"], "3");
    for refused in [
        &b""[..],
        b"nope",
        b"{}",
        b"[]",
        br#"{"user_id": 80351110224678912}"#,
        br#"{"user_id": "abc"}"#,
        br#"{"user_id": ""}"#,
        br#"{"user_id": "1", "role_connection": 5}"#,
        br#"{"user_id": "1", "role_connection": {"metadata": {"level": 3}}}"#,
    ] {
        let message = push_request(refused).unwrap_err();
        assert!(
            !message.contains("abc") && !message.contains("nope"),
            "never quoted"
        );
    }
}
