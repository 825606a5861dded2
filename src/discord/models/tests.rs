//! Model tests against the JSON examples of Discord's documentation.

use super::*;
use crate::discord::permissions::Permissions;
use crate::discord::snowflake::Snowflake;
use crate::discord::user_flags::UserFlags;

/// Discord's example user, as the docs show it since the May 2026 `identify.premium` change
/// (collectibles and primary guild included).
/// <https://discord.com/developers/docs/resources/user#user-object-example-user>
pub(crate) const USER_EXAMPLE: &str = r#"{
  "id": "80351110224678912",
  "username": "Nelly",
  "global_name": null,
  "discriminator": "1337",
  "avatar": "8342729096ea3675442027381ff50dfe",
  "verified": true,
  "email": "nelly@discord.com",
  "flags": 64,
  "banner": "06c16474723fe537c283b8efa61a30c8",
  "accent_color": 16711680,
  "premium_type": 0,
  "public_flags": 64,
  "avatar_decoration_data": {
    "sku_id": "1144058844004233369",
    "asset": "a_fed43ab12698df65902ba06727e20c0e"
  },
  "collectibles": {
    "nameplate": {
      "sku_id": "2247558840304243311",
      "asset": "nameplates/nameplates/twilight/",
      "label": "",
      "palette": "cobalt"
    }
  },
  "primary_guild": {
    "identity_guild_id": "1234647491267808778",
    "identity_enabled": true,
    "tag": "DISC",
    "badge": "7d1734ae5a615e82bc7a4033b98fade8"
  }
}"#;

/// <https://discord.com/developers/docs/resources/user#get-current-user-guilds-example-partial-guild>
pub(crate) const GUILD_EXAMPLE: &str = r#"{
  "id": "80351110224678912",
  "name": "1337 Krew",
  "icon": "8342729096ea3675442027381ff50dfe",
  "banner": "bb42bdc37653b7cf58c4c8cc622e76cb",
  "owner": true,
  "permissions": "36953089",
  "features": ["COMMUNITY", "NEWS", "ANIMATED_ICON", "INVITE_SPLASH", "BANNER", "ROLE_ICONS"],
  "approximate_member_count": 3268,
  "approximate_presence_count": 784
}"#;

/// The guild member example, with its placeholder `"user": {}` replaced by a real user.
/// <https://discord.com/developers/docs/resources/guild#guild-member-object-example-guild-member>
pub(crate) const MEMBER_EXAMPLE: &str = r#"{
  "user": {"id": "80351110224678912", "username": "nelly", "discriminator": "0",
           "global_name": "Nelly", "avatar": null},
  "nick": "NOT API SUPPORT",
  "avatar": null,
  "banner": null,
  "roles": [],
  "joined_at": "2015-04-26T06:26:56.936000+00:00",
  "deaf": false,
  "mute": false
}"#;

/// A connection shaped like the connection structure, with an integration.
/// <https://discord.com/developers/docs/resources/user#connection-object>
pub(crate) const CONNECTION_EXAMPLE: &str = r#"{
  "id": "12345678",
  "name": "octocat",
  "type": "github",
  "revoked": false,
  "integrations": [
    {"id": "33590653072239123", "name": "octo", "type": "twitch", "enabled": true,
     "account": {"id": "1234", "name": "octo"}, "some_new_field": [1, 2]}
  ],
  "verified": true,
  "friend_sync": false,
  "show_activity": true,
  "two_way_link": false,
  "visibility": 1,
  "metadata_visibility": 1
}"#;

/// <https://discord.com/developers/docs/topics/oauth2#get-current-authorization-information-example-authorization-information>
pub(crate) const AUTHORIZATION_EXAMPLE: &str = r#"{
  "application": {
    "id": "159799960412356608",
    "name": "AIRHORN SOLUTIONS",
    "icon": "f03590d3eb764081d154a66340ea7d6d",
    "description": "",
    "hook": true,
    "bot_public": true,
    "bot_require_code_grant": false,
    "verify_key": "c8cde6a3c8c6e49d86af3191287b3ce255872be1fff6dc285bdb420c06a2c3c8"
  },
  "scopes": ["guilds.join", "identify"],
  "expires": "2021-01-23T02:33:17.017000+00:00",
  "user": {
    "id": "268473310986240001",
    "username": "discord",
    "avatar": "f749bb0cbeeb26ef21eca719337d20f1",
    "discriminator": "0",
    "global_name": "Discord",
    "public_flags": 131072
  }
}"#;

/// Metadata records as in Discord's linked-roles tutorial.
/// <https://discord.com/developers/docs/tutorials/configuring-app-metadata-for-linked-roles>
pub(crate) const METADATA_EXAMPLE: &str = r#"[
  {"key": "cookieseaten", "name": "Cookies Eaten", "description": "Cookies Eaten Greater Than",
   "type": 2},
  {"key": "allergictonuts", "name": "Allergic To Nuts", "description": "Is Allergic To Nuts",
   "type": 7, "name_localizations": {"fr": "Allergique aux noix"}},
  {"key": "bakingsince", "name": "Baking Since", "description": "Days since baking their first cookie",
   "type": 6}
]"#;

/// The `webhook` of the webhook token response example.
/// <https://discord.com/developers/docs/topics/oauth2#webhooks-webhook-token-response-example>
pub(crate) const WEBHOOK_EXAMPLE: &str = r#"{
  "application_id": "310954232226357250",
  "name": "testwebhook",
  "url": "https://discord.com/api/webhooks/347114750880120863/kKDdjXa1g9tKNs0-_yOwLyALC9gydEWP6gr9sHabuK1vuofjhQDDnlOclJeRIvYK-pj_",
  "channel_id": "345626669224982402",
  "token": "kKDdjXa1g9tKNs0-_yOwLyALC9gydEWP6gr9sHabuK1vuofjhQDDnlOclJeRIvYK-pj_",
  "type": 1,
  "avatar": null,
  "guild_id": "290926792226357250",
  "id": "347114750880120863"
}"#;

fn parse<T: serde::de::DeserializeOwned>(raw: &str) -> T {
    serde_json::from_str(raw).unwrap()
}

/// Serializes and parses again; the value must survive unchanged.
fn roundtrip<T>(value: &T)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_string(value).unwrap();
    let back: T = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, value, "{json}");
}

#[test]
fn user_example() {
    let user: User = parse(USER_EXAMPLE);
    assert_eq!(user.id, Snowflake(80_351_110_224_678_912));
    assert_eq!(user.username, "Nelly");
    assert_eq!(user.global_name, None);
    assert_eq!(user.display_name(), "Nelly");
    assert_eq!(user.tag(), "Nelly#1337");
    assert!(!user.is_migrated());
    assert_eq!(user.flags, Some(UserFlags::HYPESQUAD_ONLINE_HOUSE_1));
    assert_eq!(user.premium_type, Some(PremiumType::None));
    assert_eq!(user.accent_color, Some(0xFF0000));
    let deco = user.avatar_decoration_data.as_ref().unwrap();
    assert_eq!(deco.sku_id, Some(Snowflake(1_144_058_844_004_233_369)));
    roundtrip(&user);
    let json = serde_json::to_value(&user).unwrap();
    assert_eq!(json["id"], "80351110224678912");
    assert_eq!(
        json["avatar_decoration_data"]["sku_id"],
        "1144058844004233369"
    );
    assert_eq!(json["flags"], 64);
    assert_eq!(json["global_name"], serde_json::Value::Null);
    assert!(json.get("bot").is_none());
}

#[test]
fn guild_example() {
    let guild: Guild = parse(GUILD_EXAMPLE);
    assert_eq!(guild.name, "1337 Krew");
    assert!(guild.owner);
    assert!(guild.has_permission(Permissions::MANAGE_GUILD)); // owner
    assert!(guild.permissions.has(Permissions::SPEAK));
    assert!(guild.has_feature("COMMUNITY"));
    assert_eq!(guild.approximate_member_count, Some(3268));
    roundtrip(&guild);
    assert_eq!(
        serde_json::to_value(&guild).unwrap()["permissions"],
        "36953089"
    );
}

#[test]
fn guild_permissions_beyond_2_pow_53() {
    let raw = r#"{"id":"1","name":"x","owner":false,"permissions":"18014398509481983"}"#;
    let guild: Guild = parse(raw);
    assert_eq!(guild.permissions.bits(), 18_014_398_509_481_983);
    assert!(guild.has_permission(Permissions::BYPASS_SLOWMODE));
    assert_eq!(
        serde_json::to_value(&guild).unwrap()["permissions"],
        "18014398509481983"
    );
}

#[test]
fn member_example() {
    let member: Member = parse(MEMBER_EXAMPLE);
    assert_eq!(member.nick.as_deref(), Some("NOT API SUPPORT"));
    assert_eq!(member.user.as_ref().unwrap().display_name(), "Nelly");
    assert_eq!(
        member.joined_at.as_deref(),
        Some("2015-04-26T06:26:56.936000+00:00")
    );
    assert_eq!(member.flags, MemberFlags::empty());
    assert!(!member.has_role(Snowflake(1)));
    roundtrip(&member);
    let full: Member = parse(
        r#"{"roles":["41771983423143936"],"joined_at":null,"deaf":true,"mute":false,
            "flags":1027,"pending":true,"permissions":"8","premium_since":"2021-01-01T00:00:00Z",
            "communication_disabled_until":null}"#,
    );
    assert!(full.has_role(Snowflake(41_771_983_423_143_936)));
    assert_eq!(full.flags.bits(), 1027);
    assert_eq!(
        full.flags.names(),
        [
            "DID_REJOIN",
            "COMPLETED_ONBOARDING",
            "AUTOMOD_QUARANTINED_GUILD_TAG"
        ]
    );
    assert_eq!(full.permissions, Some(Permissions::ADMINISTRATOR));
    roundtrip(&full);
}

#[test]
fn member_with_placeholder_user_is_an_error() {
    // Discord's example literally has `"user": {}`: a user without id is not a user.
    let raw = r#"{"user":{},"roles":[],"joined_at":null,"deaf":false,"mute":false}"#;
    assert!(serde_json::from_str::<Member>(raw).is_err());
}

#[test]
fn connection_example() {
    let c: Connection = parse(CONNECTION_EXAMPLE);
    assert_eq!(c.kind, "github");
    assert_eq!(c.visibility, ConnectionVisibility::Everyone);
    let integration = &c.integrations.as_ref().unwrap()[0];
    assert_eq!(integration.kind.as_deref(), Some("twitch"));
    assert_eq!(
        integration.account.as_ref().unwrap().name.as_deref(),
        Some("octo")
    );
    roundtrip(&c);
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["type"], "github");
    assert!(json.get("kind").is_none());
    let odd: Connection =
        parse(&CONNECTION_EXAMPLE.replace("\"visibility\": 1", "\"visibility\": 7"));
    assert_eq!(odd.visibility, ConnectionVisibility::Unknown(7));
    roundtrip(&odd);
}

#[test]
fn authorization_example() {
    let info: AuthorizationInfo = parse(AUTHORIZATION_EXAMPLE);
    assert_eq!(info.application.id, Snowflake(159_799_960_412_356_608));
    assert_eq!(info.application.description.as_deref(), Some(""));
    assert!(info.has_scope("guilds.join"));
    assert!(!info.has_scope("email"));
    let user = info.user.as_ref().unwrap();
    assert!(user.is_migrated());
    assert_eq!(user.tag(), "discord");
    assert_eq!(user.display_name(), "Discord");
    assert_eq!(user.public_flags.unwrap().names(), ["VERIFIED_DEVELOPER"]);
    roundtrip(&info);
}

#[test]
fn webhook_example_is_redacted() {
    let hook: Webhook = parse(WEBHOOK_EXAMPLE);
    assert_eq!(hook.kind, WebhookType::Incoming);
    assert_eq!(hook.id, Snowflake(347_114_750_880_120_863));
    assert!(
        hook.token
            .as_ref()
            .unwrap()
            .secret()
            .starts_with("kKDdjXa1")
    );
    let debug = format!("{hook:?}");
    assert!(!debug.contains("kKDdjXa1"), "{debug}");
    assert!(debug.contains("[redacted]"));
    roundtrip(&hook);
}

#[test]
fn role_connection_metadata_example() {
    let records: Vec<ApplicationRoleConnectionMetadata> = parse(METADATA_EXAMPLE);
    assert_eq!(records.len(), 3);
    assert_eq!(
        records[0].kind,
        RoleConnectionMetadataType::IntegerGreaterThanOrEqual
    );
    assert_eq!(
        records[2].kind,
        RoleConnectionMetadataType::DatetimeGreaterThanOrEqual
    );
    ApplicationRoleConnectionMetadata::validate_all(&records).unwrap();
    roundtrip(&records);
    assert_eq!(serde_json::to_value(&records).unwrap()[1]["type"], 7);
}

fn field_of(e: crate::discord::error::InputError) -> &'static str {
    match e {
        crate::discord::error::InputError::Invalid { field, .. } => field,
        other => panic!("{other:?}"),
    }
}

#[test]
fn role_connection_metadata_limits() {
    let good: Vec<ApplicationRoleConnectionMetadata> = parse(METADATA_EXAMPLE);
    let with = |f: &dyn Fn(&mut ApplicationRoleConnectionMetadata)| {
        let mut r = good[0].clone();
        f(&mut r);
        r.validate().map_err(field_of)
    };
    assert_eq!(with(&|r| r.key = String::new()), Err("key"));
    assert_eq!(with(&|r| r.key = "Cookies".into()), Err("key"));
    assert_eq!(with(&|r| r.key = "a-b".into()), Err("key"));
    assert_eq!(with(&|r| r.key = "k".repeat(51)), Err("key"));
    assert_eq!(with(&|r| r.key = "k".repeat(50)), Ok(()));
    assert_eq!(with(&|r| r.name = String::new()), Err("name"));
    assert_eq!(with(&|r| r.name = "é".repeat(100)), Ok(()));
    assert_eq!(with(&|r| r.name = "é".repeat(101)), Err("name"));
    assert_eq!(with(&|r| r.description = String::new()), Err("description"));
    assert_eq!(
        with(&|r| r.description = "d".repeat(201)),
        Err("description")
    );
    assert_eq!(
        with(&|r| r.kind = RoleConnectionMetadataType::Unknown(9)),
        Err("type")
    );
    assert_eq!(
        with(&|r| r.name_localizations = Some([("xx".into(), "a".into())].into())),
        Err("name_localizations")
    );
    assert_eq!(
        with(&|r| r.description_localizations = Some([("fr".into(), String::new())].into())),
        Err("description_localizations")
    );
    let six: Vec<_> = (0..6)
        .map(|i| {
            let mut r = good[0].clone();
            r.key = format!("k{i}");
            r
        })
        .collect();
    assert_eq!(
        ApplicationRoleConnectionMetadata::validate_all(&six).map_err(field_of),
        Err("records")
    );
    assert_eq!(
        ApplicationRoleConnectionMetadata::validate_all(&six[..5]),
        Ok(())
    );
    let dup = vec![good[0].clone(), good[0].clone()];
    assert_eq!(
        ApplicationRoleConnectionMetadata::validate_all(&dup).map_err(field_of),
        Err("key")
    );
    // Type 0 and 9 parse (kept as Unknown) but never validate.
    let odd: ApplicationRoleConnectionMetadata =
        parse(r#"{"type":9,"key":"k","name":"n","description":"d"}"#);
    assert_eq!(odd.kind, RoleConnectionMetadataType::Unknown(9));
}

#[test]
fn role_connection_limits() {
    let mut rc: ApplicationRoleConnection = parse(
        r#"{"platform_name":"Cookie Clicker","platform_username":"Nelly","metadata":{"cookieseaten":"42","bakingsince":"2020-01-01T00:00:00Z"}}"#,
    );
    rc.validate().unwrap();
    roundtrip(&rc);
    rc.platform_name = Some("n".repeat(51));
    assert_eq!(rc.validate().map_err(field_of), Err("platform_name"));
    rc.platform_name = None;
    rc.platform_username = Some("u".repeat(101));
    assert_eq!(rc.validate().map_err(field_of), Err("platform_username"));
    rc.platform_username = Some(String::new());
    rc.validate().unwrap();
    rc.metadata.insert("cookieseaten".into(), "9".repeat(101));
    assert_eq!(rc.validate().map_err(field_of), Err("metadata"));
    rc.metadata = (0..6).map(|i| (format!("k{i}"), "1".into())).collect();
    assert_eq!(rc.validate().map_err(field_of), Err("metadata"));
    rc.metadata = [("Bad Key".to_owned(), "1".to_owned())].into();
    assert_eq!(rc.validate().map_err(field_of), Err("metadata"));
    let empty: ApplicationRoleConnection =
        parse(r#"{"platform_name":null,"platform_username":null,"metadata":{}}"#);
    assert_eq!(empty, ApplicationRoleConnection::default());
    assert_eq!(serde_json::to_string(&empty).unwrap(), r#"{"metadata":{}}"#);
}

#[test]
fn missing_required_fields_and_wrong_types_are_errors() {
    let bad_users = [
        r#"{"username":"x","discriminator":"0"}"#,
        r#"{"id":"1","discriminator":"0"}"#,
        r#"{"id":"1","username":"x"}"#,
        r#"{"id":1.5,"username":"x","discriminator":"0"}"#,
        r#"{"id":"1","username":5,"discriminator":"0"}"#,
        r#"{"id":"1","username":"x","discriminator":"0","flags":"nope"}"#,
        r#"{"id":"1","username":"x","discriminator":"0","accent_color":99999999999}"#,
        r#"{"id":"1","username":"x","discriminator":"0","premium_type":300}"#,
        r#"{"id":"99999999999999999999","username":"x","discriminator":"0"}"#,
        r#"{"id":"-1","username":"x","discriminator":"0"}"#,
        "[]",
        "null",
        "",
        "{",
        "\"user\"",
    ];
    for raw in bad_users {
        assert!(serde_json::from_str::<User>(raw).is_err(), "{raw}");
    }
    let ok: User = parse(r#"{"id":1,"username":"","discriminator":"0","bot":true,"x":{"y":[]}}"#);
    assert_eq!(ok.bot, Some(true));
    for raw in [
        r#"{"id":"1","name":"x","permissions":"-8"}"#,
        r#"{"id":"1","name":"x","permissions":"18446744073709551616"}"#,
        r#"{"id":"1","name":"x","features":"COMMUNITY"}"#,
        r#"{"id":"1"}"#,
    ] {
        assert!(serde_json::from_str::<Guild>(raw).is_err(), "{raw}");
    }
    for raw in [
        r#"{"roles":[],"joined_at":null,"deaf":false}"#,
        r#"{"roles":[1.5],"joined_at":null,"deaf":false,"mute":false}"#,
        r#"{"joined_at":null,"deaf":false,"mute":false}"#,
    ] {
        assert!(serde_json::from_str::<Member>(raw).is_err(), "{raw}");
    }
    assert!(
        serde_json::from_str::<Connection>(r#"{"id":"1","name":"x","type":"github"}"#).is_err()
    );
    assert!(serde_json::from_str::<AuthorizationInfo>(r#"{"scopes":[],"expires":""}"#).is_err());
    assert!(serde_json::from_str::<Webhook>(r#"{"id":"1"}"#).is_err());
}

proptest::proptest! {
    #[test]
    fn arbitrary_text_never_panics(raw in "\\PC{0,200}") {
        let _ = serde_json::from_str::<User>(&raw);
        let _ = serde_json::from_str::<Guild>(&raw);
        let _ = serde_json::from_str::<Member>(&raw);
        let _ = serde_json::from_str::<AuthorizationInfo>(&raw);
    }

    #[test]
    fn user_roundtrips(id: u64, flags: u64, name in "[a-z0-9_.]{2,32}", global in proptest::option::of("\\PC{1,32}")) {
        let primary_guild = Some(PrimaryGuild { tag: global.clone(), ..PrimaryGuild::default() });
        let user = User {
            id: Snowflake(id), username: name, discriminator: "0".into(), global_name: global,
            avatar: None, bot: None, system: None, mfa_enabled: Some(true), banner: None,
            accent_color: None, locale: Some("en-US".into()), verified: None, email: None,
            flags: Some(UserFlags::from_bits_retain(flags)), premium_type: Some(PremiumType::Unknown(9)),
            public_flags: None, avatar_decoration_data: None, collectibles: None, primary_guild,
        };
        let json = serde_json::to_string(&user).unwrap();
        proptest::prop_assert_eq!(serde_json::from_str::<User>(&json).unwrap(), user);
    }
}
