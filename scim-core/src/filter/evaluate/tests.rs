//! Evaluation over a fixture population: each operator, each type, caseExact both
//! ways, multi-valued and value-path semantics, and `check`.

use serde_json::json;

use crate::schema::attribute::{Attribute, AttributeType};
use crate::schema::definition::Schema;
use crate::{
    Filter, Resource, ResourceType, SchemaRegistry, error::ScimType, filter::FilterOptions,
};

const EXT: &str = "urn:acme:scim:schemas:1.0:Ext";

fn registry() -> SchemaRegistry {
    let mut registry = SchemaRegistry::with_builtins();
    registry
        .add_schema(
            Schema::new(EXT, "Acme")
                .attribute(Attribute::new("level", AttributeType::Integer))
                .attribute(Attribute::new("score", AttributeType::Decimal))
                .attribute(Attribute::new("hired", AttributeType::DateTime))
                .attribute(Attribute::new("badge", AttributeType::Binary).case_exact(true))
                .attribute(Attribute::new("code", AttributeType::String).case_exact(true))
                .attribute(Attribute::new("tags", AttributeType::String).multi_valued(true)),
        )
        .unwrap();
    registry.add_extension("User", EXT, false).unwrap();
    registry
}

fn population() -> Vec<Resource> {
    let users = [
        json!({
            "id": "u1", "externalId": "Ext-1", "userName": "bjensen", "title": "Tour Guide",
            "userType": "Employee", "active": true, "displayName": "Babs Jensen",
            "name": {"familyName": "Jensen", "givenName": "Barbara"},
            "emails": [
                {"value": "bjensen@example.com", "type": "work", "primary": true},
                {"value": "babs@jensen.org", "type": "home"}
            ],
            "ims": [{"value": "bj@foo.com", "type": "xmpp"}],
            "meta": {"lastModified": "2011-05-13T04:42:34Z"},
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984", "manager": {"value": "u2"}},
            EXT: {"level": 3, "score": 4.5, "hired": "2020-01-01T00:00:00Z", "badge": "QUJD", "code": "AbC", "tags": ["red", "Blue"]}
        }),
        json!({
            "id": "u2", "userName": "JSmith", "userType": "Intern", "active": false,
            "emails": [{"value": "jsmith@example.org", "type": "home"}],
            "meta": {"lastModified": "2011-05-13T06:42:34.25+02:00"},
            EXT: {"level": 10, "score": 4.25, "hired": "2019-12-31T22:00:00-02:00", "code": "abc"}
        }),
        json!({
            "id": "u3", "userName": "Élodie", "title": "", "name": {}, "emails": [],
            "displayName": "STRASSE",
            "meta": {"lastModified": "2012-01-01T00:00:00.000Z"},
            EXT: {"level": -1, "tags": []}
        }),
    ];
    users
        .into_iter()
        .map(|u| Resource::from_value_unchecked("User", u).unwrap())
        .collect()
}

fn ids(filter: &str, users: &[Resource], rt: &ResourceType) -> Vec<String> {
    let f: Filter = filter.parse().unwrap_or_else(|e| panic!("{filter}: {e}"));
    users
        .iter()
        .filter(|u| f.matches(u, rt))
        .map(|u| u.id().unwrap().to_owned())
        .collect()
}

#[test]
fn each_operator_and_type() {
    let registry = registry();
    let rt = registry.resource_type("User").unwrap();
    let users = population();
    let cases: &[(&str, &[&str])] = &[
        // strings, case-insensitive by default
        (r#"userName eq "BJENSEN""#, &["u1"]),
        (r#"userName eq "jsmith""#, &["u2"]),
        (r#"userName eq "ÉLODIE""#, &["u3"]),
        (r#"userName ne "bjensen""#, &["u2", "u3"]),
        (r#"displayName co "jen""#, &["u1"]),
        (r#"displayName eq "straße""#, &["u3"]),
        (r#"userName sw "J""#, &["u2"]),
        (r#"userName ew "SEN""#, &["u1"]),
        (r#"userName gt "c""#, &["u2", "u3"]),
        (r#"userName lt "c""#, &["u1"]),
        (r#"userName ge "JSMITH""#, &["u2", "u3"]),
        (r#"userName le "JSMITH""#, &["u1", "u2"]),
        (r#"name.familyName co "ENS""#, &["u1"]),
        // caseExact attributes
        (r#"id eq "U1""#, &[]),
        (r#"id eq "u1""#, &["u1"]),
        (r#"externalId eq "ext-1""#, &[]),
        (r#"externalId eq "Ext-1""#, &["u1"]),
        (r#"urn:acme:scim:schemas:1.0:Ext:code eq "abc""#, &["u2"]),
        (r#"urn:acme:scim:schemas:1.0:Ext:code sw "A""#, &["u1"]),
        (r#"urn:acme:scim:schemas:1.0:Ext:badge eq "QUJD""#, &["u1"]),
        (r#"urn:acme:scim:schemas:1.0:Ext:badge eq "qujd""#, &[]),
        // booleans
        ("active eq true", &["u1"]),
        ("active eq false", &["u2"]),
        ("active ne true", &["u2"]),
        (r#"active eq "True""#, &["u1"]),
        // integers and decimals, numerically
        ("urn:acme:scim:schemas:1.0:Ext:level gt 3", &["u2"]),
        ("urn:acme:scim:schemas:1.0:Ext:level ge 3", &["u1", "u2"]),
        ("urn:acme:scim:schemas:1.0:Ext:level lt 3", &["u3"]),
        ("urn:acme:scim:schemas:1.0:Ext:level le 3.0", &["u1", "u3"]),
        ("urn:acme:scim:schemas:1.0:Ext:level eq 10", &["u2"]),
        ("urn:acme:scim:schemas:1.0:Ext:level eq 1e1", &["u2"]),
        ("urn:acme:scim:schemas:1.0:Ext:score gt 4.3", &["u1"]),
        ("urn:acme:scim:schemas:1.0:Ext:score lt 4.3", &["u2"]),
        // dateTimes, as instants (u2 is 04:42:34.25Z, u1 04:42:34Z)
        (
            r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
            &["u2", "u3"],
        ),
        (
            r#"meta.lastModified ge "2011-05-13T04:42:34Z""#,
            &["u1", "u2", "u3"],
        ),
        (r#"meta.lastModified lt "2011-05-13T04:42:34.1Z""#, &["u1"]),
        (
            r#"meta.lastModified le "2011-05-13T06:42:34+02:00""#,
            &["u1"],
        ),
        (
            r#"meta.lastModified eq "2011-05-13T04:42:34.250Z""#,
            &["u2"],
        ),
        (
            r#"urn:acme:scim:schemas:1.0:Ext:hired eq "2020-01-01T01:00:00+01:00""#,
            &["u1", "u2"],
        ),
        // presence
        ("title pr", &["u1"]),
        ("name pr", &["u1"]),
        ("emails pr", &["u1", "u2"]),
        ("emails.type pr", &["u1", "u2"]),
        ("urn:acme:scim:schemas:1.0:Ext:tags pr", &["u1"]),
        ("not (title pr)", &["u2", "u3"]),
        // null
        ("title eq null", &["u2", "u3"]),
        ("title ne null", &["u1"]),
        // extension attributes under their URN key
        (
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984""#,
            &["u1"],
        ),
        (
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "u2""#,
            &["u1"],
        ),
        (
            r#"URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:EMPLOYEENUMBER eq "701984""#,
            &["u1"],
        ),
        // core-schema URN prefix
        (
            r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "B""#,
            &["u1"],
        ),
        // unknown attributes match nothing (lenient)
        (r#"nickName2 eq "x""#, &[]),
        (r#"not (nickName2 eq "x")"#, &["u1", "u2", "u3"]),
        // logic
        (
            r#"userType eq "Employee" or userType eq "Intern""#,
            &["u1", "u2"],
        ),
        (r#"userType eq "Employee" and active eq false"#, &[]),
        (
            r#"title pr or userName eq "élodie" and active eq false"#,
            &["u1"],
        ),
    ];
    for (filter, expected) in cases {
        assert_eq!(ids(filter, &users, rt), *expected, "{filter}");
    }
}

#[test]
fn multi_valued_and_value_path_semantics() {
    let registry = registry();
    let rt = registry.resource_type("User").unwrap();
    let users = population();
    let cases: &[(&str, &[&str])] = &[
        // any element matches
        (r#"emails.type eq "home""#, &["u1", "u2"]),
        (r#"emails.value ew ".org""#, &["u1", "u2"]),
        (
            r#"emails.value ew ".org" and emails.type eq "work""#,
            &["u1"],
        ),
        // the complex attribute alone compares its value sub-attribute
        (r#"emails co "example.com""#, &["u1"]),
        (r#"emails eq "JSMITH@EXAMPLE.ORG""#, &["u2"]),
        // a value path needs all conditions on the same element
        (r#"emails[type eq "work" and value ew ".org"]"#, &[]),
        (
            r#"emails[type eq "home" and value ew ".org"]"#,
            &["u1", "u2"],
        ),
        (r#"emails[type eq "work" and primary eq true]"#, &["u1"]),
        (r#"emails[not (type eq "work")]"#, &["u1", "u2"]),
        (r#"emails[TYPE eq "WORK"]"#, &["u1"]),
        (r#"ims[type eq "xmpp" and value co "@foo.com"]"#, &["u1"]),
        // Entra's shape
        (
            r#"emails[type eq "work"].value eq "BJENSEN@example.com""#,
            &["u1"],
        ),
        (
            r#"emails[type eq "home"].value eq "bjensen@example.com""#,
            &[],
        ),
        // simple multi-valued
        (r#"urn:acme:scim:schemas:1.0:Ext:tags eq "BLUE""#, &["u1"]),
        (
            r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
            &["u1"],
        ),
        // ne: some value differs
        (r#"emails.type ne "work""#, &["u1", "u2"]),
    ];
    for (filter, expected) in cases {
        assert_eq!(ids(filter, &users, rt), *expected, "{filter}");
    }
}

#[test]
fn tolerant_of_key_case() {
    let registry = registry();
    let rt = registry.resource_type("User").unwrap();
    let user = Resource::from_value_unchecked(
        "User",
        json!({"id": "x", "UserName": "Alice", "Emails": [{"Value": "a@x.org", "Type": "work"}]}),
    )
    .unwrap();
    for filter in [
        r#"userName eq "alice""#,
        r#"emails[type eq "work"]"#,
        r#"emails.value co "x.org""#,
    ] {
        assert!(
            filter.parse::<Filter>().unwrap().matches(&user, rt),
            "{filter}"
        );
    }
}

#[test]
fn check_rejects_what_cannot_be_evaluated() {
    let registry = registry();
    let rt = registry.resource_type("User").unwrap();
    let lenient = FilterOptions::default();
    let strict = FilterOptions::strict();
    let cases = [
        (r#"userName eq "x""#, true, true),
        (r#"emails co "example.com""#, true, true),
        (r#"emails[type eq "work"]"#, true, true),
        ("name pr", true, true),
        (r#"nickName2 eq "x""#, true, false),
        (r#"emails[kind eq "work"]"#, true, false),
        (r#"urn:acme:nope:x eq "x""#, true, false),
        ("active gt true", false, false),
        ("active eq true", true, true),
        (
            r#"urn:acme:scim:schemas:1.0:Ext:badge lt "QUJD""#,
            false,
            false,
        ),
        (r#"name eq "x""#, false, false),
        (
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager eq "x""#,
            false,
            false,
        ),
        (r#"userName[value eq "x"]"#, false, false),
        (
            r#"not (title pr) and (emails[type eq "work"] or active gt false)"#,
            false,
            false,
        ),
    ];
    for (filter, ok_lenient, ok_strict) in cases {
        let f: Filter = filter.parse().unwrap();
        for (opts, ok) in [(&lenient, ok_lenient), (&strict, ok_strict)] {
            let got = f.check(rt, opts);
            assert_eq!(got.is_ok(), ok, "{filter}: {got:?}");
            if let Err(e) = got {
                assert_eq!(e.scim_type(), Some(ScimType::InvalidFilter));
            }
        }
    }
}

#[test]
fn check_refuses_what_is_never_returned_in_every_mode_and_position() {
    // The oracle this closes: each `password ge "…"` halves the candidates.
    let registry = registry();
    let rt = registry.resource_type("User").unwrap();
    for filter in [
        "password pr",
        r#"password eq "t1meMa$heen""#,
        r#"password ge "m""#,
        r#"PASSWORD sw "t""#,
        r#"urn:ietf:params:scim:schemas:core:2.0:User:password co "Ma""#,
        r#"userName eq "bjensen" and not (password lt "n")"#,
        r#"emails[type eq "work"] or password pr"#,
    ] {
        let f: Filter = filter.parse().unwrap();
        for opts in [FilterOptions::default(), FilterOptions::strict()] {
            let err = f.check(rt, &opts).unwrap_err();
            assert_eq!(err.scim_type(), Some(ScimType::InvalidFilter), "{filter}");
            assert!(err.detail().contains("never returned"), "{}", err.detail());
            assert!(!err.detail().contains("t1meMa"), "{}", err.detail());
        }
    }
}
