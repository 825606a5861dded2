//! Linked roles: a user's role connection and an application's role-connection metadata.
//! <https://discord.com/developers/docs/resources/user#application-role-connection-object>
//! <https://discord.com/developers/docs/resources/application-role-connection-metadata>
//!
//! Discord's limits are checked here, before sending, so that a bad value is an
//! [`InputError::Invalid`] naming the field rather than a 50035 "Invalid Form Body".
//! Lengths are counted in characters (Unicode scalar values), as Discord counts them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::discord::error::InputError;

/// Longest `platform_name`.
pub const MAX_PLATFORM_NAME: usize = 50;
/// Longest `platform_username`.
pub const MAX_PLATFORM_USERNAME: usize = 100;
/// Longest `metadata` value (stringified).
pub const MAX_METADATA_VALUE: usize = 100;
/// Most metadata records an application may have.
pub const MAX_METADATA_RECORDS: usize = 5;

/// The locales Discord accepts as keys of `name_localizations`/`description_localizations`.
/// <https://discord.com/developers/docs/reference#locales>
pub const LOCALES: &[&str] = &[
    "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl",
    "no", "pl", "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi", "th",
    "zh-CN", "ja", "zh-TW", "ko",
];

/// The role connection an application has attached to a user (`role_connections.write`).
/// Also the body of `PUT /users/@me/applications/{application.id}/role-connection`, where
/// every field is optional (absent fields are left out of the JSON).
/// <https://discord.com/developers/docs/resources/user#application-role-connection-object>
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationRoleConnection {
    /// The vanity name of the platform (max 50 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_name: Option<String>,
    /// The user's name on the platform (max 100 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_username: Option<String>,
    /// Metadata key → stringified value (max 100 characters), keys as in the application's
    /// metadata records. Integers as decimal, dates as ISO 8601, booleans as `"1"`/`"0"`.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

impl ApplicationRoleConnection {
    /// Checks Discord's limits: name lengths, at most 5 metadata entries, keys like metadata
    /// record keys, values of at most 100 characters.
    pub fn validate(&self) -> Result<(), InputError> {
        if let Some(name) = &self.platform_name {
            check_len("platform_name", name, 0, MAX_PLATFORM_NAME)?;
        }
        if let Some(name) = &self.platform_username {
            check_len("platform_username", name, 0, MAX_PLATFORM_USERNAME)?;
        }
        if self.metadata.len() > MAX_METADATA_RECORDS {
            return Err(invalid(
                "metadata",
                format!(
                    "at most {MAX_METADATA_RECORDS} entries, got {}",
                    self.metadata.len()
                ),
            ));
        }
        for (key, value) in &self.metadata {
            check_key("metadata", key)?;
            check_len("metadata", value, 0, MAX_METADATA_VALUE)?;
        }
        Ok(())
    }
}

int_enum! {
    /// How a metadata value compares with the value a guild configures.
    /// <https://discord.com/developers/docs/resources/application-role-connection-metadata#application-role-connection-metadata-object-application-role-connection-metadata-type>
    RoleConnectionMetadataType: u8 {
        /// The value (integer) is ≤ the guild's.
        IntegerLessThanOrEqual = 1,
        /// The value (integer) is ≥ the guild's.
        IntegerGreaterThanOrEqual = 2,
        /// The value (integer) equals the guild's.
        IntegerEqual = 3,
        /// The value (integer) differs from the guild's.
        IntegerNotEqual = 4,
        /// The value (ISO 8601) is at most the guild's number of days before today.
        DatetimeLessThanOrEqual = 5,
        /// The value (ISO 8601) is at least the guild's number of days before today.
        DatetimeGreaterThanOrEqual = 6,
        /// The value (integer) equals the guild's (`1`).
        BooleanEqual = 7,
        /// The value (integer) differs from the guild's (`1`).
        BooleanNotEqual = 8,
    }
}

/// One metadata record an application declares for linked roles (bot token).
/// <https://discord.com/developers/docs/resources/application-role-connection-metadata#application-role-connection-metadata-object>
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationRoleConnectionMetadata {
    /// How the value is compared.
    #[serde(rename = "type")]
    pub kind: RoleConnectionMetadataType,
    /// The key (`a-z`, `0-9`, `_`; 1–50 characters).
    pub key: String,
    /// The name (1–100 characters).
    pub name: String,
    /// Translations of the name, by locale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_localizations: Option<BTreeMap<String, String>>,
    /// The description (1–200 characters).
    pub description: String,
    /// Translations of the description, by locale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_localizations: Option<BTreeMap<String, String>>,
}

impl ApplicationRoleConnectionMetadata {
    /// Checks one record against Discord's limits.
    pub fn validate(&self) -> Result<(), InputError> {
        if let RoleConnectionMetadataType::Unknown(v) = self.kind {
            return Err(invalid("type", format!("must be 1 to 8, got {v}")));
        }
        check_key("key", &self.key)?;
        check_len("name", &self.name, 1, 100)?;
        check_len("description", &self.description, 1, 200)?;
        check_localizations("name_localizations", self.name_localizations.as_ref(), 100)?;
        check_localizations(
            "description_localizations",
            self.description_localizations.as_ref(),
            200,
        )?;
        Ok(())
    }

    /// Checks a full list for `PUT .../role-connections/metadata`: at most 5 records, each
    /// valid, keys unique.
    pub fn validate_all(records: &[ApplicationRoleConnectionMetadata]) -> Result<(), InputError> {
        if records.len() > MAX_METADATA_RECORDS {
            return Err(invalid(
                "records",
                format!(
                    "at most {MAX_METADATA_RECORDS} records, got {}",
                    records.len()
                ),
            ));
        }
        for (i, record) in records.iter().enumerate() {
            record.validate()?;
            if records[..i].iter().any(|r| r.key == record.key) {
                return Err(invalid("key", format!("duplicate key {:?}", record.key)));
            }
        }
        Ok(())
    }
}

fn invalid(field: &'static str, reason: String) -> InputError {
    InputError::Invalid { field, reason }
}

/// `min..=max` characters.
fn check_len(field: &'static str, value: &str, min: usize, max: usize) -> Result<(), InputError> {
    let n = value.chars().count();
    if n < min || n > max {
        return Err(invalid(
            field,
            format!("must be {min} to {max} characters, got {n}"),
        ));
    }
    Ok(())
}

/// A metadata key: `^[a-z0-9_]{1,50}$`.
fn check_key(field: &'static str, key: &str) -> Result<(), InputError> {
    check_len(field, key, 1, 50)?;
    if !key
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(invalid(
            field,
            format!("key {key:?} may hold only a-z, 0-9 and _"),
        ));
    }
    Ok(())
}

fn check_localizations(
    field: &'static str,
    map: Option<&BTreeMap<String, String>>,
    max: usize,
) -> Result<(), InputError> {
    for (locale, text) in map.into_iter().flatten() {
        if !LOCALES.contains(&locale.as_str()) {
            return Err(invalid(field, format!("unknown locale {locale:?}")));
        }
        check_len(field, text, 1, max)?;
    }
    Ok(())
}
