//! The webhook that a `webhook.incoming` authorization creates, found in the token response.
//! <https://discord.com/developers/docs/topics/oauth2#webhooks>

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::discord::snowflake::Snowflake;

/// The webhook's token: whoever has it can post as the webhook, so `Debug` prints
/// `[redacted]` and the value is read only through [`WebhookToken::secret`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WebhookToken(String);

/// The webhook's execute URL, which embeds its token: redacted like [`WebhookToken`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WebhookUrl(String);

macro_rules! secret_string {
    ($name:ident) => {
        impl $name {
            /// Wraps the secret value.
            pub fn new(value: impl Into<String>) -> Self {
                $name(value.into())
            }
            /// The secret itself; the only way to read it. Do not log it.
            pub fn secret(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

secret_string!(WebhookToken);
secret_string!(WebhookUrl);

/// A webhook, as the `webhook` field of a `webhook.incoming` token response.
/// Store `id` and `token` to execute it later.
/// <https://discord.com/developers/docs/resources/webhook#webhook-object>
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    /// The webhook id.
    pub id: Snowflake,
    /// The webhook type (1: incoming).
    #[serde(rename = "type")]
    pub kind: WebhookType,
    /// The guild the webhook posts to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guild_id: Option<Snowflake>,
    /// The channel the webhook posts to.
    #[serde(default)]
    pub channel_id: Option<Snowflake>,
    /// The default name.
    #[serde(default)]
    pub name: Option<String>,
    /// The default avatar hash.
    #[serde(default)]
    pub avatar: Option<String>,
    /// The secure token (incoming webhooks). Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<WebhookToken>,
    /// The application that created the webhook.
    #[serde(default)]
    pub application_id: Option<Snowflake>,
    /// The execute URL (holds the token). Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<WebhookUrl>,
}

int_enum! {
    /// The kind of webhook.
    /// <https://discord.com/developers/docs/resources/webhook#webhook-object-webhook-types>
    WebhookType: u8 {
        /// Posts messages to a channel with a token.
        Incoming = 1,
        /// Internal: posts messages from followed announcement channels.
        ChannelFollower = 2,
        /// Used with interactions.
        Application = 3,
    }
}
