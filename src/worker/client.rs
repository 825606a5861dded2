//! Library calls for a host Worker that mounts [`DiscordAuth`]: raw bot and Bearer requests,
//! the client credentials grant, the session user's role connection (linked roles) and the
//! application's role-connection metadata. Every call goes through the same transport
//! (timeout, rate-limit buckets) and, for Bearer calls, the same refresh as the `/api` routes.

use super::auth::{Ctx, DiscordAuth, now_ms, session_cookie};
use super::calls;
use super::log::Trace;
use super::respond::ApiError;
use super::transport::AnswerHeaders;
use super::{lifecycle, routes_api};
use super::{transport, validate};
use crate::discord::api::{self, Authorization, role_connections as rc};
use crate::discord::http::{Body, HttpRequest, HttpResponse, Method};
use crate::discord::json::SerdeJson;
use crate::discord::models::role_connection::{
    ApplicationRoleConnection, ApplicationRoleConnectionMetadata,
};
use crate::discord::scope::Scopes;
use crate::discord::secret::BotToken;
use crate::discord::snowflake::Snowflake;
use crate::discord::token::{self, TokenSet};
use worker::Request;

fn json_body(body: Option<&serde_json::Value>) -> Result<Option<Body>, ApiError> {
    body.map(|b| {
        serde_json::to_string(b)
            .map(Body::Json)
            .map_err(|e| ApiError::new(400, "invalid_request", e.to_string()))
    })
    .transpose()
}

fn core(e: crate::discord::Error) -> ApiError {
    calls::api_error(&e)
}

impl DiscordAuth {
    pub(crate) fn library_ctx(&self) -> Ctx<'_> {
        let trace = Trace::new("LIB", "library");
        trace.on_request(self.hooks.on_request.clone());
        Ctx {
            auth: self,
            trace,
            now: now_ms(),
            answer_headers: AnswerHeaders::All,
        }
    }

    fn bot(&self) -> Result<&BotToken, ApiError> {
        self.settings
            .bot_token
            .as_ref()
            .ok_or_else(|| ApiError::new(500, "config_error", "DISCORD_BOT_TOKEN is not set"))
    }

    pub(crate) fn application_id(&self) -> Result<Snowflake, ApiError> {
        validate::snowflake(&self.settings.client_id)
            .ok_or_else(|| ApiError::new(500, "config_error", "DISCORD_CLIENT_ID is not an id"))
    }

    async fn send_app(&self, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
        let ctx = self.library_ctx();
        transport::send(
            req,
            &ctx.trace,
            None,
            self.settings.upstream_timeout_ms,
            ctx.answer_headers,
        )
        .await
        .map_err(calls::transport_error)
    }

    /// A raw call with the bot token (`Authorization: Bot …`): `path` is relative to the API
    /// base (e.g. `/guilds/{id}/roles`). A 2xx answer is returned whole; any other status is
    /// the contract's error. <https://discord.com/developers/docs/reference#authentication>
    pub async fn bot_request(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<HttpResponse, ApiError> {
        let req = api::raw_request(
            &self.settings.api,
            Authorization::Bot(self.bot()?),
            method,
            path,
            json_body(body)?,
        )
        .map_err(|e| ApiError::new(400, "invalid_request", e.to_string()))?;
        let resp = self.send_app(&req).await?;
        calls::check(&resp).map_err(core)?;
        Ok(resp)
    }

    /// A raw call with the session's access token (`Authorization: Bearer …`), refreshed
    /// first when it is about to expire, and once more on a 401 (then retried once). No
    /// session: 401 `unauthorized`.
    pub async fn request(
        &self,
        req: &Request,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<HttpResponse, ApiError> {
        let body = json_body(body)?;
        let ctx = self.library_ctx();
        let mut session = self.current(req, &ctx).await?;
        let settings = &self.settings;
        let req = api::raw_request(
            &settings.api,
            Authorization::Bearer(&session.tokens.access_token),
            method,
            path,
            body,
        )
        .map_err(|e| ApiError::new(400, "invalid_request", e.to_string()))?;
        let resp = lifecycle::request(&ctx, &mut session, req).await?;
        calls::check(&resp).map_err(core)?;
        Ok(resp)
    }

    async fn current(&self, req: &Request, ctx: &Ctx<'_>) -> Result<super::Session, ApiError> {
        routes_api::current(ctx, session_cookie(req).as_deref()).await
    }

    /// The client credentials grant: a token for the application's owner (no refresh token).
    /// <https://discord.com/developers/docs/topics/oauth2#client-credentials-grant>
    pub async fn client_credentials(&self, scopes: &Scopes) -> Result<TokenSet, ApiError> {
        let req = calls::client_credentials(&self.settings, scopes)?;
        let resp = self.send_app(&req).await?;
        token::process_token_response::<SerdeJson>(&resp, now_ms()).map_err(core)
    }

    /// The session user's role connection for this application (`role_connections.write`).
    /// <https://discord.com/developers/docs/resources/user#get-current-user-application-role-connection>
    pub async fn role_connection(
        &self,
        req: &Request,
    ) -> Result<ApplicationRoleConnection, ApiError> {
        let app = self.application_id()?;
        let ctx = self.library_ctx();
        let mut session = self.current(req, &ctx).await?;
        let settings = &self.settings;
        let req = rc::get_user_role_connection(&settings.api, &session.tokens.access_token, app);
        let resp = lifecycle::request(&ctx, &mut session, req).await?;
        rc::process_user_role_connection::<SerdeJson>(&resp).map_err(core)
    }

    /// Replaces the session user's role connection for this application.
    /// <https://discord.com/developers/docs/resources/user#update-current-user-application-role-connection>
    pub async fn update_role_connection(
        &self,
        req: &Request,
        connection: &ApplicationRoleConnection,
    ) -> Result<ApplicationRoleConnection, ApiError> {
        let app = self.application_id()?;
        let ctx = self.library_ctx();
        let mut session = self.current(req, &ctx).await?;
        let settings = &self.settings;
        let req = rc::update_user_role_connection::<SerdeJson>(
            &settings.api,
            &session.tokens.access_token,
            app,
            connection,
        )
        .map_err(core)?;
        let resp = lifecycle::request(&ctx, &mut session, req).await?;
        rc::process_user_role_connection::<SerdeJson>(&resp).map_err(core)
    }

    /// The application's role-connection metadata records (bot token).
    /// <https://discord.com/developers/docs/resources/application-role-connection-metadata#get-application-role-connection-metadata-records>
    pub async fn role_connection_metadata(
        &self,
    ) -> Result<Vec<ApplicationRoleConnectionMetadata>, ApiError> {
        let req = rc::get_role_connection_metadata(
            &self.settings.api,
            self.bot()?,
            self.application_id()?,
        );
        let resp = self.send_app(&req).await?;
        rc::process_role_connection_metadata::<SerdeJson>(&resp).map_err(core)
    }

    /// Replaces the application's role-connection metadata records (at most 5; bot token).
    /// <https://discord.com/developers/docs/resources/application-role-connection-metadata#update-application-role-connection-metadata-records>
    pub async fn put_role_connection_metadata(
        &self,
        records: &[ApplicationRoleConnectionMetadata],
    ) -> Result<Vec<ApplicationRoleConnectionMetadata>, ApiError> {
        self.put_metadata_mapped(records, calls::api_error).await
    }

    /// [`put_role_connection_metadata`](Self::put_role_connection_metadata), with Discord's
    /// refusal answered by `map` (Linked Roles gives a 50035 its own code).
    pub(crate) async fn put_metadata_mapped(
        &self,
        records: &[ApplicationRoleConnectionMetadata],
        map: fn(&crate::discord::Error) -> ApiError,
    ) -> Result<Vec<ApplicationRoleConnectionMetadata>, ApiError> {
        let req = rc::update_role_connection_metadata::<SerdeJson>(
            &self.settings.api,
            self.bot()?,
            self.application_id()?,
            records,
        )
        .map_err(core)?;
        let resp = self.send_app(&req).await?;
        rc::process_role_connection_metadata::<SerdeJson>(&resp).map_err(|e| map(&e))
    }
}
