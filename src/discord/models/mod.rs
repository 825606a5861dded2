//! Discord's resources as typed values, with Discord's own field names.
//!
//! Conventions, learned from Discord's documentation and from twilight-model:
//! - ids are [`Snowflake`](crate::discord::snowflake::Snowflake)s, strings on the wire;
//! - fields Discord may omit or send as `null` are `Option` with `#[serde(default)]`, and are
//!   left out when serializing if Discord marks them optional (`field?`), written as `null`
//!   if Discord always sends them (`field: ?type`);
//! - unknown fields are ignored (Discord adds fields without notice), so a newer payload
//!   still parses; serializing writes Discord's field names back;
//! - small integer enums keep values they do not know (`Unknown(n)`) instead of failing;
//! - timestamps stay ISO 8601 strings, as Discord sends them.

/// Declares a small integer enum that keeps unknown values (Discord adds values over time).
macro_rules! int_enum {
    (
        $(#[$meta:meta])*
        $name:ident: $repr:ty {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this crate does not know (yet); kept as sent.
            Unknown($repr),
        }

        impl $name {
            /// The integer Discord uses for this value.
            pub const fn value(self) -> $repr {
                match self {
                    $( $name::$variant => $value, )*
                    $name::Unknown(v) => v,
                }
            }

            /// The value for an integer; unknown integers are kept in `Unknown`.
            pub const fn from_value(v: $repr) -> Self {
                match v {
                    $( $value => $name::$variant, )*
                    other => $name::Unknown(other),
                }
            }
        }

        impl From<$repr> for $name {
            fn from(v: $repr) -> Self {
                $name::from_value(v)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                <$repr as serde::Serialize>::serialize(&self.value(), s)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                <$repr as serde::Deserialize>::deserialize(d).map($name::from_value)
            }
        }
    };
}

pub mod application;
pub mod authorization;
pub mod connection;
pub mod guild;
pub mod member;
pub mod role_connection;
pub mod user;
pub mod webhook;

pub use application::{
    Application, ExplicitContentFilter, InstallParams, IntegrationTypeConfig, MembershipState,
    Team, TeamMember,
};
pub use authorization::AuthorizationInfo;
pub use connection::{
    Connection, ConnectionVisibility, Integration, IntegrationAccount, IntegrationGuild,
};
pub use guild::Guild;
pub use member::{Member, MemberFlags};
pub use role_connection::{
    ApplicationRoleConnection, ApplicationRoleConnectionMetadata, RoleConnectionMetadataType,
};
pub use user::{
    AvatarDecorationData, Collectibles, Nameplate, PremiumType, PrimaryGuild, User, color_hex,
    display_name_of, mention_of,
};
pub use webhook::{Webhook, WebhookToken, WebhookType, WebhookUrl};

#[cfg(test)]
mod surface_tests;
#[cfg(test)]
pub(crate) mod tests;
