//! The typed Group ([RFC 7643 §4.2](https://www.rfc-editor.org/rfc/rfc7643#section-4.2)).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Meta, from_resource, to_resource};
use crate::error::ScimError;
use crate::resource::Resource;
use crate::schema::builtin::GROUP_SCHEMA;

/// A Group ([RFC 7643 §4.2](https://www.rfc-editor.org/rfc/rfc7643#section-4.2)).
///
/// ```
/// use scim_core::{Resource, model::{Group, Member}};
/// let mut group = Group::new("Tour Guides");
/// group.members.push(Member::new("2819c223-7f76-453a-919d-413861904646"));
/// let resource = Resource::from(group.clone());
/// assert_eq!(resource.get("displayName"), Some(&serde_json::json!("Tour Guides")));
/// assert_eq!(resource.get("schemas"), Some(&serde_json::json!(["urn:ietf:params:scim:schemas:core:2.0:Group"])));
/// let back = Group::try_from(resource).unwrap();
/// assert_eq!(back.members, group.members);
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Group {
    /// The schema URNs; filled with the Group schema when empty on conversion.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schemas: Vec<String>,
    /// The service provider's identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The client's identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The group's name.
    #[serde(default)]
    pub display_name: String,
    /// The members.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<Member>,
    /// Resource metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Extension objects (by URN) and any other attribute, kept as JSON.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

impl Group {
    /// A group with a display name and nothing else.
    ///
    /// ```
    /// # use scim_core::model::Group;
    /// assert_eq!(Group::new("Admins").display_name, "Admins");
    /// ```
    pub fn new(display_name: impl Into<String>) -> Self {
        Self {
            display_name: display_name.into(),
            ..Self::default()
        }
    }
}

/// A member of a group (RFC 7643 §4.2 `members`).
///
/// ```
/// use scim_core::model::Member;
/// let m: Member = serde_json::from_value(serde_json::json!({"value": "1", "$ref": "https://x/Users/1", "type": "User"})).unwrap();
/// assert_eq!(m.reference.as_deref(), Some("https://x/Users/1"));
/// assert_eq!(m.kind.as_deref(), Some("User"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Member {
    /// The member's `id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The member's URI.
    #[serde(rename = "$ref", default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// A display name (Okta sends it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    /// `User` or `Group`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

impl Member {
    /// A member by id.
    ///
    /// ```
    /// # use scim_core::model::Member;
    /// assert_eq!(Member::new("42").value.as_deref(), Some("42"));
    /// ```
    pub fn new(value: impl Into<String>) -> Self {
        Self {
            value: Some(value.into()),
            ..Self::default()
        }
    }
}

impl TryFrom<Resource> for Group {
    type Error = ScimError;

    fn try_from(resource: Resource) -> Result<Self, ScimError> {
        from_resource(resource, "Group")
    }
}

impl From<Group> for Resource {
    fn from(group: Group) -> Self {
        to_resource(&group, "Group", &[GROUP_SCHEMA])
    }
}
