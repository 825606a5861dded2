//! The consent page (`GET /oauth2/authorize` without `--auto-approve`) and error pages.

use serde_json::Value;

use crate::util::html_escape;

/// Every OAuth2 scope Discord documents, with the plain words the consent page shows.
/// <https://discord.com/developers/docs/topics/oauth2#shared-resources-oauth2-scopes>
pub const SCOPES: &[(&str, &str)] = &[
    (
        "activities.read",
        "See your \"Now Playing\" and \"Recently Played\" activity",
    ),
    ("activities.write", "Update your activity"),
    (
        "activities.invites.write",
        "Send activity invites on your behalf",
    ),
    ("account.global_name.update", "Update your display name"),
    (
        "applications.builds.read",
        "Read build data for your applications",
    ),
    (
        "applications.builds.upload",
        "Upload builds for your applications",
    ),
    ("applications.commands", "Use commands in a server"),
    ("applications.commands.update", "Update its own commands"),
    (
        "applications.commands.permissions.update",
        "Update permissions for its commands in your servers",
    ),
    (
        "applications.entitlements",
        "Read entitlements for your applications",
    ),
    (
        "applications.store.update",
        "Update store data for your applications",
    ),
    ("bot", "Add a bot to a server"),
    ("connections", "Access your third-party connections"),
    ("dm_channels.read", "See your direct messages and group DMs"),
    ("dm_channels.messages.read", "Read messages in your DMs"),
    ("dm_channels.messages.write", "Send messages in your DMs"),
    ("email", "Access your email address"),
    ("gdm.join", "Join group DMs for you"),
    ("guilds", "Know what servers you're in"),
    ("guilds.join", "Join servers for you"),
    (
        "guilds.members.read",
        "Read your member info (nickname, avatar, roles) in your servers",
    ),
    ("identify", "Access your username, avatar, and banner"),
    ("identify.premium", "Know your Nitro subscription type"),
    ("lobbies.write", "Create and join lobbies"),
    (
        "messages.read",
        "Read all messages in your client (local RPC)",
    ),
    ("openid", "Sign you in with OpenID Connect"),
    ("payment_sources.country_code", "Know your payment country"),
    ("presences.read", "See your presence"),
    ("presences.write", "Update your presence"),
    ("relationships.read", "Know who your friends are"),
    ("relationships.write", "Manage your friends"),
    (
        "role_connections.write",
        "Update your linked-roles connection metadata",
    ),
    ("rpc", "Control your Discord client (local RPC)"),
    ("rpc.activities.write", "Update your activity (local RPC)"),
    (
        "rpc.notifications.read",
        "Receive your notifications (local RPC)",
    ),
    ("rpc.voice.read", "Read your voice settings (local RPC)"),
    ("rpc.voice.write", "Update your voice settings (local RPC)"),
    ("sdk.social_layer", "Use the Social SDK on your behalf"),
    (
        "sdk.social_layer_presence",
        "Share your presence through the Social SDK",
    ),
    ("voice", "Connect to voice on your behalf"),
    ("webhook.incoming", "Create a webhook in a channel"),
];

/// Plain-words description of a scope.
pub fn describe(scope: &str) -> Option<&'static str> {
    SCOPES.iter().find(|(s, _)| *s == scope).map(|(_, d)| *d)
}

const STYLE: &str = "body{margin:0;min-height:100vh;display:flex;align-items:center;\
justify-content:center;background:#313338;color:#dbdee1;font:16px/1.4 system-ui,sans-serif}\
main{background:#2b2d31;border-radius:8px;padding:32px;width:min(440px,90vw);\
box-shadow:0 8px 24px #0008}h1{font-size:20px;color:#f2f3f5;margin:0 0 4px}\
.muted{color:#949ba4;font-size:13px}ul{padding-left:20px}li{margin:6px 0}\
fieldset{border:1px solid #3f4147;border-radius:6px;margin:16px 0}\
label{display:flex;align-items:center;gap:8px;margin:6px 0;cursor:pointer}\
img{border-radius:50%}select{width:100%;padding:6px;background:#1e1f22;color:#dbdee1}\
.buttons{display:flex;gap:12px;justify-content:flex-end;margin-top:24px}\
button{border:0;border-radius:4px;padding:10px 20px;font-size:14px;cursor:pointer}\
.cancel{background:transparent;color:#dbdee1}.approve{background:#5865f2;color:#fff}\
.banner{background:#f0b232;color:#111;border-radius:4px;padding:4px 8px;font-size:12px}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<link rel=\"icon\" href=\"data:,\">\
<title>{}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>",
        html_escape(title)
    )
}

/// An error page (unknown application, unregistered redirect URI, …).
pub fn error_page(title: &str, detail: &str) -> String {
    page(
        title,
        &format!(
            "<span class=\"banner\">discord-emulator</span><h1>{}</h1><p>{}</p>",
            html_escape(title),
            html_escape(detail)
        ),
    )
}

/// What the consent page needs to know.
pub struct ConsentView<'a> {
    /// Application name.
    pub app_name: &'a str,
    /// Requested scopes.
    pub scopes: &'a [String],
    /// Users to pick from.
    pub users: &'a [Value],
    /// User preselected.
    pub selected_user: &'a str,
    /// Guilds to pick from (for `bot` and `webhook.incoming`), as (id, name).
    pub guilds: Vec<(String, String)>,
    /// Guild preselected.
    pub selected_guild: Option<&'a str>,
    /// Where the user will be sent.
    pub redirect_uri: &'a str,
    /// The authorization parameters, carried in hidden fields.
    pub params: &'a [(String, String)],
}

/// The consent page: application name, scopes in plain words, a user picker, and Authorize
/// and Cancel buttons posting every parameter back to `/oauth2/authorize`.
pub fn consent_page(v: &ConsentView<'_>) -> String {
    let mut body = String::new();
    body.push_str("<span class=\"banner\">discord-emulator</span>");
    body.push_str(&format!(
        "<h1>{} wants to access your account</h1>",
        html_escape(v.app_name)
    ));
    body.push_str("<p class=\"muted\">This will allow the developer to:</p><ul>");
    for s in v.scopes {
        let words = describe(s).unwrap_or("Unknown permission");
        body.push_str(&format!(
            "<li>{} <span class=\"muted\">({})</span></li>",
            html_escape(words),
            html_escape(s)
        ));
    }
    body.push_str("</ul><form method=\"post\" action=\"/oauth2/authorize\">");
    for (k, val) in v.params {
        if k == "user_id" || k == "action" || (k == "guild_id" && !v.guilds.is_empty()) {
            continue;
        }
        body.push_str(&format!(
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
            html_escape(k),
            html_escape(val)
        ));
    }
    body.push_str("<fieldset><legend>Continue as</legend>");
    for u in v.users {
        let id = u["id"].as_str().unwrap_or_default();
        let username = u["username"].as_str().unwrap_or_default();
        let shown = u["global_name"].as_str().unwrap_or(username);
        let tag = match u["discriminator"].as_str() {
            Some(d) if d != "0" => format!("{username}#{d}"),
            _ => format!("@{username}"),
        };
        let avatar = match u["avatar"].as_str() {
            Some(h) => format!("/cdn/avatars/{id}/{h}.png?size=32"),
            // Default avatar index: (id >> 22) % 6 for new usernames, discriminator % 5 for
            // legacy ones (https://discord.com/developers/docs/reference#image-formatting).
            None => {
                let index = match u["discriminator"]
                    .as_str()
                    .and_then(|d| d.parse::<u64>().ok())
                {
                    Some(d) if d != 0 => d % 5,
                    _ => id.parse::<u64>().map(|n| (n >> 22) % 6).unwrap_or(0),
                };
                format!("/cdn/embed/avatars/{index}.png")
            }
        };
        let checked = if id == v.selected_user {
            " checked"
        } else {
            ""
        };
        body.push_str(&format!(
            "<label><input type=\"radio\" name=\"user_id\" value=\"{}\"{checked}>\
<img src=\"{}\" width=\"32\" height=\"32\" alt=\"\">{} <span class=\"muted\">{}</span></label>",
            html_escape(id),
            html_escape(&avatar),
            html_escape(shown),
            html_escape(&tag)
        ));
    }
    body.push_str("</fieldset>");
    if !v.guilds.is_empty() {
        body.push_str("<label for=\"guild_id\">Add to server:</label><select id=\"guild_id\" name=\"guild_id\">");
        for (id, name) in &v.guilds {
            let sel = if Some(id.as_str()) == v.selected_guild {
                " selected"
            } else {
                ""
            };
            body.push_str(&format!(
                "<option value=\"{}\"{sel}>{}</option>",
                html_escape(id),
                html_escape(name)
            ));
        }
        body.push_str("</select>");
    }
    body.push_str(&format!(
        "<p class=\"muted\">Once you authorize, you will be redirected to: {}</p>\
<div class=\"buttons\"><button class=\"cancel\" type=\"submit\" name=\"action\" value=\"cancel\">Cancel</button>\
<button class=\"approve\" type=\"submit\" name=\"action\" value=\"approve\">Authorize</button></div></form>",
        html_escape(v.redirect_uri)
    ));
    page(&format!("Authorize {}", v.app_name), &body)
}
