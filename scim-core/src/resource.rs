//! The dynamic [`Resource`]: a JSON object that knows its resource type.

use serde_json::{Map, Value};

/// A SCIM resource: a JSON object (attribute names in the schema's canonical
/// spelling once validated) tagged with the name of its resource type.
///
/// Extension attributes live under their schema URN key, as on the wire
/// (RFC 7643 §3.3).
///
/// ```
/// use scim_core::Resource;
/// let r = Resource::from_value("User", serde_json::json!({"id": "42", "userName": "bjensen"})).unwrap();
/// assert_eq!(r.id(), Some("42"));
/// assert_eq!(r.get("userName").and_then(|v| v.as_str()), Some("bjensen"));
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Resource {
    resource_type: String,
    attributes: Map<String, Value>,
}

impl Resource {
    /// A resource of `resource_type` with the given attributes.
    ///
    /// ```
    /// # use scim_core::Resource;
    /// let r = Resource::new("Group", serde_json::Map::new());
    /// assert_eq!(r.resource_type(), "Group");
    /// ```
    pub fn new(resource_type: impl Into<String>, attributes: Map<String, Value>) -> Self {
        Self {
            resource_type: resource_type.into(),
            attributes,
        }
    }

    /// A resource from a JSON value, which must be an object.
    ///
    /// ```
    /// # use scim_core::Resource;
    /// assert!(Resource::from_value("User", serde_json::json!([1])).is_none());
    /// ```
    pub fn from_value(resource_type: impl Into<String>, value: Value) -> Option<Self> {
        match value {
            Value::Object(attributes) => Some(Self::new(resource_type, attributes)),
            _ => None,
        }
    }

    /// The resource type's name (`User`, `Group`, …).
    ///
    /// ```
    /// # use scim_core::Resource;
    /// assert_eq!(Resource::new("User", Default::default()).resource_type(), "User");
    /// ```
    pub fn resource_type(&self) -> &str {
        &self.resource_type
    }

    /// The `id`, once the store has assigned one.
    ///
    /// ```
    /// # use scim_core::Resource;
    /// assert_eq!(Resource::new("User", Default::default()).id(), None);
    /// ```
    pub fn id(&self) -> Option<&str> {
        self.attributes.get("id").and_then(Value::as_str)
    }

    /// `meta.version`, the resource's ETag value.
    ///
    /// ```
    /// # use scim_core::Resource;
    /// let r = Resource::from_value("User", serde_json::json!({"meta": {"version": "W/\"3\""}})).unwrap();
    /// assert_eq!(r.version(), Some("W/\"3\""));
    /// ```
    pub fn version(&self) -> Option<&str> {
        self.attributes
            .get("meta")
            .and_then(|m| m.get("version"))
            .and_then(Value::as_str)
    }

    /// A top-level attribute (or extension object, by URN) by its exact key.
    ///
    /// ```
    /// # use scim_core::Resource;
    /// let r = Resource::from_value("User", serde_json::json!({"active": true})).unwrap();
    /// assert_eq!(r.get("active"), Some(&serde_json::json!(true)));
    /// ```
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.attributes.get(key)
    }

    /// The attributes.
    ///
    /// ```
    /// # use scim_core::Resource;
    /// assert!(Resource::new("User", Default::default()).attributes().is_empty());
    /// ```
    pub fn attributes(&self) -> &Map<String, Value> {
        &self.attributes
    }

    /// The attributes, mutably.
    ///
    /// ```
    /// # use scim_core::Resource;
    /// let mut r = Resource::new("User", Default::default());
    /// r.attributes_mut().insert("userName".into(), "bjensen".into());
    /// assert_eq!(r.attributes().len(), 1);
    /// ```
    pub fn attributes_mut(&mut self) -> &mut Map<String, Value> {
        &mut self.attributes
    }

    /// The resource as a JSON object value.
    ///
    /// ```
    /// # use scim_core::Resource;
    /// let v = Resource::new("User", Default::default()).into_value();
    /// assert!(v.is_object());
    /// ```
    pub fn into_value(self) -> Value {
        Value::Object(self.attributes)
    }

    /// The attributes, consuming the resource.
    ///
    /// ```
    /// # use scim_core::Resource;
    /// assert!(Resource::new("User", Default::default()).into_attributes().is_empty());
    /// ```
    pub fn into_attributes(self) -> Map<String, Value> {
        self.attributes
    }
}
