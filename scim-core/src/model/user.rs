//! The typed User ([RFC 7643 §4.1](https://www.rfc-editor.org/rfc/rfc7643#section-4.1))
//! and EnterpriseUser extension ([§4.3](https://www.rfc-editor.org/rfc/rfc7643#section-4.3)).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Meta, from_resource, to_resource};
use crate::error::ScimError;
use crate::resource::Resource;
use crate::schema::builtin::{ENTERPRISE_USER_SCHEMA, USER_SCHEMA};

/// A User ([RFC 7643 §4.1](https://www.rfc-editor.org/rfc/rfc7643#section-4.1)), with the
/// EnterpriseUser extension when present.
///
/// ```
/// use scim_core::{Resource, model::{Email, User}};
/// let mut user = User::new("bjensen@example.com");
/// user.active = Some(true);
/// user.emails.push(Email::new("bjensen@example.com"));
/// let resource = Resource::from(user.clone());
/// assert_eq!(resource.get("userName"), Some(&serde_json::json!("bjensen@example.com")));
/// let back = User::try_from(resource).unwrap();
/// assert_eq!(back.schemas, ["urn:ietf:params:scim:schemas:core:2.0:User"]);
/// assert_eq!((back.user_name, back.active, back.emails), (user.user_name, user.active, user.emails));
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct User {
    /// The schema URNs; filled with the User (and EnterpriseUser) schema when empty on conversion.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schemas: Vec<String>,
    /// The service provider's identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The client's identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The unique sign-in name.
    #[serde(default)]
    pub user_name: String,
    /// The components of the user's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Name>,
    /// The name to display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The casual name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nick_name: Option<String>,
    /// The profile page URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_url: Option<String>,
    /// The title ("Vice President").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The relationship to the organization ("Employee").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    /// The preferred language ("en-US").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_language: Option<String>,
    /// The locale ("en-US").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// The Olson time zone ("America/Los_Angeles").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// The administrative status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// The password (write-only: never in a response). In what a store receives from the
    /// engine, its hash by the configured [`PasswordHasher`](crate::PasswordHasher), never
    /// the clear text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Email addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<Email>,
    /// Phone numbers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phone_numbers: Vec<PhoneNumber>,
    /// Instant-messaging addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ims: Vec<Im>,
    /// Photo URLs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<Photo>,
    /// Postal addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Address>,
    /// The groups the user belongs to (read-only, derived by the store).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupRef>,
    /// Entitlements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entitlements: Vec<Entitlement>,
    /// Roles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<Role>,
    /// X.509 certificates (base64 DER).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub x509_certificates: Vec<X509Certificate>,
    /// The EnterpriseUser extension.
    #[serde(
        rename = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub enterprise: Option<EnterpriseUser>,
    /// Resource metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Other extension objects (by URN) and any other attribute, kept as JSON.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

impl User {
    /// A user with a userName and nothing else.
    ///
    /// ```
    /// # use scim_core::model::User;
    /// assert_eq!(User::new("bjensen").user_name, "bjensen");
    /// ```
    pub fn new(user_name: impl Into<String>) -> Self {
        Self {
            user_name: user_name.into(),
            ..Self::default()
        }
    }
}

impl TryFrom<Resource> for User {
    type Error = ScimError;

    fn try_from(resource: Resource) -> Result<Self, ScimError> {
        from_resource(resource, "User")
    }
}

impl From<User> for Resource {
    fn from(user: User) -> Self {
        let schemas: &[&str] = if user.enterprise.is_some() {
            &[USER_SCHEMA, ENTERPRISE_USER_SCHEMA]
        } else {
            &[USER_SCHEMA]
        };
        to_resource(&user, "User", schemas)
    }
}

/// The components of a user's name (RFC 7643 §4.1.1 `name`).
///
/// ```
/// use scim_core::model::Name;
/// let n: Name = serde_json::from_value(serde_json::json!({"givenName": "Barbara", "familyName": "Jensen"})).unwrap();
/// assert_eq!(n.given_name.as_deref(), Some("Barbara"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Name {
    /// The full name, formatted for display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatted: Option<String>,
    /// The family (last) name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// The given (first) name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// The middle name(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// The honorific prefix(es) ("Ms.").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honorific_prefix: Option<String>,
    /// The honorific suffix(es) ("III").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honorific_suffix: Option<String>,
}

/// One value of a multi-valued attribute with the `value`, `display`, `type`, `primary`
/// shape (RFC 7643 §2.4): emails, phoneNumbers, ims, photos, entitlements, roles,
/// x509Certificates.
///
/// ```
/// use scim_core::model::Email;
/// let mut e = Email::new("bjensen@example.com");
/// e.kind = Some("work".into());
/// e.primary = Some(true);
/// assert_eq!(serde_json::to_value(&e).unwrap(),
///     serde_json::json!({"value": "bjensen@example.com", "type": "work", "primary": true}));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MultiValue {
    /// The value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// A display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    /// A label: `work`, `home`, …
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Whether this is the preferred value (at most one is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
}

impl MultiValue {
    /// A value with no label.
    ///
    /// ```
    /// # use scim_core::model::PhoneNumber;
    /// assert_eq!(PhoneNumber::new("tel:+1-201-555-0123").value.as_deref(), Some("tel:+1-201-555-0123"));
    /// ```
    pub fn new(value: impl Into<String>) -> Self {
        Self {
            value: Some(value.into()),
            ..Self::default()
        }
    }
}

/// An email address (RFC 7643 §4.1.2 `emails`).
pub type Email = MultiValue;
/// A phone number (RFC 7643 §4.1.2 `phoneNumbers`).
pub type PhoneNumber = MultiValue;
/// An instant-messaging address (RFC 7643 §4.1.2 `ims`).
pub type Im = MultiValue;
/// A photo URL (RFC 7643 §4.1.2 `photos`).
pub type Photo = MultiValue;
/// An entitlement (RFC 7643 §4.1.2 `entitlements`).
pub type Entitlement = MultiValue;
/// A role (RFC 7643 §4.1.2 `roles`).
pub type Role = MultiValue;
/// A base64 DER certificate (RFC 7643 §4.1.2 `x509Certificates`).
pub type X509Certificate = MultiValue;

/// A postal address (RFC 7643 §4.1.2 `addresses`).
///
/// ```
/// use scim_core::model::Address;
/// let a: Address = serde_json::from_value(serde_json::json!({"locality": "Hollywood", "type": "work"})).unwrap();
/// assert_eq!(a.kind.as_deref(), Some("work"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Address {
    /// The full address, formatted for display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatted: Option<String>,
    /// The street address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_address: Option<String>,
    /// The city.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    /// The state or region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// The country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// A label: `work`, `home`, `other`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Whether this is the preferred address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
}

/// A group the user belongs to (RFC 7643 §4.1.2 `groups`, read-only).
///
/// ```
/// use scim_core::model::GroupRef;
/// let g: GroupRef = serde_json::from_value(serde_json::json!({"value": "e9e3", "display": "Tour Guides"})).unwrap();
/// assert_eq!(g.display.as_deref(), Some("Tour Guides"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GroupRef {
    /// The group's `id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The group's URI.
    #[serde(rename = "$ref", default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The group's display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    /// `direct` or `indirect`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// The EnterpriseUser extension ([RFC 7643 §4.3](https://www.rfc-editor.org/rfc/rfc7643#section-4.3)).
///
/// ```
/// use scim_core::model::EnterpriseUser;
/// let e: EnterpriseUser = serde_json::from_value(serde_json::json!({"employeeNumber": "701984", "manager": {"value": "26118915"}})).unwrap();
/// assert_eq!(e.manager.unwrap().value.as_deref(), Some("26118915"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EnterpriseUser {
    /// The employee number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_number: Option<String>,
    /// The cost center.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_center: Option<String>,
    /// The organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// The division.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division: Option<String>,
    /// The department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// The user's manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<Manager>,
}

/// The user's manager (RFC 7643 §4.3 `manager`).
///
/// ```
/// use scim_core::model::Manager;
/// let m: Manager = serde_json::from_value(serde_json::json!({"value": "1", "displayName": "John Smith"})).unwrap();
/// assert_eq!(m.display_name.as_deref(), Some("John Smith"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Manager {
    /// The manager's `id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The manager's URI.
    #[serde(rename = "$ref", default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The manager's display name (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}
