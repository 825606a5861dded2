//! The one error vocabulary (`docs/errors.md`): every code the Worker can answer with is an
//! [`ErrorCode`] or a [`WorkerCode`], and the package's `.d.ts` union lists exactly those.
use crate::discord::error::{ErrorCode, WorkerCode, is_known_code};
use std::path::Path;

/// The string literals that stand where an error code goes in the Worker's sources:
/// `ApiError::new(status, "code"`, `respond::error(status, "code"`, `code: "code"` (the log
/// line's own markers, such as `auth_error` for a login Discord refused, are not answers).
fn codes_in(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    for marker in ["ApiError::new(", "respond::error(", "code: "] {
        let mut rest = source;
        while let Some(at) = rest.find(marker) {
            rest = &rest[at + marker.len()..];
            // Skip a status argument, then whitespace, to the literal if there is one.
            let mut arg = rest.trim_start();
            if let Some(after_comma) = arg
                .split_once(',')
                .filter(|(status, _)| {
                    status
                        .trim()
                        .chars()
                        .all(|c| c.is_ascii_digit() || c == '_')
                })
                .map(|(_, after)| after)
            {
                arg = after_comma.trim_start();
            }
            if let Some(lit) = arg.strip_prefix('"') {
                let end = lit.find('"').unwrap_or(0);
                let code = &lit[..end];
                if !code.is_empty() && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                    out.push(code.to_owned());
                }
            }
        }
    }
    out
}

fn worker_sources() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/worker");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .filter(|p| !p.file_name().unwrap().to_string_lossy().contains("tests"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect()
}

#[test]
fn every_code_the_worker_answers_with_is_in_the_vocabulary() {
    let mut seen = 0;
    for (file, source) in worker_sources() {
        for code in codes_in(&source) {
            seen += 1;
            assert!(
                is_known_code(&code),
                "{file}: `{code}` is in neither ErrorCode nor WorkerCode"
            );
        }
    }
    assert!(seen > 20, "the scan found only {seen} codes: it is broken");
}

#[test]
fn the_scan_catches_an_unlisted_code() {
    let found = codes_in(
        r#"Err(ApiError::new(403, "made_up_code", "x")); respond::error(400, "another_one", m);"#,
    );
    assert_eq!(found, ["made_up_code", "another_one"]);
    assert!(!is_known_code("made_up_code"));
}

#[test]
fn the_typescript_union_lists_exactly_the_vocabulary() {
    let typings = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src/browser/typings.rs"),
    )
    .unwrap();
    let start = typings
        .find("export type DiscordOAuthErrorCode =")
        .expect("the union");
    let union = &typings[start..start + typings[start..].find(';').unwrap()];
    let mut listed: Vec<&str> = union.split('"').skip(1).step_by(2).collect();
    let mut expected: Vec<&str> = ErrorCode::ALL
        .iter()
        .map(|c| c.as_str())
        .chain(WorkerCode::ALL.iter().map(|c| c.as_str()))
        .collect();
    listed.sort_unstable();
    expected.sort_unstable();
    assert_eq!(listed, expected);
}
