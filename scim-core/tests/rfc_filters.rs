//! Every filter printed in RFC 7644 §3.4.2.2, the PATCH paths of §3.5.2, and the
//! shapes Entra ID and Okta send, each checked against its expected AST.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use scim_core::{
    Filter,
    filter::{AttrPath, CompValue, CompareOp, FilterOptions, PatchPath},
};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn p(path: &str) -> AttrPath {
    path.parse().unwrap()
}

fn s(v: &str) -> CompValue {
    CompValue::String(v.into())
}

fn cmp(path: &str, op: CompareOp, value: CompValue) -> Filter {
    Filter::Compare {
        path: p(path),
        op,
        value,
    }
}

fn eq(path: &str, v: &str) -> Filter {
    cmp(path, CompareOp::Eq, s(v))
}

fn co(path: &str, v: &str) -> Filter {
    cmp(path, CompareOp::Co, s(v))
}

fn pr(path: &str) -> Filter {
    Filter::Present(p(path))
}

fn vp(path: &str, inner: Filter) -> Filter {
    Filter::ValuePath {
        path: p(path),
        filter: Box::new(inner),
    }
}

fn check(cases: Vec<(&str, Filter)>) {
    for (text, expected) in cases {
        let strict = Filter::parse_with(text, &FilterOptions::strict());
        assert_eq!(strict.as_ref(), Ok(&expected), "strict: {text}");
        assert_eq!(
            text.parse::<Filter>().as_ref(),
            Ok(&expected),
            "lenient: {text}"
        );
        // And the canonical text parses back to the same AST.
        assert_eq!(
            expected.to_string().parse::<Filter>(),
            Ok(expected.clone()),
            "{text}"
        );
    }
}

#[test]
fn rfc7644_section_3_4_2_2_examples() {
    let last_modified = |op| cmp("meta.lastModified", op, s("2011-05-13T04:42:34Z"));
    check(vec![
        (r#"userName eq "bjensen""#, eq("userName", "bjensen")),
        (
            r#"name.familyName co "O'Malley""#,
            co("name.familyName", "O'Malley"),
        ),
        (r#"userName sw "J""#, cmp("userName", CompareOp::Sw, s("J"))),
        (
            r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#,
            Filter::Compare {
                path: AttrPath::new("userName")
                    .with_urn("urn:ietf:params:scim:schemas:core:2.0:User"),
                op: CompareOp::Sw,
                value: s("J"),
            },
        ),
        ("title pr", pr("title")),
        (
            r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
            last_modified(CompareOp::Gt),
        ),
        (
            r#"meta.lastModified ge "2011-05-13T04:42:34Z""#,
            last_modified(CompareOp::Ge),
        ),
        (
            r#"meta.lastModified lt "2011-05-13T04:42:34Z""#,
            last_modified(CompareOp::Lt),
        ),
        (
            r#"meta.lastModified le "2011-05-13T04:42:34Z""#,
            last_modified(CompareOp::Le),
        ),
        (
            r#"title pr and userType eq "Employee""#,
            Filter::And(vec![pr("title"), eq("userType", "Employee")]),
        ),
        (
            r#"title pr or userType eq "Intern""#,
            Filter::Or(vec![pr("title"), eq("userType", "Intern")]),
        ),
        (
            r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
            eq("schemas", ENTERPRISE),
        ),
        (
            r#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
            Filter::And(vec![
                eq("userType", "Employee"),
                Filter::Or(vec![
                    co("emails", "example.com"),
                    co("emails.value", "example.org"),
                ]),
            ]),
        ),
        (
            r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
            Filter::And(vec![
                cmp("userType", CompareOp::Ne, s("Employee")),
                Filter::Not(Box::new(Filter::Or(vec![
                    co("emails", "example.com"),
                    co("emails.value", "example.org"),
                ]))),
            ]),
        ),
        (
            r#"userType eq "Employee" and (emails.type eq "work")"#,
            Filter::And(vec![eq("userType", "Employee"), eq("emails.type", "work")]),
        ),
        (
            r#"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#,
            Filter::And(vec![
                eq("userType", "Employee"),
                vp(
                    "emails",
                    Filter::And(vec![eq("type", "work"), co("value", "@example.com")]),
                ),
            ]),
        ),
        (
            r#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
            Filter::Or(vec![
                vp(
                    "emails",
                    Filter::And(vec![eq("type", "work"), co("value", "@example.com")]),
                ),
                vp(
                    "ims",
                    Filter::And(vec![eq("type", "xmpp"), co("value", "@foo.com")]),
                ),
            ]),
        ),
        // §3.4.3 (POST .search) example.
        (
            r#"displayName sw "smith""#,
            cmp("displayName", CompareOp::Sw, s("smith")),
        ),
    ]);
}

#[test]
fn entra_and_okta_shapes() {
    check(vec![
        (
            r#"userName eq "5f9c2b2e-0b8c-4f0a-9b5e-8d1f2c3a4b5c""#,
            eq("userName", "5f9c2b2e-0b8c-4f0a-9b5e-8d1f2c3a4b5c"),
        ),
        (
            r#"userName eq "Test_User_ABC@contoso.com""#,
            eq("userName", "Test_User_ABC@contoso.com"),
        ),
        (
            r#"externalId eq "0a21f0f2-8d2a-4f8e-8caf-8f6ad2a8b3b1""#,
            eq("externalId", "0a21f0f2-8d2a-4f8e-8caf-8f6ad2a8b3b1"),
        ),
        (
            r#"displayName eq "Sales Team""#,
            eq("displayName", "Sales Team"),
        ),
        (
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984""#,
            Filter::Compare {
                path: AttrPath::new("employeeNumber").with_urn(ENTERPRISE),
                op: CompareOp::Eq,
                value: s("701984"),
            },
        ),
        (
            r#"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#,
            vp(
                "members",
                eq("value", "2819c223-7f76-453a-919d-413861904646"),
            ),
        ),
    ]);
    // Entra's matching filter, outside the RFC grammar: lenient only.
    let entra = r#"emails[type eq "work"].value eq "bjensen@example.com""#;
    assert_eq!(
        entra.parse::<Filter>().unwrap(),
        vp(
            "emails",
            Filter::And(vec![eq("type", "work"), eq("value", "bjensen@example.com")])
        )
    );
    assert_eq!(
        Filter::parse_with(entra, &FilterOptions::strict())
            .unwrap_err()
            .offset,
        22
    );
    // Microsoft's samples: unquoted values, lenient only.
    assert_eq!(
        "externalId eq jyoung".parse::<Filter>().unwrap(),
        eq("externalId", "jyoung")
    );
    assert_eq!(
        Filter::parse_with("externalId eq jyoung", &FilterOptions::strict())
            .unwrap_err()
            .offset,
        14
    );
}

#[test]
fn form_decoded_query_strings() {
    let cases = [
        (
            "userName+eq+%22bjensen%40example.com%22",
            eq("userName", "bjensen@example.com"),
        ),
        (
            "emails%5Btype+eq+%22work%22%5D.value+eq+%22a%2Bb%40x.org%22",
            vp(
                "emails",
                Filter::And(vec![eq("type", "work"), eq("value", "a+b@x.org")]),
            ),
        ),
        (
            "displayName%20eq%20%22Sales%20Team%22",
            eq("displayName", "Sales Team"),
        ),
    ];
    for (query_value, expected) in cases {
        let query = format!("filter={query_value}&startIndex=1&count=100");
        let (_, text) = form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "filter")
            .unwrap();
        assert_eq!(text.parse::<Filter>(), Ok(expected), "{query_value}");
    }
}

#[test]
fn case_insensitive_keywords_and_whitespace() {
    let expected = Filter::Or(vec![
        Filter::And(vec![eq("userName", "x"), pr("title")]),
        Filter::Not(Box::new(eq("userType", "y"))),
    ]);
    for text in [
        r#"userName eq "x" and title pr or not (userType eq "y")"#,
        r#"USERNAME EQ "x" AND TITLE PR OR NOT (USERTYPE EQ "y")"#,
        "  userName   eq  \"x\"  And  title  Pr  oR  not(  userType eq \"y\"  )  ",
    ] {
        let got: Filter = text.parse().unwrap();
        // Names keep the client's spelling; compare case-insensitively through display.
        assert_eq!(
            got.to_string().to_lowercase(),
            expected.to_string().to_lowercase(),
            "{text}"
        );
    }
}

#[test]
fn rfc7644_section_3_5_2_patch_paths() {
    let cases = [
        ("members", AttrPath::new("members"), None, None),
        ("name.familyName", p("name.familyName"), None, None),
        (
            r#"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#,
            p("members"),
            Some(eq("value", "2819c223-7f76-453a-919d-413861904646")),
            None,
        ),
        (
            r#"emails[type eq "work" and value ew "example.com"]"#,
            p("emails"),
            Some(Filter::And(vec![
                eq("type", "work"),
                cmp("value", CompareOp::Ew, s("example.com")),
            ])),
            None,
        ),
        (
            r#"addresses[type eq "work"].streetAddress"#,
            p("addresses"),
            Some(eq("type", "work")),
            Some("streetAddress"),
        ),
        (
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
            AttrPath::new("manager")
                .with_urn(ENTERPRISE)
                .with_sub_attribute("value"),
            None,
            None,
        ),
    ];
    for (text, attribute, filter, sub) in cases {
        let got = PatchPath::parse_with(text, &FilterOptions::strict()).unwrap();
        let expected = PatchPath {
            attribute,
            filter,
            sub_attribute: sub.map(Into::into),
        };
        assert_eq!(got, expected, "{text}");
        assert_eq!(got.to_string().parse::<PatchPath>().unwrap(), got, "{text}");
    }
}

#[test]
fn rejected_inputs_name_their_offset() {
    let cases = [
        (r#"userName eq"#, 11),
        (r#"userName = "x""#, 9),
        (r#"userName eq "x" and"#, 19),
        (r#"(userName eq "x""#, 16),
        (r#"userName eq "x")"#, 15),
        (r#"not userName eq "x""#, 4),
        (r#"emails[type eq "work""#, 21),
        (r#"emails[type[value pr]]"#, 11),
        (r#"userName eq "unterminated"#, 25),
        (r#"userName eq "\u12G4""#, 15),
        (r#"userName eq 1e999"#, 12),
        (r#"9userName pr"#, 0),
        (r#"name.given.name pr"#, 10),
        (r#"userName pr and or title pr"#, 19),
    ];
    for (text, offset) in cases {
        let err = text.parse::<Filter>().unwrap_err();
        assert_eq!(err.offset, offset, "{text}: {err}");
        let scim: scim_core::ScimError = err.into();
        assert_eq!(
            scim.scim_type(),
            Some(scim_core::error::ScimType::InvalidFilter)
        );
        assert!(
            scim.detail().contains(&format!("byte {offset}")),
            "{}",
            scim.detail()
        );
    }
}
