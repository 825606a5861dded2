//! Secrets as newtypes: their `Debug` prints `[redacted]`, and they are read only through
//! an explicit `secret()` call, so a token cannot end up in a log line by accident.

use std::fmt;

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                $name(value.into())
            }
            /// The secret itself; the only way to read it.
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

secret_type!(
    /// The application's client secret (Developer Portal, OAuth2 page).
    ClientSecret
);
secret_type!(
    /// An OAuth2 access token (Bearer).
    AccessToken
);
secret_type!(
    /// An OAuth2 refresh token; Discord rotates it on every refresh.
    RefreshToken
);
secret_type!(
    /// A bot token (`Authorization: Bot …`).
    BotToken
);
secret_type!(
    /// An OAuth2 authorization code from the redirect; single use, valid 10 minutes.
    AuthorizationCode
);
