//! The model helpers of the npm package, by the same names (in snake case), for Rust code:
//! `display_name`, `mention`, `accent_color_hex`, `is_connection_visible` and the CDN ones
//! re-exported from [`cdn`](super::cdn). The browser exports decide through the same core
//! functions ([`display_name_of`], [`mention_of`], [`color_hex`]), so both faces agree.

pub use super::cdn::{
    avatar_decoration_url, avatar_url, banner_url, guild_tag_badge_url, is_avatar_animated,
    member_avatar_url, member_display_avatar_url,
};
use super::models::{Connection, Member, User};
pub use super::models::{color_hex, display_name_of, mention_of};

/// A user or a guild member: what [`display_name`] and [`mention`] take.
pub trait UserOrMember {
    /// The guild nickname, for a member.
    fn nick(&self) -> Option<&str>;
    /// The user, when there is one (a member may leave it out).
    fn user(&self) -> Option<&User>;
}

impl UserOrMember for User {
    fn nick(&self) -> Option<&str> {
        None
    }
    fn user(&self) -> Option<&User> {
        Some(self)
    }
}

impl UserOrMember for Member {
    fn nick(&self) -> Option<&str> {
        self.nick.as_deref()
    }
    fn user(&self) -> Option<&User> {
        self.user.as_ref()
    }
}

/// The name to show: a member's `nick`, else `global_name`, else `username`; empty for a
/// member with neither nick nor user.
pub fn display_name<T: UserOrMember + ?Sized>(who: &T) -> &str {
    match who.user() {
        Some(u) => display_name_of(who.nick(), u.global_name.as_deref(), &u.username),
        None => who.nick().unwrap_or_default(),
    }
}

/// `<@id>`; `None` for a member that carries no user.
/// <https://discord.com/developers/docs/reference#message-formatting>
pub fn mention<T: UserOrMember + ?Sized>(who: &T) -> Option<String> {
    who.user().map(|u| mention_of(u.id))
}

/// The user's banner colour as `#rrggbb`; `None` without one.
pub fn accent_color_hex(user: &User) -> Option<String> {
    user.accent_color.map(color_hex)
}

/// Whether everyone may see the connection (visibility 1); 0 means only the user.
/// <https://discord.com/developers/docs/resources/user#connection-object-visibility-types>
pub fn is_connection_visible(connection: &Connection) -> bool {
    connection.is_visible()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discord::cdn::CdnOptions;
    use crate::discord::models::tests::{CONNECTION_EXAMPLE, MEMBER_EXAMPLE, USER_EXAMPLE};
    use crate::discord::snowflake::Snowflake;

    fn user(raw: &str) -> User {
        serde_json::from_str(raw).unwrap()
    }

    #[test]
    fn display_names() {
        let nelly = user(USER_EXAMPLE);
        assert_eq!(display_name(&nelly), "Nelly");
        let mut member: Member = serde_json::from_str(MEMBER_EXAMPLE).unwrap();
        assert_eq!(display_name(&member), "NOT API SUPPORT");
        assert_eq!(member.display_name(), "NOT API SUPPORT");
        member.nick = Some(String::new());
        assert_eq!(display_name(&member), "Nelly"); // the user's global_name
        member.nick = None;
        if let Some(u) = member.user.as_mut() {
            u.global_name = None;
        }
        assert_eq!(display_name(&member), "nelly"); // the username
        member.user = None;
        assert_eq!(display_name(&member), "");
        member.nick = Some("Nick".into());
        assert_eq!(display_name(&member), "Nick");
    }

    #[test]
    fn mentions() {
        assert_eq!(
            mention(&user(USER_EXAMPLE)).as_deref(),
            Some("<@80351110224678912>")
        );
        let mut member: Member = serde_json::from_str(MEMBER_EXAMPLE).unwrap();
        assert_eq!(mention(&member).as_deref(), Some("<@80351110224678912>"));
        member.user = None;
        assert_eq!(mention(&member), None);
        assert_eq!(mention_of(Snowflake(u64::MAX)), "<@18446744073709551615>");
    }

    #[test]
    fn accent_colours() {
        // The documented example's 16711680 is pure red.
        assert_eq!(
            accent_color_hex(&user(USER_EXAMPLE)).as_deref(),
            Some("#ff0000")
        );
        assert_eq!(color_hex(0), "#000000");
        assert_eq!(color_hex(0x5865f2), "#5865f2");
        assert_eq!(color_hex(0x0100_00ff), "#0000ff");
        let plain = user(r#"{"id":"1","username":"u","discriminator":"0","accent_color":null}"#);
        assert_eq!(accent_color_hex(&plain), None);
    }

    #[test]
    fn connection_visibility() {
        let c: Connection = serde_json::from_str(CONNECTION_EXAMPLE).unwrap();
        assert!(is_connection_visible(&c));
        let hidden: Connection = serde_json::from_str(
            &CONNECTION_EXAMPLE.replace("\"visibility\": 1", "\"visibility\": 0"),
        )
        .unwrap();
        assert!(!is_connection_visible(&hidden));
        let odd: Connection = serde_json::from_str(
            &CONNECTION_EXAMPLE.replace("\"visibility\": 1", "\"visibility\": 7"),
        )
        .unwrap();
        assert!(!is_connection_visible(&odd));
    }

    #[test]
    fn animated_hashes_and_member_avatars() {
        assert!(is_avatar_animated("a_1269e74af4df7417b13759eae50c83dc"));
        assert!(!is_avatar_animated("8342729096ea3675442027381ff50dfe"));
        assert!(!is_avatar_animated(""));
        let mut member: Member = serde_json::from_str(MEMBER_EXAMPLE).unwrap();
        let o = CdnOptions::default();
        assert_eq!(member_avatar_url(Snowflake(9), &member, &o).unwrap(), None);
        member.avatar = Some("abc".into());
        assert_eq!(
            member_avatar_url(Snowflake(9), &member, &o)
                .unwrap()
                .as_deref(),
            Some("https://cdn.discordapp.com/guilds/9/users/80351110224678912/avatars/abc.png")
        );
    }
}
