//! The built-in schemas of RFC 7643 §8.7.1 and the common attributes of §3.1.

use std::sync::OnceLock;

use super::attribute::{Attribute, AttributeType, Mutability, Returned, Uniqueness};
use super::definition::Schema;

/// URN of the core User schema.
pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// URN of the core Group schema.
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// URN of the EnterpriseUser extension.
pub const ENTERPRISE_USER_SCHEMA: &str =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn string(name: &str) -> Attribute {
    Attribute::new(name, AttributeType::String)
}

fn reference(name: &str, types: &[&str]) -> Attribute {
    Attribute::new(name, AttributeType::Reference).reference_types(types.iter().copied())
}

/// The `value`, `display`, `type`, `primary` shape shared by emails, phoneNumbers, ims,
/// photos, entitlements, roles and x509Certificates (RFC 7643 §2.4).
fn multi_valued(name: &str, value: Attribute, types: &[&str]) -> Attribute {
    let kind = string("type").canonical_values(types.iter().copied());
    Attribute::complex(
        name,
        vec![
            value,
            string("display"),
            kind,
            Attribute::new("primary", AttributeType::Boolean),
        ],
    )
    .multi_valued(true)
}

/// The User schema (RFC 7643 §4.1, §8.7.1).
pub(crate) fn user_schema() -> Schema {
    let name = Attribute::complex(
        "name",
        [
            "formatted",
            "familyName",
            "givenName",
            "middleName",
            "honorificPrefix",
            "honorificSuffix",
        ]
        .into_iter()
        .map(string)
        .collect(),
    );
    let address = Attribute::complex(
        "addresses",
        vec![
            string("formatted"),
            string("streetAddress"),
            string("locality"),
            string("region"),
            string("postalCode"),
            string("country"),
            string("type").canonical_values(["work", "home", "other"]),
            Attribute::new("primary", AttributeType::Boolean),
        ],
    )
    .multi_valued(true);
    let read_only = |a: Attribute| a.mutability(Mutability::ReadOnly);
    let groups = read_only(Attribute::complex(
        "groups",
        vec![
            read_only(string("value")),
            read_only(reference("$ref", &["User", "Group"])),
            read_only(string("display")),
            read_only(string("type").canonical_values(["direct", "indirect"])),
        ],
    ))
    .multi_valued(true);
    Schema::new(USER_SCHEMA, "User")
        .description("User Account")
        .attribute(
            string("userName")
                .required(true)
                .uniqueness(Uniqueness::Server),
        )
        .attribute(name)
        .attribute(string("displayName"))
        .attribute(string("nickName"))
        .attribute(reference("profileUrl", &["external"]))
        .attribute(string("title"))
        .attribute(string("userType"))
        .attribute(string("preferredLanguage"))
        .attribute(string("locale"))
        .attribute(string("timezone"))
        .attribute(Attribute::new("active", AttributeType::Boolean))
        .attribute(
            string("password")
                .mutability(Mutability::WriteOnly)
                .returned(Returned::Never),
        )
        .attribute(multi_valued(
            "emails",
            string("value"),
            &["work", "home", "other"],
        ))
        .attribute(multi_valued(
            "phoneNumbers",
            string("value"),
            &["work", "home", "mobile", "fax", "pager", "other"],
        ))
        .attribute(multi_valued(
            "ims",
            string("value"),
            &["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"],
        ))
        .attribute(multi_valued(
            "photos",
            reference("value", &["external"]),
            &["photo", "thumbnail"],
        ))
        .attribute(address)
        .attribute(groups)
        .attribute(multi_valued("entitlements", string("value"), &[]))
        .attribute(multi_valued("roles", string("value"), &[]))
        .attribute(multi_valued(
            "x509Certificates",
            Attribute::new("value", AttributeType::Binary),
            &[],
        ))
}

/// The Group schema (RFC 7643 §4.2, §8.7.1).
pub(crate) fn group_schema() -> Schema {
    let immutable = |a: Attribute| a.mutability(Mutability::Immutable);
    let members = Attribute::complex(
        "members",
        vec![
            immutable(string("value")),
            immutable(reference("$ref", &["User", "Group"])),
            string("display"),
            immutable(string("type").canonical_values(["User", "Group"])),
        ],
    )
    .multi_valued(true);
    Schema::new(GROUP_SCHEMA, "Group")
        .description("Group")
        .attribute(string("displayName").required(true))
        .attribute(members)
}

/// The EnterpriseUser extension (RFC 7643 §4.3, §8.7.1).
pub(crate) fn enterprise_user_schema() -> Schema {
    let manager = Attribute::complex(
        "manager",
        vec![
            string("value"),
            reference("$ref", &["User"]),
            string("displayName").mutability(Mutability::ReadOnly),
        ],
    );
    Schema::new(ENTERPRISE_USER_SCHEMA, "EnterpriseUser")
        .description("Enterprise User")
        .attribute(string("employeeNumber"))
        .attribute(string("costCenter"))
        .attribute(string("organization"))
        .attribute(string("division"))
        .attribute(string("department"))
        .attribute(manager)
}

/// The attributes every resource has (RFC 7643 §3.1): `id`, `externalId`, `meta`, `schemas`.
pub(crate) fn common_attributes() -> &'static [Attribute] {
    static COMMON: OnceLock<Vec<Attribute>> = OnceLock::new();
    COMMON.get_or_init(|| {
        let read_only = |a: Attribute| a.mutability(Mutability::ReadOnly);
        vec![
            read_only(string("id"))
                .case_exact(true)
                .returned(Returned::Always)
                .uniqueness(Uniqueness::Server),
            string("externalId").case_exact(true),
            read_only(Attribute::complex(
                "meta",
                vec![
                    read_only(string("resourceType")).case_exact(true),
                    read_only(Attribute::new("created", AttributeType::DateTime)),
                    read_only(Attribute::new("lastModified", AttributeType::DateTime)),
                    read_only(reference("location", &["uri"])).case_exact(true),
                    read_only(string("version")).case_exact(true),
                ],
            )),
            reference("schemas", &["uri"])
                .multi_valued(true)
                .required(true)
                .case_exact(true)
                .returned(Returned::Always),
        ]
    })
}

/// A common attribute by name, case-insensitively.
pub(crate) fn common_attribute(name: &str) -> Option<&'static Attribute> {
    common_attributes()
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case(name))
}
