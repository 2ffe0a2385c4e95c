//! Every characteristic of every built-in attribute against RFC 7643 §8.7.1.

use super::*;
use crate::schema::attribute::Attribute;

/// `path type multiValued required caseExact mutability returned uniqueness`, then
/// canonicalValues and referenceTypes, as §8.7.1 lists them. `*` marks the deliberate
/// differences (see `group_schema` and `user_schema`).
const USER: &[(&str, &str, &[&str], &[&str])] = &[
    (
        "userName",
        "string single required insensitive readWrite default server",
        &[],
        &[],
    ),
    (
        "name",
        "complex single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "name.formatted",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "name.familyName",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "name.givenName",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "name.middleName",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "name.honorificPrefix",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "name.honorificSuffix",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "displayName",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "nickName",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "profileUrl",
        "reference single optional insensitive readWrite default none",
        &[],
        &["external"],
    ),
    (
        "title",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "userType",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "preferredLanguage",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "locale",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "timezone",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "active",
        "boolean single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "password",
        "string single optional insensitive writeOnly never none",
        &[],
        &[],
    ),
    (
        "emails",
        "complex multi optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "emails.value",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "emails.display",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "emails.type",
        "string single optional insensitive readWrite default none",
        &["work", "home", "other"],
        &[],
    ),
    (
        "emails.primary",
        "boolean single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "phoneNumbers",
        "complex multi optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "phoneNumbers.value",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "phoneNumbers.display",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "phoneNumbers.type",
        "string single optional insensitive readWrite default none",
        &["work", "home", "mobile", "fax", "pager", "other"],
        &[],
    ),
    (
        "phoneNumbers.primary",
        "boolean single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "ims",
        "complex multi optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "ims.value",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "ims.display",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "ims.type",
        "string single optional insensitive readWrite default none",
        &["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"],
        &[],
    ),
    (
        "ims.primary",
        "boolean single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "photos",
        "complex multi optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "photos.value",
        "reference single optional insensitive readWrite default none",
        &[],
        &["external"],
    ),
    (
        "photos.display",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "photos.type",
        "string single optional insensitive readWrite default none",
        &["photo", "thumbnail"],
        &[],
    ),
    (
        "photos.primary",
        "boolean single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "addresses",
        "complex multi optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "addresses.formatted",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "addresses.streetAddress",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "addresses.locality",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "addresses.region",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "addresses.postalCode",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "addresses.country",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "addresses.type",
        "string single optional insensitive readWrite default none",
        &["work", "home", "other"],
        &[],
    ),
    // * not in §8.7.1; §4.1.2 lists `primary` for every multi-valued attribute.
    (
        "addresses.primary",
        "boolean single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "groups",
        "complex multi optional insensitive readOnly default none",
        &[],
        &[],
    ),
    // † caseExact: the value is a resource `id`, caseExact by §3.1 (§8.7.1 prints false).
    (
        "groups.value",
        "string single optional exact readOnly default none",
        &[],
        &[],
    ),
    (
        "groups.$ref",
        "reference single optional insensitive readOnly default none",
        &[],
        &["User", "Group"],
    ),
    (
        "groups.display",
        "string single optional insensitive readOnly default none",
        &[],
        &[],
    ),
    (
        "groups.type",
        "string single optional insensitive readOnly default none",
        &["direct", "indirect"],
        &[],
    ),
    (
        "entitlements",
        "complex multi optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "entitlements.value",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "entitlements.display",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "entitlements.type",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "entitlements.primary",
        "boolean single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "roles",
        "complex multi optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "roles.value",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "roles.display",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "roles.type",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "roles.primary",
        "boolean single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "x509Certificates",
        "complex multi optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "x509Certificates.value",
        "binary single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "x509Certificates.display",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "x509Certificates.type",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "x509Certificates.primary",
        "boolean single optional insensitive readWrite default none",
        &[],
        &[],
    ),
];

const GROUP: &[(&str, &str, &[&str], &[&str])] = &[
    // * §8.7.1 says `"required": false`; §4.2 and the description say REQUIRED.
    (
        "displayName",
        "string single required insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "members",
        "complex multi optional insensitive readWrite default none",
        &[],
        &[],
    ),
    // † caseExact: the value is a resource `id`, caseExact by §3.1 (§8.7.1 prints false).
    (
        "members.value",
        "string single optional exact immutable default none",
        &[],
        &[],
    ),
    (
        "members.$ref",
        "reference single optional insensitive immutable default none",
        &[],
        &["User", "Group"],
    ),
    // * not in §8.7.1; Okta sends it.
    (
        "members.display",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "members.type",
        "string single optional insensitive immutable default none",
        &["User", "Group"],
        &[],
    ),
];

const ENTERPRISE: &[(&str, &str, &[&str], &[&str])] = &[
    (
        "employeeNumber",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "costCenter",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "organization",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "division",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "department",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "manager",
        "complex single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "manager.value",
        "string single optional insensitive readWrite default none",
        &[],
        &[],
    ),
    (
        "manager.$ref",
        "reference single optional insensitive readWrite default none",
        &[],
        &["User"],
    ),
    (
        "manager.displayName",
        "string single optional insensitive readOnly default none",
        &[],
        &[],
    ),
];

fn describe(a: &Attribute) -> String {
    let word = |v: serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    format!(
        "{} {} {} {} {} {} {}",
        word(serde_json::to_value(a.kind).unwrap()),
        if a.multi_valued { "multi" } else { "single" },
        if a.required { "required" } else { "optional" },
        if a.case_exact { "exact" } else { "insensitive" },
        word(serde_json::to_value(a.mutability).unwrap()),
        word(serde_json::to_value(a.returned).unwrap()),
        word(serde_json::to_value(a.uniqueness).unwrap()),
    )
}

fn flatten(schema: &Schema) -> Vec<(String, &Attribute)> {
    let mut out = Vec::new();
    for a in &schema.attributes {
        out.push((a.name.clone(), a));
        for s in &a.sub_attributes {
            out.push((format!("{}.{}", a.name, s.name), s));
        }
    }
    out
}

fn check(schema: &Schema, expected: &[(&str, &str, &[&str], &[&str])]) {
    let actual = flatten(schema);
    let names: Vec<&str> = actual.iter().map(|(p, _)| p.as_str()).collect();
    let wanted: Vec<&str> = expected.iter().map(|e| e.0).collect();
    assert_eq!(names, wanted, "{}: attributes and their order", schema.name);
    for ((path, attribute), (_, characteristics, canonical, references)) in
        actual.iter().zip(expected)
    {
        assert_eq!(&describe(attribute), characteristics, "{path}");
        assert_eq!(
            attribute.canonical_values, *canonical,
            "{path} canonicalValues"
        );
        assert_eq!(
            attribute.reference_types, *references,
            "{path} referenceTypes"
        );
        assert!(
            !attribute.description.is_empty(),
            "{path} has no description"
        );
    }
}

#[test]
fn user_schema_matches_rfc_7643_section_8_7_1() {
    check(&user_schema(), USER);
}

#[test]
fn group_schema_matches_rfc_7643_section_8_7_1() {
    check(&group_schema(), GROUP);
}

#[test]
fn enterprise_user_schema_matches_rfc_7643_section_8_7_1() {
    check(&enterprise_user_schema(), ENTERPRISE);
}

#[test]
fn common_attributes_match_rfc_7643_section_3_1() {
    let id = common_attribute("ID").unwrap();
    assert_eq!(
        describe(id),
        "string single optional exact readOnly always server"
    );
    let external = common_attribute("externalId").unwrap();
    assert_eq!(
        describe(external),
        "string single optional exact readWrite default none"
    );
    let meta = common_attribute("meta").unwrap();
    assert_eq!(meta.mutability, Mutability::ReadOnly);
    for sub in [
        "resourceType",
        "created",
        "lastModified",
        "location",
        "version",
    ] {
        assert_eq!(
            meta.sub_attribute(sub).unwrap().mutability,
            Mutability::ReadOnly,
            "{sub}"
        );
    }
    assert_eq!(
        meta.sub_attribute("created").unwrap().kind,
        AttributeType::DateTime
    );
}
