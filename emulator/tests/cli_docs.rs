//! The emulator as other projects adopt it (issue 17): `--help` documents every flag the
//! argument parser accepts, and emulator/README.md documents each of them too, says how to
//! install or run it in one line, and shows a CI job that starts it for another project's tests.

use std::collections::BTreeSet;
use std::process::Command;

const MAIN_RS: &str = include_str!("../src/main.rs");
const README: &str = include_str!("../README.md");

/// Every flag the parser matches on: the string literals of `parse`'s match arms that start
/// with `-` (e.g. `"-h" | "--help" =>`).
fn parsed_flags() -> BTreeSet<String> {
    let body = MAIN_RS
        .split("fn parse(")
        .nth(1)
        .and_then(|rest| rest.split("\nasync fn ").next())
        .expect("main.rs has fn parse");
    let mut flags = BTreeSet::new();
    for line in body.lines() {
        let line = line.trim();
        let Some((arms, _)) = line.split_once("=>") else {
            continue;
        };
        for part in arms.split('|') {
            let part = part.trim();
            if let Some(flag) = part.strip_prefix('"').and_then(|p| p.strip_suffix('"'))
                && flag.starts_with('-')
            {
                flags.insert(flag.to_owned());
            }
        }
    }
    flags
}

fn help_output() -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_discord-emulator"))
        .arg("--help")
        .output()
        .expect("run discord-emulator --help");
    assert!(out.status.success(), "--help exits 0");
    String::from_utf8(out.stdout).expect("utf-8 help")
}

/// Whether `text` names `flag` as a whole word (`--port` is not found inside `--portx`).
fn names(text: &str, flag: &str) -> bool {
    text.match_indices(flag).any(|(i, _)| {
        let next = text[i + flag.len()..].chars().next();
        !matches!(next, Some(c) if c.is_ascii_alphanumeric() || c == '-')
    })
}

#[test]
fn the_parser_knows_the_flags_this_test_expects() {
    let flags = parsed_flags();
    for f in [
        "--port",
        "--host",
        "--fixtures",
        "--auto-approve",
        "--quiet",
        "--help",
        "-h",
    ] {
        assert!(flags.contains(f), "parse() matches {f}: {flags:?}");
    }
}

#[test]
fn help_documents_every_flag_the_parser_accepts() {
    let help = help_output();
    let missing: Vec<_> = parsed_flags()
        .into_iter()
        .filter(|f| !names(&help, f))
        .collect();
    assert!(missing.is_empty(), "--help lacks {missing:?}:\n{help}");
}

#[test]
fn readme_documents_every_long_flag() {
    let missing: Vec<_> = parsed_flags()
        .into_iter()
        .filter(|f| f.starts_with("--") && !names(README, f))
        .collect();
    assert!(missing.is_empty(), "emulator/README.md lacks {missing:?}");
}

#[test]
fn readme_has_a_one_line_install_and_a_ci_job_that_starts_it() {
    assert!(
        README
            .lines()
            .any(|l| l.starts_with("cargo install") && l.contains("--path emulator")),
        "README: the one-line install (cargo install ... --path emulator)"
    );
    let yaml = README
        .split("```yaml")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("README has a ```yaml CI job");
    for needed in [
        "runs-on:",
        "discord-emulator",
        "--port",
        "EMULATOR_URL",
        "listening on",
    ] {
        assert!(yaml.contains(needed), "the CI job mentions {needed:?}");
    }
    assert!(
        !yaml.contains("curl -L") && !yaml.contains("releases/download"),
        "the CI job builds the emulator from source; it downloads no binary"
    );
}
