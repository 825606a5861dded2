//! Robustness: bad input never crashes, logs never hold secrets, and the binary's command line.

mod common;

use common::*;
use discord_emulator::Fixtures;
use serde_json::{Value, json};

#[tokio::test]
async fn log_lines_never_hold_tokens_or_queries() {
    let emu = start().await;
    let t = emu.login("identify", USER).await;
    let at = t["access_token"].as_str().unwrap();
    emu.bearer_get("/api/v10/users/@me?secret=querytext", at)
        .await;
    let lines = emu.logs.lock().unwrap().clone();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("GET /api/v10/users/@me 200 ") && l.ends_with("ms"))
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("POST /api/v10/oauth2/token 200"))
    );
    let all = lines.join("\n");
    for secret in [
        at,
        t["refresh_token"].as_str().unwrap(),
        CONFIDENTIAL_SECRET,
        "querytext",
    ] {
        assert!(!all.contains(secret), "{secret} leaked");
    }
}

#[tokio::test]
async fn bad_input_never_crashes() {
    let emu = start().await;
    let url = emu.url("/api/v10/oauth2/token");
    for (ct, body) in [
        ("application/x-www-form-urlencoded", b"%%%&&&==".to_vec()),
        (
            "application/x-www-form-urlencoded",
            b"grant_type=authorization_code&code=%ZZ".to_vec(),
        ),
        ("text/plain", b"grant_type=client_credentials".to_vec()),
        ("multipart/form-data; boundary=x", b"--x--".to_vec()),
    ] {
        let resp = emu
            .http
            .post(&url)
            .header("content-type", ct)
            .basic_auth(CONFIDENTIAL_APP, Some(CONFIDENTIAL_SECRET))
            .body(body)
            .send()
            .await
            .unwrap();
        let s = resp.status().as_u16();
        assert!((400..500).contains(&s), "{ct}: {s}");
        let _: Value = resp.json().await.unwrap();
    }
    // Oversized JSON to the bot API and to the control API.
    let big = "x".repeat(100 * 1024);
    let resp = emu
        .http
        .put(emu.url(&format!("/api/v10/guilds/{OWNED_GUILD}/members/{USER}")))
        .header("authorization", format!("Bot {BOT_TOKEN}"))
        .header("content-type", "application/json")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    let resp = emu
        .http
        .post(emu.url("/_emulator/faults"))
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    // The consent form as JSON, and odd paths.
    let resp = emu
        .http
        .post(emu.url("/oauth2/authorize"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    for path in [
        "/api/v10/users/@me/guilds/%FF%FE/member",
        "/api/v99999999999999999999/users/@me",
        "/%00",
        "/api/v10/guilds//members/",
    ] {
        let resp = emu
            .http
            .get(emu.url(path))
            .bearer_auth("x")
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_client_error(), "{path}");
    }
    assert_eq!(
        emu.http
            .get(emu.url("/_emulator/health"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[cfg(unix)]
#[tokio::test]
async fn binary_prints_its_address_and_stops_on_sigterm() {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_discord-emulator"))
        .args(["--port", "0", "--auto-approve", NELLY, "--quiet"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .unwrap();
        line
    })
    .await
    .unwrap();
    let base = line
        .trim_end()
        .strip_prefix("discord-emulator listening on ")
        .expect(&line)
        .to_owned();
    assert!(base.starts_with("http://127.0.0.1:") && !base.ends_with(":0"));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = http
        .get(format!(
            "{base}/oauth2/authorize?client_id={CONFIDENTIAL_APP}&response_type=code&scope=identify"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
    let pid = child.id().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert!(status.success());
    // Bad arguments exit with status 2; --print-fixtures prints valid fixtures.
    let bin = env!("CARGO_BIN_EXE_discord-emulator");
    let out = std::process::Command::new(bin)
        .arg("--bogus")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = std::process::Command::new(bin)
        .arg("--print-fixtures")
        .output()
        .unwrap();
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    Fixtures::from_json(&printed.to_string()).unwrap();
}
