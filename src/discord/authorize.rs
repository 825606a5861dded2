//! The authorize URL: where the browser is sent so the user can consent.
//!
//! Every parameter Discord documents
//! (<https://discord.com/developers/docs/topics/oauth2#authorization-code-grant>,
//! <https://discord.com/developers/docs/topics/oauth2#implicit-grant>,
//! <https://discord.com/developers/docs/topics/oauth2#bot-authorization-flow>): `response_type`,
//! `client_id`, `scope`, `state`, `redirect_uri`, `prompt`, `integration_type`, `permissions`,
//! `guild_id`, `disable_guild_select`, and PKCE's `code_challenge` +
//! `code_challenge_method=S256`. [`AuthorizeRequest::build`] refuses the combinations the
//! docs rule out (each check below cites its section), so a mistake shows up as a typed
//! [`InputError`] in the integrator's code, not as an error page on discord.com.

use crate::discord::callback::is_snowflake;
use crate::discord::config::DEFAULT_AUTHORIZE_URL;
use crate::discord::error::InputError;
use crate::discord::pkce::PkceCodeChallenge;
use crate::discord::scope::{Scope, Scopes};
use crate::discord::state::State;

/// `response_type`: which grant the redirect completes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseType {
    /// `code`: authorization code grant (with PKCE in the browser); the default.
    Code,
    /// `token`: implicit grant; the token comes back in the URL fragment, never with a
    /// refresh token.
    Token,
}

impl ResponseType {
    /// The parameter value.
    pub const fn as_str(self) -> &'static str {
        match self {
            ResponseType::Code => "code",
            ResponseType::Token => "token",
        }
    }
}

/// `prompt`: how an existing authorization is handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prompt {
    /// `consent`: ask again even if the user already authorized these scopes.
    Consent,
    /// `none`: skip the screen if the user already authorized these scopes. With the
    /// passthrough scopes `bot` and `webhook.incoming` Discord always shows the screen
    /// anyway ("authorization is always required" for them); the URL is still built as
    /// asked, since Discord accepts it.
    /// <https://discord.com/developers/docs/topics/oauth2#authorization-code-grant>
    None,
}

impl Prompt {
    /// The parameter value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Prompt::Consent => "consent",
            Prompt::None => "none",
        }
    }
}

/// `integration_type`: the installation context, for `applications.commands`.
/// <https://discord.com/developers/docs/resources/application#installation-context>
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntegrationType {
    /// `0`: install to a server.
    GuildInstall,
    /// `1`: install to the user's account.
    UserInstall,
}

impl IntegrationType {
    /// The parameter value.
    pub const fn as_str(self) -> &'static str {
        match self {
            IntegrationType::GuildInstall => "0",
            IntegrationType::UserInstall => "1",
        }
    }
}

/// A builder for the authorize URL. Start with [`AuthorizeRequest::new`] (code grant, the
/// default authorize endpoint), chain setters, then [`build`](Self::build).
#[derive(Clone, Debug)]
pub struct AuthorizeRequest {
    base_url: String,
    client_id: String,
    scopes: Scopes,
    response_type: Option<ResponseType>,
    state: Option<State>,
    redirect_uri: Option<String>,
    prompt: Option<Prompt>,
    permissions: Option<u64>,
    guild_id: Option<String>,
    disable_guild_select: Option<bool>,
    integration_type: Option<IntegrationType>,
    code_challenge: Option<PkceCodeChallenge>,
    nonce: Option<crate::discord::oidc::Nonce>,
    extra: Vec<(String, String)>,
}

/// The authorize parameters [`AuthorizeRequest`] sets itself; [`AuthorizeRequest::param`] may
/// not name them (reserved: they carry the client, the redirect and the security checks).
pub const OWNED_PARAMS: &[&str] = &[
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "nonce",
    "prompt",
    "permissions",
    "guild_id",
    "disable_guild_select",
    "integration_type",
];

fn invalid(field: &'static str, reason: &str) -> InputError {
    InputError::Invalid {
        field,
        reason: reason.to_owned(),
    }
}

impl AuthorizeRequest {
    /// An authorization code request (`response_type=code`) for `client_id` and `scopes`,
    /// against [`DEFAULT_AUTHORIZE_URL`].
    pub fn new(client_id: impl Into<String>, scopes: Scopes) -> Self {
        AuthorizeRequest {
            base_url: DEFAULT_AUTHORIZE_URL.to_owned(),
            client_id: client_id.into(),
            scopes,
            response_type: Some(ResponseType::Code),
            state: None,
            redirect_uri: None,
            prompt: None,
            permissions: None,
            guild_id: None,
            disable_guild_select: None,
            integration_type: None,
            code_challenge: None,
            nonce: None,
            extra: Vec::new(),
        }
    }

    /// Another authorize endpoint (the emulator's, a proxy's).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The grant: [`ResponseType::Code`] (default) or [`ResponseType::Token`] (implicit).
    pub fn response_type(mut self, response_type: ResponseType) -> Self {
        self.response_type = Some(response_type);
        self
    }

    /// The bot authorization flow without a redirect: no `response_type`. Discord allows this
    /// only when the scopes are `bot` and/or `applications.commands`.
    /// <https://discord.com/developers/docs/topics/oauth2#bot-authorization-flow>
    pub fn without_response_type(mut self) -> Self {
        self.response_type = None;
        self
    }

    /// The `state` to be echoed back (generate it with [`State::generate`] and store it).
    pub fn state(mut self, state: &State) -> Self {
        self.state = Some(state.clone());
        self
    }

    /// The `redirect_uri`, one registered in the Developer Portal. Without it Discord uses the
    /// first registered one.
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uri = Some(uri.into());
        self
    }

    /// `prompt`.
    pub fn prompt(mut self, prompt: Prompt) -> Self {
        self.prompt = Some(prompt);
        self
    }

    /// `permissions` for the bot, as a bit set (sent in decimal). Needs the `bot` scope.
    pub fn permissions(mut self, permissions: u64) -> Self {
        self.permissions = Some(permissions);
        self
    }

    /// `guild_id`: preselects a guild in the picker.
    pub fn guild_id(mut self, guild_id: impl Into<String>) -> Self {
        self.guild_id = Some(guild_id.into());
        self
    }

    /// `disable_guild_select`: forbids changing the preselected guild (needs `guild_id`).
    pub fn disable_guild_select(mut self, disable: bool) -> Self {
        self.disable_guild_select = Some(disable);
        self
    }

    /// `integration_type`: guild (0) or user (1) install.
    pub fn integration_type(mut self, integration_type: IntegrationType) -> Self {
        self.integration_type = Some(integration_type);
        self
    }

    /// PKCE: adds `code_challenge` and `code_challenge_method=S256` (code grant only).
    pub fn pkce(mut self, challenge: &PkceCodeChallenge) -> Self {
        self.code_challenge = Some(challenge.clone());
        self
    }

    /// Any further authorize parameter Discord documents or adds later, by name (for example
    /// `channel_id` of the `webhook.incoming` flow); the last value given for a name wins.
    /// The parameters this builder owns (`client_id`, `redirect_uri`, `response_type`, `scope`,
    /// `state`, `code_challenge`, `code_challenge_method`, `nonce`, and the typed ones above)
    /// are refused by [`build`](Self::build), so that no caller can override them this way.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        self.extra.retain(|(n, _)| *n != name);
        self.extra.push((name, value.into()));
        self
    }

    /// OpenID Connect: adds `nonce`, which Discord echoes in the id_token (send one whenever
    /// `openid` is asked for; docs/oidc.md).
    pub fn nonce(mut self, nonce: &crate::discord::oidc::Nonce) -> Self {
        self.nonce = Some(nonce.clone());
        self
    }

    /// Checks the combination against Discord's documentation and builds the URL.
    pub fn build(&self) -> Result<String, InputError> {
        self.check()?;
        let mut q = form_urlencoded::Serializer::new(String::new());
        if let Some(rt) = self.response_type {
            q.append_pair("response_type", rt.as_str());
        }
        q.append_pair("client_id", &self.client_id);
        q.append_pair("scope", &self.scopes.joined());
        if let Some(state) = &self.state {
            q.append_pair("state", state.secret());
        }
        if let Some(uri) = &self.redirect_uri {
            q.append_pair("redirect_uri", uri);
        }
        if let Some(prompt) = self.prompt {
            q.append_pair("prompt", prompt.as_str());
        }
        if let Some(it) = self.integration_type {
            q.append_pair("integration_type", it.as_str());
        }
        if let Some(p) = self.permissions {
            let mut bits = String::new();
            crate::discord::snowflake::push_decimal(&mut bits, p);
            q.append_pair("permissions", &bits);
        }
        if let Some(g) = &self.guild_id {
            q.append_pair("guild_id", g);
        }
        if let Some(d) = self.disable_guild_select {
            q.append_pair("disable_guild_select", if d { "true" } else { "false" });
        }
        if let Some(c) = &self.code_challenge {
            q.append_pair("code_challenge", c.as_str());
            q.append_pair("code_challenge_method", c.method());
        }
        if let Some(n) = &self.nonce {
            q.append_pair("nonce", n.secret());
        }
        for (name, value) in &self.extra {
            q.append_pair(name, value);
        }
        // Discord's examples separate scopes with `%20`; the form encoder writes a space as
        // `+` (and a literal `+` as `%2B`), so this swap is exact.
        let query = q.finish().replace('+', "%20");
        let sep = if self.base_url.contains('?') {
            '&'
        } else {
            '?'
        };
        let mut url = String::with_capacity(self.base_url.len() + 1 + query.len());
        url.push_str(&self.base_url);
        url.push(sep);
        url.push_str(&query);
        Ok(url)
    }

    fn check(&self) -> Result<(), InputError> {
        for (name, _) in &self.extra {
            if OWNED_PARAMS.contains(&name.as_str()) {
                return Err(invalid("param", "is a parameter the builder sets itself"));
            }
            let valid = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
            if !valid {
                return Err(invalid("param", "names must be letters, digits, _ . or -"));
            }
        }
        let has = |s: Scope| self.scopes.contains(s);
        if self.base_url.is_empty()
            || self.base_url.contains('#')
            || has_space_or_control(&self.base_url)
        {
            return Err(invalid(
                "authorize_url",
                "must be an absolute URL without a fragment",
            ));
        }
        if self.client_id.is_empty() || !self.client_id.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(invalid("client_id", "must be the application id"));
        }
        if self.scopes.is_empty() {
            return Err(invalid("scope", "at least one scope is required"));
        }
        if let Some(uri) = &self.redirect_uri {
            // RFC 6749 §3.1.2: the redirection endpoint URI MUST NOT include a fragment.
            if uri.is_empty() || uri.contains('#') || has_space_or_control(uri) {
                return Err(invalid(
                    "redirect_uri",
                    "must be a registered absolute URI without a fragment",
                ));
            }
        }
        match self.response_type {
            // "If you request any scopes outside of bot and applications.commands,
            // response_type is again mandatory."
            // https://discord.com/developers/docs/topics/oauth2#advanced-bot-authorization
            None => {
                if self
                    .scopes
                    .iter()
                    .any(|s| !matches!(s, Scope::Bot | Scope::ApplicationsCommands))
                {
                    return Err(invalid(
                        "response_type",
                        "is required when scopes other than bot and applications.commands are requested",
                    ));
                }
            }
            Some(ResponseType::Token) => {
                // "role_connections.write cannot be used with the Implicit grant type."
                // https://discord.com/developers/docs/topics/oauth2#shared-resources-oauth2-scopes
                // `webhook.incoming` returns the webhook "in the oauth token response for
                // authorization code grants" and `bot` with more scopes continues "into a
                // complete authorization code grant flow" (#webhooks,
                // #advanced-bot-authorization): a fragment cannot carry the guild or webhook.
                for scope in [
                    Scope::RoleConnectionsWrite,
                    Scope::WebhookIncoming,
                    Scope::Bot,
                ] {
                    if has(scope) {
                        return Err(InputError::Invalid {
                            field: "scope",
                            reason: [
                                "`",
                                scope.as_str(),
                                "` cannot be used with the implicit grant",
                            ]
                            .concat(),
                        });
                    }
                }
            }
            Some(ResponseType::Code) => {}
        }
        // PKCE (RFC 7636) protects the code exchange; the implicit and bot-only flows have none.
        if self.code_challenge.is_some() && self.response_type != Some(ResponseType::Code) {
            return Err(invalid(
                "code_challenge",
                "PKCE applies only to response_type=code",
            ));
        }
        // `prompt=none` with `bot` or `webhook.incoming` is sent as asked: "for passthrough
        // scopes, like bot and webhook.incoming, authorization is always required", so Discord
        // accepts the URL and simply shows the consent screen for them (see [`Prompt::None`]).
        // https://discord.com/developers/docs/topics/oauth2#authorization-code-grant
        // `permissions` is "the permissions you're requesting" for the bot.
        // https://discord.com/developers/docs/topics/oauth2#bot-authorization-flow-bot-auth-parameters
        if self.permissions.is_some() && !has(Scope::Bot) {
            return Err(invalid("permissions", "applies only with the bot scope"));
        }
        // `guild_id` and `disable_guild_select` drive the guild picker, shown when something
        // is installed into a guild: the bot, commands (guild install) or an incoming webhook.
        let guild_picker =
            has(Scope::Bot) || has(Scope::WebhookIncoming) || has(Scope::ApplicationsCommands);
        if let Some(g) = &self.guild_id {
            if !is_snowflake(g) {
                return Err(invalid("guild_id", "must be a guild id (a snowflake)"));
            }
            if !guild_picker {
                return Err(invalid(
                    "guild_id",
                    "applies only with the bot, applications.commands or webhook.incoming scope",
                ));
            }
        }
        if self.disable_guild_select.is_some() && self.guild_id.is_none() {
            return Err(invalid(
                "disable_guild_select",
                "needs a guild_id to lock the picker to",
            ));
        }
        // "The installation context ... is only relevant when scope contains
        // applications.commands" (`bot` implies it).
        // https://discord.com/developers/docs/topics/oauth2#authorization-code-grant
        if let Some(it) = self.integration_type {
            if !has(Scope::ApplicationsCommands) && !has(Scope::Bot) {
                return Err(invalid(
                    "integration_type",
                    "applies only with the applications.commands scope",
                ));
            }
            // A user install has no guild: no bot, no webhook, no guild parameters.
            if it == IntegrationType::UserInstall
                && (has(Scope::Bot)
                    || has(Scope::WebhookIncoming)
                    || self.permissions.is_some()
                    || self.guild_id.is_some())
            {
                return Err(invalid(
                    "integration_type",
                    "a user install (1) cannot carry the bot or webhook.incoming scope, permissions or guild_id",
                ));
            }
        }
        Ok(())
    }
}

fn has_space_or_control(s: &str) -> bool {
    s.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
#[path = "authorize_tests.rs"]
mod tests;
