//! Table-driven tests of each grammar rule.

use super::lexical::{attr_name, name_char};
use super::*;

fn s(v: &str) -> CompValue {
    CompValue::String(v.into())
}

fn cmp(path: &str, op: CompareOp, value: CompValue) -> Filter {
    Filter::Compare {
        path: path.parse().unwrap(),
        op,
        value,
    }
}

fn pr(path: &str) -> Filter {
    Filter::Present(path.parse().unwrap())
}

fn lenient() -> FilterOptions {
    FilterOptions::default()
}

#[test]
fn compare_op_table() {
    let cases = [
        ("eq", Some(CompareOp::Eq)),
        ("NE", Some(CompareOp::Ne)),
        ("Co", Some(CompareOp::Co)),
        ("sW", Some(CompareOp::Sw)),
        ("ew", Some(CompareOp::Ew)),
        ("gt", Some(CompareOp::Gt)),
        ("lt", Some(CompareOp::Lt)),
        ("ge", Some(CompareOp::Ge)),
        ("le", Some(CompareOp::Le)),
        ("eq\"x\"", Some(CompareOp::Eq)),
        ("eqx", None),
        ("e", None),
        ("xx", None),
        ("", None),
    ];
    for (input, expected) in cases {
        assert_eq!(
            compare_op(input).ok().map(|(_, op)| op),
            expected,
            "{input:?}"
        );
    }
}

#[test]
fn attr_name_name_char_and_sub_attr_table() {
    assert_eq!(attr_name("userName rest"), Ok((" rest", "userName")));
    assert_eq!(attr_name("x-y_z9."), Ok((".", "x-y_z9")));
    assert_eq!(attr_name("$ref"), Ok(("", "$ref")));
    assert!(attr_name("9abc").is_err());
    assert!(attr_name("-abc").is_err());
    assert_eq!(name_char("-a"), Ok(("a", '-')));
    assert_eq!(name_char("_"), Ok(("", '_')));
    assert!(name_char(".").is_err());
    assert_eq!(sub_attr(".givenName x"), Ok((" x", "givenName")));
    assert!(sub_attr("givenName").is_err());
    assert!(matches!(sub_attr(".9"), Err(nom::Err::Failure(_))));
}

#[test]
fn attr_path_table() {
    type Parts<'a> = Option<(Option<&'a str>, &'a str, Option<&'a str>)>;
    let cases: [(&str, Parts<'_>); 9] = [
        ("userName", Some((None, "userName", None))),
        ("name.familyName", Some((None, "name", Some("familyName")))),
        (
            "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName",
            Some((
                Some("urn:ietf:params:scim:schemas:core:2.0:User"),
                "name",
                Some("givenName"),
            )),
        ),
        (
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
            Some((
                Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"),
                "employeeNumber",
                None,
            )),
        ),
        ("members.$ref", Some((None, "members", Some("$ref")))),
        ("a.b.c", None),
        ("urn:x:", None),
        (":name", None),
        ("na*me", None),
    ];
    for (input, expected) in cases {
        let got = input.parse::<AttrPath>().ok();
        let expected = expected.map(|(urn, name, sub)| AttrPath {
            urn: urn.map(Into::into),
            name: name.into(),
            sub_attribute: sub.map(Into::into),
        });
        assert_eq!(got, expected, "{input:?}");
    }
}

#[test]
fn attr_path_error_offsets() {
    assert_eq!("a.b.c".parse::<AttrPath>().unwrap_err().offset, 3);
    assert_eq!("na*me".parse::<AttrPath>().unwrap_err().offset, 2);
    assert_eq!("urn:x:9a".parse::<AttrPath>().unwrap_err().offset, 6);
}

#[test]
fn string_table() {
    let cases = [
        (r#""plain""#, Some("plain")),
        (r#""""#, Some("")),
        (r#""q\"b\\s\/""#, Some("q\"b\\s/")),
        (r#""\b\f\n\r\t""#, Some("\u{8}\u{c}\n\r\t")),
        (r#""\u00e9t\u00C9""#, Some("étÉ")),
        (r#""\ud83d\ude00!""#, Some("😀!")),
        (r#""ünïcödé""#, Some("ünïcödé")),
        (r#""\ud83d""#, None),
        (r#""\ude00""#, None),
        (r#""\u12""#, None),
        (r#""\u+123""#, None),
        (r#""\x""#, None),
        (r#""open"#, None),
    ];
    for (input, expected) in cases {
        let got = string(input).ok().map(|(rest, v)| {
            assert_eq!(rest, "", "{input:?}");
            v
        });
        assert_eq!(got.as_deref(), expected, "{input:?}");
    }
}

#[test]
fn number_table() {
    let n = |v: &str| serde_json::from_str::<serde_json::Number>(v).unwrap();
    let cases = [
        ("0", Some(("", n("0")))),
        ("-12", Some(("", n("-12")))),
        ("3.25", Some(("", n("3.25")))),
        ("1e3", Some(("", n("1e3")))),
        ("-1.5E-2 x", Some((" x", n("-1.5e-2")))),
        (
            "18446744073709551615",
            Some(("", n("18446744073709551615"))),
        ),
        ("01", Some(("1", n("0")))),
        ("-", None),
        (".5", None),
    ];
    for (input, expected) in cases {
        assert_eq!(number(input).ok(), expected, "{input:?}");
    }
    assert!(matches!(number("1e999"), Err(nom::Err::Failure(_))));
}

#[test]
fn comp_value_table() {
    let lenient = lenient();
    let strict = FilterOptions::strict();
    let num = |v: &str| CompValue::Number(serde_json::from_str(v).unwrap());
    let cases = [
        ("true", true, Some(CompValue::Bool(true))),
        ("false", true, Some(CompValue::Bool(false))),
        ("null", true, Some(CompValue::Null)),
        ("True", true, Some(CompValue::Bool(true))),
        ("True", false, None),
        ("NULL", true, Some(CompValue::Null)),
        ("42", false, Some(num("42"))),
        ("-4.5e1", false, Some(num("-45.0"))),
        (r#""x y""#, false, Some(s("x y"))),
        ("jyoung", true, Some(s("jyoung"))),
        ("jyoung", false, None),
        ("trueish", true, Some(s("trueish"))),
        ("12ab", true, Some(s("12ab"))),
        ("12ab", false, None),
        ("", true, None),
    ];
    for (input, is_lenient, expected) in cases {
        let opts = if is_lenient { &lenient } else { &strict };
        let cx = Cx::new(opts);
        let got = comp_value(input, &cx).ok().map(|(_, v)| v);
        assert_eq!(got, expected, "{input:?} lenient={is_lenient}");
    }
}

#[test]
fn attr_exp_table() {
    let opts = lenient();
    let cases = [
        ("title pr", Some(pr("title"))),
        ("title PR", Some(pr("title"))),
        (
            r#"userName eq "bjensen""#,
            Some(cmp("userName", CompareOp::Eq, s("bjensen"))),
        ),
        (
            r#"userName   Eq   "bjensen""#,
            Some(cmp("userName", CompareOp::Eq, s("bjensen"))),
        ),
        (
            r#"userName eq"bjensen""#,
            Some(cmp("userName", CompareOp::Eq, s("bjensen"))),
        ),
        ("userName eq", None),
        ("userName", None),
        ("userName xx 1", None),
    ];
    for (input, expected) in cases {
        let cx = Cx::new(&opts);
        assert_eq!(
            attr_exp(input, &cx).ok().map(|(_, f)| f),
            expected,
            "{input:?}"
        );
    }
}

#[test]
fn value_path_rule() {
    let opts = lenient();
    let cx = Cx::new(&opts);
    let (rest, f) = value_path(r#"emails[type eq "work"] x"#, &cx).unwrap();
    assert_eq!(rest, " x");
    assert_eq!(
        f,
        Filter::ValuePath {
            path: AttrPath::new("emails"),
            filter: Box::new(cmp("type", CompareOp::Eq, s("work"))),
        }
    );
    assert!(value_path(r#"emails.value[type eq "work"]"#, &cx).is_err());
}

#[test]
fn filter_precedence_and_nary_chains() {
    let f: Filter = "a pr or b pr and c pr or d pr".parse().unwrap();
    assert_eq!(
        f,
        Filter::Or(vec![pr("a"), Filter::And(vec![pr("b"), pr("c")]), pr("d")])
    );
    let f: Filter = "a pr and b pr and c pr".parse().unwrap();
    assert_eq!(f, Filter::And(vec![pr("a"), pr("b"), pr("c")]));
    let f: Filter = "(a pr and b pr) and c pr".parse().unwrap();
    assert_eq!(
        f,
        Filter::And(vec![Filter::And(vec![pr("a"), pr("b")]), pr("c")])
    );
    let f: Filter = "( ( a pr ) )".parse().unwrap();
    assert_eq!(f, pr("a"));
    let f: Filter = "NOT(a pr) Or b pr".parse().unwrap();
    assert_eq!(f, Filter::Or(vec![Filter::Not(Box::new(pr("a"))), pr("b")]));
    let f: Filter = "not pr".parse().unwrap();
    assert_eq!(f, pr("not"));
}

#[test]
fn filter_whitespace_tolerance() {
    let expected: Filter = r#"emails[type eq "work" and value co "@x"] or (title pr)"#
        .parse()
        .unwrap();
    let spaced = "  emails [ type  eq \"work\"\tand value co \"@x\" ]  or  (  title pr  )  ";
    assert_eq!(spaced.parse::<Filter>().unwrap(), expected);
}

#[test]
fn filter_entra_value_path_comparison() {
    let f: Filter = r#"emails[type eq "work"].value eq "a@b.c""#.parse().unwrap();
    assert_eq!(
        f,
        Filter::ValuePath {
            path: AttrPath::new("emails"),
            filter: Box::new(Filter::And(vec![
                cmp("type", CompareOp::Eq, s("work")),
                cmp("value", CompareOp::Eq, s("a@b.c")),
            ])),
        }
    );
    let err = Filter::parse_with(
        r#"emails[type eq "work"].value eq "a@b.c""#,
        &FilterOptions::strict(),
    )
    .unwrap_err();
    assert_eq!(err.offset, 22);
}

#[test]
fn filter_error_offsets() {
    let cases = [
        ("", 0, "an attribute path, \"(\" or \"not\""),
        (
            "userName eq",
            11,
            "a comparison value (a quoted string, number, true, false or null)",
        ),
        (
            "userName",
            8,
            "a space then \"pr\" or a comparison operator",
        ),
        (
            "userName zz 1",
            9,
            "\"pr\" or a comparison operator (eq, ne, co, sw, ew, gt, lt, ge, le)",
        ),
        ("a pr and", 8, "an attribute path, \"(\" or \"not\""),
        ("(a pr", 5, "\"and\", \"or\" or \")\""),
        ("a pr)", 4, "\"and\", \"or\" or the end of the filter"),
        ("not a pr", 4, "\"(\" after \"not\""),
        ("a[b pr", 6, "\"and\", \"or\" or \"]\""),
        (
            "a[b[c pr]]",
            3,
            "a comparison operator or \"pr\" (value paths do not nest)",
        ),
        ("a eq \"x", 7, "a closing quotation mark"),
        ("a eq \"\\q\"", 6, "a valid escape sequence"),
    ];
    for (input, offset, expected) in cases {
        let err = input.parse::<Filter>().unwrap_err();
        assert_eq!(
            (err.offset, err.expected.as_ref()),
            (offset, expected),
            "{input:?}"
        );
    }
}

#[test]
fn limits_are_enforced() {
    let mut opts = lenient();
    opts.max_length = 10;
    let err = Filter::parse_with("userName eq \"bjensen\"", &opts).unwrap_err();
    assert_eq!(err.offset, 10);
    assert_eq!(err.expected, "at most 10 bytes");

    let mut opts = lenient();
    opts.max_depth = 2;
    assert!(Filter::parse_with("((a pr))", &opts).is_ok());
    let err = Filter::parse_with("(((a pr)))", &opts).unwrap_err();
    assert_eq!(
        (err.offset, err.expected.as_ref()),
        (3, "at most 2 levels of nesting")
    );
    assert!(Filter::parse_with("not (not (a[b pr]))", &opts).is_err());

    let mut opts = lenient();
    opts.max_clauses = 3;
    assert!(Filter::parse_with("a pr or b pr or c pr", &opts).is_ok());
    let err = Filter::parse_with("a pr or b pr or c pr or d pr", &opts).unwrap_err();
    assert_eq!(
        (err.offset, err.expected.as_ref()),
        (26, "at most 3 clauses")
    );
}

#[test]
fn hundred_thousand_nested_parentheses_fail_fast() {
    let input = format!("{}a pr{}", "(".repeat(100_000), ")".repeat(100_000));
    // Default options: too long.
    assert_eq!(
        input.parse::<Filter>().unwrap_err().expected,
        "at most 8192 bytes"
    );
    // Without a length limit: the depth limit stops it, without recursing further.
    let mut opts = lenient();
    opts.max_length = usize::MAX;
    let err = Filter::parse_with(&input, &opts).unwrap_err();
    assert_eq!(
        (err.offset, err.expected.as_ref()),
        (65, "at most 64 levels of nesting")
    );
    let nots = format!("{}a pr{}", "not (".repeat(100_000), ")".repeat(100_000));
    assert!(Filter::parse_with(&nots, &opts).is_err());
    let brackets = format!("{}a pr{}", "a[".repeat(100_000), "]".repeat(100_000));
    assert!(Filter::parse_with(&brackets, &opts).is_err());
}

#[test]
fn hundred_thousand_or_clauses() {
    let input = vec!["userName eq \"x\""; 100_000].join(" or ");
    assert_eq!(
        input.parse::<Filter>().unwrap_err().expected,
        "at most 8192 bytes"
    );
    let mut opts = lenient();
    opts.max_length = usize::MAX;
    let err = Filter::parse_with(&input, &opts).unwrap_err();
    assert_eq!(err.expected, "at most 1000 clauses");
    opts.max_clauses = usize::MAX;
    let Filter::Or(operands) = Filter::parse_with(&input, &opts).unwrap() else {
        panic!("expected an n-ary or");
    };
    assert_eq!(operands.len(), 100_000);
}

#[test]
fn patch_path_rule() {
    let p: PatchPath = r#"emails[type eq "work"].value"#.parse().unwrap();
    assert_eq!(p.attribute, AttrPath::new("emails"));
    assert_eq!(p.filter, Some(cmp("type", CompareOp::Eq, s("work"))));
    assert_eq!(p.sub_attribute.as_deref(), Some("value"));

    let p: PatchPath = "name.familyName".parse().unwrap();
    assert_eq!(
        p.attribute,
        AttrPath::new("name").with_sub_attribute("familyName")
    );
    assert!(p.filter.is_none() && p.sub_attribute.is_none());

    let p: PatchPath = r#"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#
        .parse()
        .unwrap();
    assert_eq!(p.attribute.name, "members");
    assert!(p.sub_attribute.is_none());

    let p: PatchPath = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"
        .parse()
        .unwrap();
    assert_eq!(
        p.attribute.urn.as_deref(),
        Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
    );

    for bad in [
        "",
        "emails[",
        "emails[type eq \"work\"]value",
        "emails[type eq \"work\"].",
        "a b",
    ] {
        assert!(bad.parse::<PatchPath>().is_err(), "{bad:?}");
    }
}
