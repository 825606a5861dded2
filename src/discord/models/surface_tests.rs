//! Discord's 2025–26 user surface (avatar decoration, collectibles, primary guild, banner,
//! accent colour), the OpenAPI nullability fixes, and the new application fields: Discord's
//! documented examples as fixtures, and instances with every nullable field `null`.

use super::tests::USER_EXAMPLE;
use super::*;
use crate::discord::cdn::{self, CdnOptions, ImageFormat};
use crate::discord::permissions::Permissions;
use crate::discord::snowflake::Snowflake;

fn parse<T: serde::de::DeserializeOwned>(raw: &str) -> T {
    serde_json::from_str(raw).unwrap()
}

fn roundtrip<T>(value: &T) -> serde_json::Value
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_value(value).unwrap();
    let back: T = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(&back, value, "{json}");
    json
}

/// The documented example's collectibles and primary guild, typed.
#[test]
fn user_example_collectibles_and_primary_guild() {
    let user: User = parse(USER_EXAMPLE);
    let plate = user
        .collectibles
        .as_ref()
        .and_then(|c| c.nameplate.as_ref())
        .unwrap();
    assert_eq!(plate.sku_id, Some(Snowflake(2_247_558_840_304_243_311)));
    assert_eq!(plate.asset, "nameplates/nameplates/twilight/");
    assert_eq!(plate.label, "");
    assert_eq!(plate.palette, "cobalt");
    let pg = user.primary_guild.as_ref().unwrap();
    assert_eq!(
        pg.identity_guild_id,
        Some(Snowflake(1_234_647_491_267_808_778))
    );
    assert_eq!(pg.identity_enabled, Some(true));
    assert_eq!(pg.tag.as_deref(), Some("DISC"));
    assert_eq!(
        pg.badge.as_deref(),
        Some("7d1734ae5a615e82bc7a4033b98fade8")
    );
    assert!(pg.is_shown());
    assert_eq!(
        user.banner.as_deref(),
        Some("06c16474723fe537c283b8efa61a30c8")
    );
    assert_eq!(user.accent_color_hex().as_deref(), Some("#ff0000"));
    let json = roundtrip(&user);
    assert_eq!(
        json["primary_guild"]["identity_guild_id"],
        "1234647491267808778"
    );
    assert_eq!(
        json["collectibles"]["nameplate"]["sku_id"],
        "2247558840304243311"
    );
    assert!(json["avatar_decoration_data"].get("expires_at").is_none());
}

/// Every nullable field of the user object `null` at once, as Discord may send them.
#[test]
fn user_with_every_nullable_field_null() {
    let raw = r#"{
      "id": "1150000000000000003", "username": "plain_user", "discriminator": "0",
      "global_name": null, "avatar": null, "banner": null, "accent_color": null,
      "email": null, "avatar_decoration_data": null, "collectibles": null,
      "primary_guild": null
    }"#;
    let user: User = parse(raw);
    assert_eq!(user.global_name, None);
    assert_eq!(user.avatar_decoration_data, None);
    assert_eq!(user.collectibles, None);
    assert_eq!(user.primary_guild, None);
    assert_eq!(user.accent_color_hex(), None);
    let o = CdnOptions::default();
    assert_eq!(cdn::avatar_decoration_url(&user, &o).unwrap(), None);
    assert_eq!(cdn::guild_tag_badge_url(&user, &o).unwrap(), None);
    assert_eq!(cdn::banner_url(&user, &o).unwrap(), None);
    roundtrip(&user);

    // Nested: a primary guild and a nameplate with every nullable field null, a decoration
    // without SKU (the OpenAPI description allows it), collectibles without nameplate.
    let nested = r#"{
      "id": "1", "username": "u", "discriminator": "0", "global_name": null, "avatar": null,
      "avatar_decoration_data": {"asset": "a_fed43ab12698df65902ba06727e20c0e", "sku_id": null},
      "collectibles": {"nameplate": null},
      "primary_guild": {"identity_guild_id": null, "identity_enabled": null, "tag": null,
                        "badge": null}
    }"#;
    let user: User = parse(nested);
    let deco = user.avatar_decoration_data.as_ref().unwrap();
    assert_eq!(deco.sku_id, None);
    assert_eq!(user.collectibles, Some(Collectibles { nameplate: None }));
    assert_eq!(user.primary_guild, Some(PrimaryGuild::default()));
    assert!(!user.primary_guild.as_ref().unwrap().is_shown());
    assert_eq!(cdn::guild_tag_badge_url(&user, &o).unwrap(), None);
    let json = roundtrip(&user);
    // `?type` fields are written back as null, not dropped.
    assert_eq!(json["primary_guild"]["tag"], serde_json::Value::Null);
    assert!(json["primary_guild"].get("badge").is_some());
    assert_eq!(
        json["avatar_decoration_data"]["sku_id"],
        serde_json::Value::Null
    );

    // A nameplate whose SKU is null, and a decoration with an expiry.
    let more = r#"{"id": "1", "username": "u", "discriminator": "0",
      "avatar_decoration_data": {"asset": "abc", "sku_id": "1", "expires_at": 1767225600},
      "collectibles": {"nameplate": {"sku_id": null, "asset": "nameplates/x/", "label": "",
                                     "palette": "white"}}}"#;
    let user: User = parse(more);
    assert_eq!(
        user.avatar_decoration_data.as_ref().unwrap().expires_at,
        Some(1_767_225_600)
    );
    assert_eq!(
        user.collectibles
            .as_ref()
            .unwrap()
            .nameplate
            .as_ref()
            .unwrap()
            .sku_id,
        None
    );
    roundtrip(&user);
    // A nameplate without label or palette still reads (both as empty).
    let bare: Collectibles = parse(r#"{"nameplate": {"asset": "nameplates/x/"}}"#);
    let plate = bare.nameplate.unwrap();
    assert_eq!((plate.label.as_str(), plate.palette.as_str()), ("", ""));
}

#[test]
fn new_fields_of_the_wrong_type_are_errors() {
    for bad in [
        r#""avatar_decoration_data": {"sku_id": "1"}"#, // asset is required
        r#""primary_guild": {"identity_guild_id": "x"}"#,
        r#""primary_guild": {"identity_enabled": "yes"}"#,
        r#""collectibles": {"nameplate": {"palette": "sky"}}"#, // asset is required
        r#""accent_color": "red""#,
    ] {
        let raw = format!(r#"{{"id":"1","username":"u","discriminator":"0",{bad}}}"#);
        assert!(serde_json::from_str::<User>(&raw).is_err(), "{bad}");
    }
}

#[test]
fn decoration_and_tag_badge_urls() {
    let user: User = parse(USER_EXAMPLE);
    let o = CdnOptions::sized(64);
    assert_eq!(
        cdn::avatar_decoration_url(&user, &o).unwrap().as_deref(),
        Some(
            "https://cdn.discordapp.com/avatar-decoration-presets/a_fed43ab12698df65902ba06727e20c0e.png?size=64"
        )
    );
    assert_eq!(
        cdn::guild_tag_badge_url(&user, &o).unwrap().as_deref(),
        Some(
            "https://cdn.discordapp.com/guild-tag-badges/1234647491267808778/7d1734ae5a615e82bc7a4033b98fade8.png?size=64"
        )
    );
    // The badge is served as PNG, JPEG or WebP; never GIF. Decorations are PNG only.
    let webp = CdnOptions {
        size: None,
        format: Some(ImageFormat::Webp),
    };
    assert!(
        cdn::guild_tag_badge_url(&user, &webp)
            .unwrap()
            .unwrap()
            .ends_with(".webp")
    );
    let gif = CdnOptions {
        size: None,
        format: Some(ImageFormat::Gif),
    };
    assert!(cdn::guild_tag_badge_url(&user, &gif).is_err());
    assert!(cdn::avatar_decoration_url(&user, &webp).is_err());
    assert!(cdn::avatar_decoration_url(&user, &CdnOptions::sized(100)).is_err());
    assert!(cdn::guild_tag_badge_url(&user, &CdnOptions::sized(8192)).is_err());
    // A tag the user removed (false) or Discord cleared (null) is not on show: no badge.
    for enabled in [Some(false), None] {
        let mut u = user.clone();
        if let Some(pg) = u.primary_guild.as_mut() {
            pg.identity_enabled = enabled;
        }
        assert_eq!(cdn::guild_tag_badge_url(&u, &o).unwrap(), None);
    }
}

#[test]
fn display_is_username_or_legacy_tag() {
    let nelly: User = parse(USER_EXAMPLE);
    assert_eq!(nelly.to_string(), "Nelly#1337");
    let new: User = parse(r#"{"id":"1","username":"nelly","discriminator":"0","global_name":"N"}"#);
    assert_eq!(new.to_string(), "nelly");
    let guild: Guild = parse(super::tests::GUILD_EXAMPLE);
    assert_eq!(guild.to_string(), "1337 Krew");
}

/// Connection and integration account names may be null (OpenAPI), and may be missing.
#[test]
fn connection_names_may_be_null() {
    let raw = r#"{"id": "76561197960287930", "name": null, "type": "steam", "verified": true,
      "friend_sync": false, "show_activity": true, "two_way_link": false, "visibility": 0,
      "integrations": [{"id": "33590653072239123", "type": "twitch",
                        "account": {"id": "1234", "name": null}}]}"#;
    let c: Connection = parse(raw);
    assert_eq!(c.name, None);
    let account = c.integrations.as_ref().unwrap()[0]
        .account
        .as_ref()
        .unwrap();
    assert_eq!(account.name, None);
    assert!(!c.is_visible());
    let json = roundtrip(&c);
    assert_eq!(json["name"], serde_json::Value::Null);
    let missing = raw.replace(r#""name": null, "#, "");
    assert_eq!(parse::<Connection>(&missing).name, None);
}

/// Discord's example application object (its `verify_key` is copied as the docs print it).
/// <https://discord.com/developers/docs/resources/application#application-object-example-application-object>
const APPLICATION_EXAMPLE: &str = r#"{
  "bot_public": true,
  "bot_require_code_grant": false,
  "cover_image": "31deabb7e45b6c8ecfef77d2f99c81a5",
  "description": "Test",
  "flags": 8192,
  "flags_new": "8192",
  "guild_id": "290926798626357260",
  "icon": null,
  "id": "172150183260323840",
  "integration_types_config": {
    "0": {
      "oauth2_install_params": {
        "scopes": ["applications.commands", "bot"],
        "permissions": "2048"
      }
    },
    "1": {
      "oauth2_install_params": {
        "scopes": ["applications.commands"],
        "permissions": "0"
      }
    }
  },
  "name": "Baba O-Riley",
  "interactions_endpoint_url": null,
  "role_connections_verification_url": null,
  "event_webhooks_url": null,
  "event_webhooks_status": 1,
  "owner": {
    "avatar": null,
    "discriminator": "1738",
    "flags": 1024,
    "id": "172150183260323840",
    "username": "i own a bot"
  },
  "primary_sku_id": "172150183260323840",
  "slug": "test",
  "team": {
    "name": "A team",
    "icon": "dd9b7dcfdf5351b9c3de0fe167bacbe1",
    "id": "531992624043786253",
    "owner_user_id": "511972282709709995",
    "members": [
      {
        "membership_state": 2,
        "permissions": ["*"],
        "team_id": "531992624043786253",
        "user": {
          "avatar": "d9e261cd35999608eb7e3de1fae3688b",
          "discriminator": "0001",
          "id": "511972282709709995",
          "username": "Mr Owner"
        }
      }
    ]
  },
  "verify_key": "1e0a356058d627ca38a5c8c9648818061d49e49bd9da9e3ab17d98ad4d6bg2u8"
}"#;

#[test]
fn application_example() {
    let app: Application = parse(APPLICATION_EXAMPLE);
    assert_eq!(app.flags_new.as_deref(), Some("8192"));
    assert_eq!(app.flag_bits(), Some(8192));
    let config = app.integration_types_config.as_ref().unwrap();
    let guild_install = config["0"].oauth2_install_params.as_ref().unwrap();
    assert_eq!(guild_install.scopes, ["applications.commands", "bot"]);
    assert_eq!(guild_install.permissions, Permissions::SEND_MESSAGES);
    assert_eq!(
        config["1"]
            .oauth2_install_params
            .as_ref()
            .unwrap()
            .permissions,
        Permissions::empty()
    );
    assert_eq!(app.event_webhooks_status, Some(1));
    assert_eq!(app.event_webhooks_url, None);
    assert_eq!(app.interactions_endpoint_url, None);
    assert_eq!(app.owner.as_ref().unwrap().tag(), "i own a bot#1738");
    let team = app.team.as_ref().unwrap();
    assert_eq!(team.owner_user_id, Snowflake(511_972_282_709_709_995));
    assert_eq!(team.members[0].membership_state, MembershipState::Accepted);
    assert_eq!(team.members[0].permissions, ["*"]);
    assert_eq!(
        team.members[0].role, None,
        "Discord's example leaves the role out"
    );
    assert_eq!(team.members[0].user.tag(), "Mr Owner#0001");
    roundtrip(&app);

    // The OpenAPI description's fields beyond the prose: `type` and `max_participants`
    // (both nullable), `install_params`, and bits only `flags_new` carries.
    let more = r#"{"id": "1", "name": "a", "icon": null, "description": "", "type": null,
      "max_participants": null, "flags": 0, "flags_new": "2147483648",
      "install_params": {"scopes": ["bot"], "permissions": "8"},
      "approximate_user_authorization_count": 7, "event_webhooks_types": ["APPLICATION_AUTHORIZED"]}"#;
    let app: Application = parse(more);
    assert_eq!(app.kind, None);
    assert_eq!(app.max_participants, None);
    assert_eq!(app.flag_bits(), Some(1 << 31));
    assert_eq!(
        app.install_params.as_ref().unwrap().permissions,
        Permissions::ADMINISTRATOR
    );
    assert_eq!(app.approximate_user_authorization_count, Some(7));
    roundtrip(&app);
    let typed: Application =
        parse(r#"{"id": "1", "name": "a", "type": 4, "max_participants": 25, "flags": 64}"#);
    assert_eq!(typed.kind, Some(4));
    assert_eq!(typed.max_participants, Some(25));
    assert_eq!(typed.flag_bits(), Some(64));
}
