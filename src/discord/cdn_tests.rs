use super::*;
use crate::discord::error::InputError;

fn user(id: u64, discriminator: &str, avatar: Option<&str>) -> User {
    serde_json::from_value(serde_json::json!({
        "id": id.to_string(), "username": "u", "discriminator": discriminator, "avatar": avatar,
    }))
    .unwrap()
}

fn field(r: Result<String, InputError>) -> &'static str {
    match r {
        Err(InputError::Invalid { field, .. }) => field,
        other => panic!("{other:?}"),
    }
}

#[test]
fn default_avatar_index_new_username_system() {
    // (id >> 22) % 6 when the discriminator is "0".
    let id = Snowflake(175_928_847_299_117_063);
    assert_eq!(default_avatar_index(id, "0"), ((id.get() >> 22) % 6) as u8);
    assert_eq!(default_avatar_index(id, "0"), 2);
    assert_eq!(default_avatar_index(Snowflake(0), "0"), 0);
    assert_eq!(default_avatar_index(Snowflake(5 << 22), "0"), 5);
    assert_eq!(default_avatar_index(Snowflake(6 << 22), "0"), 0);
    assert_eq!(
        default_avatar_url(id, "0"),
        "https://cdn.discordapp.com/embed/avatars/2.png"
    );
}

#[test]
fn default_avatar_index_legacy_discriminator() {
    // discriminator % 5 otherwise.
    let id = Snowflake(80_351_110_224_678_912);
    assert_eq!(default_avatar_index(id, "1337"), 2);
    assert_eq!(default_avatar_index(id, "0001"), 1);
    assert_eq!(default_avatar_index(id, "0000"), 0);
    assert_eq!(default_avatar_index(id, "9999"), 4);
    // Unreadable discriminators fall back to the new system, never panic.
    assert_eq!(default_avatar_index(id, ""), ((id.get() >> 22) % 6) as u8);
    assert_eq!(
        default_avatar_index(id, "abc"),
        ((id.get() >> 22) % 6) as u8
    );
    assert_eq!(
        default_avatar_index(id, "99999999"),
        ((id.get() >> 22) % 6) as u8
    );
}

#[test]
fn avatar_urls() {
    let static_user = user(
        80_351_110_224_678_912,
        "1337",
        Some("8342729096ea3675442027381ff50dfe"),
    );
    assert_eq!(
        avatar_url(&static_user, &CdnOptions::default()).unwrap(),
        "https://cdn.discordapp.com/avatars/80351110224678912/8342729096ea3675442027381ff50dfe.png"
    );
    let opts = CdnOptions {
        size: Some(256),
        format: Some(ImageFormat::Webp),
    };
    assert_eq!(
        avatar_url(&static_user, &opts).unwrap(),
        "https://cdn.discordapp.com/avatars/80351110224678912/8342729096ea3675442027381ff50dfe.webp?size=256"
    );
    let animated = user(1, "0", Some("a_1269e74af4df7417b13759eae50c83dc"));
    assert!(
        avatar_url(&animated, &CdnOptions::default())
            .unwrap()
            .ends_with("/a_1269e74af4df7417b13759eae50c83dc.gif")
    );
    let png = CdnOptions {
        size: None,
        format: Some(ImageFormat::Png),
    };
    assert!(avatar_url(&animated, &png).unwrap().ends_with(".png"));
    let gif = CdnOptions {
        size: None,
        format: Some(ImageFormat::Gif),
    };
    assert_eq!(field(avatar_url(&static_user, &gif)), "format");
    let none = user(175_928_847_299_117_063, "0", None);
    assert_eq!(
        avatar_url(&none, &opts).unwrap(),
        "https://cdn.discordapp.com/embed/avatars/2.png"
    );
    assert_eq!(field(avatar_url(&none, &CdnOptions::sized(100))), "size");
}

#[test]
fn sizes_and_formats_are_checked() {
    let h = "8342729096ea3675442027381ff50dfe";
    for ok in [16u16, 32, 64, 128, 256, 512, 1024, 2048, 4096] {
        assert!(
            user_avatar_url(Snowflake(1), h, &CdnOptions::sized(ok))
                .unwrap()
                .ends_with(&format!("?size={ok}"))
        );
    }
    for bad in [0u16, 1, 8, 15, 17, 100, 8192, u16::MAX] {
        assert_eq!(
            field(user_avatar_url(Snowflake(1), h, &CdnOptions::sized(bad))),
            "size"
        );
    }
    for bad in ["", "../x", "a b", "abc?size=1", "x/y", "ü"] {
        assert_eq!(
            field(user_avatar_url(Snowflake(1), bad, &CdnOptions::default())),
            "hash"
        );
    }
    assert_eq!(
        field(user_avatar_url(
            Snowflake(1),
            &"a".repeat(129),
            &CdnOptions::default()
        )),
        "hash"
    );
    assert_eq!("JPEG".parse::<ImageFormat>(), Ok(ImageFormat::Jpeg));
    assert_eq!(".webp".parse::<ImageFormat>(), Ok(ImageFormat::Webp));
    assert!(matches!(
        "bmp".parse::<ImageFormat>(),
        Err(InputError::Invalid {
            field: "format",
            ..
        })
    ));
    assert!(matches!(
        "".parse::<ImageFormat>(),
        Err(InputError::Invalid {
            field: "format",
            ..
        })
    ));
}

#[test]
fn other_endpoints() {
    let id = Snowflake(80_351_110_224_678_912);
    let guild: Guild = serde_json::from_str(crate::discord::models::tests::GUILD_EXAMPLE).unwrap();
    assert_eq!(
        guild_icon(&guild, &CdnOptions::default()).unwrap().unwrap(),
        "https://cdn.discordapp.com/icons/80351110224678912/8342729096ea3675442027381ff50dfe.png"
    );
    let mut no_icon = guild.clone();
    no_icon.icon = None;
    assert_eq!(guild_icon(&no_icon, &CdnOptions::default()).unwrap(), None);
    assert_eq!(
        guild_banner_url(id, "a_bb42", &CdnOptions::default()).unwrap(),
        "https://cdn.discordapp.com/banners/80351110224678912/a_bb42.gif"
    );
    let u: User = serde_json::from_str(crate::discord::models::tests::USER_EXAMPLE).unwrap();
    assert_eq!(
        banner_url(&u, &CdnOptions::sized(512)).unwrap().unwrap(),
        "https://cdn.discordapp.com/banners/80351110224678912/06c16474723fe537c283b8efa61a30c8.png?size=512"
    );
    assert_eq!(
        banner_url(&user(1, "0", None), &CdnOptions::default()).unwrap(),
        None
    );
    assert_eq!(
        guild_member_avatar_url(Snowflake(2), Snowflake(3), "abc", &CdnOptions::default()).unwrap(),
        "https://cdn.discordapp.com/guilds/2/users/3/avatars/abc.png"
    );
    assert_eq!(
        member_banner_url(Snowflake(2), Snowflake(3), "a_abc", &CdnOptions::default()).unwrap(),
        "https://cdn.discordapp.com/guilds/2/users/3/banners/a_abc.gif"
    );
    let gif = CdnOptions {
        size: None,
        format: Some(ImageFormat::Gif),
    };
    assert_eq!(
        application_icon_url(Snowflake(4), "f035", &CdnOptions::default()).unwrap(),
        "https://cdn.discordapp.com/app-icons/4/f035.png"
    );
    assert_eq!(
        field(application_icon_url(Snowflake(4), "a_f035", &gif)),
        "format"
    );
    assert!(
        application_icon_url(Snowflake(4), "a_f035", &CdnOptions::default())
            .unwrap()
            .ends_with(".png")
    );
    let deco = u.avatar_decoration_data.as_ref().unwrap();
    assert_eq!(
        avatar_decoration_preset_url(&deco.asset, &CdnOptions::default()).unwrap(),
        "https://cdn.discordapp.com/avatar-decoration-presets/a_fed43ab12698df65902ba06727e20c0e.png"
    );
    let webp = CdnOptions {
        size: None,
        format: Some(ImageFormat::Webp),
    };
    assert_eq!(
        field(avatar_decoration_preset_url(&deco.asset, &webp)),
        "format"
    );
}

#[test]
fn member_display_avatar() {
    let mut member: Member =
        serde_json::from_str(crate::discord::models::tests::MEMBER_EXAMPLE).unwrap();
    let fallback = member_display_avatar_url(Snowflake(9), &member, &CdnOptions::default())
        .unwrap()
        .unwrap();
    assert!(fallback.starts_with("https://cdn.discordapp.com/embed/avatars/"));
    member.avatar = Some("a_1".into());
    assert_eq!(
        member_display_avatar_url(Snowflake(9), &member, &CdnOptions::default())
            .unwrap()
            .unwrap(),
        "https://cdn.discordapp.com/guilds/9/users/80351110224678912/avatars/a_1.gif"
    );
    member.user = None;
    assert_eq!(
        member_display_avatar_url(Snowflake(9), &member, &CdnOptions::default()).unwrap(),
        None
    );
}

proptest::proptest! {
    #[test]
    fn never_panics(id: u64, disc in "\\PC{0,6}", hash in "\\PC{0,40}", size: u16) {
        let idx = default_avatar_index(Snowflake(id), &disc);
        proptest::prop_assert!(idx < 6);
        let _ = user_avatar_url(Snowflake(id), &hash, &CdnOptions::sized(size));
        let _ = avatar_decoration_preset_url(&hash, &CdnOptions::default());
        let _ = guild_tag_badge_image_url(Snowflake(id), &hash, &CdnOptions::sized(size));
    }
}
