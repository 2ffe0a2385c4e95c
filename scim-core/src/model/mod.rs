//! Typed views of the built-in resources, for host apps that prefer structs to JSON in
//! their store: [`User`] (with [`EnterpriseUser`]) and [`Group`], converting to and from
//! [`Resource`]. Fields mirror RFC 7643 §4; unknown attributes and other
//! extensions are kept in `extensions`.

mod group;
mod user;

pub use group::{Group, Member};
pub use user::{
    Address, Email, EnterpriseUser, Entitlement, GroupRef, Im, Manager, MultiValue, Name,
    PhoneNumber, Photo, Role, User, X509Certificate,
};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::ScimError;
use crate::resource::Resource;

/// The `meta` attribute every resource has ([RFC 7643 §3.1](https://www.rfc-editor.org/rfc/rfc7643#section-3.1)).
///
/// ```
/// use scim_core::model::Meta;
/// let meta: Meta = serde_json::from_value(serde_json::json!({"resourceType": "User", "version": "W/\"1\""})).unwrap();
/// assert_eq!(meta.version.as_deref(), Some("W/\"1\""));
/// assert_eq!(serde_json::to_value(&meta).unwrap(), serde_json::json!({"resourceType": "User", "version": "W/\"1\""}));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Meta {
    /// The resource type's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// When the resource was created (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// When the resource last changed (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// The resource's URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The resource's version (its ETag).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// Reads a typed view from a resource of type `expected`.
fn from_resource<T: serde::de::DeserializeOwned>(
    resource: Resource,
    expected: &str,
) -> Result<T, ScimError> {
    if !resource.resource_type().eq_ignore_ascii_case(expected) {
        return Err(ScimError::invalid_value(format!(
            "a {} resource is not a {expected}",
            resource.resource_type()
        )));
    }
    serde_json::from_value(resource.into_value())
        .map_err(|e| ScimError::invalid_value(format!("not a valid {expected}: {e}")))
}

/// Writes a typed view into a resource of type `name`, filling an empty `schemas`.
fn to_resource<T: Serialize>(view: &T, name: &str, schemas: &[&str]) -> Resource {
    // Serializing these structs of strings, booleans and maps cannot fail.
    let mut attributes = match serde_json::to_value(view) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    if !attributes.contains_key("schemas") {
        let mut ordered = Map::new();
        ordered.insert("schemas".into(), schemas.iter().copied().collect());
        ordered.extend(attributes);
        attributes = ordered;
    }
    Resource::new_unchecked(name, attributes)
}
