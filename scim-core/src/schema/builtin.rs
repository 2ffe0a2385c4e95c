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

fn boolean(name: &str) -> Attribute {
    Attribute::new(name, AttributeType::Boolean)
}

const DISPLAY: &str = "A human-readable name, primarily used for display purposes.  READ-ONLY.";
const TYPE: &str = "A label indicating the attribute's function.";

/// The `value`, `display`, `type`, `primary` shape shared by emails, phoneNumbers, ims,
/// photos, entitlements, roles and x509Certificates (RFC 7643 §2.4, §8.7.1).
fn multi_valued(
    name: &str,
    description: &str,
    value: Attribute,
    kind: Attribute,
    primary: &str,
) -> Attribute {
    Attribute::complex(
        name,
        vec![
            value,
            string("display").description(DISPLAY),
            kind,
            boolean("primary").description(primary),
        ],
    )
    .multi_valued(true)
    .description(description)
}

fn primary(example: &str) -> String {
    format!(
        "A Boolean value indicating the 'primary' or preferred attribute value for this \
         attribute{example}.  The primary attribute value 'true' MUST appear no more than once."
    )
}

/// The User schema (RFC 7643 §4.1, §8.7.1), descriptions as the RFC words them.
pub(crate) fn user_schema() -> Schema {
    let name = Attribute::complex(
        "name",
        vec![
            string("formatted").description(
                "The full name, including all middle names, titles, and suffixes as \
                 appropriate, formatted for display (e.g., 'Ms. Barbara J Jensen, III').",
            ),
            string("familyName").description(
                "The family name of the User, or last name in most Western languages (e.g., \
                 'Jensen' given the full name 'Ms. Barbara J Jensen, III').",
            ),
            string("givenName").description(
                "The given name of the User, or first name in most Western languages (e.g., \
                 'Barbara' given the full name 'Ms. Barbara J Jensen, III').",
            ),
            string("middleName").description(
                "The middle name(s) of the User (e.g., 'Jane' given the full name 'Ms. \
                 Barbara J Jensen, III').",
            ),
            string("honorificPrefix").description(
                "The honorific prefix(es) of the User, or title in most Western languages \
                 (e.g., 'Ms.' given the full name 'Ms. Barbara J Jensen, III').",
            ),
            string("honorificSuffix").description(
                "The honorific suffix(es) of the User, or suffix in most Western languages \
                 (e.g., 'III' given the full name 'Ms. Barbara J Jensen, III').",
            ),
        ],
    )
    .description(
        "The components of the user's real name.  Providers MAY return just the full name as \
         a single string in the formatted sub-attribute, or they MAY return just the \
         individual component attributes using the other sub-attributes, or they MAY return \
         both.  If both variants are returned, they SHOULD be describing the same name, with \
         the formatted name indicating how the component attributes should be combined.",
    );
    let address_type = string("type")
        .canonical_values(["work", "home", "other"])
        .description("A label indicating the attribute's function, e.g., 'work' or 'home'.");
    // §8.7.1 omits `primary` for addresses, but §4.1.2 lists it as a sub-attribute of
    // every multi-valued attribute and Entra ID sends it: keep it.
    let address = Attribute::complex(
        "addresses",
        vec![
            string("formatted").description(
                "The full mailing address, formatted for display or use with a mailing \
                 label.  This attribute MAY contain newlines.",
            ),
            string("streetAddress").description(
                "The full street address component, which may include house number, street \
                 name, P.O. box, and multi-line extended street address information.  This \
                 attribute MAY contain newlines.",
            ),
            string("locality").description("The city or locality component."),
            string("region").description("The state or region component."),
            string("postalCode").description("The zip code or postal code component."),
            string("country").description("The country name component."),
            address_type,
            boolean("primary").description(primary(", e.g., the preferred mailing address")),
        ],
    )
    .multi_valued(true)
    .description(
        "A physical mailing address for this User.  Canonical type values of 'work', 'home', \
         and 'other'.  This attribute is a complex type with the following sub-attributes.",
    );
    let read_only = |a: Attribute| a.mutability(Mutability::ReadOnly);
    let groups = read_only(Attribute::complex(
        "groups",
        vec![
            // A Group's `id`, which is caseExact (RFC 7643 §3.1), though §8.7.1 prints false.
            read_only(string("value").case_exact(true))
                .description("The identifier of the User's group."),
            read_only(reference("$ref", &["User", "Group"])).description(
                "The URI of the corresponding 'Group' resource to which the user belongs.",
            ),
            read_only(string("display")).description(DISPLAY),
            read_only(string("type").canonical_values(["direct", "indirect"])).description(
                "A label indicating the attribute's function, e.g., 'direct' or 'indirect'.",
            ),
        ],
    ))
    .multi_valued(true)
    .description(
        "A list of groups to which the user belongs, either through direct membership, \
         through nested groups, or dynamically calculated.",
    );
    Schema::new(USER_SCHEMA, "User")
        .description("User Account")
        .attribute(
            string("userName")
                .required(true)
                .uniqueness(Uniqueness::Server)
                .description(
                    "Unique identifier for the User, typically used by the user to directly \
                     authenticate to the service provider.  Each User MUST include a non-empty \
                     userName value.  This identifier MUST be unique across the service \
                     provider's entire set of Users.  REQUIRED.",
                ),
        )
        .attribute(name)
        .attribute(string("displayName").description(
            "The name of the User, suitable for display to end-users.  The name SHOULD be the \
             full name of the User being described, if known.",
        ))
        .attribute(string("nickName").description(
            "The casual way to address the user in real life, e.g., 'Bob' or 'Bobby' instead \
             of 'Robert'.  This attribute SHOULD NOT be used to represent a User's username \
             (e.g., 'bjensen' or 'mpepperidge').",
        ))
        .attribute(reference("profileUrl", &["external"]).description(
            "A fully qualified URL pointing to a page representing the User's online profile.",
        ))
        .attribute(string("title").description("The user's title, such as \"Vice President.\""))
        .attribute(string("userType").description(
            "Used to identify the relationship between the organization and the user.  \
             Typical values used might be 'Contractor', 'Employee', 'Intern', 'Temp', \
             'External', and 'Unknown', but any value may be used.",
        ))
        .attribute(string("preferredLanguage").description(
            "Indicates the User's preferred written or spoken language.  Generally used for \
             selecting a localized user interface; e.g., 'en_US' specifies the language \
             English and country US.",
        ))
        .attribute(string("locale").description(
            "Used to indicate the User's default location for purposes of localizing items \
             such as currency, date time format, or numerical representations.",
        ))
        .attribute(string("timezone").description(
            "The User's time zone in the 'Olson' time zone database format, e.g., \
             'America/Los_Angeles'.",
        ))
        .attribute(
            boolean("active")
                .description("A Boolean value indicating the User's administrative status."),
        )
        .attribute(
            string("password")
                .mutability(Mutability::WriteOnly)
                .returned(Returned::Never)
                .description(
                    "The User's cleartext password.  This attribute is intended to be used as \
                     a means to specify an initial password when creating a new User or to \
                     reset an existing User's password.",
                ),
        )
        .attribute(multi_valued(
            "emails",
            "Email addresses for the user.  The value SHOULD be canonicalized by the service \
             provider, e.g., 'bjensen@example.com' instead of 'bjensen@EXAMPLE.COM'.  \
             Canonical type values of 'work', 'home', and 'other'.",
            string("value").description(
                "Email addresses for the user.  The value SHOULD be canonicalized by the \
                 service provider, e.g., 'bjensen@example.com' instead of \
                 'bjensen@EXAMPLE.COM'.  Canonical type values of 'work', 'home', and \
                 'other'.",
            ),
            string("type")
                .canonical_values(["work", "home", "other"])
                .description(
                    "A label indicating the attribute's function, e.g., 'work' or 'home'.",
                ),
            &primary(", e.g., the preferred mailing address or primary email address"),
        ))
        .attribute(multi_valued(
            "phoneNumbers",
            "Phone numbers for the User.  The value SHOULD be canonicalized by the service \
             provider according to the format specified in RFC 3966, e.g., \
             'tel:+1-201-555-0123'.  Canonical type values of 'work', 'home', 'mobile', \
             'fax', 'pager', and 'other'.",
            string("value").description("Phone number of the User."),
            string("type")
                .canonical_values(["work", "home", "mobile", "fax", "pager", "other"])
                .description(
                    "A label indicating the attribute's function, e.g., 'work', 'home', \
                     'mobile'.",
                ),
            &primary(", e.g., the preferred phone number or primary phone number"),
        ))
        .attribute(multi_valued(
            "ims",
            "Instant messaging addresses for the User.",
            string("value").description("Instant messaging address for the User."),
            string("type")
                .canonical_values(["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"])
                .description(
                    "A label indicating the attribute's function, e.g., 'aim', 'gtalk', \
                     'xmpp'.",
                ),
            &primary(", e.g., the preferred messenger or primary messenger"),
        ))
        .attribute(multi_valued(
            "photos",
            "URLs of photos of the User.",
            reference("value", &["external"]).description("URL of a photo of the User."),
            string("type")
                .canonical_values(["photo", "thumbnail"])
                .description(
                    "A label indicating the attribute's function, i.e., 'photo' or \
                     'thumbnail'.",
                ),
            &primary(", e.g., the preferred photo or thumbnail"),
        ))
        .attribute(address)
        .attribute(groups)
        .attribute(multi_valued(
            "entitlements",
            "A list of entitlements for the User that represent a thing the User has.",
            string("value").description("The value of an entitlement."),
            string("type").description(TYPE),
            &primary(""),
        ))
        .attribute(multi_valued(
            "roles",
            "A list of roles for the User that collectively represent who the User is, e.g., \
             'Student', 'Faculty'.",
            string("value").description("The value of a role."),
            string("type").description(TYPE),
            &primary(""),
        ))
        .attribute(multi_valued(
            "x509Certificates",
            "A list of certificates issued to the User.",
            Attribute::new("value", AttributeType::Binary)
                .description("The value of an X.509 certificate."),
            string("type").description(TYPE),
            &primary(""),
        ))
}

/// The Group schema (RFC 7643 §4.2, §8.7.1).
///
/// Two deliberate differences from the §8.7.1 representation: `displayName` is
/// required, as §4.2 and the attribute's own description ("REQUIRED.") say (§8.7.1's
/// `"required": false` contradicts them; Entra ID and Okta always send it), and
/// `members` has a `display` sub-attribute, which Okta sends.
pub(crate) fn group_schema() -> Schema {
    let immutable = |a: Attribute| a.mutability(Mutability::Immutable);
    let members = Attribute::complex(
        "members",
        vec![
            // A member's `id`, which is caseExact (RFC 7643 §3.1), though §8.7.1 prints false:
            // the store's membership index and `member_delta` compare ids exactly, so
            // whole-document PATCH and filters must too.
            immutable(string("value").case_exact(true))
                .description("Identifier of the member of this Group."),
            immutable(reference("$ref", &["User", "Group"])).description(
                "The URI corresponding to a SCIM resource that is a member of this Group.",
            ),
            string("display").description(
                "A human-readable name, primarily used for display purposes.  Not in RFC 7643 \
                 §8.7.1; Okta sends it.",
            ),
            immutable(string("type").canonical_values(["User", "Group"]))
                .description("A label indicating the type of resource, e.g., 'User' or 'Group'."),
        ],
    )
    .multi_valued(true)
    .description("A list of members of the Group.");
    Schema::new(GROUP_SCHEMA, "Group")
        .description("Group")
        .attribute(
            string("displayName")
                .required(true)
                .description("A human-readable name for the Group.  REQUIRED."),
        )
        .attribute(members)
}

/// The EnterpriseUser extension (RFC 7643 §4.3, §8.7.1).
pub(crate) fn enterprise_user_schema() -> Schema {
    let manager = Attribute::complex(
        "manager",
        vec![
            string("value").description(
                "The id of the SCIM resource representing the User's manager.  REQUIRED.",
            ),
            reference("$ref", &["User"]).description(
                "The URI of the SCIM resource representing the User's manager.  REQUIRED.",
            ),
            string("displayName")
                .mutability(Mutability::ReadOnly)
                .description("The displayName of the User's manager.  OPTIONAL and READ-ONLY."),
        ],
    )
    .description(
        "The User's manager.  A complex type that optionally allows service providers to \
         represent organizational hierarchy by referencing the 'id' attribute of another User.",
    );
    Schema::new(ENTERPRISE_USER_SCHEMA, "EnterpriseUser")
        .description("Enterprise User")
        .attribute(string("employeeNumber").description(
            "Numeric or alphanumeric identifier assigned to a person, typically based on order \
             of hire or association with an organization.",
        ))
        .attribute(string("costCenter").description("Identifies the name of a cost center."))
        .attribute(string("organization").description("Identifies the name of an organization."))
        .attribute(string("division").description("Identifies the name of a division."))
        .attribute(string("department").description("Identifies the name of a department."))
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

#[cfg(test)]
mod tests;
