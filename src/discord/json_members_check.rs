// Shared by src/discord/oidc_tests.rs (the native codec) and tests/browser/oidc.rs (the
// browser's) through `include!`, so that both run one check over one fixture.

/// Runs json_members_fixture.json through the codec `J`'s `decode_members` and
/// `decode_list_members`.
fn check_members_fixture<J: JsonCodec>() {
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("json_members_fixture.json")).unwrap();
    let names = static_names(&fixture["names"]);
    let got = J::decode_members(fixture["document"].as_str().unwrap(), &names).unwrap();
    assert_eq!(found_members(&names, got), fixture["expected"]);
    for refused in fixture["refused"].as_array().unwrap() {
        let refused = refused.as_str().unwrap();
        assert!(
            J::decode_members(refused, &["iss"]).is_err(),
            "{refused}"
        );
    }

    // decode_list_members: the same for each object of an array member.
    let list = &fixture["list"];
    let names = static_names(&list["names"]);
    let array = &*String::leak(list["name"].as_str().unwrap().to_owned());
    let got = J::decode_list_members(list["document"].as_str().unwrap(), array, &names).unwrap();
    let found: Vec<serde_json::Value> = got
        .into_iter()
        .map(|item| found_members(&names, item))
        .collect();
    assert_eq!(serde_json::Value::Array(found), list["expected"]);
    for refused in list["refused"].as_array().unwrap() {
        let refused = refused.as_str().unwrap();
        assert!(
            J::decode_list_members(refused, array, &names).is_err(),
            "{refused}"
        );
    }
}

/// The fixture's member names, `'static` as the codecs take them (leaked: a test).
fn static_names(names: &serde_json::Value) -> Vec<&'static str> {
    names
        .as_array()
        .unwrap()
        .iter()
        .map(|n| &*String::leak(n.as_str().unwrap().to_owned()))
        .collect()
}

/// The members a codec found, as the JSON object the fixture expects (absent ones left out).
fn found_members(names: &[&'static str], got: Vec<Option<JsonValue>>) -> serde_json::Value {
    let found = names
        .iter()
        .zip(got)
        .filter_map(|(n, v)| Some(((*n).to_owned(), serde_json::to_value(v?).unwrap())))
        .collect();
    serde_json::Value::Object(found)
}
