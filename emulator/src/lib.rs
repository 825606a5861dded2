//! `discord-emulator`: a local, offline stand-in for discord.com's OAuth2 and user-facing API.
//!
//! Start it with [`serve`] (or [`serve_with_shutdown`]) on a bound listener; the binary wraps
//! this with a command line. Behaviour follows Discord's documentation; see `README.md` for
//! the routes, the control API under `/_emulator/` and the fixtures schema.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let config = discord_emulator::Config::default();
//! discord_emulator::serve(listener, config).await
//! # }
//! ```

#![warn(missing_docs)]
// Helpers return `Result<T, Response>` so handlers can answer early with Discord's error; a
// response is built at most once per request, so its size on the stack does not matter.
#![allow(clippy::result_large_err)]

use std::sync::{Arc, Mutex};

pub mod activity;
pub mod api;
pub mod app;
pub mod authorize;
pub mod bot;
pub mod cdn;
pub mod consent;
pub mod control;
pub mod cors;
pub mod errors;
pub mod events;
pub mod faults;
pub mod fixtures;
pub mod oidc;
pub mod ratelimit;
pub mod rolecon;
pub mod server;
pub mod state;
pub mod token;
pub mod util;

pub use fixtures::Fixtures;
pub use server::serve_with_shutdown;

/// `--auto-approve`: whether `GET /oauth2/authorize` approves at once, and for whom.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AutoApprove {
    /// Show the consent page.
    #[default]
    Off,
    /// Approve for the first fixture user.
    FirstUser,
    /// Approve for this user id.
    User(String),
}

impl AutoApprove {
    /// The user to approve for, if auto-approving.
    pub fn user(&self, st: &state::State) -> Option<String> {
        match self {
            AutoApprove::Off => None,
            AutoApprove::FirstUser => st.users[0]["id"].as_str().map(str::to_owned),
            AutoApprove::User(u) => Some(u.clone()),
        }
    }
}

/// Where the one-line-per-request log goes. Lines hold the method, the path without its
/// query, the status and the duration: never a token or a secret.
#[derive(Debug, Clone, Default)]
pub enum LogSink {
    /// Standard error (the binary's choice).
    #[default]
    Stderr,
    /// Nowhere.
    Silent,
    /// Kept in memory (for tests).
    Memory(Arc<Mutex<Vec<String>>>),
}

impl LogSink {
    /// Writes one line.
    pub fn line(&self, line: &str) {
        match self {
            LogSink::Stderr => eprintln!("discord-emulator: {line}"),
            LogSink::Silent => {}
            LogSink::Memory(lines) => lines
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(line.to_owned()),
        }
    }
}

/// Emulator configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Applications, users, guilds, … (the built-in set by default).
    pub fixtures: Fixtures,
    /// `--auto-approve`.
    pub auto_approve: AutoApprove,
    /// Request log destination.
    pub log: LogSink,
}

impl Config {
    /// Checks the configuration (fixtures, auto-approve user).
    pub fn validate(&self) -> Result<(), String> {
        self.fixtures.validate()?;
        if let AutoApprove::User(u) = &self.auto_approve
            && !self.fixtures.users.iter().any(|x| x["id"] == u.as_str())
        {
            return Err(format!("--auto-approve: no fixture user has id {u}"));
        }
        Ok(())
    }
}

/// Serves on `listener` until the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, config: Config) -> std::io::Result<()> {
    serve_with_shutdown(listener, config, std::future::pending()).await
}
