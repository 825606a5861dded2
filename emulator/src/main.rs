//! `discord-emulator`: serves a local stand-in for discord.com on loopback.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;

use discord_emulator::{AutoApprove, Config, Fixtures, LogSink};

const USAGE: &str = "\
discord-emulator: a local, offline stand-in for Discord's OAuth2 and user API

USAGE:
    discord-emulator [OPTIONS]

OPTIONS:
    --port PORT               Port to listen on (default 8790; 0 picks a free port)
    --host HOST               Address to bind (default 127.0.0.1)
    --fixtures FILE           JSON fixtures replacing the built-in set (schema: README.md)
    --auto-approve [USER_ID]  Approve authorizations at once, for USER_ID or the first user
    --events-url URL          POST signed Webhook Events (http://) here, for every application
                              whose fixture has no events_url
    --quiet                   Do not log requests to stderr
    --print-fixtures          Print the built-in fixtures as JSON and exit
    -h, --help                Print this help
    -V, --version             Print the version";

struct Args {
    host: IpAddr,
    port: u16,
    fixtures: Option<String>,
    auto_approve: AutoApprove,
    events_url: Option<String>,
    quiet: bool,
}

enum Parsed {
    Run(Args),
    Exit(String),
}

fn parse(mut argv: Vec<String>) -> Result<Parsed, String> {
    // Accept --opt=value as well as --opt value.
    argv = argv
        .into_iter()
        .flat_map(|a| match a.split_once('=') {
            Some((k, v)) if k.starts_with("--") => vec![k.to_owned(), v.to_owned()],
            _ => vec![a],
        })
        .collect();
    let mut args = Args {
        host: IpAddr::from([127, 0, 0, 1]),
        port: 8790,
        fixtures: None,
        auto_approve: AutoApprove::Off,
        events_url: None,
        quiet: false,
    };
    let mut it = argv.into_iter().peekable();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "-h" | "--help" => return Ok(Parsed::Exit(USAGE.to_owned())),
            "-V" | "--version" => {
                return Ok(Parsed::Exit(format!(
                    "discord-emulator {}",
                    env!("CARGO_PKG_VERSION")
                )));
            }
            "--print-fixtures" => {
                let text = serde_json::to_string_pretty(&Fixtures::default())
                    .map_err(|e| e.to_string())?;
                return Ok(Parsed::Exit(text));
            }
            "--port" => {
                let v = value("--port")?;
                args.port = v
                    .parse()
                    .map_err(|_| format!("--port: invalid port {v:?}"))?;
            }
            "--host" => {
                let v = value("--host")?;
                args.host = match v.as_str() {
                    "localhost" => IpAddr::from([127, 0, 0, 1]),
                    _ => v
                        .parse()
                        .map_err(|_| format!("--host: invalid address {v:?}"))?,
                };
            }
            "--fixtures" => args.fixtures = Some(value("--fixtures")?),
            "--events-url" => {
                let v = value("--events-url")?;
                if !discord_emulator::events::valid_url(&v) {
                    return Err(format!("--events-url: {v:?} is not an http:// URL"));
                }
                args.events_url = Some(v);
            }
            "--auto-approve" => {
                args.auto_approve = match it.next_if(|n| !n.starts_with('-')) {
                    Some(user) => AutoApprove::User(user),
                    None => AutoApprove::FirstUser,
                };
            }
            "--quiet" => args.quiet = true,
            other => return Err(format!("unknown argument {other:?}\n\n{USAGE}")),
        }
    }
    Ok(Parsed::Run(args))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

async fn run(args: Args) -> Result<(), String> {
    let mut fixtures = match &args.fixtures {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("--fixtures {path}: {e}"))?;
            Fixtures::from_json(&text)?
        }
        None => Fixtures::default(),
    };
    if let Some(url) = &args.events_url {
        fixtures.set_default_events_url(url);
    }
    let config = Config {
        fixtures,
        auto_approve: args.auto_approve,
        log: if args.quiet {
            LogSink::Silent
        } else {
            LogSink::Stderr
        },
    };
    config.validate()?;
    let listener = tokio::net::TcpListener::bind(SocketAddr::new(args.host, args.port))
        .await
        .map_err(|e| format!("cannot listen on {}:{}: {e}", args.host, args.port))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let shown = match addr.ip() {
        IpAddr::V6(ip) => format!("[{ip}]"),
        IpAddr::V4(ip) => ip.to_string(),
    };
    if !addr.ip().is_loopback() {
        eprintln!(
            "discord-emulator: warning: listening on a non-loopback address; the control API \
             under /_emulator/ has no authentication"
        );
    }
    let mut out = std::io::stdout();
    let _ = writeln!(
        out,
        "discord-emulator listening on http://{shown}:{}",
        addr.port()
    );
    let _ = out.flush();
    discord_emulator::serve_with_shutdown(listener, config, shutdown_signal())
        .await
        .map_err(|e| e.to_string())?;
    eprintln!("discord-emulator: shutting down");
    Ok(())
}

fn main() -> ExitCode {
    let parsed = match parse(std::env::args().skip(1).collect()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("discord-emulator: {e}");
            return ExitCode::from(2);
        }
    };
    let args = match parsed {
        Parsed::Exit(text) => {
            println!("{text}");
            return ExitCode::SUCCESS;
        }
        Parsed::Run(a) => a,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("discord-emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(args));
    // Do not wait for idle keep-alive connections.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("discord-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_args(list: &[&str]) -> Args {
        match parse(list.iter().map(|s| s.to_string()).collect()).unwrap() {
            Parsed::Run(a) => a,
            Parsed::Exit(_) => panic!("expected a run"),
        }
    }

    #[test]
    fn parses_the_documented_flags() {
        let a = run_args(&[]);
        assert_eq!((a.port, a.host.to_string()), (8790, "127.0.0.1".to_owned()));
        assert_eq!(a.auto_approve, AutoApprove::Off);
        let a = run_args(&["--port", "0", "--auto-approve", "--host", "::1"]);
        assert_eq!((a.port, a.auto_approve), (0, AutoApprove::FirstUser));
        assert!(a.host.is_loopback());
        let a = run_args(&[
            "--auto-approve",
            "80351110224678912",
            "--fixtures=f.json",
            "--quiet",
        ]);
        assert_eq!(
            a.auto_approve,
            AutoApprove::User("80351110224678912".into())
        );
        assert_eq!(a.fixtures.as_deref(), Some("f.json"));
        assert!(a.quiet);
        let a = run_args(&["--events-url", "http://127.0.0.1:8787/auth/events"]);
        assert_eq!(
            a.events_url.as_deref(),
            Some("http://127.0.0.1:8787/auth/events")
        );
        assert!(parse(vec!["--events-url".into(), "https://x.example/".into()]).is_err());
        assert!(parse(vec!["--port".into(), "x".into()]).is_err());
        assert!(parse(vec!["--port".into()]).is_err());
        assert!(matches!(parse(vec!["--help".into()]), Ok(Parsed::Exit(_))));
    }
}
