//! Law: the canonical text of any filter or PATCH path parses back to an equal AST.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use proptest::prelude::*;
use scim_core::{
    Filter,
    filter::{AttrPath, CompValue, CompareOp, FilterOptions, PatchPath},
};

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => "[a-zA-Z][a-zA-Z0-9_-]{0,8}",
        1 => Just("$ref".to_owned()),
        1 => prop::sample::select(vec!["and", "or", "not", "pr", "eq", "true", "null"]).prop_map(str::to_owned),
    ]
}

fn urn() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("urn:ietf:params:scim:schemas:core:2.0:User".to_owned()),
        Just("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User".to_owned()),
        "urn:[a-z]{1,5}(:[a-zA-Z0-9.-]{1,6}){0,3}",
    ]
}

fn attr_path(with_sub: bool) -> impl Strategy<Value = AttrPath> {
    let sub = if with_sub {
        prop::option::of(name()).boxed()
    } else {
        Just(None).boxed()
    };
    (prop::option::of(urn()), name(), sub).prop_map(|(urn, name, sub_attribute)| AttrPath {
        urn,
        name,
        sub_attribute,
    })
}

fn comp_value() -> impl Strategy<Value = CompValue> {
    prop_oneof![
        Just(CompValue::Null),
        any::<bool>().prop_map(CompValue::Bool),
        any::<i64>().prop_map(|n| CompValue::Number(n.into())),
        any::<u64>().prop_map(|n| CompValue::Number(n.into())),
        any::<f64>()
            .prop_filter_map("finite", serde_json::Number::from_f64)
            .prop_map(CompValue::Number),
        any::<String>().prop_map(CompValue::String),
        "[\"\\\\/\u{0}-\u{1f}a-z😀é]{0,12}".prop_map(CompValue::String),
    ]
}

fn compare_op() -> impl Strategy<Value = CompareOp> {
    prop::sample::select(vec![
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Co,
        CompareOp::Sw,
        CompareOp::Ew,
        CompareOp::Gt,
        CompareOp::Lt,
        CompareOp::Ge,
        CompareOp::Le,
    ])
}

fn attr_exp() -> impl Strategy<Value = Filter> {
    prop_oneof![
        (attr_path(true), compare_op(), comp_value())
            .prop_map(|(path, op, value)| Filter::Compare { path, op, value }),
        attr_path(true).prop_map(Filter::Present),
    ]
}

/// valFilter: attrExp, and/or chains, not; no value paths.
fn val_filter() -> impl Strategy<Value = Filter> {
    attr_exp().prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(Filter::And),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Filter::Or),
            inner.prop_map(|f| Filter::Not(Box::new(f))),
        ]
    })
}

fn value_path() -> impl Strategy<Value = Filter> {
    (attr_path(false), val_filter()).prop_map(|(path, f)| Filter::ValuePath {
        path,
        filter: Box::new(f),
    })
}

fn filter() -> impl Strategy<Value = Filter> {
    prop_oneof![attr_exp(), value_path()].prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(Filter::And),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Filter::Or),
            inner.prop_map(|f| Filter::Not(Box::new(f))),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn filter_display_parses_back(f in filter()) {
        let text = f.to_string();
        let strict = FilterOptions::strict();
        prop_assert_eq!(Filter::parse_with(&text, &strict).map_err(|e| (e, text.clone())), Ok(f.clone()));
        prop_assert_eq!(text.parse::<Filter>().map_err(|e| (e, text.clone())), Ok(f));
    }

    #[test]
    fn attr_path_display_parses_back(p in attr_path(true)) {
        prop_assert_eq!(p.to_string().parse::<AttrPath>(), Ok(p));
    }

    #[test]
    fn patch_path_display_parses_back(
        attribute in attr_path(false),
        filter in prop::option::of(val_filter()),
        sub in prop::option::of(name()),
    ) {
        let p = match filter {
            Some(f) => PatchPath { attribute, filter: Some(f), sub_attribute: sub },
            None => PatchPath { attribute, filter: None, sub_attribute: None },
        };
        prop_assert_eq!(p.to_string().parse::<PatchPath>(), Ok(p));
    }
}
